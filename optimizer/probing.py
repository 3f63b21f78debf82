"""Raise the main objective's lower bound by probes: is there a schedule of at most ``c``?

When the main search stalls far from its bound (on M, 60 people follow-the-sun: 179.5
points found by 18 s, CP-SAT's bound 154.14 for the rest of the minute), the bound, not
the schedule, is what the gap lacks. A *probe* asks CP-SAT whether any schedule costs at
most ``c``: with that cut the search space is small and an "infeasible" comes quickly —
then every schedule costs more than ``c`` and the bound rises to ``c + 1``. The probes
gallop up from the bound (the step doubles after each proof, and shrinks after a probe
that ran out of time) and stop below the incumbent; a probe that finds a schedule gives a
better incumbent instead. Every verdict is CP-SAT's own proof on the same model, so the
bound is valid for every schedule (``tests/test_probing.py`` checks it against brute force).

Measured (2026-12-03, AMD EPYC, 2 cores; benchmarks/results/notes.md): on M, probes run
alone from its bound 154.14 below the incumbent 191 proved ``> 158``, ``> 166``, ``> 169``
and ``> 171`` in 1.4-4.4 s each (171.33 after 30 s), where CP-SAT's own bound stays at
154.14 for the whole minute; in the 60 s solve, after the stall, M ends with bounds of
168.3-171.4. On S they raise 316.25 to 325.5 in 30 s (the core-based search does better
there, and S's gap is small enough for it); on ``follow_the_sun.yaml`` no probe came back
in 8 s. The light presolve (one iteration, no probing) took a probe on M from about 5 s
to 1.4-2 s: the full presolve of the cut model is most of a probe's time.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import NamedTuple

from ortools.sat.python import cp_model

from .model import ModelBuilder
from .phases import holding, main_objective

# CP-SAT parameters of a probe (measured on M: a probe proven infeasible in 1.4 s instead of 5.2 s)
PROBE_PARAMS: dict[str, object] = {"max_presolve_iterations": 1, "cp_model_probing_level": 0}
FIRST_STEP = 0.02  # the first probe asks for a schedule this share of the incumbent above the bound
PROBE_SHARE = 1 / 3  # of the time left, at most, for one probe
LEAST = 0.5  # seconds; a probe with less time than this is not started


class Verdict(enum.Enum):
    INFEASIBLE = "infeasible"  # no schedule costs at most c
    FOUND = "found"  # a schedule of at most c (its objective and CP-SAT's bound given)
    UNKNOWN = "unknown"  # out of time


class Answer(NamedTuple):
    verdict: Verdict
    objective: int | None = None
    bound: int | None = None  # valid for every schedule: at most c ones have it, others cost more
    optimal: bool = False


def gallop(lo: int, hi: int, test: Callable[[int, int, float], Answer], time_left: Callable[[], float],
           first: float = FIRST_STEP) -> tuple[int, int]:
    """Raise ``lo`` (a lower bound of a minimisation whose best known value is ``hi``) by
    asking ``test(lo, c, seconds)`` whether a value of at most ``c`` exists (``lo`` is the
    bound proven so far); returns the new ``(lo, hi)``. ``lo <= hi`` always holds;
    ``lo == hi`` means ``hi`` is proven optimal."""
    step = max(1, round(first * hi))
    while lo < hi:
        left = time_left()
        if left < LEAST:
            break
        c = min(hi - 1, lo + step - 1)
        got = test(lo, c, max(LEAST, PROBE_SHARE * left))
        if got.verdict is Verdict.INFEASIBLE:
            lo = c + 1
            step *= 2
        elif got.verdict is Verdict.FOUND:
            assert got.objective is not None
            hi = min(hi, got.objective)
            lo = max(lo, hi if got.optimal else min(got.bound or 0, hi))
            step = max(1, step // 2)
        else:
            if c == lo:
                break  # not even the smallest step is decided in time
            step = max(1, step // 4)
    return lo, hi


def probe(builder: ModelBuilder, lo: int, hi: int, search: Callable[[float], cp_model.CpSolver],
          time_left: Callable[[], float], raised: Callable[[int, int], None] | None = None,
          ) -> tuple[int, cp_model.CpSolver | None]:
    """Probes on ``builder``'s model (main objective, internal units) from the bound ``lo``
    below the incumbent ``hi``; ``search(seconds)`` runs one CP-SAT search on the model as it
    is then (the cut held); ``raised(bound, best)`` is told every bound a probe proves.
    Returns the raised bound, which the model is then told
    (``objective >= bound``), and the search with the best schedule a probe found (``None``
    if none beat ``hi``)."""
    obj = main_objective(builder)
    best: list[cp_model.CpSolver] = []  # the probe search with the best schedule, if any

    def test(lo_now: int, c: int, seconds: float) -> Answer:
        with holding(builder, [(obj, c), (-obj, -lo_now)], obj):  # the bound so far helps the probe
            solver = search(seconds)
        status = solver.response_proto.status
        if status == cp_model.INFEASIBLE:
            if raised is not None:
                raised(c + 1, round(best[0].objective_value) if best else hi)
            return Answer(Verdict.INFEASIBLE)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            value = round(solver.objective_value)
            if not best or value < round(best[0].objective_value):
                best[:] = [solver]
            bound = value if status == cp_model.OPTIMAL else max(0, round(solver.best_objective_bound))
            return Answer(Verdict.FOUND, value, bound, status == cp_model.OPTIMAL)
        return Answer(Verdict.UNKNOWN)

    new_lo, _ = gallop(lo, hi, test, time_left)
    if new_lo > lo:
        builder.model.add(obj >= new_lo)
    return new_lo, (best[0] if best and round(best[0].objective_value) < hi else None)
