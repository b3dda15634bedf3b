"""A real browser: the course in JupyterLab, on the website and as slides, in headless Chromium.

What a learner and an instructor see, checked the way they see it:

* JupyterLab, started as ``make lab`` starts it (:func:`tools.lab.lab_command`), on a
  temporary copy of notebooks/ (autosave must never rewrite the committed notebooks), in quick
  mode (``COURSE_QUICK=1``) and with solutions not run (a learner's kernel). A light chapter
  (:data:`CHAPTER`) is opened, *Run All* runs every cell, and then: no cell shows an error or
  stderr output that the chapter's committed outputs do not show; every plot is drawn; every
  solution's source is folded; and a wrong answer that learners really give, typed into the
  exercise cell, gets "Not yet".
* A page of the static site (``make site``) and a slide (``make slides``), served from
  docs/_build by a local HTTP server: the page loads, its title shows, and a plot or formula
  on it is drawn; on a page with formulas, the site's own MathJax typesets every one.
* No request leaves the machine: the browser may reach only 127.0.0.1 and localhost; every
  other request is blocked, recorded and fails the test.

Screenshots of each, and of the moment a step fails, are written to :data:`SCREENSHOTS`
(git-ignored). The browser is the system's Chromium (``tools/browser.py``), never a download.

``make browser`` runs this file with ``COURSE_BROWSER_TEST=1``, after installing playwright
(the ``browser`` extra) and Chromium, and after building the site and the slides; then a
missing piece fails the test. Without that variable (``make unit``, a plain ``pytest tests``)
the test is skipped: it needs the site and the slides built first, and its tools installed.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import http.server
import importlib.util
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psutil
import pytest

from tools.browser import BrowserError, find_chromium, missing_chromium_message
from tools.kernel_profile import QUICK_ENV, RUN_SOLUTIONS_ENV
from tools.lab import NOTEBOOKS, lab_command
from tools.slides import title_of

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "docs" / "_build"
SCREENSHOTS = BUILD / "screenshots"
#: The chapter opened: quick in quick mode, with plots, folded solutions and exercise checks.
CHAPTER = "02_queues"
SITE_PAGE = BUILD / "html" / "en" / f"{CHAPTER}.html"
SLIDES = BUILD / "slides" / f"{CHAPTER}.slides.html"
#: reveal.js's slide height (tools/slides.py), which no slide may exceed.
SLIDE_HEIGHT = 700


#: The chapter's title, which its site page and its first slide show.
TITLE = title_of(NOTEBOOKS / f"{CHAPTER}.ipynb")

REQUIRED_ENV = "COURSE_BROWSER_TEST"
REQUIRED = os.environ.get(REQUIRED_ENV) == "1"
if not REQUIRED:
    pytest.skip(
        f"the real-browser test runs in `make browser` ({REQUIRED_ENV}=1), after the site "
        "and the slides are built",
        allow_module_level=True,
    )

# Every wait has a time-out. Generous: the machine may be slow, and none of them is a claim
# about speed.
LAB_START_SECONDS = 150
PAGE_SECONDS = 90
KERNEL_SECONDS = 120
RUN_ALL_SECONDS = 300
CELL_SECONDS = 120
STOP_SECONDS = 30
pytestmark = pytest.mark.timeout(900)

#: Hosts the browser may reach: this machine only.
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})

#: A wrong answer learners really give to exercise 1 of the chapter: they read one result per
#: worker and join, as the chapter shows, but return the values in the order they arrived.
WRONG_ANSWER = '''\
from helpers.checks.queues import check_ordered_sums
from helpers.queues import put_tagged_sum_of_range


def ordered_sums(sizes, delays):
    """Return the sums in task order (results[i] == sum_of_range(sizes[i])), from workers."""
    q = mp.Queue()
    workers = [
        mp.Process(target=put_tagged_sum_of_range, args=(i, n, q, delay))
        for i, (n, delay) in enumerate(zip(sizes, delays))
    ]
    for worker in workers:
        worker.start()
    pairs = [q.get(timeout=30) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    return [value for _, value in pairs]


check_ordered_sums(ordered_sums)
'''
#: How the exercise cell is found on the page, and what its committed version says.
EXERCISE_MARK = "def ordered_sums(sizes, delays):"
#: What the check answers to that wrong answer (helpers/checks/queues.py, hint arrival-order).
WRONG_ANSWER_VERDICT = "in the order they arrived"


def _require(condition: bool, reason: str) -> None:
    """A missing piece fails the test (this file runs only when ``make browser`` asks for it)."""
    if not condition:
        pytest.fail(reason)


# --- the pieces: Chromium, JupyterLab, the built site, a local web server -------------------


@pytest.fixture(scope="module")
def chromium() -> Path:
    _require(
        importlib.util.find_spec("playwright") is not None,
        "playwright is not installed: run `make browser` (the `browser` extra)",
    )
    try:
        found = find_chromium()
    except BrowserError as error:
        pytest.fail(str(error))
    _require(found is not None, missing_chromium_message())
    assert found is not None
    return found


def _notebook_digests() -> dict[str, str]:
    return {
        str(path.relative_to(ROOT)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(NOTEBOOKS.rglob("*")) if path.is_file()
    }


def _free_loopback_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _request(url: str, token: str, method: str = "GET") -> int:
    request = urllib.request.Request(url, method=method)
    request.add_header("Authorization", f"token {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def learner_environment(home: Path) -> dict[str, str]:
    """The environment of a learner's `make lab` in quick mode: the test suite's kernel
    settings (conftest.py) removed, solutions not run, and JupyterLab's settings, workspaces
    and runtime files in ``home`` (a fresh user's, not this machine's)."""
    env = {
        name: value for name, value in os.environ.items()
        if not name.startswith("COURSE_") and name not in {"IPYTHONDIR", "JUPYTER_TOKEN"}
    }
    for name in ("ipython", "runtime", "settings", "workspaces", "config"):
        (home / name).mkdir(parents=True, exist_ok=True)
    env.update({
        QUICK_ENV: "1",
        RUN_SOLUTIONS_ENV: "0",
        "IPYTHONDIR": str(home / "ipython"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
    })
    return env


@dataclass
class Lab:
    process: subprocess.Popen[bytes]
    port: int
    token: str
    root: Path
    log: Path

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def _stop_lab(lab: Lab) -> list[str]:
    """Shut JupyterLab down (its kernels first) and wait for it and every process it started;
    kill and return (as command lines) those still running after the time-out."""
    try:
        family = [psutil.Process(lab.process.pid), *psutil.Process(lab.process.pid).children(
            recursive=True)]
    except psutil.NoSuchProcess:
        family = []
    if lab.process.poll() is None:
        with contextlib.suppress(OSError):
            _request(lab.url("/api/shutdown"), lab.token, method="POST")
        try:
            lab.process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            lab.process.send_signal(signal.SIGINT)  # asks for confirmation on the first ^C...
            time.sleep(0.2)
            lab.process.send_signal(signal.SIGINT)  # ...and shuts down on the second
            try:
                lab.process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                lab.process.kill()
                lab.process.wait(timeout=STOP_SECONDS)
    _, alive = psutil.wait_procs(family, timeout=STOP_SECONDS)
    leftovers = []
    for proc in alive:
        with contextlib.suppress(psutil.Error):
            leftovers.append(f"pid {proc.pid}: {' '.join(proc.cmdline())}")
            proc.kill()
    psutil.wait_procs(alive, timeout=10)
    return leftovers


def _on_folder(command: list[str], root: Path) -> list[str]:
    """`make lab`'s command, serving ``root`` instead of notebooks/ (Jupyter takes one
    ``root_dir`` only)."""
    option = f"--ServerApp.root_dir={NOTEBOOKS}"
    assert option in command, f"tools.lab no longer passes {option}: {command}"
    return [f"--ServerApp.root_dir={root}" if part == option else part for part in command]


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[Lab]:
    """JupyterLab as `make lab` starts it, on a copy of notebooks/ in quick mode; afterwards
    stopped with every process it started, and the committed notebooks found unchanged."""
    before = _notebook_digests()
    root = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    (root / "A-COPY-FOR-THE-BROWSER-TEST").write_text("autosave writes here, not to git\n")
    token = secrets.token_hex(16)
    port = _free_loopback_port()
    env = learner_environment(tmp_path / "home")
    env["JUPYTER_TOKEN"] = token
    command = _on_folder(
        lab_command(["--no-browser", f"--ServerApp.port={port}", "--ServerApp.port_retries=0"]),
        root,
    )
    log_path = tmp_path / "lab.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log,
                                   stderr=subprocess.STDOUT)
    lab = Lab(process, port, token, root, log_path)
    try:
        deadline = time.monotonic() + LAB_START_SECONDS
        while True:
            assert process.poll() is None, log_path.read_text(errors="replace")
            with contextlib.suppress(OSError):
                if _request(lab.url("/api/status"), token) == 200:
                    break
            if time.monotonic() > deadline:
                pytest.fail(f"step 'start JupyterLab': no answer within {LAB_START_SECONDS} s")
            time.sleep(0.25)
        yield lab
    finally:
        leftovers = _stop_lab(lab)
        assert not leftovers, "JupyterLab left processes running (now killed):\n" + "\n".join(
            leftovers)
        assert _notebook_digests() == before, "the committed notebooks were changed"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base's name)
        pass


@pytest.fixture(scope="module")
def docs_server() -> Iterator[str]:
    """docs/_build served on a free loopback port, in a thread; stopped and joined afterwards."""
    handler = functools.partial(_QuietHandler, directory=str(BUILD))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="docs-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=STOP_SECONDS)
        assert not thread.is_alive(), "the docs server's thread did not stop"


# --- the browser -----------------------------------------------------------------------------


@dataclass
class Browsing:
    """A page in a browser context that may reach this machine only."""

    page: Any
    blocked: list[str] = field(default_factory=list)

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Run one step; where it fails, save a screenshot of the moment and say which step."""
        try:
            yield
        except Exception as error:  # an assertion, a Playwright time-out or error
            shot = SCREENSHOTS / f"failed-{re.sub(r'[^a-z0-9]+', '-', name.lower())}.png"
            with contextlib.suppress(Exception):
                self.page.screenshot(path=str(shot), timeout=30_000)
            pytest.fail(f"step '{name}' failed (screenshot: {shot}):\n{error}")

    def screenshot(self, name: str, showing: Any = None) -> Path:
        """Save a screenshot of the page, scrolled so that ``showing`` (a locator) is in view.

        JupyterLab draws a cell only once it is scrolled into view, so the shot waits until
        the element is inside the window and two frames have been painted.
        """
        if showing is not None:
            showing.scroll_into_view_if_needed()
            self.page.wait_for_function(
                """e => { const r = e.getBoundingClientRect();
                          return r.height > 0 && r.top < window.innerHeight && r.bottom > 0; }""",
                arg=showing.element_handle(),
            )
        self.page.evaluate(
            "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
        )
        path = SCREENSHOTS / name
        self.page.screenshot(path=str(path), timeout=30_000)
        return path


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in {"data", "blob", "about", "chrome-error"}:
        return True
    return (parts.hostname or "") in LOCAL_HOSTS


@pytest.fixture(scope="module", autouse=True)
def _fresh_failure_screenshots() -> None:
    """The screenshots of failed steps are this run's only."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("failed-*.png"):
        old.unlink()


#: Set in the browser's environment, so that every process it starts can be found afterwards:
#: Debian's Chromium starts crash handlers that leave its process tree (their parent is init).
BROWSER_RUN_ENV = "COURSE_BROWSER_RUN"


def _processes_tagged(tag: str) -> list[psutil.Process]:
    """Running processes whose environment carries ``BROWSER_RUN_ENV=tag``."""
    tagged = []
    for proc in psutil.process_iter():
        with contextlib.suppress(psutil.Error):
            if proc.status() != psutil.STATUS_ZOMBIE and proc.environ().get(BROWSER_RUN_ENV) == tag:
                tagged.append(proc)
    return tagged


@pytest.fixture
def browsing(chromium: Path) -> Iterator[Browsing]:
    """A headless Chromium page that may reach this machine only; afterwards the browser is
    closed and every process it started (its crash handlers too) has ended."""
    from playwright.sync_api import sync_playwright

    tag = secrets.token_hex(8)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium), headless=True, timeout=PAGE_SECONDS * 1000,
            env={**os.environ, BROWSER_RUN_ENV: tag},
        )
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.set_default_timeout(PAGE_SECONDS * 1000)
            page = context.new_page()
            browsing = Browsing(page)

            def only_local(route: Any) -> None:
                if _is_local(route.request.url):
                    route.continue_()
                else:
                    browsing.blocked.append(route.request.url)
                    route.abort("blockedbyclient")

            context.route("**/*", only_local)
            page.on("websocket", lambda ws: None if _is_local(ws.url) else
                    browsing.blocked.append(ws.url))
            yield browsing
            context.close()
        finally:
            browser.close()
    _, alive = psutil.wait_procs(_processes_tagged(tag), timeout=STOP_SECONDS)
    leftovers = []
    for proc in alive:
        with contextlib.suppress(psutil.Error):
            leftovers.append(f"pid {proc.pid}: {' '.join(proc.cmdline())[:200]}")
            proc.kill()
    assert not leftovers, "the browser left processes running (now killed):\n" + "\n".join(
        leftovers)


# --- JupyterLab ------------------------------------------------------------------------------


def _committed_stderr(chapter: Path) -> list[str]:
    """The stderr and error outputs the chapter's committed outputs show (allowed on the page)."""
    texts = []
    for cell in json.loads(chapter.read_text(encoding="utf-8"))["cells"]:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                texts.append("".join(output["text"]))
            elif output.get("output_type") == "error":
                texts.append(f"{output['ename']}: {output['evalue']}")
    return texts


def _close_news_toast(page: Any) -> None:
    """Answer "No" to JupyterLab's "Jupyter news" question, if it shows within a few seconds."""
    toast = page.locator(".Toastify__toast", has_text="news")
    try:
        toast.first.wait_for(state="visible", timeout=15_000)
    except Exception:  # no toast: nothing to close
        return
    print("closing the toast:", toast.first.inner_text().replace("\n", " "))
    no = toast.first.get_by_role("button", name=re.compile(r"^No$"))
    if no.count():
        no.first.click()
    else:
        toast.first.locator(".Toastify__close-button, [aria-label='close' i]").first.click()
    toast.first.wait_for(state="hidden", timeout=15_000)


_PROMPTS = "[...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputArea-prompt')]"


def _wait_until_idle(page: Any, seconds: float) -> None:
    """Until the kernel is idle, no prompt shows ``[*]`` and at least one cell has run (a run
    that stopped at an error ends the wait too)."""
    page.wait_for_function(
        f"""() => {{
            const indicator = document.querySelector('.jp-Notebook-ExecutionIndicator');
            if (!indicator || indicator.getAttribute('data-status') !== 'idle') return false;
            const prompts = {_PROMPTS}.map(p => p.textContent.trim());
            return !prompts.includes('[*]:') && prompts.some(p => /^\\[\\d+\\]:$/.test(p));
        }}""",
        timeout=seconds * 1000,
        polling=500,
    )


def _cells_not_run(page: Any) -> list[int]:
    """The numbers (from 1) of the code cells whose prompt shows no execution count."""
    prompts = page.evaluate(f"() => {_PROMPTS}.map(p => p.textContent.trim())")
    return [i for i, p in enumerate(prompts, start=1) if not re.fullmatch(r"\[\d+\]:", p)]


def test_a_learner_runs_a_chapter_in_jupyterlab(lab: Lab, browsing: Browsing) -> None:
    page = browsing.page
    chapter = lab.root / f"{CHAPTER}.ipynb"
    with browsing.step("the server serves the copy"):
        status = _request(lab.url("/api/contents/A-COPY-FOR-THE-BROWSER-TEST"), lab.token)
        assert status == 200, f"JupyterLab does not serve the temporary copy ({status})"

    with browsing.step("open the chapter"):
        page.goto(lab.url(f"/lab/tree/{CHAPTER}.ipynb?token={lab.token}"),
                  timeout=PAGE_SECONDS * 1000)
        page.locator(".jp-Notebook .jp-Cell").first.wait_for(state="visible")
        # The kernel is started and connected: the status bar says "Python 3 (ipykernel) |
        # Idle" (before, Run All would leave every cell unrun).
        page.locator(".jp-StatusBar-Widget", has_text=re.compile(r"\|\s*Idle")).first.wait_for(
            state="visible", timeout=KERNEL_SECONDS * 1000)
        page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').wait_for(
            state="attached", timeout=KERNEL_SECONDS * 1000)

    with browsing.step("close the Jupyter news toast"):
        _close_news_toast(page)

    with browsing.step("clear the committed outputs"):
        # So that every prompt, output and plot checked below comes from this run.
        page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Edit$")).click()
        page.locator('[data-command="editmenu:clear-all"]').click()
        page.wait_for_function(
            """() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')].every(
                cell => cell.querySelectorAll('.jp-OutputArea-output').length === 0)""",
            timeout=PAGE_SECONDS * 1000,
        )

    with browsing.step("Run All"):
        page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Run$")).click()
        page.locator('[data-command="runmenu:run-all"]').click()
        page.wait_for_function(  # the run has begun: a prompt shows [*] or a count
            f"() => {_PROMPTS}.some(p => /^\\[(\\*|\\d+)\\]:$/.test(p.textContent.trim()))",
            timeout=KERNEL_SECONDS * 1000,
        )
        _wait_until_idle(page, RUN_ALL_SECONDS)

    with browsing.step("no unexpected error output"):
        shown = page.locator(
            '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
        ).evaluate_all("outputs => outputs.map(o => o.textContent)")  # cells off screen too
        allowed = _committed_stderr(NOTEBOOKS / f"{CHAPTER}.ipynb")
        unexpected = [text for text in shown
                      if not any(text.strip().startswith(a.strip()[:60]) for a in allowed)]
        assert not unexpected, f"stderr or error output after Run All: {unexpected}"
        assert not _cells_not_run(page), f"code cells not run: {_cells_not_run(page)}"

    with browsing.step("plots rendered"):
        images = page.locator(".jp-RenderedImage img")
        committed = sum(
            "image/png" in output.get("data", {})
            for cell in json.loads((NOTEBOOKS / chapter.name).read_text(encoding="utf-8"))["cells"]
            for output in cell.get("outputs", [])
        )
        assert committed > 0, f"{CHAPTER} has no plot; choose a chapter with one"
        images.nth(committed - 1).wait_for(state="attached", timeout=CELL_SECONDS * 1000)
        sizes = images.evaluate_all("imgs => imgs.map(i => [i.naturalWidth, i.naturalHeight])")
        assert len(sizes) == committed, f"{len(sizes)} plots shown, {committed} committed"
        assert all(w > 0 and h > 0 for w, h in sizes), f"a plot was not drawn: {sizes}"
        browsing.screenshot(f"lab-{CHAPTER}-after-run-all.png", showing=images.first)
        assert images.first.is_visible()

    with browsing.step("solutions folded"):
        hidden = sum(
            cell.get("metadata", {}).get("jupyter", {}).get("source_hidden", False)
            for cell in json.loads((NOTEBOOKS / chapter.name).read_text(encoding="utf-8"))["cells"]
        )
        assert hidden > 0, f"{CHAPTER} has no folded solution; choose a chapter with one"
        folded = page.locator(".jp-CodeCell .jp-InputPlaceholder")
        assert folded.count() == hidden, f"{folded.count()} folded cells, {hidden} committed"
        assert not page.get_by_text("# Solution:").first.is_visible(), (
            "a solution's source is visible after Run All"
        )
        assert "Correct!" not in (page.locator(".jp-Notebook").text_content() or ""), (
            "Run All ran a solution (its check says Correct!)"
        )

    with browsing.step("a wrong answer gets Not yet"):
        exercise = page.locator(".jp-CodeCell:not(:has(.jp-InputPlaceholder))",
                                has_text=EXERCISE_MARK).first
        exercise.scroll_into_view_if_needed()
        output = exercise.locator(".jp-OutputArea")
        assert "returned None" in (output.text_content() or ""), output.text_content()
        editor = exercise.locator(".cm-content")
        editor.click()
        page.keyboard.press("ControlOrMeta+a")
        page.keyboard.insert_text(WRONG_ANSWER)
        assert "return [value for _, value in pairs]" in (editor.text_content() or "")
        page.keyboard.press("Shift+Enter")
        verdict = exercise.locator(".jp-OutputArea-output", has_text=WRONG_ANSWER_VERDICT)
        verdict.wait_for(state="visible", timeout=CELL_SECONDS * 1000)
        _wait_until_idle(page, CELL_SECONDS)
        text = output.text_content() or ""
        assert "Not yet" in text and WRONG_ANSWER_VERDICT in text, text
        browsing.screenshot(f"lab-{CHAPTER}-not-yet.png", showing=exercise)

    assert not browsing.blocked, f"requests to outside were attempted: {browsing.blocked}"


def test_an_instructor_presents_the_chapter_live_with_rise(lab: Lab, browsing: Browsing) -> None:
    # The `rise` extra (jupyterlab-rise), which `make browser` installs: Alt+R shows the open
    # notebook as reveal.js slides inside JupyterLab, with the theme and size the notebooks ask
    # for in their metadata ("white": the one reveal.js theme that loads no web font).
    _require(importlib.util.find_spec("jupyterlab_rise") is not None,
             "jupyterlab-rise is not installed: `make browser` installs the rise extra")
    page = browsing.page
    with browsing.step("open the chapter for RISE"):
        page.goto(lab.url(f"/lab/tree/{CHAPTER}.ipynb?token={lab.token}"),
                  timeout=PAGE_SECONDS * 1000)
        page.locator(".jp-Notebook .jp-Cell").first.wait_for(state="visible")
        _close_news_toast(page)
    with browsing.step("Alt+R renders the slideshow"):
        page.locator(".jp-Notebook").first.click(position={"x": 5, "y": 5})
        page.keyboard.press("Escape")  # command mode, where RISE's shortcut is bound
        page.keyboard.press("Alt+r")
        slideshow = page.frame_locator("iframe[src*='/rise/']")
        reveal = slideshow.locator(".reveal.ready").first
        reveal.wait_for(state="attached", timeout=PAGE_SECONDS * 1000)
        shown = reveal.evaluate(
            """r => ({theme: getComputedStyle(r).getPropertyValue('--r-background-color').trim(),
                      sections: r.querySelectorAll('.slides section').length,
                      title: (r.querySelector('.slides section.present h1') || {}).textContent})"""
        )
        assert shown["theme"] == "#fff", f"RISE did not use the white theme: {shown}"
        assert shown["sections"] > 10, f"the chapter is not cut into slides: {shown}"
        assert TITLE in (shown["title"] or ""), shown
        browsing.screenshot(f"rise-{CHAPTER}-title.png")
    assert not browsing.blocked, f"RISE tried to load from outside: {browsing.blocked}"


# --- the static site and the slides ----------------------------------------------------------


def _visible_drawn(locator: Any) -> bool:
    """Whether the first element is visible and, for an image, decoded with a non-zero size."""
    first = locator.first
    first.scroll_into_view_if_needed()
    if not first.is_visible():
        return False
    size = first.evaluate("e => e.tagName === 'IMG' ? [e.naturalWidth, e.naturalHeight] : [1, 1]")
    return size[0] > 0 and size[1] > 0


def test_a_site_page_shows_its_title_and_plots_from_this_machine_only(
    docs_server: str, browsing: Browsing
) -> None:
    _require(SITE_PAGE.is_file(), f"{SITE_PAGE} is not built: run `make site`")
    page = browsing.page
    with browsing.step("open the site page"):
        response = page.goto(f"{docs_server}/html/en/{SITE_PAGE.name}", wait_until="load")
        assert response is not None and response.ok, response
    with browsing.step("the site page's title"):
        heading = page.locator("main h1:visible, article h1:visible").first
        heading.wait_for(state="visible")
        assert TITLE in (heading.text_content() or ""), heading.text_content()
    with browsing.step("the site page's plots and math"):
        if page.locator(".math").count():
            page.locator("mjx-container").first.wait_for(state="visible")
        images = page.locator("img[src*='_images']")
        assert images.count() > 0, "the chapter's plots are not on the page"
        images.first.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete", arg=images.first.element_handle())
        assert _visible_drawn(images), "the page's first plot is not drawn"
    with browsing.step("screenshot of the site page"):
        page.evaluate("window.scrollTo(0, 0)")
        browsing.screenshot(f"site-{CHAPTER}.png")
        browsing.screenshot(f"site-{CHAPTER}-plot.png", showing=images.first)
    assert not browsing.blocked, f"the page tried to load from outside: {browsing.blocked}"


def _page_with_math() -> Path | None:
    """The first chapter page of the built site that holds a formula."""
    pages = sorted(SITE_PAGE.parent.glob("[0-9][0-9]_*.html"))
    return next((p for p in pages if 'class="math' in p.read_text(encoding="utf-8")), None)


def test_site_formulas_are_typeset_by_the_sites_own_mathjax(
    docs_server: str, browsing: Browsing
) -> None:
    _require(SITE_PAGE.is_file(), f"{SITE_PAGE} is not built: run `make site`")
    math_page = _page_with_math()
    assert math_page is not None, "no chapter page of the site has a formula"
    page = browsing.page
    with browsing.step("open a site page with formulas"):
        response = page.goto(f"{docs_server}/html/en/{math_page.name}", wait_until="load")
        assert response is not None and response.ok, response
    with browsing.step("MathJax typesets every formula"):
        formulas = page.locator(".math")
        page.wait_for_function(
            """() => [...document.querySelectorAll('.math')].every(
                m => m.querySelector('mjx-container mjx-math'))""",
            timeout=PAGE_SECONDS * 1000,
        )
        assert formulas.count() > 0
        typeset = formulas.first.locator("mjx-container")
        typeset.scroll_into_view_if_needed()
        assert typeset.is_visible()
        box = typeset.bounding_box()
        assert box is not None and box["width"] > 0 and box["height"] > 0, box
        page.evaluate("y => window.scrollBy(0, y)", -200)  # the formula with its sentence
        browsing.screenshot(f"site-{math_page.stem}-math.png")
    assert not browsing.blocked, f"the page tried to load from outside: {browsing.blocked}"


def test_a_slide_shows_its_title_and_a_plot_from_this_machine_only(
    docs_server: str, browsing: Browsing
) -> None:
    _require(SLIDES.is_file(), f"{SLIDES} is not built: run `make slides`")
    page = browsing.page
    with browsing.step("open the slides"):
        response = page.goto(f"{docs_server}/slides/{SLIDES.name}", wait_until="load")
        assert response is not None and response.ok, response
        # reveal.js marks its root "ready" once it has laid the slides out (it is loaded
        # through require.js, so there is no global Reveal to ask).
        page.locator(".reveal.ready").wait_for(state="attached")
    with browsing.step("the title slide"):
        heading = page.locator(".reveal .slides section.present h1").first
        heading.wait_for(state="visible")
        assert TITLE in (heading.text_content() or ""), heading.text_content()
        browsing.screenshot(f"slides-{CHAPTER}-title.png")
    with browsing.step("a slide with a plot"):
        where = page.evaluate(
            """() => {
                const img = document.querySelector('.reveal .slides section img');
                if (!img) return null;
                const top = img.closest('.slides > section');
                const inner = img.closest('section');
                const h = [...top.parentElement.children].indexOf(top);
                const v = inner === top ? 0 : [...top.querySelectorAll(':scope > section')]
                    .indexOf(inner);
                return `#/${h}/${v}`;
            }"""
        )
        assert where is not None, "no slide shows a plot"
        page.evaluate("hash => { window.location.hash = hash; }", where)
        image = page.locator(".reveal .slides section.present img").first
        image.wait_for(state="visible")
        page.wait_for_function("img => img.complete", arg=image.element_handle())
        assert _visible_drawn(image), "the slide's plot is not drawn"
        page.wait_for_timeout(1500)  # the slide transition (no assertion depends on it)
        box = image.bounding_box()
        assert box is not None and 0 <= box["y"] < 900 and box["y"] + box["height"] > 0, (
            f"the plot is outside the screen (the slide overflows): {box}"
        )
        browsing.screenshot(f"slides-{CHAPTER}-plot.png")
    assert not browsing.blocked, f"the slides tried to load from outside: {browsing.blocked}"


#: Every leaf slide (a section holding no other section), shown in turn, with its content's
#: height: the slides' stylesheet caps a slide at reveal.js's 700 px and lets the rest scroll.
_SLIDE_HEIGHTS = """() => {
    const sections = [...document.querySelectorAll('.reveal .slides section')];
    const shown = sections.map(s => [s, s.style.display]);
    sections.forEach(s => { s.style.display = 'block'; });
    const heights = sections.filter(s => !s.querySelector('section')).map(s => ({
        ids: [...s.querySelectorAll('[id^="cell-id="]')].map(e => e.id.slice(8)),
        height: s.scrollHeight,
    }));
    shown.forEach(([s, display]) => { s.style.display = display; });
    return heights;
}"""


def test_no_slide_of_any_chapter_is_taller_than_the_screen(
    docs_server: str, browsing: Browsing
) -> None:
    # tools/slide_budget.py estimates heights to cut the chapters into slides; this measures
    # every slide of every chapter, in both languages, as Chromium lays it out, formulas
    # typeset, plots decoded.
    root = BUILD / "slides"
    pages = [path.relative_to(root).as_posix() for folder in (root, root / "zh")
             for path in sorted(folder.glob("[0-9][0-9]_*.slides.html"))]
    _require(len(pages) == 2 * len(sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))),
             "the slides of both editions are not built: run `make slides`")
    page, too_tall, measured = browsing.page, [], 0
    for slides in pages:
        with browsing.step(f"measure the slides of {slides}"):
            response = page.goto(f"{docs_server}/slides/{slides}", wait_until="load")
            assert response is not None and response.ok, response
            page.locator(".reveal.ready").wait_for(state="attached")
            page.wait_for_function(
                """() => [...document.images].every(img => img.complete)
                    && (!window.MathJax || !MathJax.Hub
                        || (MathJax.Hub.queue.pending === 0 && !MathJax.Hub.queue.running))""",
                timeout=PAGE_SECONDS * 1000,
            )
            heights = page.evaluate(_SLIDE_HEIGHTS)
            measured += len(heights)
            too_tall += [f"{slides}, cells {', '.join(item['ids'])}: {item['height']} px"
                         for item in heights if item["height"] > SLIDE_HEIGHT]
    assert measured > 10 * len(pages), f"only {measured} slides measured"
    assert not too_tall, f"slides taller than {SLIDE_HEIGHT} px (they scroll):\n" + "\n".join(
        too_tall)
    assert not browsing.blocked, f"the slides tried to load from outside: {browsing.blocked}"


def test_screenshots_are_kept_out_of_git() -> None:
    result = subprocess.run(
        ["git", "check-ignore", "-q", str(SCREENSHOTS / "x.png")], cwd=ROOT, check=False
    )
    if result.returncode == 128:  # not a git checkout (an unpacked release)
        pytest.skip("not a git checkout")
    assert result.returncode == 0, f"{SCREENSHOTS} is not git-ignored"

