"""Errors and exit codes shared by the API and the CLI.

Exit codes (documented in the README):

==== ==========================================================
0    success
1    ``verify`` found hard violations
2    the input is invalid (message names file, line and field)
3    the scenario is proven infeasible
4    no schedule was found within the time limit
130  interrupted (Ctrl-C or SIGTERM) before the search started
141  the reader of the output went away (``| head``): nothing more printed
==== ==========================================================

(A solve interrupted after it found a schedule writes it and exits 0.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_INPUT = 2
EXIT_INFEASIBLE = 3
EXIT_NO_SOLUTION = 4
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE (13): what a shell reports for a tool ended by SIGPIPE

EXIT_CODES = (EXIT_OK, EXIT_VIOLATIONS, EXIT_INPUT, EXIT_INFEASIBLE, EXIT_NO_SOLUTION, EXIT_INTERRUPTED,
              EXIT_BROKEN_PIPE)

_UNPRINTABLE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")
MAX_MESSAGE = 1000  # characters of one problem's message shown


@dataclass(frozen=True)
class InputProblem:
    """One thing wrong with an input file."""

    message: str
    file: str | None = None
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.line:
                where += f":{self.line}"
            where += ": "
        what = f"{self.field}: " if self.field else ""
        text = f"{where}{what}{self.message}"
        if len(text) > MAX_MESSAGE:
            text = text[:MAX_MESSAGE] + " ..."
        # a message never carries terminal escapes or carriage returns from a file
        return _UNPRINTABLE.sub(lambda m: repr(m[0])[1:-1], text)


@dataclass
class InputError(Exception):
    """Invalid input (scenario, CSV, schedule). The CLI turns it into exit code 2."""

    problems: list[InputProblem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    @classmethod
    def single(
        cls, message: str, file: str | None = None, line: int | None = None, field: str | None = None
    ) -> InputError:
        return cls([InputProblem(message, file, line, field)])

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)
