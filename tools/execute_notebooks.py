"""Re-execute notebooks and store their outputs: ``python -m tools.execute_notebooks PATH...``.

Each notebook runs top to bottom in a fresh kernel that reads the course's IPython profile
(``tools/kernel_profile.py``), with the platform's default start method and full problem
sizes, and is saved in place with its new outputs. Run it (``make outputs``) after editing a
notebook, then let ``make test`` check that the stored outputs hold under every start method.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from tools.kernel_profile import START_METHODS, kernel_environment, write_ipython_dir


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


def execute(path: Path, timeout: int) -> None:
    """Run the notebook at ``path`` in a fresh kernel and save it with its outputs."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,  # no timestamps in the cells' metadata: they would change every run
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)  # timestamps from older runs
    nbformat.write(notebook, path)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", help="notebooks, or folders of notebooks")
    parser.add_argument("--start-method", choices=START_METHODS, default=None)
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="course-ipython-") as tmp:
        os.environ.update(
            kernel_environment(write_ipython_dir(Path(tmp)), args.start_method, quick=False)
        )
        for path in notebook_paths(args.paths):
            print(f"executing {path}", flush=True)
            execute(path, args.timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
