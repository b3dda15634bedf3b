"""Run All, as a learner does it: no solution runs, nothing fails, no verdict is given away.

A learner who opens a chapter and runs it top to bottom without answering the exercises must
see every check say "Not yet" and no solution run; and no later cell may need a name that only
a (skipped) solution defines. Quick sizes, the platform's default start method.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.execute_notebooks import learner_problems
from tools.kernel_profile import RUN_SOLUTIONS_ENV, kernel_environment, write_ipython_dir

# Starts kernels, children or scripts: scheduled first (conftest.py).
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.timeout(300)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_run_all_without_solutions_runs_clean(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    environment = kernel_environment(write_ipython_dir(tmp_path), None, quick=True)
    environment[RUN_SOLUTIONS_ENV] = ""
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert learner_problems(path, timeout=120) == []
