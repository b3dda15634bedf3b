"""Read a built HTML page: its ids, links, classes and text, and what it makes a browser load.

The course's static builds (``make site``, ``make slides``) must load nothing from outside
when a page is viewed; their tests (tests/test_site.py, tests/test_slides.py) read the built
pages with :func:`read_page` and look for external addresses in what a page loads
(:attr:`Page.loads`), in its inline styles and scripts, and in the stylesheets and scripts it
ships, with :func:`external_in_css` and :func:`external_in_script`.

>>> page = Page(Path("x.html"))
>>> Reader(page).feed('<script src="https://cdn.example/a.js"></script><a href="b.html">b</a>')
>>> page.loads, page.links
([('<script src>', 'https://cdn.example/a.js')], ['b.html'])
>>> is_external("//cdn.example/x.js"), is_external("lib/x.js")
(True, False)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

#: Scheme-qualified (http:, https:, ftp:, ...) or protocol-relative addresses leave the site.
EXTERNAL = re.compile(r"^\s*(?:[a-z][a-z0-9+.\-]*:)?//", re.IGNORECASE)
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")
# In scripts, an address is a quoted string starting with http(s):// or // and a host name
# (XPath's "//*[@id]" and MathJax's "//../../es5" are not addresses).
_SCRIPT_URL = re.compile(r"""['"`]((?:https?:)?//[a-z0-9-]+(?:\.[a-z0-9-]+)+[^'"`\s]*)""", re.I)
#: XML namespaces are names, not addresses: scripts use them to create SVG and MathML nodes.
_NAMESPACE = re.compile(r"^https?://www\.w3\.org/")
#: Attributes through which an element makes the browser load something.
_LOADING = {
    "script": ("src",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "input": ("src",),
    "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"),
}
#: <link rel=...> kinds that name a page without loading it.
_NON_LOADING_RELS = {"canonical", "alternate", "author", "license", "help", "next", "prev"}


@dataclass
class Page:
    """What a built page holds: its ids, its links, and everything it makes the browser load."""

    path: Path
    ids: set[str] = field(default_factory=set)
    links: list[str] = field(default_factory=list)
    loads: list[tuple[str, str]] = field(default_factory=list)  # (what, address)
    inline_code: list[str] = field(default_factory=list)  # <style> and <script> bodies
    classes: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)


class Reader(HTMLParser):
    """Fills a :class:`Page` from the HTML it is fed."""

    def __init__(self, page: Page) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self._inline: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if "id" in values:
            self.page.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.page.ids.add(values["name"])
        if "class" in values:
            self.page.classes.append(values["class"])
        if tag == "a" and "href" in values:
            self.page.links.append(values["href"])
        if "style" in values:
            self.page.inline_code.append(values["style"])
        rel = set(values.get("rel", "").lower().split())
        for attribute in _LOADING.get(tag, ()):
            if attribute not in values:
                continue
            if tag == "link" and rel and rel <= _NON_LOADING_RELS:
                continue
            # Only srcset lists several addresses; a data: URI has a comma of its own.
            value = values[attribute]
            for address in value.split(",") if attribute == "srcset" else [value]:
                if address.strip():
                    self.page.loads.append((f"<{tag} {attribute}>", address.strip().split()[0]))
        if tag in ("script", "style") and "src" not in values:
            self._inline = ""

    def handle_data(self, data: str) -> None:
        if self._inline is not None:
            self._inline += data
        else:
            self.page.text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._inline is not None:
            self.page.inline_code.append(self._inline)
            self._inline = None


@cache
def read_page(path: Path) -> Page:
    """The page at ``path``, read once (pages are read again by several tests)."""
    page = Page(path)
    Reader(page).feed(path.read_text(encoding="utf-8"))
    return page


def is_external(address: str) -> bool:
    """Whether an address leaves the page's own files (a scheme and ``//``, or just ``//``)."""
    return bool(EXTERNAL.match(address))


def external_in_css(text: str) -> list[str]:
    """The external addresses a stylesheet loads (``url()``, ``@import``)."""
    found = []
    for match in CSS_URL.finditer(text):
        address = match.group(1) or match.group(2)
        if EXTERNAL.match(address):
            found.append(address)
    return found


def external_in_script(text: str, never_loaded: Mapping[str, str] | None = None) -> list[str]:
    """The external addresses in a script, but for those starting with a key of
    ``never_loaded`` (addresses a current browser never loads, each with the reason)."""
    never_loaded = never_loaded or {}
    found = []
    for match in _SCRIPT_URL.finditer(text):
        address = match.group(1)
        if _NAMESPACE.match(address) or any(address.startswith(ok) for ok in never_loaded):
            continue
        if text[max(0, match.start() - 5) : match.start()].lower() == "href=":
            continue  # a link a script writes into the page (MathJax's "About" box)
        found.append(address)
    return found


def path_of(address: str) -> str:
    """The path of an address, without its query (``?v=...``) or fragment."""
    return urlsplit(address).path


def local_target(page: Path, address: str) -> tuple[Path, str]:
    """The file a relative address on ``page`` names, and its fragment (``#heading``)."""
    parts = urlsplit(address)
    target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
    return target, unquote(parts.fragment)
