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
from dataclasses import dataclass, field

import pandas as pd
from ortools.sat.python import cp_model

from .fields import format_duration
from .problem import build
from .problem import Problem
from .scenario import Scenario
from .schedule import Assignment, Schedule
from .verify import evaluate

NEVER_RELAXED = {"overlap"}  # physics, not policy
PER_SHIFT = {"coverage", "crew_skills"}  # relaxed per shift instance, not per person


# --------------------------------------------------------------------------- capacity


@dataclass(frozen=True)
class CapacityLine:
    """Slots of one role (or crew skill) of one pattern against what the eligible people
    can give; ``short > 0`` proves infeasibility."""

    what: str
    slots: int
    eligible: int
    capacity: int
    limiting: str

    @property
    def short(self) -> int:
        return max(0, self.slots - self.capacity)

    def __str__(self) -> str:
        s = f"{self.what}: {self.slots} slots, {self.eligible} eligible people"
        if self.limiting:
            s += f", {self.limiting}"
        s += f" -> can give {self.capacity}"
        return s + (f" -> short by {self.short}" if self.short else "")


def _max_takeable(prob: Problem, p: int, insts: list[int]) -> tuple[int, str]:
    """How many of ``insts`` person ``p`` could take at most, alone, under hard time off,
    min_rest, max_shifts windows and personal caps (greedy earliest-first, which is
    optimal for the rest rule with equal-length shifts)."""
    rules = prob.scenario.rules
    rest = int(rules.min_rest.duration.total_seconds()) if rules.min_rest and not rules.min_rest.soft else 0
    windows = [(int(w.within.total_seconds()), w.count) for w in rules.max_shifts if not w.soft]
    taken: list[int] = []
    for i in sorted(insts, key=lambda i: prob.instances[i].start):
        inst = prob.instances[i]
        if prob.hard_time_off(p, i) is not None:
            continue
        if taken:
            last = prob.instances[taken[-1]]
            if inst.start < last.end + rest:
                continue
        ok = True
        for width, count in windows:
            if sum(1 for j in taken if prob.instances[j].start > inst.start - width) + 1 > count:
                ok = False
        if ok:
            taken.append(i)
    n = len(taken)
    person = prob.people[p]
    if person.max_shifts is not None and not rules.person_caps.soft:
        n = min(n, person.max_shifts)
    return n, ""


def capacity(prob: Problem) -> list[CapacityLine]:
    """Per pattern, role and crew skill: slots against the most the eligible people can
    give under time off, rest, windows and caps. Cheap arithmetic, no solver."""
    out: list[CapacityLine] = []
    rules = prob.scenario.rules
    limits = []
    if rules.min_rest and not rules.min_rest.soft:
        limits.append(f"min_rest {format_duration(rules.min_rest.duration)}")
    for w in rules.max_shifts:
        if not w.soft:
            limits.append(f"max {w.count} shifts in {format_duration(w.within)}")
    for pat in prob.scenario.shifts:
        insts = [i.index for i in prob.instances if i.shift == pat.name]
        if not insts:
            continue
        groups: list[tuple[str, int, list[int]]] = []
        for r, role in enumerate(pat.roles):
            able = [p for p in range(len(prob.people)) if prob.qualified(p, insts[0], r)]
            skills = f" [{'+'.join(role.skills)}]" if role.skills else ""
            groups.append((f"{pat.name} {role.name}{skills}", role.count * len(insts), able))
        for skill in pat.crew_skills:
            able = [p for p, person in enumerate(prob.people) if skill in person.skills]
            groups.append((f"{pat.name} crew skill {skill}", len(insts), able))
        total_slots = sum(r.count for r in pat.roles) * len(insts)
        able_any = [p for p in range(len(prob.people))
                    if any(prob.qualified(p, insts[0], r) for r in range(len(pat.roles)))]
        groups.append((f"{pat.name} all roles", total_slots, able_any))
        for what, slots, able in groups:
            cap = 0
            for p in able:
                n, _ = _max_takeable(prob, p, insts)
                cap += n
            lim = (f"{', '.join(limits)} lets each take at most "
                   f"{max((_max_takeable(prob, p, insts)[0] for p in able), default=0)}") if limits else ""
            out.append(CapacityLine(what, slots, len(able), cap, lim))
    return out


# --------------------------------------------------------------------------- conflicts


@dataclass(frozen=True, order=True)
class Group:
    """A set of hard constraints that is relaxed as a whole."""

    family: str
    person: int = -1
    instance: int = -1


@dataclass
class Conflict:
    """Result of conflict analysis."""

    status: str                        # "infeasible", "feasible" or "unknown"
    groups: list[Group] = field(default_factory=list)
    minimal: bool = False              # proven: dropping any one group resolves the conflict
    relaxations: list[Group] = field(default_factory=list)
    relax_together: list[Group] = field(default_factory=list)
    relax_families: list[list[Group]] = field(default_factory=list)
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
        head = ("These rules cannot all hold together; the set is minimal: drop any one of them and "
                "the rest of it can hold:" if self.minimal else
                "These rules cannot all hold together (a conflicting set, not proven minimal):")
        lines.append(head)
        for k, g in enumerate(self.groups[:limit], 1):
            lines.append(f"  {k}. {self.describe(g)}")
        if len(self.groups) > limit:
            lines.append(f"  ... and {len(self.groups) - limit} more")
        if self.relaxations:
            lines.append("Each of these relaxations alone makes the scenario solvable (checked by the solver):")
            lines += [f"  - {self.relax(g)}" for g in self.relaxations]
        elif self.relax_families:
            lines.append("No single relaxation is enough. Each of these alone makes the scenario solvable "
                         "(checked by the solver):")
            lines += [f"  - {relax_family(self.problem, gs)}" for gs in self.relax_families]
        elif self.relax_together:
            lines.append("No single relaxation is enough. These together make the scenario solvable "
                         "(checked by the solver; found greedily, so maybe not the fewest):")
            lines += [f"  - {self.relax(g)}" for g in self.relax_together]
        else:
            lines.append("No single relaxation among these makes the scenario solvable; relax several, "
                         "or add people.")
        return "\n".join(lines)


def _n(k: int, word: str) -> str:
    return f"{k} {word}" + ("" if k == 1 else "s")


def _when(prob: Problem, i: int) -> str:
    inst = prob.instances[i]
    return f"{inst.shift} {inst.start_iso[:10]}"



def _family_text(prob: Problem, f: str) -> str:
    r = prob.scenario.rules
    texts = {
        "coverage": "every role of every shift filled (coverage)",
        "crew_skills": "crews covering their crew skills (crew_skills)",
        "time_off": "everyone's hard time off",
        "holidays": "the public-holiday rules (holidays / max_holidays)",
        "rest": f"min_rest {format_duration(r.min_rest.duration)}" if r.min_rest else "min_rest",
        "windows": "the window caps (" + "; ".join(
            [f"{w.count} shifts in {format_duration(w.within)}" for w in r.max_shifts]
            + [f"{w.hours:g}h in {format_duration(w.within)}" for w in r.max_hours]) + ")",
        "consecutive": f"max_consecutive_days {r.max_consecutive_days.count}" if r.max_consecutive_days else "",
        "weekends": f"max_weekends {r.max_weekends.count}" if r.max_weekends else "",
        "caps": "the personal caps (max_shifts / max_hours / max_share)",
    }
    return texts.get(f) or f"rule {f}"


def describe(prob: Problem, g: Group) -> str:
    if g.person < 0 and g.instance < 0:
        return _family_text(prob, g.family) + " for everyone (not narrowed down to people or shifts)"
    rules = prob.scenario.rules
    pid = prob.people[g.person].id if g.person >= 0 else None
    f = g.family
    if f == "coverage":
        if g.instance >= 0:
            inst = prob.instances[g.instance]
            roles = ", ".join(f"{r.count} {r.name}" for r in inst.roles)
            return f"shift {_when(prob, g.instance)} needs {roles} (coverage)"
        return "a role that nobody is eligible for (coverage)"
    if f == "crew_skills" and g.instance >= 0:
        inst = prob.instances[g.instance]
        return f"the crew of {_when(prob, g.instance)} must cover {', '.join(inst.pattern.crew_skills)} (crew_skills)"
    if f == "time_off" and pid:
        spans = ", ".join(f"{iv.entry.from_}..{iv.entry.to}" for iv in prob.hard_off[g.person])
        return f"{pid} is off {spans} (time off)"
    if f == "rest" and pid:
        return f"{pid} needs {format_duration(rules.min_rest.duration)} rest between shifts (min_rest)"
    if f == "windows" and pid:
        parts = [f"at most {_n(w.count, 'shift')} in {format_duration(w.within)}"
                 for w in rules.max_shifts if not w.soft]
        parts += [f"at most {w.hours:g}h in {format_duration(w.within)}" for w in rules.max_hours if not w.soft]
        return f"{pid}: {'; '.join(parts)} (max_shifts/max_hours)"
    if f == "consecutive" and pid:
        return f"{pid}: at most {_n(rules.max_consecutive_days.count, 'day')} in a row (max_consecutive_days)"
    if f == "weekends" and pid:
        return f"{pid}: at most {_n(rules.max_weekends.count, 'weekend')} (max_weekends)"
    if f == "holidays" and pid:
        bits = []
        if rules.holidays and rules.holidays.mode == "avoid" and not rules.holidays.soft:
            bits.append("not on call on own public holidays")
        if rules.max_holidays and not rules.max_holidays.soft:
            bits.append(f"at most {rules.max_holidays.count} public holidays")
        return f"{pid}: {'; '.join(bits)} (holidays)"
    if f == "caps" and pid:
        person = prob.people[g.person]
        bits = []
        if person.max_shifts is not None:
            bits.append(f"max_shifts {person.max_shifts}")
        if person.max_hours is not None:
            bits.append(f"max_hours {person.max_hours:g}")
        if rules.max_share is not None:
            bits.append(f"max_share {rules.max_share.share:g}")
        return f"{pid}: {', '.join(bits)} (caps)"
    who = f" for {pid}" if pid else ""
    where = f" on {_when(prob, g.instance)}" if g.instance >= 0 else ""
    return f"rule {f}{who}{where}"


def relaxation(prob: Problem, g: Group) -> str:
    """What dropping group ``g`` means, in a team lead's words."""
    if g.person < 0 and g.instance < 0:
        return f"relax {_family_text(prob, g.family)} for everyone"
    rules = prob.scenario.rules
    pid = prob.people[g.person].id if g.person >= 0 else None
    f = g.family
    if f == "coverage" and g.instance >= 0:
        return f"find extra cover for {_when(prob, g.instance)} (or leave a role unfilled that week)"
    if f == "crew_skills" and g.instance >= 0:
        inst = prob.instances[g.instance]
        return f"drop the {'/'.join(inst.pattern.crew_skills)} crew requirement on {_when(prob, g.instance)}"
    if f == "time_off" and pid:
        return f"ask {pid} to move their time off"
    if f == "rest" and pid:
        return f"lift min_rest ({format_duration(rules.min_rest.duration)}) for {pid}"
    if f == "windows" and pid:
        parts = [f"{w.count} in {format_duration(w.within)}" for w in rules.max_shifts if not w.soft]
        parts += [f"{w.hours:g}h in {format_duration(w.within)}" for w in rules.max_hours if not w.soft]
        return f"lift the window cap ({' / '.join(parts)}) for {pid}"
    if f == "consecutive" and pid:
        return f"lift max_consecutive_days ({rules.max_consecutive_days.count}) for {pid}"
    if f == "weekends" and pid:
        return f"lift max_weekends ({rules.max_weekends.count}) for {pid}"
    if f == "holidays" and pid:
        return f"let {pid} be on call on public holidays"
    if f == "caps" and pid:
        return f"lift {pid}'s caps (max_shifts / max_hours / max_share)"
    return "drop " + describe(prob, g)


def relax_family(prob: Problem, groups: list[Group]) -> str:
    """One line for dropping a rule family for several people or shifts."""
    f = groups[0].family
    people = [prob.people[g.person].id for g in groups if g.person >= 0]
    if people and f in ("rest", "windows", "consecutive", "weekends", "caps", "holidays", "time_off"):
        one = relaxation(prob, groups[0])
        return one.replace(f"for {people[0]}", "for " + ", ".join(people)).replace(
            f"{people[0]}'s", ", ".join(people) + "'s").replace(f"ask {people[0]}", "ask " + ", ".join(people))
    return "; ".join(relaxation(prob, g) for g in groups)


_ENFORCEABLE = {"linear", "bool_or", "bool_and"}
_KINDS = ("linear", "bool_or", "bool_and", "at_most_one", "exactly_one", "lin_max")


def _kind(ct) -> str | None:
    for k in _KINDS:
        if getattr(ct, f"has_{k}")():
            return k
    return None


def _groups_of(b) -> dict[Group, list[int]]:
    """Map each relaxable group to the indexes of its constraints."""
    owner = b.vars.owner
    protos = b.model.proto.constraints
    out: dict[Group, list[int]] = {}
    for fam, start, end in b.spans:
        if fam in NEVER_RELAXED:
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
            if fam in PER_SHIFT and len(insts) == 1:
                g = Group(fam, instance=next(iter(insts)))
            elif len(people) == 1 and fam not in PER_SHIFT:
                g = Group(fam, person=next(iter(people)))
            elif len(insts) == 1:
                g = Group(fam, instance=next(iter(insts)))
            else:
                g = Group(fam)
            out.setdefault(g, []).append(k)
    return out


class _AssumptionModel:
    """The explain-mode model with one assumption literal per key; ``key(group)``
    returns the key of a group, or None to keep the group always enforced."""

    def __init__(self, prob: Problem, key) -> None:
        self.b = build(prob, explain=True)
        self.lits: dict = {}
        for g, cts in sorted(_groups_of(self.b).items()):
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
        core = [self.by_index[v] for v in solver.sufficient_assumptions_for_infeasibility()
                if v in self.by_index] if st == cp_model.INFEASIBLE else []
        return st, core, solver.deterministic_time


_SOLVED = (cp_model.OPTIMAL, cp_model.FEASIBLE)


def _shrink(run, core: list, budget: list[float]) -> tuple[list, bool]:
    """Deletion-based shrinking of an infeasible set of assumptions; (set, proven minimal)."""
    minimal = True
    k = 0
    while k < len(core):
        if budget[0] <= 0:
            return core, False
        trial = core[:k] + core[k + 1:]
        st, smaller, _ = run(trial, max(0.3, budget[0] / (2 * len(core))))
        if st == cp_model.INFEASIBLE:
            keep = set(smaller)
            core = [g for g in trial if g in keep] if keep else trial
        else:
            if st not in _SOLVED:
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
    cap = capacity(prob)
    budget = [float(time_limit)]

    def spend(model: _AssumptionModel):
        def run(active, limit):
            wall = deadline - time.perf_counter()
            st, core, used = model.run(active, min(limit, max(0.05, budget[0])), wall)
            budget[0] = min(budget[0] - used, deadline - time.perf_counter())
            return st, core, used
        return run

    def done(status: str, **kw) -> Conflict:
        return Conflict(status, capacity=cap, seconds=time.perf_counter() - t0, problem=prob, **kw)

    # stage 1: which rule families conflict?
    fam_model = _AssumptionModel(prob, key=lambda g: g.family)
    run_f = spend(fam_model)
    families = sorted(fam_model.lits)
    st, fam_core, _ = run_f(families, budget[0] * 0.5)
    if st in _SOLVED:
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
    grp_model = _AssumptionModel(prob, key=lambda g: g if g.family in core_fams else OTHERS)
    run_g = spend(grp_model)
    narrowed = sorted(k for k in grp_model.lits if k != OTHERS)
    everything = narrowed + ([OTHERS] if OTHERS in grp_model.lits else [])
    st, core, _ = run_g(narrowed, budget[0] * 0.5)
    if st != cp_model.INFEASIBLE or not core:
        # could not narrow down: report the families, honestly
        return done("infeasible", groups=[Group(f) for f in fam_core], minimal=False,
                    relax_families=_family_relaxations(run_f, families, fam_core))
    core, minimal = _shrink(run_g, sorted(core), budget)
    relax = []
    for g in core:
        if budget[0] <= 0:
            break
        st, _, _ = run_g([h for h in everything if h != g], max(0.3, budget[0] / (2 * len(core))))
        if st in _SOLVED:
            relax.append(g)
    fams: list[list[Group]] = []
    together: list[Group] = []
    if not relax:
        for fam in sorted({g.family for g in core}, key=lambda f: _rank(Group(f))):
            gs = [g for g in core if g.family == fam]
            if len(gs) < 2 or budget[0] <= 0:
                continue
            st, _, _ = run_g([h for h in everything if h not in gs], 2.0)
            if st in _SOLVED:
                fams.append(gs)
    if not relax and not fams:
        together = _greedy_relaxation(run_g, everything, core)
    if not relax and not fams and not together:
        fams = _family_relaxations(run_f, families, fam_core)
    return done("infeasible", groups=core, minimal=minimal, relaxations=relax, relax_together=together,
                relax_families=fams)


OTHERS = Group("~others")


def _family_relaxations(run_f, families: list[str], fam_core: list[str]) -> list[list[Group]]:
    """Rule families whose removal (for everyone) makes the scenario solvable."""
    out = []
    for f in sorted(fam_core, key=lambda f: _rank(Group(f))):
        st, _, _ = run_f([h for h in families if h != f], 3.0)
        if st in _SOLVED:
            out.append([Group(f)])
    return out


# families cheaper to relax come first: a personal limit before dropping a requirement
_PREFERENCE = ["windows", "rest", "consecutive", "weekends", "caps", "holidays", "time_off",
               "crew_skills", "coverage"]


def _rank(g: Group) -> tuple:
    return (_PREFERENCE.index(g.family) if g.family in _PREFERENCE else len(_PREFERENCE), g)


def _greedy_relaxation(run, everything, core, rounds: int = 30) -> list[Group]:
    """Drop one group of each successive conflict (the cheapest family first) until the
    scenario is solvable; returns the dropped groups, or [] if none found in time."""
    dropped: list[Group] = []
    current = core
    for _ in range(rounds):
        dropped.append(min(current, key=_rank))
        active = [g for g in everything if g not in dropped]
        st, current, _ = run(active, 2.0)
        if st in _SOLVED:
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
        delta = {r: rules_now.get(r, 0.0) - base_rules.get(r, 0.0)
                 for r in sorted(set(rules_now) | set(base_rules))}
        delta = {r: round(d, 4) for r, d in delta.items() if abs(d) > 1e-9}
        rows.append({
            "person": prob.people[q].id,
            "feasible": not new,
            "reasons": "; ".join(sorted({f"{v.rule}: {v.message}" for v in new})),
            "delta_points": round(ev.objective - base.objective, 4),
            "delta_by_rule": delta,
        })
    df = pd.DataFrame(rows, columns=["person", "feasible", "reasons", "delta_points", "delta_by_rule"])
    return df.sort_values(["feasible", "delta_points", "person"], ascending=[False, True, True],
                          kind="stable").reset_index(drop=True)


def _key(v) -> tuple:
    return (v.rule, v.person, v.shift, v.start, v.message)


def _violation_keys(ev) -> set[tuple]:
    return {_key(v) for v in ev.violations.itertuples(index=False)}
