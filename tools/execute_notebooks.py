"""Re-execute notebooks and store their outputs: ``python -m tools.execute_notebooks PATH...``.

Each notebook runs top to bottom in a fresh kernel that reads the course's IPython profile
(``tools/kernel_profile.py``), with the platform's default start method, full problem sizes
and every ``%%solution`` cell run. After every cell, the figures the cell recorded with
:func:`helpers.claims.record` are stored in that cell's metadata. Then the notebook's claims
(:data:`helpers.claims.CLAIMS`) are checked against the figures: if one fails, the notebook is
measured again (``--attempts``); if it still fails, the notebook is **not** saved and the
command fails, saying which sentence its figures contradict.

``--learner`` runs the notebooks as a learner's *Run All* would (solutions not run, quick
sizes), saves nothing, and fails if a cell raises an unexpected error or shows a solution's
verdict: no cell may depend on a solution, and no solution may run unasked. With
``--platform spawn-only`` it does so on a simulated platform without ``fork`` (as Windows is;
``tools/spawn_only.py``). Stored outputs always come from the real platform.

Run it (``make outputs``) after editing a notebook, then let ``make test`` check that the
stored outputs hold under every start method.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient

from helpers.claims import contradictions, stored_figures
from tools.kernel_profile import (
    KERNEL_CLEANUP,
    NATIVE,
    PLATFORMS,
    RUN_SOLUTIONS_ENV,
    START_METHODS,
    kernel_environment,
    write_ipython_dir,
)

_DRAIN = "__import__('helpers.claims', fromlist=['drain_json']).drain_json()"


def notebook_paths(paths: list[str]) -> list[Path]:
    """Expand folders into the notebooks they hold, in name order."""
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found.extend(
                p for p in sorted(path.glob("*.ipynb")) if ".ipynb_checkpoints" not in p.parts
            )
        elif path.suffix == ".ipynb" and path.exists():
            found.append(path)
        else:
            raise SystemExit(f"not a notebook or a folder of notebooks: {name}")
    return found


class RecordingClient(NotebookClient):
    """A notebook client that stores each cell's recorded figures in the cell's metadata."""

    async def async_execute_cell(  # type: ignore[override]
        self, cell: Any, cell_index: int, execution_count: int | None = None,
        store_history: bool = True,
    ) -> Any:
        cell = await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        if cell_index == len(self.nb.cells) - 1:
            await self._clean_up()
        if cell.cell_type != "code":
            return cell
        course = cell.metadata.get("course", {})
        course.pop("figures", None)  # figures from an older run
        figures = await self._drain_figures()
        if figures:
            course["figures"] = figures
        if course:
            cell.metadata["course"] = course
        else:
            cell.metadata.pop("course", None)
        return cell

    async def _clean_up(self) -> None:
        """After the last cell, let the kernel release what the notebook still holds, as the
        test harness does (:data:`tools.kernel_profile.KERNEL_CLEANUP`), so that its shutdown
        finds nothing to clean up (and warns about nothing)."""
        assert self.kc is not None
        msg_id = self.kc.execute(KERNEL_CLEANUP, silent=True, store_history=False)
        if await self.async_wait_for_reply(msg_id) is None:
            raise RuntimeError("the kernel did not answer the clean-up after the last cell")

    async def _drain_figures(self) -> dict[str, Any]:
        assert self.kc is not None
        msg_id = self.kc.execute(
            "", silent=True, store_history=False, user_expressions={"figures": _DRAIN}
        )
        reply = await self.async_wait_for_reply(msg_id)
        if reply is None:
            raise RuntimeError("the kernel did not answer when asked for the recorded figures")
        answer = reply["content"].get("user_expressions", {}).get("figures", {})
        if answer.get("status") != "ok":
            raise RuntimeError(f"collecting the recorded figures failed: {answer}")
        return nbformat.from_dict(json.loads(ast.literal_eval(answer["data"]["text/plain"])))


def execute(path: Path, timeout: int, allow_errors: bool = False) -> Any:
    """Run the notebook at ``path`` in a fresh kernel; return it, with outputs and figures."""
    notebook = nbformat.read(path, as_version=4)
    client = RecordingClient(
        notebook,
        timeout=timeout,
        allow_errors=allow_errors,
        kernel_name="python3",
        record_timing=False,  # no timestamps in the cells' metadata: they would change every run
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)  # timestamps from older runs
    return notebook


def execute_until_true(path: Path, timeout: int, attempts: int) -> list[str]:
    """Execute ``path`` until its figures agree with its claims, then save it.

    Returns the contradictions of the last attempt: empty if the notebook was saved.
    """
    problems: list[str] = []
    for attempt in range(1, attempts + 1):
        notebook = execute(path, timeout)
        problems = contradictions(path.stem, stored_figures(notebook))
        if not problems:
            nbformat.write(notebook, path)
            return []
        print(f"  attempt {attempt} of {attempts}: the figures contradict the text:", flush=True)
        for problem in problems:
            print(f"    - {problem}", flush=True)
    return problems


def learner_problems(path: Path, timeout: int) -> list[str]:
    """Run ``path`` as a learner's Run All; list unexpected errors and visible verdicts."""
    notebook = execute(path, timeout, allow_errors=True)
    problems = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        tags = cell.metadata.get("tags", [])
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error" and "raises-exception" not in tags:
                problems.append(
                    f"{path.name}, cell {index}: {output.get('ename')}: {output.get('evalue')}"
                )
            text = output.get("text") or output.get("data", {}).get("text/plain", "")
            if "Correct!" in "".join(text):
                problems.append(f"{path.name}, cell {index}: a learner's Run All shows a verdict")
    return problems


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", help="notebooks, or folders of notebooks")
    parser.add_argument("--start-method", choices=START_METHODS, default=None)
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    parser.add_argument(
        "--attempts", type=int, default=3,
        help="how often to measure a notebook whose figures contradict its text",
    )
    parser.add_argument(
        "--learner", action="store_true",
        help="run as a learner's Run All (no solutions, quick sizes); save nothing",
    )
    parser.add_argument(
        "--platform", choices=PLATFORMS, default=NATIVE,
        help="spawn-only: simulate a platform without fork (with --learner only)",
    )
    args = parser.parse_args(argv)
    if args.platform != NATIVE and not args.learner:
        parser.error("outputs are stored from the real platform: use --platform with --learner")
    if args.learner:
        return run_as_learner(args)
    refused = []
    with tempfile.TemporaryDirectory(prefix="course-ipython-") as tmp:
        os.environ.update(
            kernel_environment(write_ipython_dir(Path(tmp)), args.start_method, quick=False)
        )
        for path in notebook_paths(args.paths):
            print(f"executing {path}", flush=True)
            if execute_until_true(path, args.timeout, args.attempts):
                refused.append(path)
    if refused:
        names = ", ".join(str(path) for path in refused)
        print(
            f"NOT STORED: {names}. Their measurements contradicted their text in every "
            "attempt (see above). Measure on a quiet machine, or change the text and its "
            "claim in helpers/claims.py.",
            file=sys.stderr,
        )
        return 1
    return 0


def run_as_learner(args: argparse.Namespace) -> int:
    """The ``--learner`` mode of :func:`main`."""
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="course-ipython-") as tmp:
        environment = kernel_environment(
            write_ipython_dir(Path(tmp)), args.start_method, True, platform=args.platform
        )
        environment[RUN_SOLUTIONS_ENV] = ""
        os.environ.update(environment)
        for path in notebook_paths(args.paths):
            print(f"running {path} as a learner would", flush=True)
            problems += learner_problems(path, args.timeout)
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
