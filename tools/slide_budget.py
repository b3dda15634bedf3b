"""How tall a notebook cell is on a slide, and which cells make up each slide.

``make slides`` (tools/slides.py) shows the chapters on reveal.js slides of 960x700 pixels,
which reveal.js scales to the screen as a whole: what does not fit in 700 pixels is cut off,
on any projector. Where a slide starts is written in each cell's metadata
(``metadata.slideshow.slide_type``); tests/test_slide_structure.py checks with
:func:`slide_height` that no slide holds more than :data:`BUDGET` pixels.

The heights below were measured in Chromium on slides built by ``make slides`` (the ``white``
theme, with 16px text and 15px code): a slide of 30 code lines, of 30 bullet lines, of a
300-word paragraph and of a plot, at a window of 960x700. They are an estimate, found up to
10 % short on real slides; the slides use one pixel less (15px text, 14px code,
docs/slides/course_slides.html.j2), which absorbs that. The real-browser test measures every
built slide (tests/test_browser.py).

Only the standard library: the structure test runs in a plain ``make unit``.
"""

from __future__ import annotations

import base64
import math
import re
import struct
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any

#: Pixels a slide may fill: reveal.js's 700, less a margin at the top and bottom.
BUDGET = 660
#: Text, measured on the slides: a line is 20 px and holds about 100 characters of prose (a
#: paragraph's source lines flow together); a list item's line 25 px of 95 characters; the
#: space between two blocks 20 px (none between two list items); a heading 46 px (a ``#``
#: title 70); a table row 36 px (cells wrap); a display formula (``$$``) 50 px; a quotation
#: (``>``, a pitfall box) is narrower (64 characters a line) and framed (60 px more). A table
#: row takes 32 px.
TEXT_LINE, TEXT_CHARACTERS, ITEM_LINE, ITEM_CHARACTERS = 20, 100, 25, 95
BLOCK_GAP, HEADING, TITLE, TABLE_ROW, FORMULA = 20, 46, 70, 32, 50
#: A table's cells wrap in their columns: a row of more than this many characters (its
#: source, as it reads) takes two lines or more, each further line 18 px (measured on the
#: tables of chapters 00 and 03: 470 px for the 12 rows of 00's table of chapters).
TABLE_CHARACTERS, TABLE_WRAP = 90, 18
QUOTE_CHARACTERS, QUOTE_FRAME = 64, 60
#: Code and text output: 17.3 px a line; output wraps at about 100 characters. A code cell's
#: frame adds 24 px, each output 16 px.
CODE_LINE, OUTPUT_CHARACTERS, CODE_FRAME, OUTPUT_GAP = 17.3, 100, 24, 16
#: A plot is shown at its own size, narrowed to the slide's 880 usable pixels and at most
#: 400 px high (docs/slides/course_slides.html.j2).
IMAGE_WIDTH, IMAGE_HEIGHT = 880, 400
#: Space between two cells on a slide.
CELL_GAP = 12
#: The slide types that start a new slide (``slide``) or a new vertical one (``subslide``).
STARTS = ("slide", "subslide")
SLIDE_TYPES = ("slide", "subslide", "fragment", "skip", "notes", "-")


#: A Chinese character (or any other East Asian wide one) takes the room of this many Latin
#: characters on a slide (measured in Chromium on the Chinese decks: about 1.7).
WIDE = 1.7


def width(text: str) -> float:
    """How many Latin characters' room ``text`` takes on a line.

    >>> width("GIL"), width("全局解释器锁")
    (3.0, 10.2)
    """
    wide = sum(1 for character in text if unicodedata.east_asian_width(character) in "WF")
    return len(text) - wide + round(WIDE * wide, 6)


def _text(value: str | list[str]) -> str:
    return value if isinstance(value, str) else "".join(value)


_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def _visible(text: str) -> str:
    """Markdown as it reads: a link shows its text, not its address; no ``*`` or backquote."""
    return _LINK.sub(r"\1", text).replace("*", "").replace("`", "")


def _blocks(source: str) -> Iterator[tuple[str, list[str]]]:
    """A markdown cell's blocks, each with its kind and its source lines."""
    kind, lines = "", []
    for line in source.splitlines():
        stripped = line.strip()
        starts = True  # whether this line starts a new block
        if stripped.startswith("#"):
            new = "heading"
        elif stripped.startswith(("- ", "* ")) or re.match(r"\d+\. ", stripped):
            new = "item"
        elif stripped.startswith("|"):
            new, starts = "table", kind != "table"
        elif stripped.startswith("$$"):
            new = "formula"
        elif stripped.startswith(">"):
            new, starts = "quote", kind != "quote"
        elif not stripped:
            new = ""
        elif kind in ("item", "quote", "text"):
            new, starts = kind, False  # a paragraph's, a list item's or a quotation's next line
        else:
            new = "text"
        if lines and (starts or not new):
            yield kind, lines
            lines = []
        kind = new
        if new:
            lines.append(stripped.lstrip(">").strip() if new == "quote" else stripped)
    if lines:
        yield kind, lines


def markdown_height(source: str) -> float:
    """Pixels a markdown cell's text takes.

    >>> markdown_height("## Title\\n\\nOne short line.")
    86
    """
    height, previous = 0, None
    for kind, lines in _blocks(source):
        text = _visible(" ".join(lines))
        if previous is not None and not (kind == previous == "item"):
            height += BLOCK_GAP  # list items follow each other without a gap
        previous = kind
        if kind == "table":  # every row but the line under the header
            rows = [_visible(row) for row in lines if not set(row) <= set("|-: ")]
            lines_of = [math.ceil(width(row) / TABLE_CHARACTERS) for row in rows]
            height += sum(TABLE_ROW + TABLE_WRAP * (lines - 1) for lines in lines_of)
        elif kind == "heading":
            height += TITLE if text.startswith("# ") else HEADING
        elif kind == "formula":
            height += FORMULA
        elif kind == "item":
            height += ITEM_LINE * math.ceil(width(text) / ITEM_CHARACTERS)
        elif kind == "quote":
            height += TEXT_LINE * math.ceil(width(text) / QUOTE_CHARACTERS) + QUOTE_FRAME
        else:
            height += TEXT_LINE * math.ceil(width(text) / TEXT_CHARACTERS)
    return height


def png_size(data: str) -> tuple[int, int]:
    """Width and height of a base64 PNG, from its header.

    >>> header = b"\\x89PNG\\r\\n\\x1a\\n" + bytes(8) + struct.pack(">II", 3, 2)
    >>> png_size(base64.b64encode(header).decode())
    (3, 2)
    """
    header = base64.b64decode(data[:32])
    if header[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("data must be a base64 PNG image")
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def _text_lines(text: str) -> int:
    return sum(max(1, math.ceil(width(line) / OUTPUT_CHARACTERS)) for line in text.splitlines())


def output_height(output: dict[str, Any]) -> float:
    """Pixels one stored output takes (text, a traceback, a plot)."""
    kind = output.get("output_type")
    if kind == "stream":
        return OUTPUT_GAP + CODE_LINE * _text_lines(_text(output.get("text", "")))
    if kind == "error":
        return OUTPUT_GAP + CODE_LINE * _text_lines("\n".join(output.get("traceback", [])))
    data = output.get("data", {})
    if "image/png" in data:
        width, height = png_size(_text(data["image/png"]).strip())
        return OUTPUT_GAP + min(IMAGE_HEIGHT, height * min(1.0, IMAGE_WIDTH / width))
    if "text/plain" in data:
        return OUTPUT_GAP + CODE_LINE * _text_lines(_text(data["text/plain"]))
    return 0


def cell_height(cell: dict[str, Any]) -> float:
    """Pixels a cell takes on a slide: its source, and a code cell's outputs."""
    source = _text(cell.get("source", ""))
    if cell.get("cell_type") == "markdown":
        return markdown_height(source)
    if cell.get("cell_type") != "code":
        return 0
    height = CODE_FRAME + CODE_LINE * len(source.splitlines())
    return height + sum(output_height(output) for output in cell.get("outputs", []))


def slide_type(cell: dict[str, Any]) -> str | None:
    """A cell's ``metadata.slideshow.slide_type``, or None where it has none."""
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type")


def slides(cells: Iterable[dict[str, Any]]) -> Iterator[list[tuple[int, dict[str, Any]]]]:
    """The cells shown on each slide (and subslide), numbered as in the notebook.

    A ``slide`` or ``subslide`` cell starts one; ``skip`` and ``notes`` cells are not shown;
    ``fragment`` and ``-`` cells join the one before, as reveal.js shows them.

    >>> cells = [{"metadata": {"slideshow": {"slide_type": t}}} for t in
    ...          ("slide", "-", "skip", "subslide", "fragment")]
    >>> [[number for number, _ in shown] for shown in slides(cells)]
    [[0, 1], [3, 4]]
    """
    current: list[tuple[int, dict[str, Any]]] = []
    for number, cell in enumerate(cells):
        kind = slide_type(cell)
        if kind in ("skip", "notes"):
            continue
        if kind in STARTS and current:
            yield current
            current = []
        current.append((number, cell))
    if current:
        yield current


def slide_height(shown: list[tuple[int, dict[str, Any]]]) -> float:
    """Pixels the cells of one slide take, with the space between them."""
    return sum(cell_height(cell) for _, cell in shown) + CELL_GAP * (len(shown) - 1)


#: How much a piece of a cell that alone is taller than a slide may be shrunk (CSS ``zoom``,
#: docs/slides/course_slides.html.j2 has one rule per step: ``.celltag_slide-zoom-80``).
ZOOMS = (90, 80, 70, 60)
#: The tag of a cell's outputs shown on the slide after its code (the code is removed there).
OUTPUTS_ONLY = "slide-outputs-only"


def _paragraphs(source: str) -> list[str]:
    """A markdown source cut at its blank lines, never inside a fenced code block.

    >>> _paragraphs("One.\\n\\n```\\na\\n\\nb\\n```\\n\\nTwo.")
    ['One.', '```\\na\\n\\nb\\n```', 'Two.']
    """
    parts, lines, fenced = [], [], False
    for line in source.splitlines():
        if line.strip().startswith("```"):
            fenced = not fenced
        if not line.strip() and not fenced:
            if lines:
                parts.append("\n".join(lines))
                lines = []
            continue
        lines.append(line)
    if lines:
        parts.append("\n".join(lines))
    return parts


def _headed_paragraphs(source: str) -> list[str]:
    """:func:`_paragraphs`, each heading kept with the paragraph after it (no slide ends on a
    heading).

    >>> _headed_paragraphs("One.\\n\\n## Two\\n\\nThree.")
    ['One.', '## Two\\n\\nThree.']
    """
    parts: list[str] = []
    heading = ""
    for paragraph in _paragraphs(source):
        if paragraph.lstrip().startswith("#") and "\n" not in paragraph.strip():
            heading = f"{heading}{paragraph}\n\n"
            continue
        parts.append(heading + paragraph)
        heading = ""
    if heading:
        parts.append(heading.rstrip())
    return parts


def _with(cell: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A copy of ``cell`` (metadata copied too) with ``changes``."""
    copy = {**cell, "metadata": {**cell.get("metadata", {})}, **changes}
    copy["metadata"]["slideshow"] = {**copy["metadata"].get("slideshow", {})}
    return copy


def _pieces(cell: dict[str, Any]) -> list[dict[str, Any]]:
    """A cell cut into pieces that each fit a slide where it can be cut.

    Markdown is cut between paragraphs, as many to a piece as fit; a code cell into its code
    and its outputs (shown without the code, tagged :data:`OUTPUTS_ONLY`).
    """
    if cell_height(cell) <= BUDGET:
        return [_with(cell)]
    if cell.get("cell_type") == "markdown":
        pieces: list[str] = []
        for paragraph in _headed_paragraphs(_text(cell.get("source", ""))):
            joined = f"{pieces[-1]}\n\n{paragraph}" if pieces else paragraph
            if pieces and markdown_height(joined) <= BUDGET:
                pieces[-1] = joined
            else:
                pieces.append(paragraph)
        return [_with(cell, source=text, id=f"{cell.get('id', 'cell')}-{number}")
                for number, text in enumerate(pieces, start=1)]
    if cell.get("cell_type") == "code" and cell.get("outputs"):
        code = _with(cell, outputs=[], id=f"{cell.get('id', 'cell')}-1")
        outputs = _with(cell, id=f"{cell.get('id', 'cell')}-2")
        outputs["metadata"]["tags"] = [*outputs["metadata"].get("tags", []), OUTPUTS_ONLY]
        return [code, outputs]
    return [_with(cell)]


def zoom_of(cell: dict[str, Any]) -> float:
    """The zoom a cell is shown at: 1, or what its ``slide-zoom-NN`` tag says."""
    for tag in cell.get("metadata", {}).get("tags", []):
        if tag.startswith("slide-zoom-"):
            return int(tag.removeprefix("slide-zoom-")) / 100
    return 1.0


def shown_height(cell: dict[str, Any]) -> float:
    """Pixels a cell takes on a slide as :func:`fitted` shows it (its code left out where it
    shows only the outputs, shrunk by its zoom)."""
    if OUTPUTS_ONLY in cell.get("metadata", {}).get("tags", []):
        height = sum(output_height(output) for output in cell.get("outputs", []))
    else:
        height = cell_height(cell)
    return height * zoom_of(cell)


def fitted(cells: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The cells as the slides show them: no slide taller than :data:`BUDGET`.

    The notebooks say where slides start (their metadata); a cell that alone is taller than a
    slide is cut where it can be (:func:`_pieces`), each further piece on a subslide of its
    own, and so is a piece or cell that no longer fits on the slide it would join; a piece
    still too tall is shrunk (a ``slide-zoom-NN`` tag, down to 60 %). The notebooks
    themselves are not changed: a learner reads each cell whole.

    >>> long = {"cell_type": "markdown", "metadata": {"slideshow": {"slide_type": "slide"}},
    ...         "source": "\\n\\n".join(["word " * 250] * 3)}
    >>> [(slide_type(cell), markdown_height(cell["source"])) for cell in fitted([long])]
    [('slide', 540), ('subslide', 260)]
    """
    result: list[dict[str, Any]] = []
    filled = 0.0  # pixels of the current slide taken so far
    for cell in cells:
        if slide_type(cell) in ("skip", "notes"):
            result.append(cell)
            continue
        for number, piece in enumerate(_pieces(cell)):
            height = shown_height(piece)
            if height > BUDGET:
                zoom = next((z for z in ZOOMS if height * z / 100 <= BUDGET), ZOOMS[-1])
                piece["metadata"]["tags"] = [*piece["metadata"].get("tags", []),
                                             f"slide-zoom-{zoom}"]
                height = shown_height(piece)
            # A piece of a cut cell, or what no longer fits beside it, opens a subslide.
            if slide_type(piece) in STARTS and not number:
                filled = 0.0
            elif number or (filled and filled + CELL_GAP + height > BUDGET):
                piece["metadata"]["slideshow"]["slide_type"] = "subslide"
                filled = 0.0
            filled += (CELL_GAP if filled else 0) + height
            result.append(piece)
    return result
