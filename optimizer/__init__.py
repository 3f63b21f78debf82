"""rota: on-call rotations with CP-SAT.

>>> from optimizer import load_scenario, solve
>>> result = solve(load_scenario("data/examples/quarterly.yaml"))
>>> result.assignments.head()
"""

from .errors import InputError
from .loading import load_scenario
from .problem import Problem
from .scenario import Person, Scenario, TimeOff
from .schedule import Schedule, assignments_frame, people_frame, read_schedule
from .solve import Progress, Result, Status, solve
from .verify import Evaluation, evaluate

__all__ = [
    "Evaluation", "InputError", "Person", "Problem", "Progress", "Result", "Scenario",
    "Schedule", "Status", "TimeOff", "assignments_frame", "evaluate", "load_scenario",
    "people_frame", "read_schedule", "solve",
]
