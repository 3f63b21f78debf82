"""What every rule module returns when it judges a finished schedule.

A rule module (one per family, listed in build order in ``constraints/__init__.py``)
provides:

- ``NAME``: the rule family's name, as reports show it;
- ``prune(problem) -> iterable of (person, instance)``  (optional): assignments the rule
  forbids outright, so no variable is created for them;
- ``encode(m: ModelBuilder)``: add constraints and objective terms to the CP-SAT model;
- ``evaluate(problem, schedule, stats) -> Outcome``: the same rule judged from the
  schedule alone, without the solver. This is the ground truth.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from optimizer.settings import Limit
from optimizer.units import scaled


@dataclass(frozen=True)
class Violation:
    """A broken hard rule."""

    rule: str
    message: str
    person: str | None = None
    shift: str | None = None
    start: str | None = None


@dataclass(frozen=True)
class Penalty:
    """A soft cost: ``amount`` (hundredths of the rule's unit) × ``weight`` points."""

    rule: str
    person: str | None
    amount_centi: int
    weight: float
    detail: str = ""

    @property
    def cost(self) -> int:
        """Internal objective units (see ``optimizer.units``)."""
        return scaled(self.weight) * self.amount_centi

    @property
    def amount(self) -> float:
        return self.amount_centi / 100


@dataclass
class Outcome:
    violations: list[Violation] = field(default_factory=list)
    penalties: list[Penalty] = field(default_factory=list)

    def over(self, rule: str, spec: Limit, person: str | None, amount: int, detail: str,
             where: tuple[str | None, str | None] = (None, None)) -> None:
        """Record ``amount`` units over a limit: a violation if hard, a penalty if soft."""
        if amount <= 0:
            return
        if spec.soft:
            if spec.weight:
                self.penalties.append(Penalty(rule, person, 100 * amount, spec.weight, detail))
        else:
            self.violations.append(Violation(rule, detail, person, where[0], where[1]))
