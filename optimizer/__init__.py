"""rota: on-call rotations with CP-SAT.

>>> from optimizer import load_scenario, solve
>>> result = solve(load_scenario("data/examples/quarterly.yaml"))
>>> result.assignments.head()
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .errors import InputError
    from .loading import load_scenario
    from .problem import Problem
    from .scenario import Person, Scenario, TimeOff
    from .schedule import Schedule, assignments_frame, people_frame, read_schedule
    from .solve import Progress, Result, Status, solve
    from .verify import Evaluation, evaluate

# The public API, loaded on first use (PEP 562): importing a low module such as
# ``optimizer.settings`` (as the rule modules in ``constraints/`` do) must not pull in the
# whole pipeline above it, or the layers would import each other in a circle.
_HOME = {
    "InputError": "errors",
    "load_scenario": "loading",
    "Problem": "problem",
    "Person": "scenario",
    "Scenario": "scenario",
    "TimeOff": "scenario",
    "Schedule": "schedule",
    "assignments_frame": "schedule",
    "people_frame": "schedule",
    "read_schedule": "schedule",
    "Progress": "solve",
    "Result": "solve",
    "Status": "solve",
    "solve": "solve",
    "Evaluation": "verify",
    "evaluate": "verify",
}

__all__ = [
    "Evaluation",
    "InputError",
    "Person",
    "Problem",
    "Progress",
    "Result",
    "Scenario",
    "Schedule",
    "Status",
    "TimeOff",
    "assignments_frame",
    "evaluate",
    "load_scenario",
    "people_frame",
    "read_schedule",
    "solve",
]


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'optimizer' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _Api(types.ModuleType):
    """``optimizer.solve`` is the function, as before, although a submodule has that name:
    the import system binds the submodule on the package when it is first imported."""

    @property
    def solve(self) -> Any:
        return importlib.import_module(".solve", __name__).solve

    @solve.setter
    def solve(self, value: Any) -> None:
        pass  # the submodule stays reachable as sys.modules["optimizer.solve"]


sys.modules[__name__].__class__ = _Api
