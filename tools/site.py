"""Build the course as a static website: ``python -m tools.site build`` (``make site``).

The site is made with Sphinx and myst-nb from the committed notebooks and their stored outputs
(nothing is executed), with the sphinx-book-theme. It loads nothing from outside when a page is
viewed, and the build itself needs no network:

* MathJax 3 comes from the npm registry (``docs/package.json``, ``docs/package-lock.json``,
  installed into ``docs/node_modules`` by ``npm ci``); its es5 bundle, its fonts and its TeX
  extensions are copied into the site's static files, and ``mathjax_path`` points at them.
* Chinese text (the whole Chinese edition, and the notes' section titles in the English one)
  is drawn with a subset of a Noto CJK font (Debian's ``fonts-noto-cjk``), cut per edition
  with fontTools' ``pyftsubset`` after the pages are built, from exactly the CJK characters
  they hold, so that it shows on a machine without a CJK font.

Two editions, English and Chinese (中文), one folder each under the site's root::

    docs/_build/src/LANG/    an edition's sources, assembled here (not committed): the
                             chapters, index.md made from its README, its instructor's guide
    docs/_build/html/        the site: index.html (a link to each edition), en/, zh/

Each edition is one Sphinx build with the shared ``docs/conf.py`` (``-D language=...`` and
the edition's labels); the builds run side by side, and each is incremental. An edition is
one entry of :data:`EDITIONS`. Both editions have the same page names (``00_introduction``,
``index``, ``instructor_guide``, ...), so every page carries a language switch: a relative
link to the same page in the other edition (:func:`language_switch`).

Commands::

    python -m tools.site build     assemble the sources, build every edition, cut the CJK font
    python -m tools.site mathjax   install MathJax from the npm registry (npm ci in docs/)
    python -m tools.site font      find the CJK font, installing fonts-noto-cjk if root can
    python -m tools.site where     print the path of the built site's start page
"""

from __future__ import annotations

import argparse
import filecmp
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
BUILD = DOCS / "_build"
SOURCES = BUILD / "src"
SITE = BUILD / "html"
BUILD_STAMP = BUILD / "built"
#: Static files made by the build (MathJax), served as ``_static/`` beside docs/_static.
ASSETS = BUILD / "assets"
MATHJAX_PACKAGE = DOCS / "node_modules" / "mathjax" / "es5"
#: What the site takes of MathJax's es5 folder: the TeX-to-HTML bundle, its fonts, and the
#: TeX extensions it loads on demand (``\require``, autoloaded macros).
MATHJAX_PARTS = ("tex-chtml.js", "output/chtml/fonts/woff-v2", "input/tex/extensions")
MATHJAX_PATH = "mathjax/tex-chtml.js"
#: The CJK font subset, relative to an edition's ``_static/`` (docs/_static/course.css uses it).
CJK_FONT_FILE = "fonts/course-cjk.woff2"
CJK_FONT_PACKAGE = "fonts-noto-cjk"
#: Where a CJK font is looked for, in order (``COURSE_CJK_FONT`` first).
CJK_FONT_CANDIDATES = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf"),
    Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"),
)
CHAPTER_GLOB = "[0-9][0-9]_*.ipynb"


@dataclass(frozen=True)
class Edition:
    """One language of the site: where its chapters, its start page and its guide come from."""

    language: str
    name: str
    notebooks: Path
    readme: Path
    guide: Path
    #: Sphinx's name for the language, where it differs from the folder's ("zh_CN" for "zh").
    sphinx_language: str = ""
    #: The language as HTML names it (``lang``, ``hreflang``).
    html_language: str = "en"
    #: The site's title in this language, and the sidebar's two captions.
    title: str = "Parallel Python, hands-on"
    chapters_caption: str = "Chapters"
    guide_caption: str = "For instructors"
    #: The label of the button that unfolds a solution, and of the one that folds it again.
    show_solution: str = "Show solution"
    hide_solution: str = "Hide solution"

    @property
    def sources(self) -> Path:
        return SOURCES / self.language

    @property
    def html(self) -> Path:
        return SITE / self.language

    def chapters(self) -> list[Path]:
        """The chapters, in the order of the notes (their numbers)."""
        return sorted(self.notebooks.glob(CHAPTER_GLOB))


EDITIONS: tuple[Edition, ...] = (
    Edition(
        language="en",
        name="English",
        notebooks=ROOT / "notebooks",
        readme=ROOT / "README.md",
        guide=DOCS / "instructor_guide.md",
    ),
    Edition(
        language="zh",
        name="中文",
        notebooks=ROOT / "notebooks" / "zh",
        readme=ROOT / "README.zh-CN.md",
        guide=DOCS / "instructor_guide.zh.md",
        sphinx_language="zh_CN",
        html_language="zh-CN",
        title="动手学 Python 并行",
        chapters_caption="章节",
        guide_caption="供讲师使用",
        show_solution="显示答案",
        hide_solution="隐藏答案",
    ),
)


class SiteError(RuntimeError):
    """Something the build needs is missing; the message says what to do."""


# --- links between chapters ------------------------------------------------------------------


def jupyterlab_anchor(title: str) -> str:
    """The anchor JupyterLab gives a heading: its text, with every space replaced by ``-``.

    The notebooks link to headings the way JupyterLab names them, so the site must name them
    the same way (``myst_heading_slug_func`` in docs/conf.py). It lives in a module, not in
    conf.py, so that Sphinx can pickle the configuration with it.

    >>> jupyterlab_anchor("The __main__ guard")
    'The-__main__-guard'
    >>> jupyterlab_anchor("Where does a child's print go?")
    "Where-does-a-child's-print-go?"
    """
    return title.replace(" ", "-")


#: The README's first line, which links its other languages (README.zh-CN.md): the site has a
#: page per edition and its own way between them (the language switch), so the start page
#: leaves that line out. Only the first line: a sentence further down must not lose a line.
_README_LANGUAGE_LINE = re.compile(r"\A[^\n]*\]\(README[\w.-]*\.md\)[^\n]*\n+")

_INDEX_TOCTREES = """

```{{toctree}}
:hidden:
:glob:
:caption: {chapters}

[0-9][0-9]_*
```

```{{toctree}}
:hidden:
:caption: {guide}

instructor_guide
```
"""


def _page_links(edition: Edition) -> re.Pattern[str]:
    """The README's links to the edition's chapters and guide, as the README writes them."""
    chapters = Path(os.path.relpath(edition.notebooks, edition.readme.parent)).as_posix()
    guide = Path(os.path.relpath(edition.guide, edition.readme.parent)).as_posix()
    return re.compile(rf"\]\((?:{re.escape(chapters)}/(?=\d\d_)|{re.escape(guide)}\b|docs/)")


def index_from_readme(readme: str, edition: Edition | None = None) -> str:
    """The site's start page: the README, its chapter and guide links pointing at their pages.

    The sidebar lists every chapter (by the glob ``[0-9][0-9]_*``, so new chapters appear
    without a change) and then the instructor's guide, under the edition's captions. The
    README's chapter links (``notebooks/NN_name.ipynb``, ``notebooks/zh/NN_name.ipynb``) and
    its link to the edition's guide become links to the pages beside the start page.

    >>> page = index_from_readme("# Title\\n\\n[00 Intro](notebooks/00_introduction.ipynb)\\n"
    ...                          "[guide](docs/instructor_guide.md)\\n")
    >>> "[00 Intro](00_introduction.ipynb)" in page, "[guide](instructor_guide.md)" in page
    (True, True)
    >>> ":glob:" in page
    True
    >>> zh = index_from_readme("# 标题\\n\\n[01](notebooks/zh/01_processes_and_threads.ipynb)\\n"
    ...                        "[指南](docs/instructor_guide.zh.md)\\n", EDITIONS[1])
    >>> "[01](01_processes_and_threads.ipynb)" in zh, "[指南](instructor_guide.md)" in zh
    (True, True)
    >>> ":caption: 章节" in zh
    True
    """
    edition = edition or EDITIONS[0]
    links = _page_links(edition)

    def rewrite(match: re.Match[str]) -> str:
        return "](instructor_guide.md" if match.group(0).endswith(".md") else "]("

    body = links.sub(rewrite, _README_LANGUAGE_LINE.sub("", readme))
    toctrees = _INDEX_TOCTREES.format(
        chapters=edition.chapters_caption, guide=edition.guide_caption
    )
    lines = body.splitlines()
    # The toctrees go right after the title, so that they never fall into a later section.
    for number, line in enumerate(lines):
        if line.startswith("# "):
            return "\n".join([*lines[: number + 1], toctrees, *lines[number + 1 :]]) + "\n"
    return toctrees + "\n" + body


# --- the language switch ---------------------------------------------------------------------


def edition_of(language: str) -> Edition:
    """The edition of a language, by its folder's name or Sphinx's ("zh" or "zh_CN")."""
    for edition in EDITIONS:
        if language in (edition.language, edition.sphinx_language):
            return edition
    raise ValueError(f"language must be one of {[e.language for e in EDITIONS]}, not {language!r}")


def language_switch(language: str, pagename: str) -> dict[str, str] | None:
    """The link from a page to the same page in the other edition: relative, so that it works
    opened from disk and served. ``None`` where there is no other edition.

    docs/conf.py hands it to the ``language-switch.html`` template of every page.

    >>> language_switch("en", "02_queues")["href"]
    '../zh/02_queues.html'
    >>> switch = language_switch("zh_CN", "index")
    >>> switch["href"], switch["label"], switch["hreflang"]
    ('../en/index.html', 'English', 'en')
    """
    here = edition_of(language)
    other = next((edition for edition in EDITIONS if edition != here), None)
    if other is None:
        return None
    up = "../" * (pagename.count("/") + 1)
    return {
        "href": f"{up}{other.language}/{pagename}.html",
        "label": other.name,
        "hreflang": other.html_language,
    }


# --- assembling the sources ------------------------------------------------------------------


def _write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _copy_if_changed(source: Path, target: Path) -> None:
    if not target.exists() or not filecmp.cmp(source, target, shallow=False):
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


def assemble(edition: Edition) -> list[Path]:
    """Put an edition's pages into its source folder; return the files that are there.

    Files are copied only when they changed, so that Sphinx rebuilds only what changed; a
    page whose source is gone (a renamed chapter) is removed.
    """
    folder = edition.sources
    folder.mkdir(parents=True, exist_ok=True)
    wanted: dict[str, Path | str] = {path.name: path for path in edition.chapters()}
    if not wanted:
        raise SiteError(f"no chapters ({CHAPTER_GLOB}) in {edition.notebooks}")
    wanted["index.md"] = index_from_readme(edition.readme.read_text(encoding="utf-8"), edition)
    wanted["instructor_guide.md"] = edition.guide
    for name, source in wanted.items():
        if isinstance(source, Path):
            _copy_if_changed(source, folder / name)
        else:
            _write_if_changed(folder / name, source)
    for stale in folder.iterdir():
        if stale.is_file() and stale.name not in wanted:
            stale.unlink()
    return sorted(folder / name for name in wanted)


def copy_mathjax(package: Path = MATHJAX_PACKAGE, assets: Path = ASSETS) -> Path:
    """Copy the parts of MathJax the site uses into the build's static files."""
    if not (package / "tex-chtml.js").exists():
        raise SiteError(
            f"MathJax 3 is not installed in {package.parent}: run `make site` (it runs "
            "`npm ci` in docs/), or `cd docs && npm ci`."
        )
    target = assets / "mathjax"
    for part in MATHJAX_PARTS:
        source = package / part
        if source.is_dir():
            shutil.copytree(source, target / part, dirs_exist_ok=True)
        else:
            _copy_if_changed(source, target / part)
    return target / "tex-chtml.js"


def _apt_get_install(package: str) -> bool:
    """Install a Debian package with apt-get (as root: CI, containers); False where it fails.

    Where there is no apt-get, or this process may not install (not root), the caller says
    what to install by hand.
    """
    if shutil.which("apt-get") is None:
        return False
    print(f"make site: installing {package} (apt-get)")
    environment = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", package]
    if subprocess.run(install, env=environment, check=False).returncode == 0:
        return True
    # The package lists may be missing or old (a fresh container): update them once.
    subprocess.run(["apt-get", "update", "-qq"], env=environment, check=False)
    return subprocess.run(install, env=environment, check=False).returncode == 0


def install_mathjax(docs: Path = DOCS) -> Path:
    """``npm ci`` in docs/: MathJax exactly as docs/package-lock.json pins it."""
    if shutil.which("npm") is None and not _apt_get_install("npm"):
        raise SiteError(
            "make site takes MathJax from the npm registry and needs npm (Node.js): install "
            "it (Debian, Ubuntu: `sudo apt-get install npm`; macOS: `brew install node`)."
        )
    npm = shutil.which("npm") or "npm"
    command = [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"]
    subprocess.run(command, cwd=docs, check=True)
    return docs / "node_modules" / "mathjax" / "es5" / "tex-chtml.js"


# --- the CJK font ----------------------------------------------------------------------------


def find_cjk_font(candidates: Iterable[Path] = CJK_FONT_CANDIDATES) -> Path | None:
    """A font file with Chinese glyphs: ``$COURSE_CJK_FONT``, else the first candidate found."""
    chosen = os.environ.get("COURSE_CJK_FONT")
    if chosen:
        return Path(chosen) if Path(chosen).is_file() else None
    return next((path for path in candidates if path.is_file()), None)


def ensure_cjk_font() -> Path:
    """Find the CJK font; where it is missing, install Debian's fonts-noto-cjk if root can."""
    found = find_cjk_font()
    if found is not None:
        return found
    if not os.environ.get("COURSE_CJK_FONT") and _apt_get_install(CJK_FONT_PACKAGE):
        found = find_cjk_font()
        if found is not None:
            return found
    raise SiteError(
        "No CJK font found for the Chinese titles. On Debian or Ubuntu: "
        f"`sudo apt-get install {CJK_FONT_PACKAGE}`; elsewhere point COURSE_CJK_FONT at a "
        "font file with Chinese glyphs (.ttc, .otf or .ttf), e.g. a Noto Sans CJK SC."
    )


def _simplified_chinese_index(font: Path) -> int:
    """In a font collection (.ttc), the number of its Simplified Chinese sans face (else 0)."""
    if font.suffix.lower() != ".ttc":
        return 0
    from fontTools.ttLib import TTCollection

    collection = TTCollection(str(font), lazy=True)
    try:
        names = [face["name"].getDebugName(1) or "" for face in collection.fonts]
    finally:
        collection.close()
    for number, name in enumerate(names):
        if name.endswith(" SC") and "Mono" not in name:
            return number
    return 0


def is_cjk(character: str) -> bool:
    """True for Chinese characters and CJK punctuation (what Latin fonts lack).

    >>> [is_cjk(c) for c in "进程, —"]
    [True, True, False, False, False]
    """
    code = ord(character)
    return (
        0x2E80 <= code <= 0x9FFF  # radicals, CJK punctuation, kana, unified ideographs
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
        or 0xFF00 <= code <= 0xFFEF  # full-width forms (，：！)
        or 0x20000 <= code <= 0x2FA1F  # extension B and later
    )


_JS_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def cjk_characters(pages: Iterable[Path]) -> str:
    """Every CJK character in the given files (built pages, translations), sorted.

    HTML's character references (``&#36827;``) and JavaScript's escapes (``\\u8fdb``, as in
    Sphinx's translations.js, whose words the search page shows) count as the characters.
    """
    found: set[str] = set()
    for page in pages:
        text = html.unescape(page.read_text(encoding="utf-8"))
        text = _JS_ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text)
        found.update(c for c in text if is_cjk(c))
    return "".join(sorted(found))


def subset_cjk_font(font: Path, characters: str, output: Path) -> Path:
    """Cut ``font`` down to ``characters`` as WOFF2, with fontTools' ``pyftsubset``.

    A subset already there that holds exactly these characters is kept: cutting the Chinese
    edition's takes seconds, reading a subset's character map a tenth of one.
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont

    wanted = {ord(character) for character in characters or " "}
    if output.exists():
        try:
            if set(TTFont(str(output))["cmap"].getBestCmap()) == wanted:
                return output
        except Exception:  # noqa: BLE001 - a damaged subset is cut again
            pass
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        text_file = Path(scratch) / "characters.txt"
        # A space keeps the subset valid when an edition has no CJK character at all.
        text_file.write_text(characters or " ", encoding="utf-8")
        subset.main(
            [
                str(font),
                f"--font-number={_simplified_chinese_index(font)}",
                f"--text-file={text_file}",
                "--flavor=woff2",
                "--no-hinting",
                "--desubroutinize",
                f"--output-file={output}",
            ]
        )
    return output


# --- building --------------------------------------------------------------------------------


def sphinx_command(edition: Edition) -> list[str]:
    """One Sphinx build of an edition, with the shared docs/conf.py; it fails on a warning."""
    overrides = {
        "language": edition.sphinx_language or edition.language,
        "html_title": edition.title,
        "togglebutton_hint": edition.show_solution,
        "togglebutton_hint_hide": edition.hide_solution,
    }
    return [
        sys.executable,
        "-m",
        "sphinx",
        "-b",
        "html",
        "-q",
        "-W",
        "--keep-going",
        "-c",
        str(DOCS),
        *[argument for name, value in overrides.items() for argument in ("-D", f"{name}={value}")],
        "-d",
        str(BUILD / "doctrees" / edition.language),
        str(edition.sources),
        str(edition.html),
    ]


def sphinx_build(editions: Iterable[Edition]) -> None:
    """Build the editions, side by side (each is one process; two cores build two at once)."""
    # The build must need no network: proxies pointing nowhere make any attempt fail loudly.
    environment = dict(
        os.environ, http_proxy="http://127.0.0.1:9", https_proxy="http://127.0.0.1:9"
    )
    running = [
        (edition, subprocess.Popen(sphinx_command(edition), cwd=ROOT, env=environment))
        for edition in editions
    ]
    failed = [edition.name for edition, process in running if process.wait() != 0]
    if failed:
        raise SiteError(f"Sphinx failed to build the {', '.join(failed)} edition (see above)")


def write_root_page(editions: Iterable[Edition] = EDITIONS, site: Path = SITE) -> Path:
    """The site's start page: a link to each edition (and a redirect while there is one).

    Its Chinese name is drawn with the Chinese edition's font subset, as its pages are.
    """
    editions = list(editions)
    links = "\n".join(
        f'    <li><a href="{e.language}/index.html" hreflang="{e.html_language}" '
        f'lang="{e.html_language}">{html.escape(e.title)} ({html.escape(e.name)})</a></li>'
        for e in editions
    )
    refresh = (
        f'  <meta http-equiv="refresh" content="0; url={editions[0].language}/index.html">\n'
        if len(editions) == 1
        else ""
    )
    fonts = "".join(
        f'    @font-face {{ font-family: "Course CJK {e.language}"; '
        f'src: url("{e.language}/_static/{CJK_FONT_FILE}") format("woff2"); }}\n'
        for e in editions
    )
    families = ", ".join(f'"Course CJK {e.language}"' for e in editions)
    style = (
        f"  <style>\n{fonts}    body {{ font-family: system-ui, sans-serif, {families}; "
        "max-width: 40em; margin: 3em auto; line-height: 1.6; }\n  </style>\n"
    )
    page = (
        "<!DOCTYPE html>\n<html>\n<head>\n  <meta charset=\"utf-8\">\n"
        '  <meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"  <title>Parallel Python, hands-on · 动手学 Python 并行</title>\n{refresh}{style}"
        "</head>\n<body>\n"
        "  <h1>Parallel Python, hands-on · 动手学 Python 并行</h1>\n"
        f"  <ul>\n{links}\n  </ul>\n</body>\n</html>\n"
    )
    site.mkdir(parents=True, exist_ok=True)
    _write_if_changed(site / "index.html", page)
    return site / "index.html"


def build(editions: Iterable[Edition] = EDITIONS) -> Path:
    """Build every edition into docs/_build/html; return the site's start page."""
    font = ensure_cjk_font()
    copy_mathjax()
    editions = list(editions)
    for edition in editions:
        assemble(edition)
    sphinx_build(editions)
    for edition in editions:
        pages = [*edition.html.rglob("*.html"), *edition.html.glob("_static/translations.js")]
        subset_cjk_font(font, cjk_characters(pages), edition.html / "_static" / CJK_FONT_FILE)
    start = write_root_page(editions)
    BUILD_STAMP.touch()  # when the last build ended: tests/test_site.py compares the notebooks
    return start


def main(argv: list[str] | None = None) -> int:
    summary = (__doc__ or "").split("\n")[0]
    parser = argparse.ArgumentParser(prog="python -m tools.site", description=summary)
    parser.add_argument("command", choices=["build", "mathjax", "font", "where"])
    arguments = parser.parse_args(argv)
    try:
        if arguments.command == "mathjax":
            print(f"MathJax: {install_mathjax()}")
        elif arguments.command == "font":
            print(f"CJK font: {ensure_cjk_font()}")
        elif arguments.command == "where":
            print(SITE / "index.html")
        else:
            start = build()
            print(f"The site is built: open {start} in a browser (it needs no network).")
    except SiteError as error:
        print(f"make site: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
