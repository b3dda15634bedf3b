"""Build every chapter as reveal.js slides: ``python -m tools.slides build`` (``make slides``).

The slides are nbconvert's reveal.js export of the committed notebooks with their stored
outputs (nothing is executed), one page per chapter, with an index page::

    docs/_build/slides/index.html              the chapters, in the notes' order
    docs/_build/slides/NN_name.slides.html     one chapter's slides
    docs/_build/slides/lib/                    reveal.js 5, jQuery, require.js, MathJax 2

Where the slides break is written in each notebook's cell metadata
(``metadata.slideshow.slide_type``, checked by tests/test_slide_structure.py); the solutions
are skipped there. A cell that alone is taller than a slide is cut for the slides only
(:func:`tools.slide_budget.fitted`: markdown between paragraphs, code and its outputs on two
slides, a piece still too tall shrunk), so that no slide is taller than the screen.

Nothing is loaded from outside, when building or when presenting: the libraries nbconvert's
template loads come from the npm registry (``docs/package.json``, ``docs/package-lock.json``,
installed into ``docs/node_modules`` by ``npm ci``) and are copied into ``lib/`` beside the
pages, which name them by relative paths, so the folder works opened from disk or served.
Why these versions: reveal.js 6 moved its plugins away from the paths nbconvert's template
loads; nbconvert's template speaks MathJax 2's API (``MathJax.Hub``); reveal.js's ``white``
theme is the one that loads no web font. The template's one import that cannot be made
local, mermaid from a CDN (its URL is not configurable), is left out by the course's own
template, ``docs/slides/course_slides.html.j2``, which extends nbconvert's.

Commands::

    python -m tools.slides build     export every chapter and write the index page
    python -m tools.slides npm       install the npm packages (npm ci in docs/)
    python -m tools.slides where     print the path of the slides' index page
"""

from __future__ import annotations

import argparse
import html
import importlib.util
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tools import site as site_tools
from tools.slide_budget import OUTPUTS_ONLY, fitted

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
NOTEBOOKS = ROOT / "notebooks"
NODE_MODULES = DOCS / "node_modules"
SLIDES = DOCS / "_build" / "slides"
TEMPLATE = DOCS / "slides" / "course_slides.html.j2"
#: Written when a build ended: tests/test_slides.py compares it with the notebooks.
BUILD_STAMP = SLIDES / ".built"
#: The folder, beside the pages, that holds the libraries the pages load.
LIB = "lib"
#: The reveal.js theme: the only one of reveal.js's themes that loads no web font.
THEME = "white"
#: Chinese on the slides (the chapters' subtitles) is drawn with a subset of a CJK font cut at
#: build time, as the site does (tools/site.py), where the tools for it are there: fontTools
#: with brotli (the ``site`` extra) and a CJK font (Debian's fonts-noto-cjk). The template
#: always loads this stylesheet; without the subset it is empty and the viewer's fonts are used.
CJK_STYLESHEET = f"{LIB}/fonts/course-cjk.css"
CJK_FONT = f"{LIB}/fonts/course-cjk.woff2"
#: The slide size reveal.js scales to the screen (nbconvert's default, reveal.js's too).
WIDTH, HEIGHT = 960, 700
SLIDE_SUFFIX = ".slides.html"


@dataclass(frozen=True)
class Library:
    """Files the slides need from one npm package, and where the pages find them."""

    package: str
    #: Files or folders of the package, relative to its folder in node_modules.
    parts: tuple[str, ...]
    #: The address the pages load it by, relative to ``lib/<package>/``.
    entry: str
    #: Names (glob patterns) left out of the folders copied.
    ignore: tuple[str, ...] = ()


LIBRARIES: tuple[Library, ...] = (
    # reveal.js's script and stylesheet, the white theme with its local font (the other themes
    # load Google fonts), and the speaker notes plugin nbconvert's template loads.
    Library(
        "reveal.js",
        (
            "dist/reveal.js",
            "dist/reveal.css",
            "dist/theme/white.css",
            "dist/theme/fonts/source-sans-pro",
            "plugin/notes",
        ),
        "",
    ),
    Library("jquery", ("dist/jquery.min.js",), "dist/jquery.min.js"),
    Library("requirejs", ("require.js",), "require.js"),
    # MathJax 2 (npm alias of mathjax@2): the TeX-to-HTML configuration nbconvert asks for and
    # what it loads on demand; only the TeX fonts (the others are 15 MB MathJax never loads).
    # Left out: MathML input (the chapters are TeX) and the speech rules of the accessibility
    # menu's explorer, which fetches its rule engine from a CDN (turning it on does nothing).
    Library(
        "mathjax2",
        (
            "MathJax.js",
            "config/TeX-AMS_CHTML-full.js",
            "config/Safe.js",
            "extensions",
            "jax/element",
            "jax/input/TeX",
            "jax/output/CommonHTML",
            "jax/output/PreviewHTML",
            "fonts/HTML-CSS/TeX/woff",
            "localization/en",
        ),
        "MathJax.js?config=TeX-AMS_CHTML-full,Safe",
        ("MathML", "mathjax-sre.js", "mathmaps"),
    ),
)


class SlidesError(RuntimeError):
    """Something the build needs is missing; the message says what to do."""


def chapters(notebooks: Path = NOTEBOOKS) -> list[Path]:
    """The chapters, in the order of the notes (their numbers)."""
    return sorted(notebooks.glob(site_tools.CHAPTER_GLOB))


def slide_page(notebook: Path, slides: Path = SLIDES) -> Path:
    """Where a chapter's slides are built.

    >>> slide_page(Path("notebooks/02_queues.ipynb"), Path("out")).as_posix()
    'out/02_queues.slides.html'
    """
    return slides / f"{notebook.stem}{SLIDE_SUFFIX}"


def library_url(package: str) -> str:
    """The relative address a page loads a library by.

    >>> library_url("requirejs")
    'lib/requirejs/require.js'
    """
    library = next((item for item in LIBRARIES if item.package == package), None)
    if library is None:
        raise ValueError(f"package must be one of {[item.package for item in LIBRARIES]}")
    return f"{LIB}/{library.package}/{library.entry}".rstrip("/")


def install_npm_packages(docs: Path = DOCS) -> Path:
    """``npm ci`` in docs/: the packages exactly as docs/package-lock.json pins them."""
    if shutil.which("npm") is None and not site_tools._apt_get_install("npm"):
        raise SlidesError(
            "make slides takes reveal.js, jQuery, require.js and MathJax 2 from the npm "
            "registry and needs npm (Node.js): install it (Debian, Ubuntu: `sudo apt-get "
            "install npm`; macOS: `brew install node`)."
        )
    npm = shutil.which("npm") or "npm"
    command = [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"]
    subprocess.run(command, cwd=docs, check=True)
    return docs / "node_modules"


def copy_libraries(node_modules: Path = NODE_MODULES, slides: Path = SLIDES) -> None:
    """Copy the parts of each library the pages load into ``lib/`` beside them (afresh)."""
    shutil.rmtree(slides / LIB, ignore_errors=True)
    for library in LIBRARIES:
        package = node_modules / library.package
        if not (package / "package.json").exists():
            raise SlidesError(
                f"the npm package {library.package} is not installed in {node_modules}: run "
                "`make slides` (it runs `npm ci` in docs/), or `cd docs && npm ci`."
            )
        for part in library.parts:
            source, target = package / part, slides / LIB / library.package / part
            if source.is_dir():
                ignore = shutil.ignore_patterns(*library.ignore)
                shutil.copytree(source, target, ignore=ignore, dirs_exist_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)


def exporter():  # -> nbconvert.SlidesExporter (imported here: `make slides` alone needs it)
    """nbconvert's reveal.js exporter, with the course's template and local libraries."""
    from nbconvert import SlidesExporter
    from traitlets.config import Config

    config = Config()
    config.SlidesExporter.extra_template_paths = [str(TEMPLATE.parent)]
    config.SlidesExporter.template_file = TEMPLATE.name
    config.SlidesExporter.reveal_url_prefix = library_url("reveal.js")
    config.SlidesExporter.reveal_theme = THEME
    config.SlidesExporter.reveal_width = str(WIDTH)
    config.SlidesExporter.reveal_height = str(HEIGHT)
    config.SlidesExporter.reveal_number = "c/t"
    config.SlidesExporter.jquery_url = library_url("jquery")
    config.SlidesExporter.require_js_url = library_url("requirejs")
    config.SlidesExporter.mathjax_url = library_url("mathjax2")
    # The prompts ("In [3]:") take a sixth of the width a slide has for code.
    config.SlidesExporter.exclude_input_prompt = True
    config.SlidesExporter.exclude_output_prompt = True
    # A cell too tall for a slide shows its outputs on the next one, without its code again.
    config.TagRemovePreprocessor.remove_input_tags = {OUTPUTS_ONLY}
    return SlidesExporter(config=config)


def slide_notebook(notebook: Path):  # -> nbformat.NotebookNode
    """A chapter as its slides show it: cells too tall for a slide cut or shrunk
    (:func:`tools.slide_budget.fitted`); the notebook itself is not changed."""
    import nbformat

    node = nbformat.read(notebook, as_version=4)
    node.cells = [nbformat.from_dict(cell) for cell in fitted(node.cells)]
    return node


_CHAPTER_LINK = re.compile(r'href="(\d\d_[\w-]+)\.ipynb(?:#[^"]*)?"')


def link_chapters_to_slides(page: str) -> str:
    """Point a page's links to other chapters at their slides (reveal.js keeps its own ``#``).

    >>> link_chapters_to_slides('<a href="02_queues.ipynb#Key-points">02</a>')
    '<a href="02_queues.slides.html">02</a>'
    """
    return _CHAPTER_LINK.sub(lambda match: f'href="{match.group(1)}{SLIDE_SUFFIX}"', page)


def title_of(notebook: Path) -> str:
    """A chapter's title: its first ``# `` heading, else its file name."""
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return notebook.stem


def write_cjk_font(pages: list[Path], slides: Path = SLIDES) -> str:
    """Cut the CJK font subset for the Chinese on ``pages`` and write its stylesheet.

    Returns what was done, in words: the subset needs a CJK font and fontTools with brotli;
    without them the stylesheet declares no font and the slides use the viewer's fonts.
    """
    stylesheet = slides / CJK_STYLESHEET
    stylesheet.parent.mkdir(parents=True, exist_ok=True)
    characters = site_tools.cjk_characters(pages)
    font = site_tools.find_cjk_font()
    missing = [name for name in ("fontTools", "brotli") if importlib.util.find_spec(name) is None]
    if not characters or font is None or missing:
        if not characters:
            reason = "no Chinese on the slides"
        elif font is None:
            reason = "no CJK font found (Debian: fonts-noto-cjk; `make site` installs it)"
        else:
            reason = f"{' and '.join(missing)} missing (the `site` extra; `make site`)"
        stylesheet.write_text(f"/* No CJK font subset: {reason}. */\n", encoding="utf-8")
        return f"Chinese in the viewer's fonts: {reason}"
    site_tools.subset_cjk_font(font, characters, slides / CJK_FONT)
    stylesheet.write_text(
        '@font-face {\n  font-family: "Course CJK";\n'
        f'  src: url("{Path(CJK_FONT).name}") format("woff2");\n  font-display: swap;\n}}\n',
        encoding="utf-8",
    )
    return f"Chinese drawn with a subset of {font.name} ({len(characters)} characters)"


def write_index(notebooks: list[Path], slides: Path = SLIDES) -> Path:
    """The index page: a link to each chapter's slides."""
    items = "\n".join(
        f'    <li><a href="{slide_page(notebook, Path()).as_posix()}">'
        f"{html.escape(title_of(notebook))}</a></li>"
        for notebook in notebooks
    )
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n  <meta charset="utf-8">\n'
        "  <title>Parallel Python, hands-on: slides</title>\n</head>\n<body>\n"
        "  <h1>Parallel Python, hands-on: slides</h1>\n"
        "  <p>One presentation per chapter. Keys: arrows or space to move, <kbd>s</kbd> for the "
        "speaker view, <kbd>f</kbd> for full screen, <kbd>Esc</kbd> for the overview.</p>\n"
        f'  <ol start="0">\n{items}\n  </ol>\n</body>\n</html>\n'
    )
    path = slides / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


def build(notebooks: Path = NOTEBOOKS, slides: Path = SLIDES) -> Path:
    """Export every chapter, copy the libraries, write the index; return the index page."""
    found = chapters(notebooks)
    if not found:
        raise SlidesError(f"no chapters ({site_tools.CHAPTER_GLOB}) in {notebooks}")
    slides.mkdir(parents=True, exist_ok=True)
    copy_libraries(slides=slides)
    export = exporter()
    for notebook in found:
        body, _ = export.from_notebook_node(slide_notebook(notebook))
        page = link_chapters_to_slides(body)
        slide_page(notebook, slides).write_text(page, encoding="utf-8")
    print(write_cjk_font([slide_page(notebook, slides) for notebook in found], slides))
    stale = set(slides.glob(f"*{SLIDE_SUFFIX}")) - {slide_page(n, slides) for n in found}
    for page in stale:
        page.unlink()
    index = write_index(found, slides)
    (slides / BUILD_STAMP.name).touch()
    return index


def main(argv: list[str] | None = None) -> int:
    summary = (__doc__ or "").split("\n")[0]
    parser = argparse.ArgumentParser(prog="python -m tools.slides", description=summary)
    parser.add_argument("command", choices=["build", "npm", "where"])
    arguments = parser.parse_args(argv)
    try:
        if arguments.command == "npm":
            print(f"npm packages: {install_npm_packages()}")
        elif arguments.command == "where":
            print(SLIDES / "index.html")
        else:
            index = build()
            print(f"The slides are built: open {index} in a browser (they need no network).")
    except SlidesError as error:
        print(f"make slides: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
