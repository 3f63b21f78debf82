"""Judge a schedule with the rule evaluators alone (no solver): hard violations and soft
penalties, per rule and per person."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from .fairshare import fair_shares
from .problem import Problem
from .schedule import Schedule
from .stats import person_stats
from .units import points


@dataclass
class Evaluation:
    violations: pd.DataFrame  # rule, person, shift, start, message
    penalties: pd.DataFrame   # rule, person, amount, weight, points, detail
    # judges the balance when first asked: the fair shares it needs took 9 s on Curtois
    # Instance24, where nothing asks (the repair reads the violations only)
    judge_balance: Callable[[], int] = field(default=int, repr=False, compare=False)

    @cached_property
    def balance_centi(self) -> int:
        """The second phase's objective: Σ over the pool of |load − fair share| (hundredths)."""
        return self.judge_balance()

    @property
    def balance(self) -> float:
        """The balance phase's objective judged from the schedule: Σ over the pool of
        |load − fair share|, in load-hours (see ``optimizer.phases``)."""
        return self.balance_centi / 100

    @property
    def feasible(self) -> bool:
        return self.violations.empty

    @property
    def cost(self) -> int:
        """Total soft penalty in internal units (equals the solver's objective)."""
        return int(self.penalties["cost"].sum()) if not self.penalties.empty else 0

    @property
    def objective(self) -> float:
        return points(self.cost)

    def by_rule(self) -> pd.Series:
        """Points per rule."""
        if self.penalties.empty:
            return pd.Series(dtype=float, name="points")
        return self.penalties.groupby("rule", sort=True)["points"].sum()

    def by_person(self) -> pd.DataFrame:
        """Points per person and rule (team-wide terms under person '(team)')."""
        if self.penalties.empty:
            return pd.DataFrame(columns=["person", "rule", "points"])
        df = self.penalties.assign(person=self.penalties["person"].fillna("(team)"))
        return df.groupby(["person", "rule"], sort=True)["points"].sum().reset_index()


def penalty_cost(schedule: Schedule) -> tuple[int, int]:
    """(hard violations, total soft penalty in internal units) of ``schedule``: what
    :func:`evaluate` would say, without its tables (for progress reports)."""
    from constraints import RULES

    prob: Problem = schedule.problem
    stats = person_stats(schedule)
    hard = cost = 0
    for rule in RULES:
        o = rule.evaluate(prob, schedule, stats)
        hard += len(o.violations)
        cost += sum(p.cost for p in o.penalties)
    return hard, cost


def evaluate(schedule: Schedule) -> Evaluation:
    from constraints import RULES

    prob: Problem = schedule.problem
    stats = person_stats(schedule)
    vio, pen = [], []
    for rule in RULES:
        o = rule.evaluate(prob, schedule, stats)
        vio.extend(o.violations)
        pen.extend(o.penalties)
    violations = pd.DataFrame(
        [dict(rule=v.rule, person=v.person, shift=v.shift, start=v.start, message=v.message) for v in vio],
        columns=["rule", "person", "shift", "start", "message"],
    )
    penalties = pd.DataFrame(
        [dict(rule=p.rule, person=p.person, amount=p.amount, weight=p.weight, points=points(p.cost),
              cost=p.cost, detail=p.detail) for p in pen],
        columns=["rule", "person", "amount", "weight", "points", "cost", "detail"],
    )
    loads = {p: stats[p].load_centi for p in prob.pool}
    return Evaluation(violations, penalties, _Balance(prob, loads))


class _Balance:
    """Σ over the pool of |load − fair share| (hundredths), judged when called (picklable,
    unlike a closure: results cross processes)."""

    def __init__(self, prob: Problem, loads: dict[int, int]) -> None:
        self.prob, self.loads = prob, loads

    def __call__(self) -> int:
        shares = fair_shares(self.prob).centi
        return sum(abs(load - shares[p]) for p, load in self.loads.items() if p in shares)
