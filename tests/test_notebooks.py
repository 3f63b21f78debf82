"""The notebooks in notebooks/ run top to bottom on the examples, are committed without
outputs, and show what they say: the checks live here, not in the analyst's cells. Each check
runs in the notebook's kernel right after the code cell it belongs to (the cell is named by its
position among the code cells and by its first line, so a reordered notebook fails loudly)."""

from __future__ import annotations

from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
BOOKS = sorted(NOTEBOOKS.glob("*.ipynb"))

#: notebook -> code cell number -> (the cell's first line, assertions run after it)
CHECKS: dict[str, dict[int, tuple[str, str]]] = {
    "quarterly_planning": {
        2: (
            "result = solve(scenario, time_limit=10)",
            """\
assert result.status.has_schedule
assert result.objective >= result.bound - 1e-6
""",
        ),
        3: (
            "assignments = result.assignments",
            """\
assert len(weeks) == 13 and weeks.notna().all().all()
assert all("infra" in skills[p] for p in weeks["primary"])
assert all(skills[a] | skills[b] >= {"infra", "data", "security", "product"}
           for a, b in zip(weeks["primary"], weeks["secondary"]))
""",
        ),
        4: (
            "ev = evaluate(result.schedule)",
            """\
assert ev.feasible, ev.violations
assert abs(ev.objective - result.objective) < 1e-6
""",
        ),
        5: (
            'table = result.people[["person_id", "shifts", "hours", "weekends", "holidays", "load",',
            """\
assert table.shifts.sum() == 26
""",
        ),
        7: (
            "from matplotlib.figure import Figure",
            """\
from matplotlib.backends.backend_agg import FigureCanvasAgg

canvas = FigureCanvasAgg(fig)
canvas.draw()
renderer = canvas.get_renderer()
assert len(fig.axes) == 4
for ax in fig.axes:  # regression: the 2x2 figure had overlapping date ticks
    boxes = sorted((t.get_window_extent(renderer) for t in ax.get_xticklabels() if t.get_text()), key=lambda b: b.x0)
    assert all(a.x1 <= b.x0 + 0.5 for a, b in zip(boxes, boxes[1:])), ax.get_title(loc="left")
""",
        ),
    },
    "what_if": {
        1: (
            "import datetime as dt",
            """\
assert published.status.has_schedule and published.evaluation.feasible
""",
        ),
        3: (
            "after = replan.assignments",
            """\
assert replan.evaluation.feasible
assert cmp.moved <= 4
assert (cmp.changes.start >= FREEZE.isoformat()).all()
assert who not in set(after[after.start == week.start].person_id)
assert frozen[["start", "role", "person_id"]].equals(kept[["start", "role", "person_id"]])
""",
        ),
        4: (
            "scratch = solve(with_leave, time_limit=3)",
            """\
assert moved_scratch > cmp.moved
""",
        ),
        5: (
            'leaves = scenario.with_time_off("dan", "2027-02-16", scenario.end, type="left the company")',
            """\
assert r_leave.evaluation.feasible
assert "dan" not in set(late.person_id)
assert c_leave.moved <= 2 * len(dan_later)
""",
        ),
        6: (
            "hire = scenario.with_person(",
            """\
assert r_hire.evaluation.feasible
assert (zoe.role == "secondary").all() and (zoe.start >= "2027-02-15").all()
""",
        ),
        7: (
            "from optimizer.whatif import find_instance, swap_candidates, violation_keys",
            """\
assert not options.empty
""",
        ),
        8: (
            "from optimizer import Schedule",
            """\
assert not violation_keys(ev) - violation_keys(published.evaluation)
assert abs(ev.objective - published.objective - best.delta_points) < 1e-6
""",
        ),
    },
    "robustness_and_sweeps": {
        1: (
            "from optimizer import load_scenario, solve",
            """\
assert result.status.has_schedule
""",
        ),
        2: (
            "shifts = rob.shifts",
            """\
assert ((shifts.risk - expected).abs() <= 4 * (expected * (1 - expected) / rob.runs) ** 0.5 + 1e-9).all()
""",
        ),
        3: (
            "import matplotlib.pyplot as plt",
            """\
assert people.only_cover.sum() == (shifts.candidates == 1).sum()
""",
        ),
        4: (
            "import pandas as pd",
            """\
assert curve.p_any_uncovered.is_monotonic_increasing and curve.mean_uncovered.is_monotonic_increasing
""",
        ),
        5: (
            "from optimizer.sweep import sweep",
            """\
assert list(table.name) == [v[0] for v in variants]
assert (table.status.isin(["optimal", "feasible"])).all() and table.feasible.all()
assert (table.shifts_max * table.people >= table.slots).all()
assert table.objective.nunique() == 1  # the text says all four reach the same objective
""",
        ),
        6: (
            "loose, tight = table.iloc[0], table.iloc[-1]",
            """\
assert tight.no_replacement > loose.no_replacement and tight.p_any_uncovered > loose.p_any_uncovered
""",
        ),
    },
}


def test_the_notebooks_are_there():
    assert {p.name for p in BOOKS} >= {
        "quarterly_planning.ipynb",
        "what_if.ipynb",
        "robustness_and_sweeps.ipynb",
    }


@pytest.mark.parametrize("path", BOOKS, ids=[p.stem for p in BOOKS])
def test_notebook_is_stripped(path: Path):
    nbformat = pytest.importorskip("nbformat")
    book = nbformat.read(path, as_version=4)
    nbformat.validate(book)
    for k, cell in enumerate(book.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name} cell {k} has output"
        assert "attachments" not in cell or not cell.attachments, f"{path.name} cell {k}"
    assert set(book.metadata) <= {"kernelspec", "language_info"}, book.metadata.keys()


@pytest.mark.parametrize("path", BOOKS, ids=[p.stem for p in BOOKS])
def test_regression_notebooks_have_no_asserts(path: Path):
    """Assert lines were noise for an analyst: the cells show, the tests check."""
    nbformat = pytest.importorskip("nbformat")
    book = nbformat.read(path, as_version=4)
    for cell in book.cells:
        if cell.cell_type == "code":
            assert not any(line.lstrip().startswith("assert ") for line in cell.source.splitlines()), cell.source


def test_regression_sweep_text_matches_the_code():
    """The sweep's text said "one or two people fewer" while the code removes none or two."""
    nbformat = pytest.importorskip("nbformat")
    book = nbformat.read(NOTEBOOKS / "robustness_and_sweeps.ipynb", as_version=4)
    text = " ".join(c.source for c in book.cells if c.cell_type == "markdown")
    code = " ".join(c.source for c in book.cells if c.cell_type == "code")
    assert "one or two people fewer" not in text
    assert "without two people (Lena and Judy)" in text and '("lena", "judy")' in code


@pytest.mark.parametrize("path", BOOKS, ids=[p.stem for p in BOOKS])
def test_notebook_runs(path: Path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    book = nbformat.read(path, as_version=4)
    checks = CHECKS.get(path.stem, {})
    cells, k = [], -1
    for cell in book.cells:
        cells.append(cell)
        if cell.cell_type != "code":
            continue
        k += 1
        if k in checks:
            first, code = checks[k]
            assert cell.source.splitlines()[0] == first, f"{path.name}: code cell {k} moved"
            cells.append(nbformat.v4.new_code_cell(code))
    assert k + 1 >= max(checks, default=0)
    book.cells = cells
    client = nbclient.NotebookClient(
        book, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    client.execute()  # raises CellExecutionError (with the failing cell) if any cell fails
    ran = [c for c in book.cells if c.cell_type == "code"]
    assert ran and all(c.execution_count for c in ran)
