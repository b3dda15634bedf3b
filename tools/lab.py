"""Open the course in JupyterLab: ``python -m tools.lab [extra jupyter-lab options]``.

The server listens on 127.0.0.1 only and keeps JupyterLab's token authentication on: open
the address with ``?token=...`` that it prints. As root (CI, containers), JupyterLab needs
``--allow-root``, which is added for you.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def lab_command(extra: list[str] | None = None) -> list[str]:
    """The command line that starts JupyterLab on the course's notebooks."""
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.root_dir={NOTEBOOKS}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    return command + list(extra or [])


def main(argv: list[str]) -> None:
    command = lab_command(argv)
    os.execv(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
