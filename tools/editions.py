"""Keep the English and the Chinese editions of the chapters in step: ``python -m tools.editions``.

The Chinese edition (``notebooks/zh/``) is the English one with its prose translated: the same
cells, with the same ids, in the same order, the same cell types, tags and slide metadata, and
the same code. What may differ:

* markdown text (the translation), as long as each cell keeps its headings (number and levels)
  and its number of links;
* ``#`` comments in code (a comment may be translated);
* the argument of the language cell, ``use_language("en")`` / ``use_language("zh")``;
* what a run writes: outputs, execution counts, the figures a cell recorded
  (``metadata.course``) and the notebook's ``language_info``.

:func:`edition_problems` lists every other difference; tests/test_editions.py fails on any.
"""

from __future__ import annotations

import io
import json
import re
import sys
import tokenize
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
#: The folders of the editions, English first.
EDITIONS = {"en": NOTEBOOKS, "zh": NOTEBOOKS / "zh"}
#: Cell metadata a run writes (the figures a measuring cell records for helpers/claims.py).
RUN_METADATA = ("course", "execution")
#: Notebook metadata a run writes.
RUN_NOTEBOOK_METADATA = ("language_info",)
#: The notes' own section titles: the titles of chapters 01-06 in the Chinese edition.
NOTES_TITLES = {
    "01": "添加进程",
    "02": "在queue中存放结果",
    "03": "多线程&多进程横评",
    "04": "进程池pool",
    "05": "共享内存",
    "06": "进程锁",
}
_LANGUAGE_CALL = re.compile(r"""use_language\(["'](en|zh)["']\)""")
_HEADING = re.compile(r"^(#{1,6})\s")
_LINK = re.compile(r"\]\([^)]*\)")


def code_without_comments(source: str) -> str:
    """A cell's code with its ``#`` comments and blank lines removed, the language normalised.

    >>> code_without_comments('x = 1  # one\\n\\n# a note\\nuse_language("zh")\\n')
    'x = 1\\nuse_language(LANGUAGE)'
    >>> code_without_comments('s = "# not a comment"')
    's = "# not a comment"'
    """
    lines = source.splitlines()
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):  # a cell magic's body
        tokens = []
    for token in reversed(tokens):
        if token.type == tokenize.COMMENT:
            row, column = token.start
            lines[row - 1] = lines[row - 1][:column].rstrip()
    kept = "\n".join(line for line in lines if line.strip())
    return _LANGUAGE_CALL.sub("use_language(LANGUAGE)", kept)


def language_of(cells: list[dict[str, Any]]) -> str:
    """The language a chapter's language cell chooses (its first ``use_language`` call).

    >>> language_of([{"cell_type": "code", "source": 'use_language("zh")  # 中文版'}])
    'zh'
    >>> language_of([{"cell_type": "markdown", "source": "# Title"}])
    'en'
    """
    for cell in cells:
        if cell.get("cell_type") == "code":
            match = _LANGUAGE_CALL.search(_source(cell))
            if match:
                return match.group(1)
    return "en"


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return source if isinstance(source, str) else "".join(source)


def _markdown_shape(source: str) -> tuple[list[int], int]:
    """A markdown cell's headings (their levels) and its number of links, outside code."""
    levels, fenced, links = [], False, 0
    for line in source.splitlines():
        if line.strip().startswith("```"):
            fenced = not fenced
            continue
        if fenced:
            continue
        if match := _HEADING.match(line):
            levels.append(len(match.group(1)))
        links += len(_LINK.findall(line))
    return levels, links


def _cell_metadata(cell: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in cell.get("metadata", {}).items() if k not in RUN_METADATA}


def edition_problems(english: dict[str, Any], other: dict[str, Any]) -> list[str]:
    """Every way the notebook ``other`` is out of step with ``english`` (empty: in step)."""
    problems = []
    top = {k: v for k, v in english.get("metadata", {}).items() if k not in RUN_NOTEBOOK_METADATA}
    their = {k: v for k, v in other.get("metadata", {}).items() if k not in RUN_NOTEBOOK_METADATA}
    if top != their:
        problems.append("the notebooks' metadata differ")
    ours, theirs = english.get("cells", []), other.get("cells", [])
    if [c.get("id") for c in ours] != [c.get("id") for c in theirs]:
        problems.append(
            f"the cells differ: {[c.get('id') for c in ours]} against "
            f"{[c.get('id') for c in theirs]}"
        )
        return problems
    for a, b in zip(ours, theirs, strict=True):
        name = f"cell {a.get('id')}"
        if a["cell_type"] != b["cell_type"]:
            problems.append(f"{name}: a {a['cell_type']} cell, there a {b['cell_type']} cell")
            continue
        if _cell_metadata(a) != _cell_metadata(b):
            problems.append(f"{name}: its metadata (tags, slide type, folding) differ")
        if a["cell_type"] == "code":
            if code_without_comments(_source(a)) != code_without_comments(_source(b)):
                problems.append(f"{name}: its code differs (comments aside)")
        elif a["cell_type"] == "markdown":
            (levels, links), (their_levels, their_links) = (
                _markdown_shape(_source(a)), _markdown_shape(_source(b)))
            if levels != their_levels:
                problems.append(f"{name}: headings {levels}, there {their_levels}")
            if links != their_links:
                problems.append(f"{name}: {links} links, there {their_links}")
    return problems


def chapters(edition: str) -> list[Path]:
    """The chapters of an edition, by file name."""
    return sorted(EDITIONS[edition].glob("[0-9][0-9]_*.ipynb"))


def all_problems() -> list[str]:
    """The problems of every chapter of every edition, and chapters missing from one."""
    problems = []
    english = {path.name for path in chapters("en")}
    for edition in EDITIONS:
        if edition == "en":
            continue
        names = {path.name for path in chapters(edition)}
        problems += [f"{edition}: {name} is missing" for name in sorted(english - names)]
        problems += [f"{edition}: {name} has no English chapter"
                     for name in sorted(names - english)]
        for name in sorted(english & names):
            ours = json.loads((EDITIONS["en"] / name).read_text(encoding="utf-8"))
            theirs = json.loads((EDITIONS[edition] / name).read_text(encoding="utf-8"))
            problems += [f"{edition}/{name}: {p}" for p in edition_problems(ours, theirs)]
    return problems


def main() -> int:
    problems = all_problems()
    print("\n".join(problems) or "The editions are in step.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
