"""Every figure a notebook stores agrees with what its text says about it.

The claims are written once, in ``helpers/claims.py``; ``make outputs`` refuses to store a
notebook whose figures contradict them, and the tests below read the figures stored in the
notebooks, so a notebook edited or re-stored by hand cannot slip through either.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from helpers import claims
from helpers.claims import CLAIMS, Claim, contradictions, drain, record, stored_figures

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_stored_figures_agree_with_the_text(path: Path) -> None:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    assert contradictions(path.stem, stored_figures(notebook)) == []


def test_every_claim_belongs_to_a_notebook_of_the_course() -> None:
    stems = {path.stem for path in NOTEBOOKS}
    assert {claim.notebook for claim in CLAIMS} <= stems


@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: f"{c.notebook}: {c.says[:40]}")
def test_a_claim_reads_only_the_figures_it_names(claim: Claim) -> None:
    read: set[str] = set()

    def figure(name: str) -> float:
        read.add(name)
        return 1.0

    claim.applies(figure)
    claim.holds(figure)
    assert read <= set(claim.needs), f"reads {sorted(read - set(claim.needs))} unnamed"


def test_the_chapters_that_measure_make_claims() -> None:
    measured = {"00_introduction", "03_benchmark", "05_shared_memory"}
    assert measured <= {claim.notebook for claim in CLAIMS}


def test_record_keeps_figures_until_drained() -> None:
    drain()
    record("race", speedup=1.5, cores=2, correct=True)
    record("race", efficiency=0.75)
    assert drain() == {"race": {"speedup": 1.5, "cores": 2, "correct": True, "efficiency": 0.75}}
    assert drain() == {}


@pytest.mark.parametrize(
    ("key", "figures", "error"),
    [
        ("", {"x": 1}, TypeError),
        ("race", {}, ValueError),
        ("race", {"x": "fast"}, TypeError),
        ("race", {"x": float("nan")}, TypeError),
    ],
)
def test_record_refuses_what_no_claim_could_compare(key, figures, error) -> None:
    with pytest.raises(error):
        record(key, **figures)


@pytest.fixture
def demo_claim(monkeypatch: pytest.MonkeyPatch) -> Claim:
    claim = Claim(
        notebook="demo",
        says="the speed-up is at least 1.5",
        needs=("race.speedup",),
        holds=lambda f: f("race.speedup") >= 1.5,
    )
    monkeypatch.setattr(claims, "CLAIMS", [claim])
    return claim


def test_a_contradiction_names_the_sentence_and_the_figure(demo_claim: Claim) -> None:
    assert contradictions("demo", {"race": {"speedup": 1.9}}) == []
    [problem] = contradictions("demo", {"race": {"speedup": 1.2}})
    assert "the speed-up is at least 1.5" in problem and "race.speedup = 1.2" in problem


def test_a_claim_whose_figure_is_not_recorded_fails(demo_claim: Claim) -> None:
    [problem] = contradictions("demo", {})
    assert "race.speedup" in problem and "no cell recorded" in problem


# --- make outputs: figures land in the cell's metadata; a contradiction is not stored ---


def _notebook_recording(path: Path, speedup: float) -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    notebook.cells = [
        nbformat.v4.new_code_cell(
            f"from helpers.claims import record\nrecord('race', speedup={speedup})\nprint('ran')"
        )
    ]
    nbformat.write(notebook, path)
    return path


@pytest.mark.timeout(300)
def test_make_outputs_stores_figures_and_refuses_a_contradiction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo_claim: Claim
) -> None:
    from tools import execute_notebooks
    from tools.kernel_profile import kernel_environment, write_ipython_dir

    for name, value in kernel_environment(write_ipython_dir(tmp_path), None, True).items():
        monkeypatch.setenv(name, value)
    true_one = _notebook_recording(tmp_path / "demo.ipynb", 1.9)
    assert execute_notebooks.execute_until_true(true_one, timeout=120, attempts=1) == []
    stored = nbformat.read(true_one, as_version=4)
    assert stored.cells[0].metadata["course"]["figures"] == {"race": {"speedup": 1.9}}
    assert stored.cells[0].outputs[0]["text"] == "ran\n"

    false_one = _notebook_recording(tmp_path / "demo.ipynb", 1.2)
    before = false_one.read_text(encoding="utf-8")
    problems = execute_notebooks.execute_until_true(false_one, timeout=120, attempts=2)
    assert problems and "the speed-up is at least 1.5" in problems[0]
    assert false_one.read_text(encoding="utf-8") == before, "a contradicted notebook was stored"
