"""Build the course as a static website: ``python -m tools.site build`` (``make site``).

The site is made with Sphinx and myst-nb from the committed notebooks and their stored outputs
(nothing is executed), with the sphinx-book-theme. It loads nothing from outside when a page is
viewed, and the build itself needs no network:

* MathJax 3 comes from the npm registry (``docs/package.json``, ``docs/package-lock.json``,
  installed into ``docs/node_modules`` by ``npm ci``); its es5 bundle, its fonts and its TeX
  extensions are copied into the site's static files, and ``mathjax_path`` points at them.
* Chinese text (the section titles of the study notes) is drawn with a small subset of a Noto
  CJK font (Debian's ``fonts-noto-cjk``), cut with fontTools' ``pyftsubset`` after the pages
  are built, from exactly the CJK characters they hold.

Layout, so that the site's root can hold more than one language (a Chinese edition is planned)::

    docs/_build/src/en/      the English edition's sources, assembled here (not committed):
                             the chapters, index.md made from README.md, the instructor's guide
    docs/_build/html/        the site: index.html (the editions), en/ (the English pages)

Each edition is one Sphinx build with the shared ``docs/conf.py``; an edition is one entry of
:data:`EDITIONS`.

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


#: The README's links to chapters (notebooks/...) and to pages of the site (docs/...): on the
#: site, both are pages beside the start page.
_README_PAGE_LINK = re.compile(r"\]\((?:notebooks|docs)/")
#: The README's line that links its other languages (README.zh-CN.md): the site has a page
#: per edition and its own way between them, so the start page leaves that line out.
_README_LANGUAGE_LINE = re.compile(r"^[^\n]*\]\(README[\w.-]*\.md\)[^\n]*\n+", re.MULTILINE)

_INDEX_TOCTREES = """

```{toctree}
:hidden:
:glob:
:caption: Chapters

[0-9][0-9]_*
```

```{toctree}
:hidden:
:caption: For instructors

instructor_guide
```
"""


def index_from_readme(readme: str) -> str:
    """The site's start page: the README, its chapter and guide links pointing at their pages.

    The sidebar lists every chapter (by the glob ``[0-9][0-9]_*``, so new chapters appear
    without a change) and then the instructor's guide.

    >>> page = index_from_readme("# Title\\n\\n[00 Intro](notebooks/00_introduction.ipynb)\\n"
    ...                          "[guide](docs/instructor_guide.md)\\n")
    >>> "[00 Intro](00_introduction.ipynb)" in page, "[guide](instructor_guide.md)" in page
    (True, True)
    >>> ":glob:" in page
    True
    """
    body = _README_PAGE_LINK.sub("](", _README_LANGUAGE_LINE.sub("", readme))
    lines = body.splitlines()
    # The toctrees go right after the title, so that they never fall into a later section.
    for number, line in enumerate(lines):
        if line.startswith("# "):
            return "\n".join([*lines[: number + 1], _INDEX_TOCTREES, *lines[number + 1 :]]) + "\n"
    return _INDEX_TOCTREES + "\n" + body


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
    wanted["index.md"] = index_from_readme(edition.readme.read_text(encoding="utf-8"))
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


def cjk_characters(pages: Iterable[Path]) -> str:
    """Every CJK character in the given files (built pages, translations), sorted."""
    found: set[str] = set()
    for page in pages:
        found.update(c for c in html.unescape(page.read_text(encoding="utf-8")) if is_cjk(c))
    return "".join(sorted(found))


def subset_cjk_font(font: Path, characters: str, output: Path) -> Path:
    """Cut ``font`` down to ``characters`` as WOFF2, with fontTools' ``pyftsubset``."""
    from fontTools import subset

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


def sphinx_build(edition: Edition) -> None:
    """One Sphinx build of an edition, with the shared docs/conf.py. Fails on a warning."""
    command = [
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
        "-D",
        f"language={edition.sphinx_language or edition.language}",
        "-d",
        str(BUILD / "doctrees" / edition.language),
        str(edition.sources),
        str(edition.html),
    ]
    # The build must need no network: proxies pointing nowhere make any attempt fail loudly.
    environment = dict(
        os.environ, http_proxy="http://127.0.0.1:9", https_proxy="http://127.0.0.1:9"
    )
    if subprocess.run(command, cwd=ROOT, env=environment, check=False).returncode != 0:
        raise SiteError(f"Sphinx failed to build the {edition.name} edition (see above)")


def write_root_page(editions: Iterable[Edition] = EDITIONS, site: Path = SITE) -> Path:
    """The site's start page: a link to each edition (and a redirect while there is one)."""
    editions = list(editions)
    links = "\n".join(
        f'    <li><a href="{e.language}/index.html" hreflang="{e.language}">{html.escape(e.name)}'
        "</a></li>"
        for e in editions
    )
    refresh = (
        f'  <meta http-equiv="refresh" content="0; url={editions[0].language}/index.html">\n'
        if len(editions) == 1
        else ""
    )
    page = (
        "<!DOCTYPE html>\n<html>\n<head>\n  <meta charset=\"utf-8\">\n"
        f"  <title>Parallel Python, hands-on</title>\n{refresh}</head>\n<body>\n"
        f"  <h1>Parallel Python, hands-on</h1>\n  <ul>\n{links}\n  </ul>\n</body>\n</html>\n"
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
        sphinx_build(edition)
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
