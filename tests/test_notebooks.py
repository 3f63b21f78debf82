"""The notebooks in notebooks/ run top to bottom on the examples (their cells assert what
they show), and are committed without outputs."""

from __future__ import annotations

from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
BOOKS = sorted(NOTEBOOKS.glob("*.ipynb"))


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
            assert cell.outputs == [] and cell.execution_count is None, (
                f"{path.name} cell {k} has output"
            )
        assert "attachments" not in cell or not cell.attachments, f"{path.name} cell {k}"
    assert set(book.metadata) <= {"kernelspec", "language_info"}, book.metadata.keys()


@pytest.mark.parametrize("path", BOOKS, ids=[p.stem for p in BOOKS])
def test_notebook_runs(path: Path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    book = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        book, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    client.execute()  # raises CellExecutionError (with the failing cell) if any cell fails
    ran = [c for c in book.cells if c.cell_type == "code"]
    assert ran and all(c.execution_count for c in ran)
