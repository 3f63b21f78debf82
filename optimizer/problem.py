"""The compiled problem with rota's rule set: :class:`Problem` is :class:`Facts` whose
forbidden assignments (and so the fairness pool) come from every module in
``constraints.RULES``; :func:`build` is the CP-SAT model of those rules.

This module sits above both the facts and the rule modules, so neither imports upward.
"""

from __future__ import annotations

from collections.abc import Sequence

from constraints import RULES
from constraints.base import Rule

from .facts import Facts, Interval, Published, instance_on, start_dates
from .model import ModelBuilder
from .scenario import Scenario

__all__ = ["Facts", "Interval", "Problem", "build", "instance_on", "start_dates"]


class Problem(Facts):
    """Facts of a :class:`Scenario` under rota's rules (``constraints.RULES`` by default).

    ``baseline`` (optional) is a previously published schedule to re-plan from (see
    ``optimizer.replan``).
    """

    def __init__(
        self, scenario: Scenario, baseline: Published | None = None, rules: Sequence[Rule] | None = None
    ) -> None:
        super().__init__(scenario, baseline, RULES if rules is None else rules)

    def __reduce__(self):
        """Pickled as its scenario and baseline (rule modules cannot be pickled): a
        :class:`~optimizer.result.Result` can be saved or sent to another process."""
        if self.rules != tuple(RULES):
            raise TypeError("a Problem with its own rule modules cannot be pickled")
        return (Problem, (self.scenario, self.baseline))


def build(problem: Facts, explain: bool = False, plain: bool = False, linear: bool = False,
          priced: bool = True) -> ModelBuilder:
    """The CP-SAT model of ``problem`` with every rule of ``constraints.RULES``
    (``plain``: without derived bounds and symmetry breaking; ``linear``: linear
    encodings only, for CP-SAT's local search; ``priced=False``: hard rules only; see
    :class:`ModelBuilder`)."""
    return ModelBuilder(problem, RULES, explain=explain, plain=plain, linear=linear, priced=priced)
