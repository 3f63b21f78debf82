"""The assumption model behind conflict analysis: the hard constraints of a scenario in
groups (rule family x person, or x shift instance), each group under one assumption
literal, so that CP-SAT can name a set of groups that cannot hold together and test
whether dropping some makes the scenario solvable.

A rule module says how its constraints group (``Rule.RELAX``: by person, by instance,
or never relaxed); nothing here keys on a family's name except ``coverage``'s
one-role-per-person constraint, which is physics rather than policy.
"""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from constraints import RULES
from constraints.base import Rule

from .model import family
from .problem import Problem, build
from .scenario import Scenario

RULE_OF: dict[str, Rule] = {family(rule): rule for rule in RULES}  # family name -> its module


@dataclass(frozen=True, order=True)
class Group:
    """A set of hard constraints that is relaxed as a whole."""

    family: str
    person: int = -1
    instance: int = -1


_ENFORCEABLE = {"linear", "bool_or", "bool_and"}
_KINDS = ("linear", "bool_or", "bool_and", "at_most_one", "exactly_one", "lin_max")


def _kind(ct) -> str | None:
    for k in _KINDS:
        if getattr(ct, f"has_{k}")():
            return k
    return None


def groups_of(b) -> dict[Group, list[int]]:
    """Map each relaxable group to the indexes of its constraints."""
    owner = b.vars.owner
    protos = b.model.proto.constraints
    out: dict[Group, list[int]] = {}
    for fam, start, end in b.spans:
        grouping = RULE_OF[fam].RELAX if fam in RULE_OF else "person"
        if grouping == "never":
            continue
        for k in range(start, end):
            ct = protos[k]
            kind = _kind(ct)
            if k in b.vars.definitions:
                continue
            if kind in ("at_most_one", "exactly_one"):
                if fam == "coverage":
                    continue  # one role per person per instance: physics
                lits = list(getattr(ct, kind).literals)
                if any(v < 0 for v in lits):
                    continue
                getattr(ct, f"clear_{kind}")()
                ct.linear.vars.extend(lits)
                ct.linear.coeffs.extend([1] * len(lits))
                ct.linear.domain.extend([1, 1] if kind == "exactly_one" else [0, 1])
                kind = "linear"
            if kind not in _ENFORCEABLE:
                continue
            if kind == "linear":
                vars_ = list(ct.linear.vars)
            else:
                vars_ = [v if v >= 0 else -v - 1 for v in getattr(ct, kind).literals]
            if k in b.notes:
                person, inst = b.notes[k]
                g = Group(fam, person=person, instance=inst)
                out.setdefault(g, []).append(k)
                continue
            if any(v not in owner for v in vars_):
                continue  # involves auxiliary variables: a definition, not a policy
            people = {owner[v][0] for v in vars_}
            insts = {owner[v][1] for v in vars_ if owner[v][1] is not None}
            if grouping == "instance" and len(insts) == 1:
                g = Group(fam, instance=next(iter(insts)))
            elif len(people) == 1 and grouping != "instance":
                g = Group(fam, person=next(iter(people)))
            elif len(insts) == 1:
                g = Group(fam, instance=next(iter(insts)))
            else:
                g = Group(fam)
            out.setdefault(g, []).append(k)
    return out


class AssumptionModel:
    """The explain-mode model with one assumption literal per key; ``key(group)``
    returns the key of a group, or None to keep the group always enforced."""

    def __init__(self, prob: Problem, key) -> None:
        self.b = build(prob, explain=True)
        self.lits: dict = {}
        for g, cts in sorted(groups_of(self.b).items()):
            k = key(g)
            if k is None:
                continue
            if k not in self.lits:
                self.lits[k] = self.b.model.new_bool_var(f"assume_{len(self.lits)}")
            for c in cts:
                self.b.model.proto.constraints[c].enforcement_literal.append(self.lits[k].index)
        self.by_index = {lit.index: k for k, lit in self.lits.items()}

    def run(self, active: list, limit: float, wall: float = 1e9):
        self.b.model.clear_assumptions()
        self.b.model.add_assumptions([self.lits[k] for k in active])
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_deterministic_time = max(0.05, limit)
        solver.parameters.max_time_in_seconds = max(0.05, wall)
        solver.parameters.random_seed = 0
        # the LP relaxation of counting rules (weekends, windows) proves most conflicts
        # far faster than search alone
        solver.parameters.linearization_level = 2
        st = solver.solve(self.b.model)
        core = (
            [self.by_index[v] for v in solver.sufficient_assumptions_for_infeasibility() if v in self.by_index]
            if st == cp_model.INFEASIBLE
            else []
        )
        return st, core, solver.deterministic_time


SOLVED = (cp_model.OPTIMAL, cp_model.FEASIBLE)


def solvable(sc: Scenario, limit: float = 5.0, wall: float = 1e9) -> bool | None:
    """Can every hard rule of ``sc`` hold? ``None``: not decided within ``limit``
    (deterministic seconds, one worker)."""
    st, _, _ = AssumptionModel(Problem(sc), key=lambda g: None).run([], limit, wall)
    return True if st in SOLVED else False if st == cp_model.INFEASIBLE else None
