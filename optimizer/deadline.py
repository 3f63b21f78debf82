"""One home for a solve's time budget.

``--time-limit S`` means S seconds of wall time after the model is built, in every mode.
A :class:`Deadline` is created once the model exists; every phase of a solve (warm start,
first phase, balance phase, LNS steps, canonical tie-break) asks it how much is left and
takes at most that, so the phases together never overrun (the model of PyVRP's
``stop/`` criteria: one object every part of the search consults).

In reproducible mode the phases are *also* limited by CP-SAT's deterministic time (work
units independent of machine load), which is what makes the output byte-identical; the
wall-clock deadline still caps every phase, and :attr:`Deadline.cut` records whether it
ever had to (then the run may not be reproducible, and the result says so). There the
deadline has a grace beyond the limit (:func:`reproducible_grace`: 5 s or a quarter of the
limit), so that a machine somewhat slower than the deterministic clock assumes still
finishes the same work.

The phases' own budgets are shares of :attr:`Deadline.budget`: the seconds left after the
search before the build. In the default mode that is :attr:`Deadline.seconds` (wall time).
In reproducible mode it is :data:`DET_PER_SECOND` deterministic seconds per second of the
limit, and the search before the build is charged its CP-SAT deterministic time instead of
its wall time, so no budget depends on machine load (a wall-time charge made the main
phase's deterministic limit differ by milliseconds from run to run, and with it the
schedule).
"""

from __future__ import annotations

import time
from collections.abc import Callable

REPRODUCIBLE_GRACE = 5.0  # seconds, or a quarter of the limit if that is more (reproducible_grace)
# deterministic seconds that reproducible mode budgets per second of the limit. Measured (AMD
# EPYC, 2 cores, interleaved search on 2 workers): whole-model phases do 0.5-1.1
# deterministic seconds per wall second (follow_the_sun.yaml main 0.63, balance 0.53;
# quarterly.yaml 0.95-1.06; Curtois Instance2 0.3-0.5). At 1 : 1 follow_the_sun ran 25 s
# for its 20 s limit, met the grace and was not reproducible; at 0.5, 24.5-25.2 s (its main
# search did 0.49 deterministic s per s). 0.4 leaves the slowest example inside the grace.
DET_PER_SECOND = 0.4


OVERDUE = 0.05  # seconds; with less left on the deadline no whole-model search starts
# CP-SAT's loading of a whole model (a solve with a 0.01 s limit) against its Python build,
# measured 2026-12-07 (AMD EPYC, 2 cores): M 0.04, Curtois Instance22 0.19, L 0.09,
# Instance24 0.36 (17.7 s for 49.9 s). Before the first whole-model solve, a run that
# already holds a valid schedule expects this share of its build (Deadline.expect).
LOADING_PER_BUILD = 0.4


def reproducible_grace(limit: float | None) -> float:
    """The grace of a reproducible run with a ``limit`` of wall seconds (module text)."""
    return max(REPRODUCIBLE_GRACE, 0.25 * (limit or 0.0))


class Deadline:
    """``seconds`` of wall time from now (``None``: no limit), plus ``grace`` seconds that
    only a phase running late may use; ``budget`` (default ``seconds``): the seconds the
    phases' budgets are shares of (reproducible mode: see the module text)."""

    def __init__(self, seconds: float | None, grace: float = 0.0,
                 clock: Callable[[], float] = time.perf_counter, budget: float | None = None) -> None:
        self.clock = clock
        self.start = clock()
        self.seconds = seconds
        self.budget = seconds if budget is None else budget  # what the phases' budgets share
        self.end = None if seconds is None else self.start + seconds + grace
        self.cut = False  # a phase was stopped by the wall clock rather than its own budget
        self.loaded: float | None = None  # wall seconds of the quickest whole-model solve so far
        self.expected = False  # ``loaded`` is an expectation (:meth:`expect`), not a measurement

    def remaining(self) -> float:
        """Seconds left (a large number without a limit; never negative)."""
        if self.end is None:
            return 1e9
        return max(0.0, self.end - self.clock())

    def took(self, seconds: float) -> None:
        """A whole-model solve took ``seconds`` of wall time (see :meth:`overdue`)."""
        if self.expected:  # measured: the expectation goes
            self.loaded, self.expected = seconds, False
            return
        self.loaded = seconds if self.loaded is None else min(self.loaded, seconds)

    def expect(self, build_seconds: float) -> None:
        """Before any whole-model solve: expect one to take ``LOADING_PER_BUILD`` of the
        model's build (a run holding a valid schedule then keeps it rather than start a
        solve that could not end by the deadline); the first measured solve replaces it."""
        if self.loaded is not None:
            return  # measured already
        self.took(LOADING_PER_BUILD * build_seconds)
        self.expected = True

    def overdue(self, reserve: float = 0.0) -> bool:
        """Too little is left (beyond ``reserve``) for a whole-model search: less than
        :data:`OVERDUE`, or less than the quickest whole-model solve so far took (CP-SAT
        loads the whole model before it reads its time limit: 11 s on Curtois Instance24
        whatever the limit, so a search started 0.5 s before the deadline ended 10.5 s
        after it)."""
        if self.seconds is None:
            return False
        return self.remaining() - reserve < max(OVERDUE, self.loaded or 0.0)

    def elapsed(self) -> float:
        return self.clock() - self.start

    @property
    def expired(self) -> bool:
        return self.end is not None and self.clock() >= self.end

    def share(self, fraction: float, at_least: float = 0.0, at_most: float | None = None) -> float:
        """A phase's budget: ``fraction`` of the total limit (at least ``at_least`` seconds,
        at most ``at_most``), never more than what is left."""
        total = self.seconds if self.seconds is not None else 1e9
        want = max(at_least, fraction * total)
        if at_most is not None:
            want = min(want, at_most)
        return min(self.remaining(), want)

    def note_stop(self, phase_wall: float, phase_limit: float) -> None:
        """Record that a phase ran into its wall-clock limit (within 2 %)."""
        if phase_wall >= 0.98 * phase_limit:
            self.cut = True
