"""Explanations: capacity arithmetic before solving, the rules that conflict when a
scenario is infeasible, and why a slot went to one person rather than another.

Conflict analysis builds the model in *explain* mode (``ModelBuilder(explain=True)``):
every hard constraint a rule family adds is put under an assumption literal of its group
(rule family × person, or × shift instance), CP-SAT (single worker, no objective) returns
a sufficient set of assumptions for infeasibility, and deletion then shrinks that set
towards a minimal one. Each remaining group is finally tested alone: if dropping it makes
the whole scenario solvable it is suggested as a relaxation.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from ortools.sat.python import cp_model

from constraints.base import Relaxation, Rule

from .assumptions import RULE_OF, SOLVED, AssumptionModel, Group, solvable
from .capacity import CapacityLine, capacity
from .changes import Change, parameter_changes, who
from .problem import Problem
from .scenario import Scenario
from .schedule import Assignment, Schedule
from .verify import evaluate

__all__ = [
    "CapacityLine",
    "Change",
    "Conflict",
    "Group",
    "alternatives",
    "capacity",
    "describe",
    "explain_infeasible",
    "parameter_changes",
    "relaxation",
    "solvable",
]


# --------------------------------------------------------------------------- conflicts


@dataclass
class Conflict:
    """Result of conflict analysis."""

    status: str  # "infeasible", "feasible" or "unknown"
    groups: list[Group] = field(default_factory=list)
    minimal: bool = False  # proven: dropping any one group resolves the conflict
    relaxations: list[Group] = field(default_factory=list)
    relax_together: list[Group] = field(default_factory=list)
    relax_families: list[list[Group]] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)  # parameter changes, each checked by the solver
    capacity: list[CapacityLine] = field(default_factory=list)
    seconds: float = 0.0
    problem: Problem | None = None

    def describe(self, g: Group) -> str:
        return describe(self.problem, g)

    def relax(self, g: Group) -> str:
        return relaxation(self.problem, g)

    def text(self, limit: int = 20) -> str:
        lines = []
        short = [c for c in self.capacity if c.short]
        if short:
            lines.append("Capacity (before any solving):")
            lines += [f"  {c}" for c in short]
        if self.status == "feasible":
            lines.append("The hard rules can all hold together (no conflict found).")
            return "\n".join(lines)
        if self.status == "unknown" or not self.groups:
            lines.append("The solver could not isolate the conflicting rules within the time limit.")
            return "\n".join(lines)
        head = (
            "These rules cannot all hold together; the set is minimal: drop any one of them and "
            "the rest of it can hold:"
            if self.minimal
            else "These rules cannot all hold together (a conflicting set, not proven minimal):"
        )
        lines.append(head)
        for k, g in enumerate(self.groups[:limit], 1):
            lines.append(f"  {k}. {self.describe(g)}")
        if len(self.groups) > limit:
            lines.append(f"  ... and {len(self.groups) - limit} more")
        people = sorted({g.person for g in self.groups if g.person >= 0})
        if self.problem is not None and len(people) > 1:
            named = who(self.problem, [self.problem.people[p].id for p in people])
            if named.startswith(("the ", "everyone")):
                lines.append(f"  (the people in the conflict are {named})")
        if self.changes:
            lines.append(
                "Each of these parameter changes alone makes the scenario solvable (checked by the solver; "
                "smallest change first):"
            )
            lines += [f"  - {c.text}" for c in self.changes]
        if self.relaxations:
            lines.append("Each of these relaxations alone makes the scenario solvable (checked by the solver):")
            lines += [f"  - {self.relax(g)}" for g in self.relaxations]
        elif self.relax_families:
            lines.append(
                "Relaxing the rule for one person or shift is not enough; relaxing one of these rules for "
                "everyone in the conflict makes the scenario solvable (checked by the solver):"
            )
            lines += [f"  - {relax_family(self.problem, gs)}" for gs in self.relax_families]
        elif self.relax_together:
            lines.append(
                (
                    "Or drop rules for single people or shifts"
                    if self.changes
                    else "Relaxing the rule for one person or shift is not enough"
                )
                + "; these together make the scenario solvable (checked by the solver; found greedily, so maybe "
                "not the fewest):"
            )
            lines += [f"  - {self.relax(g)}" for g in self.relax_together]
        elif not self.changes:
            lines.append("No single relaxation among these makes the scenario solvable; relax several, or add people.")
        return "\n".join(lines)


def _where(g: Group) -> tuple[int | None, int | None]:
    return (g.person if g.person >= 0 else None, g.instance if g.instance >= 0 else None)


def describe(prob: Problem | None, g: Group) -> str:
    """Group ``g``'s hard constraints in a team lead's words (the rule module's ``describe``)."""
    rule = RULE_OF.get(g.family)
    if prob is None or rule is None:
        return f"rule {g.family}"
    person, instance = _where(g)
    text = rule.describe(prob, person, instance) or f"rule {g.family}"
    if person is None and instance is None:
        return text + " for everyone (not narrowed down to people or shifts)"
    return text


def relaxation(prob: Problem | None, g: Group) -> str:
    """What dropping group ``g`` means, in a team lead's words (the cheapest of the rule
    module's ``relaxations``)."""
    rule = RULE_OF.get(g.family)
    if prob is None or rule is None:
        return f"drop rule {g.family}"
    person, instance = _where(g)
    options = _drops(rule, prob, g)
    if not options:
        return "drop " + describe(prob, g)
    text = min(options, key=lambda r: r.rank).text
    if person is None and instance is None and "everyone" not in text:
        text += " for everyone"
    return text


def _drops(rule: Rule, prob: Problem, g: Group) -> list[Relaxation]:
    """The rule module's words for dropping group ``g`` (its relaxations that are not
    parameter changes; those are :func:`parameter_changes`')."""
    options = rule.relaxations(prob, *_where(g))
    return [r for r in options if r.change is None] or options


def relax_family(prob: Problem | None, groups: list[Group]) -> str:
    """One line for dropping a rule family for several people or shifts."""
    assert prob is not None
    people = [prob.people[g.person].id for g in groups if g.person >= 0]
    if people and len(people) == len(groups):
        one = relaxation(prob, groups[0])
        everyone = who(prob, people)
        return (
            one.replace(f"for {people[0]}", f"for {everyone}")
            .replace(f"{people[0]}'s", f"{everyone}'s")
            .replace(f"ask {people[0]}", f"ask {everyone}")
            .replace(f"let {people[0]} ", f"let {everyone} ")
            .replace(f"allow {people[0]} ", f"allow {everyone} ")
        )
    return "; ".join(relaxation(prob, g) for g in groups)


def _shrink(run, core: list, budget: list[float]) -> tuple[list, bool]:
    """Deletion-based shrinking of an infeasible set of assumptions; (set, proven minimal)."""
    minimal = True
    k = 0
    while k < len(core):
        if budget[0] <= 0:
            return core, False
        trial = core[:k] + core[k + 1 :]
        st, smaller, _ = run(trial, max(0.3, budget[0] / (2 * len(core))))
        if st == cp_model.INFEASIBLE:
            keep = set(smaller)
            core = [g for g in trial if g in keep] if keep else trial
        else:
            if st not in SOLVED:
                minimal = False
            k += 1
    return core, minimal


def explain_infeasible(scenario: Scenario | Problem, time_limit: float = 25.0) -> Conflict:
    """Find rules that cannot all hold together, shrink them towards a minimal set, and
    test which relaxations make the scenario solvable.

    Two stages keep this fast on large teams: first whole rule families are assumptions
    (which families conflict?), then only the groups (per person or per shift) of those
    families. ``time_limit`` bounds the analysis in deterministic seconds on one worker,
    so the same scenario gives the same explanation.
    """
    t0 = time.perf_counter()
    deadline = t0 + time_limit  # wall clock: an answer arrives in time even on a busy machine
    prob = scenario if isinstance(scenario, Problem) else Problem(scenario)
    rank = _ranker(prob)
    cap = capacity(prob)
    budget = [float(time_limit)]

    def spend(model: AssumptionModel):
        def run(active, limit):
            wall = deadline - time.perf_counter()
            st, core, used = model.run(active, min(limit, max(0.05, budget[0])), wall)
            budget[0] = min(budget[0] - used, deadline - time.perf_counter())
            return st, core, used

        return run

    def done(status: str, **kw) -> Conflict:
        if status == "infeasible" and kw.get("groups"):
            kw["changes"] = parameter_changes(prob, kw["groups"], time_limit / 2)
        return Conflict(status, capacity=cap, seconds=time.perf_counter() - t0, problem=prob, **kw)

    # stage 1: which rule families conflict?
    fam_model = AssumptionModel(prob, key=lambda g: g.family)
    run_f = spend(fam_model)
    families = sorted(fam_model.lits)
    st, fam_core, _ = run_f(families, budget[0] * 0.5)
    if st in SOLVED:
        return done("feasible")
    if st != cp_model.INFEASIBLE:
        return done("unknown")
    if not fam_core:
        return done("infeasible", minimal=True)
    fam_core, _ = _shrink(run_f, sorted(fam_core), budget)
    # stage 2: which people / shifts of those families?
    core_fams = set(fam_core)
    # groups of the other families hang on one literal, left free while narrowing down and
    # assumed (enforced) when testing whether a relaxation solves the whole scenario
    grp_model = AssumptionModel(prob, key=lambda g: g if g.family in core_fams else OTHERS)
    run_g = spend(grp_model)
    narrowed = sorted(k for k in grp_model.lits if k != OTHERS)
    everything = narrowed + ([OTHERS] if OTHERS in grp_model.lits else [])
    st, core, _ = run_g(narrowed, budget[0] * 0.5)
    if st != cp_model.INFEASIBLE or not core:
        # could not narrow down: report the families, honestly
        return done(
            "infeasible",
            groups=[Group(f) for f in fam_core],
            minimal=False,
            relax_families=_family_relaxations(run_f, families, fam_core, rank),
        )
    core, minimal = _shrink(run_g, sorted(core), budget)
    relax = []
    for g in core:
        if budget[0] <= 0:
            break
        st, _, _ = run_g([h for h in everything if h != g], max(0.3, budget[0] / (2 * len(core))))
        if st in SOLVED:
            relax.append(g)
    relax.sort(key=rank)  # cheapest to relax first
    fams: list[list[Group]] = []
    together: list[Group] = []
    if not relax:
        for fam in sorted({g.family for g in core}, key=lambda f: rank(Group(f))):
            gs = [g for g in core if g.family == fam]
            if len(gs) < 2 or budget[0] <= 0:
                continue
            st, _, _ = run_g([h for h in everything if h not in gs], 2.0)
            if st in SOLVED:
                fams.append(gs)
    if not relax and not fams:
        together = _greedy_relaxation(run_g, everything, core, rank)
    if not relax and not fams and not together:
        fams = _family_relaxations(run_f, families, fam_core, rank)
    return done(
        "infeasible", groups=core, minimal=minimal, relaxations=relax, relax_together=together, relax_families=fams
    )


OTHERS = Group("~others")


def _family_relaxations(run_f: Run, families: list[str], fam_core: list[str], rank: Rank) -> list[list[Group]]:
    """Rule families whose removal (for everyone) makes the scenario solvable."""
    out = []
    for f in sorted(fam_core, key=lambda f: rank(Group(f))):
        st, _, _ = run_f([h for h in families if h != f], 3.0)
        if st in SOLVED:
            out.append([Group(f)])
    return out


Rank = Callable[["Group"], tuple[int, "Group"]]
Run = Callable[[list[Any], float], tuple[Any, list[Any], float]]


def _ranker(prob: Problem) -> Rank:
    """Sort key: cheaper to relax first (a personal limit before dropping a requirement),
    the lowest rank among the rule module's relaxations."""

    def rank(g: Group) -> tuple[int, Group]:
        rule = RULE_OF.get(g.family)
        options = _drops(rule, prob, g) if rule is not None else []
        return (min((r.rank for r in options), default=1000), g)

    return rank


def _greedy_relaxation(run: Run, everything: list[Any], core: list[Any], rank: Rank, rounds: int = 30) -> list[Group]:
    """Drop one group of each successive conflict (the cheapest family first) until the
    scenario is solvable; returns the dropped groups, or [] if none found in time."""
    dropped: list[Group] = []
    current = core
    for _ in range(rounds):
        dropped.append(min(current, key=rank))
        active = [g for g in everything if g not in dropped]
        st, current, _ = run(active, 2.0)
        if st in SOLVED:
            return dropped
        if st != cp_model.INFEASIBLE or not current:
            return []
    return []


# --------------------------------------------------------------------------- why this assignment


def alternatives(schedule: Schedule, instance: int, role: int, person: int | None = None) -> pd.DataFrame:
    """For a slot, everyone else: could they have taken it instead of ``person``?

    Each candidate replaces ``person`` (default: the first person in the slot) and the
    changed schedule is judged by the evaluators: hard rules it would break (new
    violations only), or the change in soft penalty per rule.

    Returns
    -------
    DataFrame with columns person, feasible, reasons, delta_points, delta_by_rule;
    feasible candidates first, cheapest first.
    """
    prob = schedule.problem
    in_slot = [a for a in schedule.assignments if a.instance == instance and a.role == role]
    if person is None:
        if not in_slot:
            raise ValueError("nobody is assigned to that slot")
        person = in_slot[0].person
    current = Assignment(instance, role, person)
    if current not in schedule.assignments:
        raise ValueError(f"{prob.people[person].id} does not hold that slot")
    base = evaluate(schedule)
    base_keys = _violation_keys(base)
    base_rules = base.by_rule().to_dict()
    rows = []
    for q in range(len(prob.people)):
        if q == person:
            continue
        changed = [a for a in schedule.assignments if a != current] + [Assignment(instance, role, q)]
        ev = evaluate(Schedule(prob, changed))
        new = [v for v in ev.violations.itertuples(index=False) if _key(v) not in base_keys]
        rules_now = ev.by_rule().to_dict()
        delta = {r: rules_now.get(r, 0.0) - base_rules.get(r, 0.0) for r in sorted(set(rules_now) | set(base_rules))}
        delta = {r: round(d, 4) for r, d in delta.items() if abs(d) > 1e-9}
        rows.append(
            {
                "person": prob.people[q].id,
                "feasible": not new,
                "reasons": "; ".join(sorted({f"{v.rule}: {v.message}" for v in new})),
                "delta_points": round(ev.objective - base.objective, 4),
                "delta_by_rule": delta,
            }
        )
    df = pd.DataFrame(rows, columns=["person", "feasible", "reasons", "delta_points", "delta_by_rule"])
    return df.sort_values(
        ["feasible", "delta_points", "person"], ascending=[False, True, True], kind="stable"
    ).reset_index(drop=True)


def _key(v) -> tuple:
    return (v.rule, v.person, v.shift, v.start, v.message)


def _violation_keys(ev) -> set[tuple]:
    return {_key(v) for v in ev.violations.itertuples(index=False)}
