"""Sweeps: solve many scenario variants in parallel and tabulate the outcomes.

>>> from optimizer.sweep import sweep
>>> variants = [(f"max_weekends={n}", base.with_rules(max_weekends=n), {"time_limit": 5})
...             for n in range(2, 6)]
>>> table = sweep(variants)                      # local process pool
>>> table = sweep(variants, engine="dask")       # Dask distributed (pip install rota[dist])

Every engine runs the same function (:func:`run_variant`) on each variant and the
results come back in the order given, and every variant is solved in reproducible mode
(``deterministic=True`` unless its arguments say otherwise), so a sweep gives the same
table on every engine and on every run, except the ``wall_time`` column.

Engines
-------
``local``
    A process pool on this machine (``workers`` processes, default: the CPU count); with
    ``workers=1`` the variants run one after the other in this process.
``dask``
    Dask distributed: the client given, else the default client if one is running, else
    a :class:`~distributed.LocalCluster` started for the sweep (``workers`` processes,
    one thread each) and closed afterwards. To use a real cluster, connect a
    ``distributed.Client`` to its scheduler first (or pass ``client=``).
``ray``
    Ray: connects to (or starts) a Ray runtime with ``ray.init``. Not installed by
    rota's extras; the tests check the adapter against a stand-in module only, so Dask
    is the supported distributed engine.

Processes are started with ``spawn``: in a script, call :func:`sweep` under
``if __name__ == "__main__":`` as usual for Python multiprocessing.

Each solve uses one search worker unless a variant's keyword arguments say otherwise
(the sweep is parallel across variants, not within a solve).
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .scenario import Scenario

ENGINES = ("local", "dask", "ray")
SIMULATE_KEYS = ("absence_rate", "absence_runs", "absence_seed")

Metrics = Callable[[Any], dict[str, Any]]


@dataclass(frozen=True)
class Variant:
    """One scenario of a sweep: a unique ``name``, the ``scenario`` and keyword arguments
    of :func:`optimizer.solve.solve`. ``absence_rate`` (with optional ``absence_runs``,
    default 200, and ``absence_seed``, default 0) among them also runs
    :func:`optimizer.whatif.simulate` on the schedule found."""

    name: str
    scenario: Scenario
    kwargs: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class _Task:
    variant: Variant
    metrics: Metrics | None


def as_variants(variants: Iterable | Mapping) -> list[Variant]:
    """Normalize ``variants``: :class:`Variant` objects, ``(name, scenario)`` or ``(name,
    scenario, kwargs)`` tuples, or a mapping ``name -> scenario`` / ``name -> (scenario,
    kwargs)``.

    Raises
    ------
    ValueError
        A malformed entry or a name used twice.
    """
    items = variants.items() if isinstance(variants, Mapping) else variants
    out: list[Variant] = []
    for item in items:
        if isinstance(item, Variant):
            out.append(item)
            continue
        name, rest = item[0], item[1:]
        if isinstance(variants, Mapping):
            rest = rest[0] if isinstance(rest[0], tuple) else (rest[0],)
        if not rest or not isinstance(rest[0], Scenario) or len(rest) > 2:
            raise ValueError(f"variant {name!r}: expected (name, Scenario[, solve kwargs])")
        out.append(Variant(str(name), rest[0], dict(rest[1]) if len(rest) == 2 else {}))  # type: ignore[misc]
    seen: set[str] = set()
    for v in out:
        if v.name in seen:
            raise ValueError(f"variant name {v.name!r} is used twice")
        seen.add(v.name)
    return out


# --------------------------------------------------------------------------- one variant


def default_metrics(result) -> dict[str, Any]:
    """The columns :func:`sweep` reports for a solved variant (besides name, status,
    objective, bound, gap and times): ``feasible`` (no hard violation by the
    evaluators), ``people``, ``slots``, ``shifts_max``/``shifts_min`` (per person in
    the pool), and the fairness measures of
    :func:`optimizer.fairness_metrics.fairness_summary`: ``load_spread``, ``load_gini``,
    ``balance_score``, ``weekend_spread``, ``holiday_spread``."""
    from .fairness_metrics import fairness_summary
    from .stats import person_stats

    sched = result.schedule
    prob = sched.problem
    stats = person_stats(sched)
    pool = prob.pool or list(range(len(prob.people)))
    fair = fairness_summary(sched)
    return {
        "feasible": bool(result.evaluation.feasible),
        "people": len(prob.people),
        "slots": len(sched.assignments),
        "shifts_max": max(stats[p].shifts for p in pool),
        "shifts_min": min(stats[p].shifts for p in pool),
        "load_spread": fair["load_spread"],
        "load_gini": round(fair["load_gini"], 6),
        "balance_score": round(fair["balance_score"], 6),
        "weekend_spread": fair["weekend_spread"],
        "holiday_spread": fair["holiday_spread"],
    }


def run_variant(task: _Task) -> dict[str, Any]:
    """Solve one variant and measure it (runs in a worker process). Never raises: an
    error becomes status ``error`` with the message in ``error``."""
    from .solve import solve

    v = task.variant
    kwargs = dict(v.kwargs)
    sim = {k: kwargs.pop(k) for k in SIMULATE_KEYS if k in kwargs}
    kwargs.setdefault("workers", 1)
    kwargs.setdefault("deterministic", True)  # the same table on every engine (module text)
    row: dict[str, Any] = {"name": v.name}
    t0 = time.perf_counter()
    try:
        result = solve(v.scenario, **kwargs)
        row.update(
            status=result.status.value,
            objective=result.objective,
            bound=result.bound,
            gap=result.gap,
            error="",
        )
        if result.status.has_schedule:
            row.update((task.metrics or default_metrics)(result))
            if "absence_rate" in sim:
                from .whatif import simulate

                rob = simulate(
                    result.schedule,  # type: ignore[arg-type]
                    sim["absence_rate"],
                    runs=sim.get("absence_runs", 200),
                    seed=sim.get("absence_seed", 0),
                )
                row.update(
                    absence_rate=sim["absence_rate"],
                    p_any_uncovered=rob.p_any_uncovered,
                    mean_uncovered=rob.mean_uncovered,
                    no_replacement=len(rob.no_replacement),
                )
    except Exception as e:  # a sweep reports a broken variant and goes on
        row.update(status="error", error=f"{type(e).__name__}: {e}")
    row["wall_time"] = round(time.perf_counter() - t0, 3)
    return row


# --------------------------------------------------------------------------- engines


def _local(tasks: list[_Task], workers: int) -> Iterator[tuple[int, dict]]:
    if workers <= 1 or len(tasks) <= 1:
        for k, t in enumerate(tasks):
            yield k, run_variant(t)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=ctx) as pool:
        futures = {pool.submit(run_variant, t): k for k, t in enumerate(tasks)}
        try:
            for fut in as_completed(futures):
                yield futures[fut], fut.result()
        except BaseException:
            for fut in futures:
                fut.cancel()
            raise


def _dask(tasks: list[_Task], workers: int, client=None) -> Iterator[tuple[int, dict]]:
    try:
        from distributed import Client, LocalCluster, as_completed, default_client
    except ImportError:
        raise ImportError(
            "engine='dask' needs Dask distributed: pip install 'rota[dist]' "
            "(or 'dask[distributed]')"
        ) from None
    own = None
    if client is None:
        try:
            client = default_client()
        except ValueError:  # no client running: start a local cluster for this sweep
            cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
            client = Client(cluster)
            own = (client, cluster)
    try:
        futures = [client.submit(run_variant, t, pure=False) for t in tasks]
        index = {f.key: k for k, f in enumerate(futures)}
        try:
            for fut in as_completed(futures):
                yield index[fut.key], fut.result()
        except BaseException:
            client.cancel(futures)
            raise
    finally:
        if own is not None:
            own[0].close()
            own[1].close()


def _ray(tasks: list[_Task], workers: int) -> Iterator[tuple[int, dict]]:
    try:
        import ray
    except ImportError:
        raise ImportError(
            "engine='ray' needs Ray: pip install ray (Dask is the supported "
            "distributed engine: engine='dask')"
        ) from None
    if not ray.is_initialized():
        ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
    remote = ray.remote(num_cpus=1)(run_variant)
    refs = [remote.remote(t) for t in tasks]
    index = {r: k for k, r in enumerate(refs)}
    pending = list(refs)
    while pending:
        done, pending = ray.wait(pending, num_returns=1)
        for r in done:
            yield index[r], ray.get(r)


# --------------------------------------------------------------------------- progress


class _Bar:
    """A plain progress bar on stderr (redrawn in place on a terminal or in a notebook,
    a line every 10% otherwise)."""

    def __init__(self, total: int, stream=None) -> None:
        self.total = total
        self.stream = stream or sys.stderr
        self.inline = getattr(self.stream, "isatty", lambda: False)() or "ipykernel" in sys.modules
        self.t0 = time.perf_counter()
        self.shown = -1

    def __call__(self, done: int, total: int, name: str) -> None:
        elapsed = time.perf_counter() - self.t0
        tenth = 10 * done // max(1, total)
        if not self.inline and tenth == self.shown and done != total:
            return
        self.shown = tenth
        filled = round(24 * done / max(1, total))
        left = elapsed / done * (total - done) if done else math.nan
        eta = f", ~{left:.0f}s left" if done and done < total else ""
        bar = "#" * filled + "." * (24 - filled)
        line = f"sweep {done:>{len(str(total))}}/{total} [{bar}] {elapsed:.1f}s{eta}"
        end = "\n" if done == total or not self.inline else ""
        self.stream.write(("\r" if self.inline else "") + line + end)
        self.stream.flush()


# --------------------------------------------------------------------------- sweep


def sweep(
    variants: Iterable | Mapping,
    engine: str = "local",
    workers: int | None = None,
    progress: bool | Callable[[int, int, str], None] = True,
    *,
    client=None,
    metrics: Metrics | None = None,
) -> pd.DataFrame:
    """Solve every variant, in parallel, and return one row per variant.

    Parameters
    ----------
    variants
        ``(name, Scenario[, solve kwargs])`` tuples, :class:`Variant` objects or a
        mapping (see :func:`as_variants`). Names must be unique.
    engine
        ``"local"`` (process pool, default), ``"dask"`` or ``"ray"`` (see the module
        docstring).
    workers
        Parallel processes (default: the CPU count). Ignored with an existing Dask
        client or Ray runtime.
    progress
        ``True``: a progress bar on stderr; ``False``: none; or a callable
        ``(done, total, name)`` called after each variant.
    client
        A ``distributed.Client`` for ``engine="dask"`` (default: the running default
        client, else a local cluster started for the sweep).
    metrics
        ``result -> dict`` of extra columns instead of :func:`default_metrics`; it must
        be picklable (a module-level function) for the process engines.

    Returns
    -------
    DataFrame
        In the order of ``variants``: ``name``, ``status``, ``objective``, ``bound``,
        ``gap``, ``error`` (empty unless the solve raised), the metrics columns,
        ``p_any_uncovered``/``mean_uncovered``/``no_replacement`` for variants with an
        ``absence_rate``, and ``wall_time`` (seconds, the only column that differs
        between runs).
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    items = as_variants(variants)
    tasks = [_Task(v, metrics) for v in items]
    workers = workers or os.cpu_count() or 1
    total = len(tasks)
    report: Callable[[int, int, str], None] | None
    report = _Bar(total) if progress is True else (progress or None)
    if engine == "local":
        stream = _local(tasks, workers)
    elif engine == "dask":
        stream = _dask(tasks, workers, client)
    else:
        stream = _ray(tasks, workers)
    rows: list[dict | None] = [None] * total
    done = 0
    if report and total:
        report(0, total, "")
    for k, row in stream:
        rows[k] = row
        done += 1
        if report:
            report(done, total, row["name"])
    frame = pd.DataFrame([r for r in rows if r is not None])
    if frame.empty:
        return pd.DataFrame(
            columns=["name", "status", "objective", "bound", "gap", "error", "wall_time"]
        )
    cols = [c for c in frame.columns if c != "wall_time"] + ["wall_time"]
    return frame[cols]
