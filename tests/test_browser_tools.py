"""tools/browser.py: finding Chromium, and saying what to install where it is missing.

The browser test itself is tests/test_browser.py (``make browser``); these are the pure parts
of its prerequisite, and how ``make test`` runs it.
"""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest

from tools import browser
from tools.browser import (
    CHROMIUM_ENV,
    BrowserError,
    find_chromium,
    missing_chromium_message,
)

ROOT = Path(__file__).resolve().parent.parent


def executable(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def no_command(name: str) -> None:
    return None


def test_the_environment_variable_chooses_the_browser(tmp_path: Path) -> None:
    chosen = executable(tmp_path / "my-chrome")
    other = executable(tmp_path / "chromium")
    found = find_chromium({CHROMIUM_ENV: str(chosen)}, no_command, paths=(other,))
    assert found == chosen


def test_the_environment_variable_may_name_a_command_on_path(tmp_path: Path) -> None:
    found = find_chromium({CHROMIUM_ENV: "chromium-dev"},
                          lambda name: "/opt/bin/chromium-dev" if name == "chromium-dev" else None,
                          paths=(), commands=())
    assert found == Path("/opt/bin/chromium-dev")


def test_a_wrong_environment_variable_is_an_error_not_a_fall_back(tmp_path: Path) -> None:
    fallback = executable(tmp_path / "chromium")
    with pytest.raises(BrowserError, match=CHROMIUM_ENV):
        find_chromium({CHROMIUM_ENV: str(tmp_path / "missing")}, no_command, paths=(fallback,))


def test_the_first_executable_system_path_is_taken(tmp_path: Path) -> None:
    not_executable = tmp_path / "a" / "chromium"
    not_executable.parent.mkdir()
    not_executable.write_text("")
    second = executable(tmp_path / "b" / "chromium")
    paths = (tmp_path / "none", not_executable, second)
    assert find_chromium({}, no_command, paths=paths) == second


def test_then_a_command_on_path(tmp_path: Path) -> None:
    def which(name: str) -> str | None:
        return f"/usr/local/bin/{name}" if name == "google-chrome" else None

    found = find_chromium({"HOME": str(tmp_path)}, which, paths=(tmp_path / "none",))
    assert found == Path("/usr/local/bin/google-chrome")


def test_then_a_chromium_that_playwright_installed_in_the_users_cache(tmp_path: Path) -> None:
    older = executable(tmp_path / ".cache/ms-playwright/chromium-1100/chrome-linux/chrome")
    newer = executable(tmp_path / ".cache/ms-playwright/chromium-1200/chrome-linux64/chrome")
    found = find_chromium({"HOME": str(tmp_path)}, no_command, paths=(), commands=("chromium",))
    assert found == newer and found != older


def test_none_where_there_is_no_chromium(tmp_path: Path) -> None:
    assert find_chromium({"HOME": str(tmp_path)}, no_command, paths=(tmp_path / "x",)) is None


def test_the_message_names_the_debian_package_where_there_is_apt() -> None:
    message = missing_chromium_message("Linux", has_apt=True)
    assert "sudo apt-get update && sudo apt-get install -y chromium" in message
    assert "python -m playwright install chromium" in message


def test_the_message_without_apt_offers_playwrights_browser_or_a_path() -> None:
    message = missing_chromium_message("Darwin", has_apt=False)
    assert "apt-get" not in message
    assert "python -m playwright install chromium" in message and CHROMIUM_ENV in message


def test_without_root_apt_get_is_not_tried(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(browser, "_is_root", lambda: False)
    monkeypatch.setattr(browser, "_quiet", lambda command: pytest.fail(f"ran {command}"))
    assert browser.install_chromium_with_apt() is False


def test_install_fails_with_the_message_where_chromium_cannot_be_installed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(CHROMIUM_ENV, raising=False)
    monkeypatch.setattr(browser, "find_chromium", lambda: None)
    monkeypatch.setattr(browser, "install_chromium_with_apt", lambda: False)
    monkeypatch.setattr(browser.importlib.util, "find_spec", lambda name: object())
    assert browser.main(["install"]) == 1
    assert "needs Chromium, and none was found" in capsys.readouterr().err


def test_where_prints_the_chromium_found(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(browser, "find_chromium", lambda: Path("/somewhere/chromium"))
    assert browser.main(["where"]) == 0
    assert capsys.readouterr().out.strip() == str(Path("/somewhere/chromium"))


def _recipe(makefile: str, target: str) -> list[str]:
    match = re.search(rf"^{target}:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert match, f"no target {target} in the Makefile"
    joined = match.group(1).replace("\\\n\t", " ")  # a line continued with a backslash
    return [" ".join(line.split()) for line in joined.splitlines()]


def test_make_test_builds_first_then_runs_the_browser_test_beside_the_suites() -> None:
    makefile = (ROOT / "Makefile").read_text()
    recipe = _recipe(makefile, "test")
    builds = next(i for i, line in enumerate(recipe) if " -j " in line and " site" in line)
    suites = next(i for i, line in enumerate(recipe) if " -j " in line and " unit " in line)
    assert builds < suites, "the site and the slides must be built before the browser test"
    assert " slides" in recipe[builds] and "browser" not in recipe[builds]
    assert "$(NOTEBOOK_RUNS)" in recipe[suites] and recipe[suites].endswith(" browser-test")
    assert _recipe(makefile, "browser-test") == ["$(BROWSER_TEST)"]
    # What they all need is installed before them.
    header = re.search(r"^test:(.*)$", makefile, re.MULTILINE)
    assert header and all(stamp in header.group(1) for stamp in
                          ("$(SITE_STAMP)", "$(NPM_STAMP)", "$(BROWSER_STAMP)"))
    assert re.search(r"^BROWSER_TEST\s*:=.*COURSE_BROWSER_TEST=1.*tests/test_browser\.py$",
                     makefile, re.MULTILINE)


def test_make_browser_has_its_own_stamp_and_requires_the_test() -> None:
    makefile = (ROOT / "Makefile").read_text()
    header = re.search(r"^browser:(.*)$", makefile, re.MULTILINE)
    assert header and "$(BROWSER_STAMP)" in header.group(1) and "$(STAMP)" not in header.group(1)
    assert re.search(r"^BROWSER_STAMP\s*:=\s*\$\(VENV\)/\.browser-installed$", makefile, re.M)
    assert _recipe(makefile, "browser") == ["$(BROWSER_TEST)"]
