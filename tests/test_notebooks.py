"""Every notebook in notebooks/ runs from a clean kernel, and none is committed with outputs."""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
#: the budget a notebook has from a clean kernel (the seed build included)
MAX_SECONDS = 120


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/*.ipynb is empty"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name} cell {i} has outputs: clear them before committing"
            assert cell.execution_count is None, f"{path.name} cell {i} has an execution count"
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"


@pytest.fixture
def this_python_kernel(tmp_path, monkeypatch) -> str:
    """A ``python3`` kernelspec running this interpreter, ahead of any other on the Jupyter path.

    Without it nbclient would also use this interpreter on a fresh venv (ipykernel's own spec
    says ``python``, which jupyter_client maps to ``sys.executable``), but a user-level
    ``python3`` spec pointing elsewhere could shadow it on a developer's machine.
    """
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "kg tests", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.delenv("KG_GRAPH", raising=False)
    monkeypatch.delenv("KG_PAPER", raising=False)
    scratch = tmp_path / "scratch"  # the notebook's own build directory goes here, removed with tmp_path
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    return "python3"


@pytest.mark.slow
@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path, tmp_path, this_python_kernel):
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    workdir = tmp_path / "work"
    workdir.mkdir()
    client = NotebookClient(
        nb,
        kernel_name=this_python_kernel,
        timeout=300,
        allow_errors=False,
        resources={"metadata": {"path": str(workdir)}},
    )
    start = time.monotonic()
    client.execute()  # raises CellExecutionError naming the cell on any error
    elapsed = time.monotonic() - start

    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    images = sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert images >= 3, "the plots did not render inline"
    assert elapsed < MAX_SECONDS, f"{path.name} took {elapsed:.0f}s from a clean kernel (budget {MAX_SECONDS}s)"
    assert list(workdir.iterdir()) == [], "the notebook wrote into its working directory"
