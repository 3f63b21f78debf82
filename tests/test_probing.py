"""Probes raise the bound and never past the optimum (optimizer.probing).

The galloping search is checked against an oracle that knows the optimum; the probes on a
real model against brute force over every schedule of tiny scenarios (tests/test_bounds.py
enumerates them); the solve's stall path on S, whose optimum 337.5 is proven
(benchmarks/results/notes.md).
"""

from __future__ import annotations

import random
import sys

import pytest
from ortools.sat.python import cp_model

from optimizer import Problem
from optimizer.phases import main_objective
from optimizer.probing import Answer, Verdict, gallop, probe
from optimizer.problem import build
from optimizer.solve import Status, solve
from optimizer.units import points
from tests.conftest import check_consistent
from tests.test_bounds import _brute, _tiny


def _oracle(opt: int, hard: int = 0, calls: list | None = None):
    """A minimisation with optimum ``opt``: ``<= c`` is infeasible below it, and nothing is
    decided in time for the ``hard`` values just below it (as near a real optimum)."""

    def test(lo: int, c: int, seconds: float) -> Answer:
        if calls is not None:
            calls.append(c)
        if opt - hard <= c < opt:
            return Answer(Verdict.UNKNOWN)
        if c < opt:
            return Answer(Verdict.INFEASIBLE)
        return Answer(Verdict.FOUND, opt, opt - hard)

    return test


def _clock(seconds: float):
    left = [seconds]

    def time_left() -> float:
        left[0] -= 1.0  # each probe "takes" a second
        return left[0]

    return time_left


def test_gallop_reaches_the_optimum_when_every_probe_is_decided():
    # bound 0, incumbent 1000, optimum 737: the probes <= 19, 59, 139, 299, 619 are
    # infeasible (the step doubles from 20), <= 999 finds the optimum (its bound 737)
    calls: list[int] = []
    lo, hi = gallop(0, 1000, _oracle(737, calls=calls), _clock(100))
    assert (lo, hi) == (737, 737)
    assert calls[:6] == [19, 59, 139, 299, 619, 999]


@pytest.mark.parametrize("seed", range(20))
def test_gallop_never_passes_the_optimum(seed):
    rng = random.Random(seed)
    opt = rng.randrange(1, 5000)
    hi = opt + rng.randrange(0, 3000)
    hard = rng.randrange(0, 50)
    lo, new_hi = gallop(rng.randrange(0, opt + 1), hi, _oracle(opt, hard), _clock(rng.randrange(1, 40)))
    assert lo <= opt <= new_hi <= hi


def test_gallop_stops_when_the_smallest_step_is_undecided():
    calls: list[int] = []
    lo, hi = gallop(90, 100, _oracle(100, hard=10, calls=calls), _clock(1000))
    assert (lo, hi) == (90, 100) and calls[-1] == 90 and len(calls) < 10


def _plain_search(builder):
    def search(seconds: float) -> cp_model.CpSolver:
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = seconds
        solver.solve(builder.model)
        return solver

    return search


@pytest.mark.parametrize("seed", range(6))
def test_probes_prove_exactly_the_brute_force_optimum(seed):
    sc = _tiny(seed, weekends=10 if seed % 3 == 0 else 0)
    cost, _, _ = _brute(sc)
    if cost is None:
        pytest.skip("no feasible schedule to bound")
    builder = build(Problem(sc))
    hi = cost + 10_000 + 7 * seed  # an incumbent worse than the optimum
    lo, found = probe(builder, 0, hi, _plain_search(builder), _clock(200))
    # tiny models: every probe is decided, so the bound is the optimum itself, never above
    assert lo == cost
    assert found is not None and round(found.objective_value) == cost
    # the model is told objective >= bound, and still reaches the optimum
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(builder.model) == cp_model.OPTIMAL
    assert round(solver.value(main_objective(builder))) == cost


def test_stall_far_from_the_bound_runs_probes_and_keeps_a_valid_bound(monkeypatch):
    # S's construction (474.25 points) is far above any bound the short term-bound solves
    # give (316.25 when they finish in time): stalled there at once, the solve probes. The
    # bound it reports must never fall below where the probes started nor pass the proven
    # optimum 337.5, every bound a probe raises must lie between the two, and the schedule
    # must agree with the evaluators.
    from benchmarks.generate import generate

    solve_module = sys.modules["optimizer.solve"]  # the package's `solve` is the function
    monkeypatch.setattr(solve_module, "stalled", lambda cb, started, half=0.0: cb.objective is not None)
    # S is a small model, which goes on with max-LP and LNS instead: probe it as a large one
    monkeypatch.setattr(solve_module, "PROOF_UNTIL", 0)
    real = solve_module.probe
    starts: list[float] = []

    def probe(builder, lo, hi, *args, **kw):
        starts.append(points(lo))
        return real(builder, lo, hi, *args, **kw)

    monkeypatch.setattr(solve_module, "probe", probe)
    seen: list = []
    r = solve(generate("S", seed=0), time_limit=12, workers=2, balance=False, progress=seen.append)
    check_consistent(r)
    assert "probes" in r.phase_times and len(starts) == 1
    assert r.bound is not None and starts[0] <= r.bound <= 337.5 <= r.objective
    assert r.status == Status.OPTIMAL or r.bound < r.objective
    assert max(ev.bound or 0.0 for ev in seen if ev.phase in ("main", "bound")) <= 337.5
    raised = [ev for ev in seen if ev.phase == "bound"]  # bounds proved without a new schedule
    assert all(ev.objective >= 337.5 and starts[0] < ev.bound <= 337.5 for ev in raised)


def test_cli_progress_says_when_only_the_bound_rose(capsys):
    from optimizer.cli.solve import _Ticker
    from optimizer.result import Progress

    _Ticker(quiet=False)(Progress(185.0, 168.9, 31.5, 7, "bound"))
    line = capsys.readouterr().err
    assert "bound raised" in line and "185.00" in line and "168.90" in line and "gap   8.7%" in line


def test_regression_ctrl_c_during_the_probes_ends_them(monkeypatch):
    # Ctrl-C ends the one search it interrupts; the probes went on after it, each next
    # probe running to its own limit. A Ctrl-C in the first probe (emulated: that one
    # search is stopped and reports the interruption, the later ones see no stop, as with
    # Ctrl-C) must end the probes and the solve at once, with the best schedule.
    import threading
    import time

    from benchmarks.generate import generate

    solve_module = sys.modules["optimizer.solve"]
    monkeypatch.setattr(solve_module, "stalled", lambda cb, started, half=0.0: cb.objective is not None)
    # S is a small model, which goes on with max-LP and LNS instead: probe it as a large one
    monkeypatch.setattr(solve_module, "PROOF_UNTIL", 0)
    real_search, real_probe = solve_module.run_search, solve_module.probe
    probing = [False]

    def run_search(solver, builder, cb, stop, stalled=None):
        if probing[0]:
            probing[0] = False  # only the first probe is "interrupted"
            pressed = threading.Event()
            pressed.set()
            return real_search(solver, builder, cb, pressed, stalled)
        return real_search(solver, builder, cb, stop, stalled)

    def probe(*args, **kw):
        probing[0] = True
        return real_probe(*args, **kw)

    monkeypatch.setattr(solve_module, "run_search", run_search)
    monkeypatch.setattr(solve_module, "probe", probe)
    t0 = time.perf_counter()
    r = solve(generate("S", seed=0), time_limit=60, workers=2, balance=False)
    assert r.interrupted and r.status.has_schedule and r.evaluation.feasible
    assert time.perf_counter() - t0 < 20
