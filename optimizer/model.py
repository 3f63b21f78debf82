"""CP-SAT model building: the decision variables and the builder the rules write into.

Build order (one place): the rule list given to :class:`ModelBuilder` (rota's is
``constraints.RULES``, see ``optimizer.problem.build``). Each rule module ``prune``-s
impossible assignments before variables exist, then ``encode``-s itself through
:class:`ModelBuilder`. This module imports no rule.
"""

from __future__ import annotations

import datetime as dt
import gc
import weakref
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ortools.sat.python import cp_model, cp_model_helper
from ortools.util.python.sorted_interval_list import Domain

from .facts import Facts, Pruning, pruned
from .settings import Limit
from .units import scaled

Lit = cp_model.IntVar | int
Expr = cp_model.LinearExprT


class Encoding(Pruning, Protocol):
    """What the builder needs of a rule module (the full protocol is ``constraints.base.Rule``)."""

    @property
    def OBJECTIVE_ONLY(self) -> bool: ...  # noqa: N802 (a module constant)

    def encode(self, m: ModelBuilder) -> None: ...


class Variables:
    """The decision variables: ``x[p, i, r]`` = person p takes role r of instance i.

    Only assignments that survive pruning get a variable. ``works(p, i)`` is the literal
    "p is on instance i in some role" (the x itself when p can take only one role there).
    """

    def __init__(self, model: cp_model.CpModel, problem: Facts, forbidden: Iterable[tuple[int, int]]) -> None:
        self.model = model
        self.x: dict[tuple[int, int, int], cp_model.IntVar] = {}
        self.of_slot: dict[tuple[int, int], list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
        self.of_pi: dict[tuple[int, int], list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
        self.instances_of: dict[int, list[int]] = defaultdict(list)  # sorted by start
        # the lists of of_pi with several roles, in of_pi's order
        self.several_roles: list[list[tuple[int, cp_model.IntVar]]] = []
        self._works: dict[int, _PersonWorks] = {}  # per person, see person_works()
        self.owner: dict[int, tuple[int, int | None]] = {}  # var index -> (person, instance)
        self.definitions: set[int] = set()  # constraints that define auxiliary literals
        # forbidden people per instance (a set of ints per instance hashes faster than pairs)
        barred: dict[int, set[int]] = defaultdict(set)
        for p, i in forbidden:
            barred[i].add(p)
        qualified = problem.qualified_people
        # per pattern: each qualified person (in order) with the roles they may take
        by_shift: dict[str, list[tuple[int, list[int]]]] = {}
        x, owner, of_slot, of_pi = self.x, self.owner, self.of_slot, self.of_pi
        instances_of, works, several = self.instances_of, self._works, self.several_roles
        new_var, proto, boolean = cp_model.IntVar, model.model_proto, _BOOLEAN  # as new_bool() does
        for i, inst in enumerate(problem.instances):
            cands = by_shift.get(inst.shift)
            if cands is None:
                sets = [qualified[(inst.shift, r)] for r in range(len(inst.roles))]
                cands = by_shift[inst.shift] = [
                    (p, [r for r in range(len(sets)) if p in sets[r]]) for p in sorted(frozenset().union(*sets))]
            out = barred.get(i, ())
            for p, roles in cands:
                if p in out:
                    continue
                pi = (p, i)
                mine = of_pi[pi]
                for r in roles:
                    v = new_var(proto).with_name(f"x_{p}_{i}_{r}").with_domain(boolean)
                    x[(p, i, r)] = v
                    owner[v.index] = pi
                    of_slot[(i, r)].append((p, v))
                    mine.append((r, v))
                if len(roles) == 1:
                    lits = works.get(p)
                    if lits is None:
                        lits = works[p] = _PersonWorks(self, p)
                    lits[i] = mine[0][1]
                else:
                    several.append(mine)
                instances_of[p].append(i)

    def works(self, p: int, i: int) -> Lit:
        """Literal: person p is on instance i (0 if impossible)."""
        return self.person_works(p)[i]

    def person_works(self, p: int) -> Mapping[int, Lit]:
        """``works(p, i)`` as ``person_works(p)[i]``: a dict lookup, for the loops that ask
        for many (a literal works() makes is made on first use, as by works())."""
        got = self._works.get(p)
        if got is None:
            got = self._works[p] = _PersonWorks(self, p)
        return got

    def works_of(self, p: int, insts: Iterable[int]) -> list[Lit]:
        """``[works(p, i) for i in insts]``."""
        lits = self.person_works(p)
        return [lits[i] for i in insts]

    def _new_works(self, p: int, i: int) -> Lit:
        """The literal of ``works(p, i)`` where p can take several roles (0 if none)."""
        roles = self.of_pi.get((p, i))
        if not roles:
            return 0
        lit = new_bool(self.model, f"w_{p}_{i}")
        ct = self.model.add(lit == total([v for _, v in roles]))
        self.owner[lit.index] = (p, i)
        self.definitions.add(ct.index)
        self._works[p][i] = lit
        return lit

    def people(self) -> list[int]:
        return sorted(self.instances_of)


@dataclass(frozen=True)
class Term:
    """``coeff × expr`` in the objective, attributed to a rule and (optionally) a person."""

    rule: str
    person: int | None
    coeff: int
    expr: Expr
    lower: int = 0  # a lower bound of ``expr`` its rule proved for every schedule


class ModelBuilder:
    """What a rule module sees while encoding: the problem, the model, the variables, and
    helpers to add hard limits or soft penalties with one definition of each."""

    def __init__(self, problem: Facts, rules: Sequence[Encoding], explain: bool = False, plain: bool = False,
                 linear: bool = False, priced: bool = True) -> None:
        """Build the model of ``problem`` with ``rules`` (in this order).

        Assignments some rule ``prune``-s get no variable (the problem's cached
        ``forbidden`` when ``rules`` are the problem's own).

        With ``explain=True`` the model is built for conflict analysis instead: nothing
        is pruned (forbidden assignments become constraints), there is no objective, and
        ``spans`` records which rule family added which constraints so that
        ``optimizer.explain`` can put them under assumption literals.

        With ``plain=True`` rules add only what their meaning needs: no derived bounds or
        symmetry breaking (the plain CP-SAT baseline of ``benchmarks/``).

        With ``linear=True`` (and always in explain mode) rules encode themselves in
        linear constraints and clauses only: what CP-SAT's local search handles (the
        one-person models of ``optimizer.repair``) and what accepts an enforcement
        literal (explain mode's assumptions); e.g. ``constraints.runs`` forbids short runs
        pattern by pattern instead of with an automaton.

        With ``priced=False`` the model has the hard rules only: no objective, no soft
        limit or penalty terms (a rule may still define a helper its soft part would
        read), no rule that only prices (``OBJECTIVE_ONLY``); what a feasibility search
        needs (the repair of ``optimizer.repair``).
        """
        self.problem = problem
        self.model = cp_model.CpModel()
        self.explain = explain
        self.plain = plain
        self.linear = linear or explain
        self.priced = priced
        self.rules = tuple(rules)
        # Python's cycle collector is paused while the model is built: its full passes scan
        # every object the build has made so far (millions of keys, tuples and variables on
        # the large rosters) and found nothing to free; measured in docs/benchmarks.md
        was = gc.isenabled()
        gc.disable()
        try:
            self._build(problem, rules, explain)
        finally:
            if was:
                gc.enable()

    def _build(self, problem: Facts, rules: Sequence[Encoding], explain: bool) -> None:
        by_family: dict[str, set[tuple[int, int]]] = {}
        if explain:
            for rule in rules:
                by_family[family(rule)] = set(rule.prune(problem))
            forbidden: frozenset[tuple[int, int]] = frozenset()
        elif self.rules == problem.rules:
            forbidden = problem.forbidden
        else:
            forbidden = pruned(problem, rules)
        self.vars = Variables(self.model, problem, forbidden)
        self.terms: list[Term] = []
        self._cache: dict[Any, Any] = {}
        # start and end of every instance, by index (for the loops over every assignment)
        self.starts = [inst.start for inst in problem.instances]
        self.ends = [inst.end for inst in problem.instances]
        self.spans: list[tuple[str, int, int]] = []
        self.notes: dict[int, tuple[int, int]] = {}  # constraint index -> (person, instance)
        if explain:
            for name, pairs in by_family.items():
                start = len(self.model.proto.constraints)
                for p, i in sorted(pairs):
                    for _, x in self.vars.of_pi.get((p, i), []):
                        self.model.add(x == 0)
                self.spans.append((name, start, len(self.model.proto.constraints)))
        for rule in rules:
            if (explain or not self.priced) and rule.OBJECTIVE_ONLY:
                continue
            start = len(self.model.proto.constraints)
            rule.encode(self)
            self.spans.append((family(rule), start, len(self.model.proto.constraints)))
        if not explain and self.priced:
            minimize(self.model, sum(t.coeff * t.expr for t in self.terms) if self.terms else 0)

    # ------------------------------------------------------------------ helpers

    def penalize(self, rule: str, person: int | None, weight: float, expr: Expr, centi: bool = False,
                 lower: int = 0) -> None:
        """Add ``weight × expr`` points (``expr`` in hundredths when ``centi``); ``lower``: a
        lower bound of ``expr`` valid for every schedule (part of the solve's floor)."""
        if weight == 0 or not self.priced:
            return
        coeff = scaled(weight) * (1 if centi else 100)
        self.terms.append(Term(rule, person, coeff, expr, max(0, lower)))

    def limit(
        self,
        rule: str,
        spec: Limit,
        person: int | None,
        expr: Expr,
        cap: int,
        enforce: Lit | None = None,
        upper: int | None = None,
    ) -> None:
        """``expr <= cap`` (only when ``enforce`` holds, if given).

        Hard: a constraint. Soft: the excess ``max(0, expr - cap)`` costs ``weight`` points
        per unit; the excess variable is defined exactly (not just bounded), so the
        objective of every returned solution equals the evaluators' penalty.
        ``upper`` bounds ``expr`` from above (needed for soft limits).
        """
        if isinstance(enforce, int):
            if enforce == 0:
                return  # never enforced
            enforce = None
        if not spec.soft:
            c = self.model.add(expr <= cap)
            if enforce is not None:
                c.only_enforce_if(enforce)
            return
        if not self.priced:
            return
        if upper is None:
            raise ValueError("soft limits need an upper bound of the expression")
        if upper <= cap:
            return
        self.penalize(rule, person, spec.weight, self.excess(rule, expr, cap, upper, enforce))

    def excess(self, rule: str, expr: Expr, cap: int, upper: int, enforce: Lit | None = None):
        """A variable exactly equal to ``max(0, expr - cap)`` (0 when ``enforce`` is false);
        ``upper`` bounds ``expr``. Exact, so the objective equals the evaluators' penalty."""
        var = self.model.new_int_var(0, max(0, upper - cap), f"excess_{rule}")
        over: Any = expr  # a linear expression (numpy integers in Expr confuse the stubs)
        if enforce is None:
            self.model.add_max_equality(var, [0, over - cap])
        else:
            self.model.add_max_equality(var, [0, over - cap - (upper - cap) * (1 - enforce)])
        return var

    def note(self, ct: cp_model.Constraint, person: int = -1, instance: int = -1) -> None:
        """Say which person or shift instance a hard constraint is about (used to word
        conflict explanations when the constraint has no variables to tell)."""
        self.notes[ct.index] = (person, instance)

    def day_lits(self, p: int) -> dict[dt.date, Lit]:
        """Per local date (person's zone): literal "p is on call at some time that day"."""
        return self._per_period(p, "day", self._days_of(p))

    def weekend_lits(self, p: int) -> dict[dt.date, Lit]:
        """Per weekend (its Saturday, team zone): literal "p is on call that weekend"."""
        got = self._cache.get("weekends_of")
        if got is None:
            got = self._cache["weekends_of"] = [self.problem.weekends_of(i) for i in range(len(self.problem.instances))]
        return self._per_period(p, "wkd", got)

    def _per_period(self, p: int, kind: str, periods_of: list[list[dt.date]]) -> dict[dt.date, Lit]:
        """``periods_of[i]``: the periods instance ``i`` touches."""
        key = (kind, p)
        if key in self._cache:
            return self._cache[key]
        members: dict[dt.date, list[Lit]] = defaultdict(list)
        works = self.vars.person_works(p)
        for i in self.vars.instances_of.get(p, []):
            periods = periods_of[i]
            if periods:
                lit = works[i]
                for d in periods:
                    members[d].append(lit)
        out = {d: self.bool_or(lits, f"{kind}_{p}_{d}") for d, lits in sorted(members.items())}
        for lit in out.values():
            if not isinstance(lit, int):
                self.vars.owner.setdefault(lit.index, (p, None))
        self._cache[key] = out
        return out

    def bool_or(self, lits: list[Lit], name: str) -> Lit:
        """A literal equal to OR(lits) (exactly, in both directions), as clauses."""
        if any(isinstance(v, int) for v in lits):
            if any(isinstance(v, int) and v for v in lits):
                return 1
            lits = [v for v in lits if not isinstance(v, int)]
        if not lits:
            return 0
        if len(lits) == 1:
            return lits[0]
        model = self.model
        b = new_bool(model, name)
        first = len(model.proto.constraints)
        model.add_bool_or([*lits, ~b])
        for lit in lits:
            model.add_bool_and(b).only_enforce_if(lit)  # model.add_implication(lit, b), one call fewer
        # definitions, never relaxed when explaining
        self.vars.definitions.update(range(first, len(model.proto.constraints)))
        return b

    def works_sum_if_exclusive(self, p: int, insts: list[int]) -> Expr | None:
        """``Σ works(p, i)`` when the instances share a common instant (so the overlap rule
        allows at most one of them and the sum is 0/1 exactly), else ``None``.

        A linear sum stays in CP-SAT's default LP relaxation, unlike an OR literal; rules use
        it for tighter bounds without changing their meaning.
        """
        if not insts:
            return 0
        starts, ends = self.starts, self.ends
        if max(map(starts.__getitem__, insts)) >= min(map(ends.__getitem__, insts)):
            return None
        return total(self.vars.works_of(p, insts))

    def _days_of(self, p: int) -> list[list[dt.date]]:
        """``problem.days_of(p, i)`` of every instance ``i`` (once per zone)."""
        key = ("days_of", self.problem.tz[p])
        got = self._cache.get(key)
        if got is None:
            got = self._cache[key] = [self.problem.days_of(p, i) for i in range(len(self.problem.instances))]
        return got

    def day_exprs(self, p: int) -> dict[dt.date, Expr]:
        """Per local date (person's zone), "p is on call that day" as a linear 0/1 expression
        where possible (see :meth:`works_sum_if_exclusive`), else ``day_lits(p)[date]``."""
        key = ("day_exprs", p)
        got = self._cache.get(key)
        if got is not None:
            return got
        members: dict[dt.date, list[int]] = {}
        days_of = self._days_of(p)
        for i in self.vars.instances_of.get(p, []):
            for d in days_of[i]:
                members.setdefault(d, []).append(i)
        out: dict[dt.date, Expr] = {}
        lits = None
        for d, insts in sorted(members.items()):
            expr = self.works_sum_if_exclusive(p, insts)
            if expr is None:
                lits = lits if lits is not None else self.day_lits(p)
                expr = lits[d]
            out[d] = expr
        self._cache[key] = out
        return out


_BOOLEAN = Domain(0, 1)


def new_bool(model: cp_model.CpModel, name: str) -> cp_model.IntVar:
    """``model.new_bool_var(name)``, with one shared domain instead of a new one each time
    (1 M variables on the largest benchmarks: the saved call and Domain are a third of
    their time)."""
    return cp_model.IntVar(model.model_proto).with_name(name).with_domain(_BOOLEAN)


def total(items: Sequence[Expr]) -> Expr:
    """``sum(items)``, built in one C++ call (``LinearExpr.sum``: the same expression, and
    many times faster on long lists); ``items`` are variables or linear expressions."""
    return cp_model.LinearExpr.sum(items) if items else 0


def weighted(items: Sequence[Expr], coeffs: Sequence[int]) -> Expr:
    """``sum(c * e for e, c in zip(items, coeffs))`` in one C++ call (``LinearExpr.weighted_sum``):
    the same linear expression (its text differs: no brackets around each product)."""
    return cp_model.LinearExpr.weighted_sum(items, coeffs) if items else 0


def set_hints(model: cp_model.CpModel, indices: Sequence[int], values: Sequence[int]) -> None:
    """Replace the model's hint with ``var[indices[k]] = values[k]`` (non-negative proto
    indices), written with one ``extend`` per field: ``add_hint`` appends twice per
    variable through the proto wrapper (measured on Curtois Instance24's 1 M assignment
    variables, 2026-12-08, AMD EPYC: the warm start's hint 5.0 s -> 1.7 s)."""
    model.clear_hints()
    hint = model.proto.solution_hint
    hint.vars.extend(indices)
    hint.values.extend(values)


def hint_chosen(builder: ModelBuilder, chosen: set[tuple[int, int, int]]) -> None:
    """Replace the model's hint with the schedule ``chosen`` (keys of ``builder.vars.x``):
    every assignment variable 1 in it, 0 outside it."""
    xs = builder.vars.x
    set_hints(builder.model, [x.index for x in xs.values()], [int(key in chosen) for key in xs])


def minimize(model: cp_model.CpModel, obj: Expr) -> None:
    """``model.minimize(obj)``: the same objective, written with one ``extend`` per field
    where OR-Tools appends variable by variable (2-3 s of the build of Curtois Instance24,
    whose objective has 1 M variables)."""
    flat = None
    if isinstance(obj, cp_model.LinearExpr):
        try:
            flat = cp_model_helper.FlatIntExpr(obj)
        except (TypeError, AttributeError):  # floating point coefficients; another OR-Tools
            pass
    if flat is None:
        model.minimize(obj)
        return
    model.clear_objective()
    objective = model.proto.objective
    objective.vars.extend([v.index for v in flat.vars])
    objective.scaling_factor = 1.0
    objective.offset = flat.offset
    objective.coeffs.extend(flat.coeffs)


class _PersonWorks(dict[int, Lit]):
    """One person's works literals by instance: the x itself where they can take one role
    (filled in by :class:`Variables`), the others made by ``Variables._new_works`` when
    first asked for. (A weak reference back: no reference cycle keeps a built model alive
    until the cycle collector runs.)"""

    def __init__(self, variables: Variables, p: int) -> None:
        super().__init__()
        self._variables, self._p = weakref.ref(variables), p

    def __missing__(self, i: int) -> Lit:
        variables = self._variables()
        assert variables is not None, "the works literals of a dropped model"
        return variables._new_works(self._p, i)


def family(rule: object) -> str:
    """A rule module's family name (its module name, e.g. ``windows``)."""
    return getattr(rule, "__name__", type(rule).__name__).rsplit(".", 1)[-1]
