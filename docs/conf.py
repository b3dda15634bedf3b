"""Sphinx configuration of the course's website, shared by every edition (``make site``).

``python -m tools.site build`` assembles each edition's sources (docs/_build/src/LANG) and runs
Sphinx on them with this file and ``-D`` for what differs between the editions: the language,
the title and the solution button's labels (tools/site.py, ``Edition``). Read tools/site.py
first.

Every page's header carries a language switch (``_templates/language-switch.html``): a
relative link to the same page in the other edition, from :func:`tools.site.language_switch`.

Nothing here may make a page load anything from outside: MathJax is served from the site's
own static files, the CJK font is a subset cut at build time, and no extension that fetches
(intersphinx, thebe, launch buttons, analytics) is enabled. tests/test_site.py checks the
built pages.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.site import ASSETS, MATHJAX_PATH, language_switch  # noqa: E402

project = "Parallel Python, hands-on"
author = "the course's authors"
copyright = "the course's authors, MIT licence"
html_title = project

extensions = ["myst_nb", "sphinx_togglebutton"]

# The notebooks are shown with the outputs stored in them; nothing is executed.
nb_execution_mode = "off"
nb_merge_streams = True
# myst-nb would load require.js and the widgets' bundle from a CDN for a notebook with widget
# state; the course shows no widgets, and a page must load nothing from outside.
nb_ipywidgets_js: dict[str, dict[str, str]] = {}
# Math in Markdown ($...$, $$...$$), and the anchors JupyterLab gives headings, so that the
# notebooks' links such as (01_processes_and_threads.ipynb#The-__main__-guard) resolve.
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 4
myst_heading_slug_func = "tools.site.jupyterlab_anchor"

html_theme = "sphinx_book_theme"
templates_path = ["_templates"]
html_theme_options = {
    # The language switch, before the theme's own buttons, in every page's header.
    "article_header_end": ["language-switch.html", "article-header-buttons.html"],
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "use_download_button": True,
    "use_fullscreen_button": False,
}
html_static_path = ["_static", str(ASSETS)]
html_css_files = ["course.css"]
html_last_updated_fmt = None

# MathJax 3 from the site itself (tools/site.py copies it from docs/node_modules).
mathjax_path = MATHJAX_PATH

# Solutions (cells tagged `solution`: code and output) are folded behind a button.
togglebutton_selector = ".cell.tag_solution"
togglebutton_hint = "Show solution"
togglebutton_hint_hide = "Hide solution"


def _add_language_switch(app, pagename, templatename, context, doctree) -> None:  # noqa: ANN001
    context["course_language_switch"] = language_switch(app.config.language, pagename)


def setup(app) -> dict[str, bool]:  # noqa: ANN001
    app.connect("html-page-context", _add_language_switch)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
