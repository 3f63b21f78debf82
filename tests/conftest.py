"""Shared test helpers: tiny scenarios built in code."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from optimizer import Scenario

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "data" / "examples"


def scenario(**kw) -> Scenario:
    """A small valid scenario; keyword arguments replace top-level fields.

    Default: 3 people (a, b, c), a daily 24h shift from 00:00 UTC with one role,
    Monday 2027-01-04 to Sunday 2027-01-10, no rules, fairness off.
    """
    data = {
        "team": "t",
        "timezone": "UTC",
        "start": dt.date(2027, 1, 4),
        "end": dt.date(2027, 1, 10),
        "shifts": [{"name": "day", "repeat": "daily", "starts": "00:00", "length": "1d",
                    "roles": [{"name": "primary"}]}],
        "people": [{"id": "a"}, {"id": "b"}, {"id": "c"}],
        "fairness": {"load": 0, "weekends": 0, "holidays": 0},
        "solver": {"time_limit": 10, "seed": 0, "workers": 1},
    }
    data.update(kw)
    return Scenario.model_validate(data)


@pytest.fixture(scope="session")
def quarterly() -> Scenario:
    from optimizer import load_scenario

    return load_scenario(EXAMPLES / "quarterly.yaml")


def run_cli(*args: object):
    """``rota ARGS...`` in-process (click's runner); exceptions propagate."""
    from click.testing import CliRunner

    from optimizer.cli import main

    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="session")
def solved_quarterly(tmp_path_factory) -> Path:
    """The folder ``rota solve quarterly.yaml`` wrote (assignments.csv, people.csv); read only."""
    out = tmp_path_factory.mktemp("q")
    r = run_cli("solve", EXAMPLES / "quarterly.yaml", "--out", out, "--time-limit", "5", "-q")
    assert r.exit_code == 0, r.output
    return out


def manual(sc: Scenario, rows: list[tuple[int, str, str]]):
    """A hand-made schedule: rows of (instance index, role name, person id)."""
    from optimizer import Problem, Schedule
    from optimizer.schedule import Assignment

    prob = Problem(sc)
    out = []
    for i, role, pid in rows:
        out.append(Assignment(i, prob.role_index(i, role), prob.person_index[pid]))
    return Schedule(prob, out)


def rules_hit(schedule) -> set[str]:
    from optimizer import evaluate

    return set(evaluate(schedule).violations["rule"])


def check_consistent(result) -> None:
    """Every returned schedule: no hard violation, objective equals the evaluators'."""
    assert result.status.has_schedule, result.status
    ev = result.evaluation
    assert ev.feasible, ev.violations.to_string()
    assert result.solver_objective_internal == ev.cost, (result.terms, ev.by_rule())
