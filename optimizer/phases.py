"""The later phases of a solve, each on the same model with the earlier objectives held.

1. **Main** (``optimizer.solve``): hard rules, soft rules and the fairness spreads.
2. **Balance**: with the main objective held at the value found (``≤``, so it can only
   improve), minimise Σ over the pool of |load − fair share| (hundredths of a load-hour;
   fair shares from ``optimizer.fairshare``). The spread only prices the two extremes;
   this phase places everyone in between.
3. **Canonical tie-break** (only after both are proven optimal): with both objectives
   fixed, minimise a fixed pseudo-random weight per assignment (a hash of person, shift,
   start and role), so that the schedule returned among the many optimal ones does not
   depend on thread timing: the same input gives the same bytes.

Each phase changes the model's objective, adds its hold constraints, and
:func:`restore` puts the main objective back and clears what it added.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from ortools.sat.python import cp_model

from .fairshare import fair_shares
from .model import ModelBuilder, Term, set_hints


def main_objective(builder: ModelBuilder) -> cp_model.LinearExprT:
    return sum(t.coeff * t.expr for t in builder.terms) if builder.terms else 0


def by_rule(builder: ModelBuilder) -> dict[str, list[Term]]:
    """The objective's terms grouped by the rule that owns them, in rule-name order."""
    groups: dict[str, list[Term]] = {}
    for t in builder.terms:
        groups.setdefault(t.rule, []).append(t)
    return dict(sorted(groups.items()))


def held_at(builder: ModelBuilder, known: dict[str, int], held: int) -> list[tuple[cp_model.LinearExprT, int]]:
    """The holds of a later phase: the main objective at most ``held``, and each rule's
    terms at most what that leaves them (:func:`rule_holds`)."""
    return [(main_objective(builder), held), *rule_holds(builder, known, held)]


def rule_holds(builder: ModelBuilder, known: dict[str, int],
               held: int) -> list[tuple[cp_model.LinearExprT, int]]:
    """Implied holds per rule for a phase that holds the main objective at ``held``:
    each rule's terms are at least ``known[rule]`` in every schedule, so where the sum is
    at most ``held`` each rule pays at most ``held`` minus the others' bounds. They
    exclude no schedule the main hold admits; they give the later phases' search what the
    sum alone hides (at the floor, every rule is pinned to its own bound)."""
    if not known:
        return []
    total = sum(known.values())
    return [(sum(t.coeff * t.expr for t in terms), held - total + known.get(rule, 0))
            for rule, terms in by_rule(builder).items()]


@dataclass
class Balance:
    """The balance objective: ``expr`` = Σ_p |load_p − share_p| (centi), at most ``top``;
    ``parts`` are (deviation variable, load expression, share) for hinting."""

    expr: cp_model.LinearExprT
    top: int
    parts: list[tuple[cp_model.IntVar, cp_model.LinearExprT, int]]

    def hint(self, model: cp_model.CpModel, solver: cp_model.CpSolver) -> None:
        """Complete a hint taken from ``solver`` (a solution without these variables)."""
        for d, load, share in self.parts:
            model.add_hint(d, abs(solver.value(load) - share))


def balance_expr(builder: ModelBuilder) -> Balance | None:
    """Σ_p |load_p − share_p| over the pool (centi), exact (abs equality), with an upper
    bound; ``None`` when there is nothing to balance."""
    prob, v, model = builder.problem, builder.vars, builder.model
    pool = prob.pool
    if len(pool) < 2:
        return None
    shares = fair_shares(prob)
    parts: list[tuple[cp_model.IntVar, cp_model.LinearExprT, int]] = []
    top, offset = 0, 0
    for p in pool:
        coeffs = [(prob.load(p, i, r), x) for i in v.instances_of.get(p, []) for r, x in v.of_pi[(p, i)]]
        share = shares.centi.get(p, 0)
        if not coeffs:  # nothing to take: the whole share is the distance
            offset += share
            top += share
            continue
        most = sum(c for c, _ in coeffs)
        ub = max(share, most - share)
        d = model.new_int_var(0, ub, f"dev_{p}")
        load = sum(c * x for c, x in coeffs)
        model.add_abs_equality(d, load - share)
        parts.append((d, load, share))
        top += ub
    if not parts:
        return None
    return Balance(sum(d for d, _, _ in parts) + offset, top, parts)


def canonical_expr(builder: ModelBuilder) -> cp_model.LinearExprT:
    """A fixed weight in [1, 2^20] per assignment variable, from a hash of what it means
    (person id, shift, start, role), so it does not depend on variable order."""
    prob = builder.problem
    terms = []
    for (p, i, r), x in builder.vars.x.items():
        inst = prob.instances[i]
        key = f"{prob.people[p].id}|{inst.shift}|{inst.start}|{inst.roles[r].name}".encode()
        w = 1 + int.from_bytes(hashlib.blake2b(key, digest_size=4).digest(), "big") % (1 << 20)
        terms.append(w * x)
    return sum(terms)


@contextmanager
def holding(builder: ModelBuilder, holds: list[tuple[cp_model.LinearExprT, int]],
            objective: cp_model.LinearExprT) -> Iterator[None]:
    """Within the block the model minimises ``objective`` subject to ``expr <= value`` for
    every hold; afterwards the holds are cleared and the main objective is back."""
    model = builder.model
    added = [model.add(expr <= value).index for expr, value in holds]
    model.minimize(objective)
    try:
        yield
    finally:
        for k in added:
            model.proto.constraints[k].clear_linear()  # an empty constraint: no effect
        model.minimize(main_objective(builder))
        model.clear_hints()


def hint_all(model: cp_model.CpModel, solver: cp_model.CpSolver) -> None:
    """Hint every variable with the value ``solver`` holds (variables added since, such as a
    later phase's deviations, are left to the search)."""
    values = list(solver.response_proto.solution)[:len(model.proto.variables)]
    set_hints(model, list(range(len(values))), values)
