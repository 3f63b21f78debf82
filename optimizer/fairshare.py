"""Eligibility-aware fair shares, the load LP, and the bounds it proves.

The *fair share* of a person is their load in the **max-min fair fractional allocation**
of the slots: slots may be split into fractions, every slot is filled exactly (its count
on that date), each person takes only slots they may take (skills, roles, hard time off,
every rule that prunes an assignment), at most one role of an instance, every crew holds
its crew skills — and then, by water-filling, the lowest load per FTE is raised as far as
it goes, those who cannot go higher are frozen at that level, the next lowest raised, and
so on. A person whose skills put them in a small group that must carry a large part of
the work gets a larger share; a part-timer gets less in proportion to FTE; someone with
long leave gets less. The shares are what the second phase of a solve steers towards,
what ``people.csv`` reports as ``fair_share`` and what the charts mark.

The same linear program, solved for the smallest possible *largest* load per FTE
(:func:`load_bounds`), gives a lower bound on the fairness spread that CP-SAT cannot see by
itself: integer rounding in the load's own units (the gcd of every possible contribution)
turns "9 data holders share 91 shifts" into "one of them takes at least 11".

All arithmetic is in hundredths of a load-hour (``centi``, see ``optimizer.units``).
The LP is solved with GLOP (OR-Tools), deterministic for the same input.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from weakref import WeakKeyDictionary

from ortools.linear_solver import pywraplp

from .facts import Facts as Problem  # the facts of a scenario under its rules' pruning
from .facts import start_dates

_EPS = 1e-7
_CACHE: WeakKeyDictionary = WeakKeyDictionary()
_CLASSES: WeakKeyDictionary = WeakKeyDictionary()


@dataclass(frozen=True)
class Level:
    """A group of people frozen at the same load per FTE by water-filling."""

    level: float  # centi load per FTE (history included)
    people: tuple[int, ...]


@dataclass
class FairShares:
    """Fair shares of this period's load, by person id, in load-hours.

    ``by_person`` covers the pool (people who can take at least one slot); ``levels`` are
    the water-filling groups from lowest to highest; ``reasons`` explains in a sentence or
    two why the shares differ; ``centi`` holds the same shares as integer hundredths.
    """

    by_person: dict[str, float]
    centi: dict[int, int]
    levels: tuple[Level, ...]
    exact_cover: bool = True
    problem: Problem | None = field(default=None, repr=False, compare=False)

    @cached_property
    def reasons(self) -> tuple[str, ...]:
        """Why loads differ, in a sentence or two; computed on first use (it re-solves the
        fair shares of a variant with one more person who can fill the bottleneck)."""
        if self.problem is None:
            return ()
        return _reasons(self.problem, self, slot_classes(self.problem))


@dataclass
class Classes:
    """Slots grouped into classes: same pattern, same role, the same load for every person
    who may take them (so the slots of a class are interchangeable for the load)."""

    need: dict[tuple, int] = field(default_factory=dict)  # class -> people needed in all
    avail: dict[tuple[int, tuple], int] = field(default_factory=dict)  # (person, class) -> slots they may take
    instances: dict[str, int] = field(default_factory=dict)  # pattern -> instances that need someone
    load: dict[tuple[int, tuple], int] = field(default_factory=dict)  # (person, class) -> load of one slot


def slot_classes(problem: Problem) -> Classes:
    """The slots of ``problem`` by class, with what each person may take of each class
    (qualified and not forbidden by any rule's ``prune``: time off, roles, skills ...)."""
    got = _CLASSES.get(problem)
    if got is not None:
        return got
    qualified = problem.qualified_people
    forbidden = problem.forbidden
    dates = start_dates(problem)
    out = Classes()
    need: dict[tuple, int] = defaultdict(int)
    avail: dict[tuple[int, tuple], int] = defaultdict(int)
    busy: dict[str, int] = defaultdict(int)
    sorted_people: dict[tuple[str, int], list[int]] = {}
    # a load depends on the person only through their zone and holidays (their profile):
    # one load per profile and slot, not per person (with timecalc's cached day boundaries,
    # the 300-person year's slot classes took 1.0 s instead of 2.0 s)
    profile = problem.profiles
    for i, inst in enumerate(problem.instances):
        needed = False
        for r, role in enumerate(inst.roles):
            n = role.count_on(dates[i])
            if n <= 0:
                continue
            needed = True
            people = sorted_people.get((inst.shift, r))
            if people is None:
                people = sorted_people[(inst.shift, r)] = sorted(qualified[(inst.shift, r)])
            by_profile: dict[int, int] = {}
            for p in people:
                if profile[p] not in by_profile:
                    by_profile[profile[p]] = problem.load(p, i, r)
            loads = tuple(by_profile[profile[p]] for p in people)
            key = (inst.shift, r, loads)
            need[key] += n
            for k, p in enumerate(people):
                if (p, i) not in forbidden:
                    avail[(p, key)] += 1
                    out.load[(p, key)] = loads[k]
        busy[inst.shift] += needed
    out.need, out.avail, out.instances = dict(need), dict(avail), dict(busy)
    _CLASSES[problem] = out
    return out


class _LoadLP:
    """The fractional allocation by class: y[p, c] in [0, slots of c that p may take],
    every class filled exactly, each pattern's crews holding their crew skills (counted
    over the pattern), hard per-person shift caps; :meth:`row` bounds a person's load per
    FTE. Rows are written coefficient by coefficient (``MPConstraint.SetCoefficient``): the
    operator API parses an expression per row, and on the 300-person year (71 076
    person-class variables) the two LPs took 1.2 s to write that way."""

    def __init__(self, problem: Problem, classes: Classes) -> None:
        self.problem = problem
        self.solver = pywraplp.Solver.CreateSolver("GLOP")
        s = self.solver
        by_class: dict[tuple, list] = defaultdict(list)
        by_person: dict[int, list] = defaultdict(list)
        self.terms: dict[int, list] = defaultdict(list)
        for (p, key), a in classes.avail.items():
            v = s.NumVar(0.0, float(min(a, classes.need[key])), "")
            by_class[key].append((p, v))
            by_person[p].append(v)
            self.terms[p].append((classes.load[(p, key)], v))
        self.feasible = True
        for key, n in classes.need.items():
            if sum(classes.avail.get((p, key), 0) for p, _ in by_class.get(key, [])) < n:
                self.feasible = False
            self._sum([v for _, v in by_class.get(key, [])], n, n)
        if not problem.scenario.rules.person_caps.soft:  # hard per-person caps over the horizon
            for p, person in enumerate(problem.people):
                if person.max_shifts is not None and by_person.get(p):
                    self._sum(by_person[p], -s.infinity(), person.max_shifts)
        for pat in problem.scenario.shifts:
            busy = classes.instances.get(pat.name, 0)
            for skill in pat.crew_skills:
                holders = [v for key, pv in by_class.items() if key[0] == pat.name
                           for p, v in pv if skill in problem.people[p].skills]
                if busy and not holders:
                    self.feasible = False
                elif holders:
                    self._sum(holders, busy, s.infinity())

    def _sum(self, variables: list, lo: float, hi: float) -> None:
        """``lo <= Σ variables <= hi``."""
        ct = self.solver.Constraint(float(lo), float(hi))
        for v in variables:
            ct.SetCoefficient(v, 1.0)

    def row(self, p: int, lo: float, hi: float, t=None, t_coeff: float = 0.0):
        """The constraint ``lo <= 100 × (load + history) / fte + t_coeff × t <= hi`` (load
        per FTE in centi; ``t`` an optional variable)."""
        scale = 100.0 / self.problem.fte_pct(p)
        const = self.problem.history_centi(p) * scale
        ct = self.solver.Constraint(lo - const, hi - const)
        for c, v in self.terms[p]:
            ct.SetCoefficient(v, c * scale)
        if t is not None:
            ct.SetCoefficient(t, t_coeff)
        return ct


def _water_fill(problem: Problem, lp: _LoadLP, pool: list[int]) -> list[Level]:
    """Raise the lowest load per FTE, freeze the bottleneck people, repeat."""
    s = lp.solver
    inf = s.infinity()
    t = s.NumVar(-inf, inf, "t")
    s.Maximize(t)
    active = {p: lp.row(p, 0.0, inf, t, -1.0) for p in pool}  # load per FTE - t >= 0
    levels: list[Level] = []
    while active:
        if s.Solve() != pywraplp.Solver.OPTIMAL:
            break
        value = t.solution_value()
        stuck = [p for p, ct in active.items() if abs(ct.dual_value()) > _EPS]
        if not stuck:  # degenerate: everyone left is at this level
            stuck = list(active)
        for p in stuck:
            ct = active.pop(p)
            ct.SetBounds(-inf, inf)  # drop "≥ t"
            lp.row(p, value - 1e-6 * max(1.0, abs(value)), inf)
        levels.append(Level(value, tuple(sorted(stuck))))
    return levels


def fair_shares(problem: Problem) -> FairShares:
    """Each pool member's fair share of this period's load (see the module text).

    Cached per problem. With soft cover the LP fills every slot to its count (the target),
    and ``exact_cover`` is False.
    """
    got = _CACHE.get(problem)
    if got is not None:
        return got
    pool = list(problem.pool)
    slots = slot_classes(problem)
    lp = _LoadLP(problem, slots)
    levels = _water_fill(problem, lp, pool) if lp.feasible and pool else []
    centi: dict[int, int] = {}
    for lv in levels:
        for p in lv.people:
            centi[p] = max(0, round(lv.level * problem.fte_pct(p) / 100) - problem.history_centi(p))
    if not levels:  # infeasible LP: fall back to the pool's total shared by FTE
        total = sum(min(key[2], default=0) * n for key, n in slots.need.items())
        fte = sum(problem.fte_pct(p) for p in pool) or 1
        for p in pool:
            centi[p] = round(total * problem.fte_pct(p) / fte)
    soft = any(role.soft for pat in problem.scenario.shifts for role in pat.roles)
    shares = FairShares(
        by_person={problem.people[p].id: centi[p] / 100 for p in sorted(centi)},
        centi=centi,
        levels=tuple(levels),
        exact_cover=not soft,
        problem=problem,
    )
    _CACHE[problem] = shares
    return shares


# --------------------------------------------------------------------------- bounds


@dataclass(frozen=True)
class LoadBounds:
    """Valid bounds on (load + history) per FTE over every schedule that fills each slot
    exactly: the largest is at least ``max_at_least``, the smallest at most
    ``min_at_most`` (centi per FTE, as LP values)."""

    max_at_least: float
    min_at_most: float


def load_bounds(problem: Problem) -> LoadBounds | None:
    """The LP's smallest possible maximum and largest possible minimum load per FTE.

    ``None`` when cover is soft (a slot may stay empty, so nothing is forced) or the LP
    is infeasible (the CP model will say why).
    """
    if any(role.soft for pat in problem.scenario.shifts for role in pat.roles):
        return None
    pool = list(problem.pool)
    if len(pool) < 2:
        return None
    shares = fair_shares(problem)
    if not shares.levels:
        return None
    lp = _LoadLP(problem, slot_classes(problem))
    s = lp.solver
    t = s.NumVar(-s.infinity(), s.infinity(), "t")
    for p in pool:
        lp.row(p, -s.infinity(), 0.0, t, -1.0)  # load per FTE - t <= 0
    s.Minimize(t)
    if s.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    return LoadBounds(max_at_least=t.solution_value() - 1e-6, min_at_most=shares.levels[0].level + 1e-6)


def rounded_bounds(problem: Problem, unit: int, full: bool) -> tuple[int, int] | None:
    """:func:`load_bounds` as integers in the fairness model's units.

    ``unit`` is the gcd (centi) of every load contribution and history, so a person's
    total is a multiple of it. With ``full`` (everyone at FTE 100) the model keeps totals
    in units; otherwise per-FTE values in centi (``ceil``/``floor`` of 100 × q / fte).
    Returns (largest is at least, smallest is at most).
    """
    b = load_bounds(problem)
    if b is None:
        return None
    pool = problem.pool
    if full:
        return math.ceil(b.max_at_least / unit - _EPS), math.floor(b.min_at_most / unit + _EPS)
    hi, lo = [], []
    for p in pool:
        f = problem.fte_pct(p)
        q_hi = unit * math.ceil(b.max_at_least * f / 100 / unit - _EPS)  # a multiple of unit
        q_lo = unit * math.floor(b.min_at_most * f / 100 / unit + _EPS)
        hi.append(-((-100 * q_hi) // f))
        lo.append((100 * q_lo) // f)
    return min(hi), max(lo)


# --------------------------------------------------------------------------- reasons


def _reasons(problem: Problem, shares: FairShares, slots: Classes) -> tuple[str, ...]:
    """One or two sentences: which group carries more, and the eligibility behind it."""
    if len(shares.levels) < 2 or not shares.exact_cover:
        return ("Everyone who can be on call gets the same load per FTE.",) if shares.levels else ()
    top = shares.levels[-1]
    rest = [p for lv in shares.levels[:-1] for p in lv.people]
    top_load = top.level / 100
    rest_load = sum(shares.centi[p] + problem.history_centi(p) for p in rest) / max(
        1e-9, sum(problem.fte_pct(p) for p in rest)
    )
    n_pool = len(problem.pool)
    head = (f"{len(top.people)} of {n_pool} people ({_names(problem, top.people)}) carry {top_load:,.0f} "
            f"load-hours per FTE against {rest_load:,.0f} for the others")
    if all(shares.centi[p] <= 0 for p in top.people):
        # their level is their history alone: the fair split gives them nothing this period
        return (head + ": carried over from earlier periods (history); the fair split gives them no slot, "
                "so nothing in this period can lower it.",)
    cause = _bottleneck(problem, set(top.people), slots)
    if cause is None:
        return (head + ": together they are the only ones who can fill some of the slots.",)
    what, eligible = cause
    out = [f"{head}: only {len(eligible)} of {n_pool} people can {what}."]
    better = _with_one_more(problem, eligible, what)
    if better is not None:
        out.append(f"One more person who can {what} would lower their share to about {better:,.0f}.")
    return tuple(out)


def _names(problem: Problem, people: tuple[int, ...]) -> str:
    ids = [problem.people[p].id for p in people]
    return ", ".join(ids) if len(ids) <= 6 else ", ".join(ids[:5]) + f" and {len(ids) - 5} more"


def _bottleneck(problem: Problem, top: set[int], slots: Classes) -> tuple[str, set[int]] | None:
    """The role (with its skills) or crew skill whose eligible people are the top group,
    or contained in it."""
    best: tuple[str, set[int]] | None = None
    sc = problem.scenario
    for pat in sc.shifts:
        for r, role in enumerate(pat.roles):
            elig = set(problem.qualified_people.get((pat.name, r), frozenset())) & set(problem.pool)
            if elig and elig <= top and (best is None or len(elig) < len(best[1])):
                skills = f" (needs {', '.join(role.skills)})" if role.skills else ""
                best = (f"be {role.name} on {pat.name}{skills}", elig)
        for skill in pat.crew_skills:
            elig = {p for p in problem.pool if skill in problem.people[p].skills}
            if elig and elig <= top and (best is None or len(elig) < len(best[1])):
                best = (f"bring {skill} to the {pat.name} crew", elig)
    return best


def _with_one_more(problem: Problem, eligible: set[int], what: str) -> float | None:
    """The top level (load-hours per FTE) if one more full-time person could do ``what``:
    a copy of an eligible person, without their time off or history, joins the team."""
    sc = problem.scenario
    model = problem.people[min(eligible)]
    clone = {"id": f"{model.id}-extra", "skills": list(model.skills), "timezone": model.timezone,
             "roles": list(model.roles) if model.roles is not None else None,
             "country": model.country, "subdivision": model.subdivision}
    try:
        variant = sc.with_person(clone)
    except ValueError:  # a variant the scenario's own checks refuse: say nothing rather than guess
        return None
    shares = fair_shares(Problem(variant, None, problem.rules))
    if not shares.levels:
        return None
    return shares.levels[-1].level / 100
