"""Sweeps: 200 tiny variants give identical tables on the local process pool and on a
locally started Dask cluster; variant forms, broken variants, absence columns, progress."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import scenario

from optimizer.sweep import Variant, as_variants, sweep

TIMING = ["wall_time"]


def tiny_variants(n: int) -> list[tuple]:
    """Team size 3-6, horizon 3-7 days, rest rule on/off, weekend fairness on/off, seeds."""
    out = []
    for k in range(n):
        people = [{"id": f"p{j}"} for j in range(3 + k % 4)]
        sc = scenario(
            people=people,
            end=dt.date(2027, 1, 6) + dt.timedelta(days=k % 5),
            rules={"min_rest": "1d"} if k % 3 == 0 else {},
            fairness={"load": 1, "weekends": 10 * (k % 2), "holidays": 0},
        )
        out.append((f"v{k:03d}", sc, {"time_limit": 0.2, "seed": k % 7}))
    return out


def same(a, b) -> None:
    cols = [c for c in a.columns if c not in TIMING]
    assert list(a.columns) == list(b.columns)
    assert a[cols].equals(b[cols]), a[cols].compare(b[cols])


def test_200_variants_identical_on_local_pool_and_dask_cluster():
    distributed = pytest.importorskip("distributed")
    variants = tiny_variants(200)
    local = sweep(variants, engine="local", workers=2, progress=False)
    assert list(local.name) == [v[0] for v in variants]
    assert (local.status == "optimal").all() and local.feasible.all()
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        remote = sweep(variants, engine="dask", client=client, progress=False)
    same(local, remote)
    # hand-checked rows: 3 people, 3 daily 24h shifts, no rules: one shift each, spread 0
    v000 = local.set_index("name").loc["v000"]  # min_rest 1d, 3 people, 3 days: still one each
    assert (v000.slots, v000.shifts_max, v000.shifts_min, v000.objective) == (3, 1, 1, 0.0)
    v004 = local.set_index("name").loc["v004"]  # 3 people, 7 days: 3/2/2 shifts, 24h spread
    assert (v004.slots, v004.shifts_max, v004.shifts_min, v004.load_spread) == (7, 3, 2, 24.0)


def test_serial_equals_pool_and_progress_is_reported():
    variants = tiny_variants(6)
    seen = []
    serial = sweep(
        variants, workers=1, progress=lambda done, total, name: seen.append((done, total))
    )
    assert seen == [(k, 6) for k in range(7)]
    pooled = sweep(variants, workers=2, progress=False)
    same(serial, pooled)


def test_variant_forms_and_errors():
    sc = scenario()
    a = as_variants({"x": sc, "y": (sc, {"time_limit": 1})})
    assert a == [Variant("x", sc, {}), Variant("y", sc, {"time_limit": 1})]
    assert as_variants([Variant("z", sc), ("w", sc)])[1] == Variant("w", sc, {})
    with pytest.raises(ValueError, match="used twice"):
        as_variants([("x", sc), ("x", sc)])
    with pytest.raises(ValueError, match="expected"):
        as_variants([("x", "not a scenario")])
    with pytest.raises(ValueError, match="engine"):
        sweep([("x", sc)], engine="spark")
    # a broken variant is reported, the others still solved
    table = sweep(
        [("ok", sc, {"time_limit": 1}), ("bad", sc, {"freeze_until": "2027-01-05"})],
        workers=1,
        progress=False,
    ).set_index("name")
    assert table.loc["ok", "status"] == "optimal" and table.loc["ok", "error"] == ""
    assert table.loc["bad", "status"] == "error" and "freeze_until" in table.loc["bad", "error"]


def test_absence_rate_adds_robustness_columns():
    sc = scenario(end=dt.date(2027, 1, 6), rules={"min_rest": "1d"})
    table = sweep(
        [
            ("r0", sc, {"time_limit": 1, "absence_rate": 0.0}),
            ("r1", sc, {"time_limit": 1, "absence_rate": 1.0, "absence_runs": 10}),
        ],
        workers=1,
        progress=False,
    ).set_index("name")
    assert table.loc["r0", "p_any_uncovered"] == 0.0 and table.loc["r0", "mean_uncovered"] == 0.0
    # everyone always absent: every one of the 3 slots is uncovered in every run
    assert table.loc["r1", "p_any_uncovered"] == 1.0 and table.loc["r1", "mean_uncovered"] == 3.0


def test_ray_adapter_with_a_stand_in_module(monkeypatch):
    """Ray is not installed by rota's extras: check the adapter's control flow (init,
    remote submission, wait loop, order of the results) with a synchronous stand-in."""
    import sys
    import types

    calls = []

    class Ref:
        def __init__(self, value):
            self.value = value

    fake = types.ModuleType("ray")
    fake.is_initialized = lambda: False
    fake.init = lambda **kw: calls.append(("init", kw))

    def remote(**opts):
        def wrap(fn):
            return types.SimpleNamespace(remote=lambda task: Ref(fn(task)))

        calls.append(("remote", opts))
        return wrap

    fake.remote = remote
    fake.wait = lambda pending, num_returns: (pending[-1:], pending[:-1])  # finish in reverse
    fake.get = lambda ref: ref.value
    monkeypatch.setitem(sys.modules, "ray", fake)
    variants = tiny_variants(4)
    table = sweep(variants, engine="ray", workers=3, progress=False)
    assert list(table.name) == [v[0] for v in variants]
    same(table, sweep(variants, workers=1, progress=False))
    assert calls[0] == ("init", {"num_cpus": 3, "include_dashboard": False, "log_to_driver": False})
    assert calls[1] == ("remote", {"num_cpus": 1})
