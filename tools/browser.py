"""The browser the real-browser test drives: ``python -m tools.browser install`` (``make browser``).

The test (tests/test_browser.py) drives JupyterLab, the static site and the slides in headless
Chromium through the ``playwright`` Python package (the ``browser`` extra in pyproject.toml).
Playwright's own browser download (``playwright install``) is never used: the browser is the
system's Chromium (Debian's ``chromium``), started with ``executable_path``.

Commands::

    python -m tools.browser install   check that playwright imports and that a Chromium is
                                      there and starts headless; where Chromium is missing,
                                      install Debian's `chromium` with apt-get if this process
                                      may (root: CI, containers), else say what to install
    python -m tools.browser where     print the Chromium that the test would use

Where Chromium is looked for, in order: ``$COURSE_CHROMIUM`` (a path, or a command on PATH),
the usual system paths and commands (:data:`CHROMIUM_PATHS`, :data:`CHROMIUM_COMMANDS`), and a
Chromium that ``python -m playwright install chromium`` put in Playwright's cache.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import psutil

#: An explicit choice of browser: a path to the executable, or a command on PATH.
CHROMIUM_ENV = "COURSE_CHROMIUM"
#: Debian's package (Debian 12's `chromium` is a real package; Ubuntu's is a snap wrapper).
APT_PACKAGE = "chromium"
CHROMIUM_PATHS: tuple[Path, ...] = (
    Path("/usr/bin/chromium"),
    Path("/usr/bin/chromium-browser"),
    Path("/snap/bin/chromium"),
    Path("/Applications/Chromium.app/Contents/MacOS/Chromium"),
    Path("/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"),
)
CHROMIUM_COMMANDS: tuple[str, ...] = (
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "chrome",
)
#: Where ``python -m playwright install chromium`` puts its browser, relative to the user's
#: cache folder (Linux, macOS, Windows), as glob patterns.
PLAYWRIGHT_CACHE_GLOBS: tuple[str, ...] = (
    "ms-playwright/chromium-*/chrome-linux*/chrome",
    "ms-playwright/chromium-*/chrome-mac*/Chromium.app/Contents/MacOS/Chromium",
    "ms-playwright/chromium-*/chrome-win*/chrome.exe",
)
#: How long `chromium --version` and a headless start may take before they count as broken.
START_SECONDS = 120


class BrowserError(RuntimeError):
    """The browser test cannot run here; the message says what to install."""


# --- finding Chromium ------------------------------------------------------------------------


def _cache_folders(environ: Mapping[str, str]) -> list[Path]:
    home = Path(environ.get("HOME") or Path.home())
    folders = [
        Path(environ["PLAYWRIGHT_BROWSERS_PATH"]).parent
        if environ.get("PLAYWRIGHT_BROWSERS_PATH") else None,
        Path(environ["XDG_CACHE_HOME"]) if environ.get("XDG_CACHE_HOME") else home / ".cache",
        home / "Library" / "Caches",
        Path(environ["LOCALAPPDATA"]) if environ.get("LOCALAPPDATA") else None,
    ]
    return [folder for folder in folders if folder is not None]


def _executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def find_chromium(
    environ: Mapping[str, str] | None = None,
    which: Callable[[str], str | None] = shutil.which,
    paths: Iterable[Path] = CHROMIUM_PATHS,
    commands: Iterable[str] = CHROMIUM_COMMANDS,
) -> Path | None:
    """The Chromium executable to drive, or None where there is none.

    ``$COURSE_CHROMIUM`` comes first; where it is set but names nothing executable, that is an
    error (:class:`BrowserError`), not a silent fall-back to another browser.

    >>> find_chromium(environ={}, which=lambda name: None, paths=(), commands=()) is None
    True
    """
    environ = os.environ if environ is None else environ
    chosen = environ.get(CHROMIUM_ENV, "").strip()
    if chosen:
        if _executable(Path(chosen)):
            return Path(chosen)
        found = which(chosen)
        if found:
            return Path(found)
        raise BrowserError(
            f"{CHROMIUM_ENV}={chosen!r} is neither an executable file nor a command on PATH; "
            f"point it at a Chromium or Chrome executable, or unset it"
        )
    for path in paths:
        if _executable(path):
            return path
    for command in commands:
        found = which(command)
        if found:
            return Path(found)
    for folder in _cache_folders(environ):
        for pattern in PLAYWRIGHT_CACHE_GLOBS:
            for path in sorted(folder.glob(pattern), reverse=True):  # the newest build first
                if _executable(path):
                    return path
    return None


def missing_chromium_message(system: str | None = None, has_apt: bool | None = None) -> str:
    """What to tell a user who has no Chromium: exactly what to install on their system.

    >>> "apt-get install -y chromium" in missing_chromium_message("Linux", has_apt=True)
    True
    """
    system = platform.system() if system is None else system
    has_apt = shutil.which("apt-get") is not None if has_apt is None else has_apt
    lines = ["The browser test needs Chromium, and none was found."]
    if system == "Linux" and has_apt:
        lines.append(
            f"On Debian or Ubuntu, install it: `sudo apt-get update && sudo apt-get install -y "
            f"{APT_PACKAGE}` (make browser does this itself when it runs as root)."
        )
    lines.append(
        "Elsewhere, or without root: `python -m playwright install chromium` (Playwright's own "
        f"build, in your user's cache, which this course finds), or set {CHROMIUM_ENV} to the "
        "path of a Chromium or Chrome executable."
    )
    return "\n".join(lines)


def missing_playwright_message() -> str:
    """What to tell a user whose environment lacks the ``playwright`` package."""
    return (
        "The browser test needs the Python package playwright (the course's `browser` extra): "
        "run `make browser`, or `pip install -e '.[test,browser]'` in the course's environment."
    )


# --- installing ------------------------------------------------------------------------------


def _is_root() -> bool:
    """Whether this process may install system packages (root on POSIX; never on Windows)."""
    uids = getattr(psutil.Process(), "uids", None)  # POSIX only
    return uids is not None and uids().effective == 0


def _quiet(command: list[str]) -> bool:
    """Run an apt-get command without its progress output; print its output if it fails."""
    environment = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    result = subprocess.run(
        command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False
    )
    if result.returncode != 0:
        print(result.stdout.decode(errors="replace")[-3000:], file=sys.stderr)
    return result.returncode == 0


def install_chromium_with_apt() -> bool:
    """``apt-get update`` then ``apt-get install -y chromium``, quietly, where this process is
    root and has apt-get; False where it may not or it fails."""
    if shutil.which("apt-get") is None or not _is_root():
        return False
    print(f"tools.browser: installing {APT_PACKAGE} with apt-get", flush=True)
    return _quiet(["apt-get", "update", "-qq"]) and _quiet(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", APT_PACKAGE]
    )


def ensure_chromium() -> Path:
    """Find Chromium; where it is missing, install it with apt-get if root can, else raise
    :class:`BrowserError` saying what to install."""
    found = find_chromium()
    if found is None and not os.environ.get(CHROMIUM_ENV) and install_chromium_with_apt():
        found = find_chromium()
    if found is None:
        raise BrowserError(missing_chromium_message())
    return found


def check_starts(chromium: Path) -> str:
    """Start ``chromium`` headless through Playwright, open a blank page and close it; return
    the browser's version. Raises :class:`BrowserError` with the reason where it fails."""
    if importlib.util.find_spec("playwright") is None:
        raise BrowserError(missing_playwright_message())
    from playwright.sync_api import Error, sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(chromium), headless=True, timeout=START_SECONDS * 1000
            )
            try:
                page = browser.new_page()
                page.goto("about:blank", timeout=START_SECONDS * 1000)
                return browser.version
            finally:
                browser.close()
    except Error as error:
        raise BrowserError(
            f"Chromium at {chromium} did not start headless under Playwright: {error.message}"
        ) from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.browser", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("install", "where"))
    args = parser.parse_args(argv)
    try:
        if args.command == "where":
            found = find_chromium()
            if found is None:
                raise BrowserError(missing_chromium_message())
            print(found)
            return 0
        if importlib.util.find_spec("playwright") is None:
            raise BrowserError(missing_playwright_message())
        chromium = ensure_chromium()
        version = check_starts(chromium)
    except BrowserError as error:
        print(f"tools.browser: {error}", file=sys.stderr)
        return 1
    print(f"tools.browser: Chromium {version} at {chromium} starts headless under Playwright")
    return 0


if __name__ == "__main__":
    sys.exit(main())
