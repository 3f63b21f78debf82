"""The ``rota`` command line: a thin layer over the Python API, one module per command group.

Exit codes: 0 ok, 1 verify found violations, 2 invalid input, 3 proven infeasible,
4 no schedule within the time limit, 130 interrupted, 141 stdout closed by its reader
(``| head``); see docs/errors.md.
"""

from . import (  # noqa: F401  (register commands)
    check,
    escalation,
    explain,
    export,
    init,
    report,
    schema,
    solve,
    verify,
    whatif,
)
from .base import main

__all__ = ["main"]
