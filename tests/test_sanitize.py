"""notebooks/sanitize.cfg masks what truly varies, in both editions' words.

nbval compares every stored output after both sides went through the file's regex/replace
pairs. A machine-dependent figure left unmasked passes here (a 2-core Linux machine made the
stored outputs) and fails on any other machine; the Chinese edition says the same things in
other words, and `\\b` does not match between a Chinese character and a digit.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SANITIZE = ROOT / "notebooks" / "sanitize.cfg"


def sanitize_pairs() -> list[tuple[re.Pattern[str], str]]:
    """The regex/replace pairs, read as nbval reads them."""
    lines = [line.rstrip("\n") for line in SANITIZE.read_text(encoding="utf-8").splitlines()]
    pairs = []
    for number, line in enumerate(lines):
        if line.startswith("regex: "):
            replace = lines[number + 1]
            assert replace.startswith("replace: "), f"line {number + 2} must be a replace: line"
            pairs.append((re.compile(line[len("regex: "):]), replace[len("replace: "):]))
    return pairs


def sanitized(text: str) -> str:
    for pattern, replace in sanitize_pairs():
        text = pattern.sub(replace, text)
    return text


def stored_output(edition: str, chapter: str, cell_id: str) -> str:
    folder = ROOT / "notebooks" / ("zh" if edition == "zh" else "")
    notebook = json.loads((folder / f"{chapter}.ipynb").read_text(encoding="utf-8"))
    cell = next(cell for cell in notebook["cells"] if cell.get("id") == cell_id)
    return "".join("".join(output.get("text", "")) for output in cell["outputs"])


def another_machine(text: str) -> str:
    """The same report from an 8-core Mac with a CPU quota and Python 3.13."""
    text = re.sub(r"Python 3\.\d+\.\d+", "Python 3.13.1", text)
    text = text.replace("Linux", "Darwin").replace("x86_64", "arm64")
    text = re.sub(r"(?<=[:：])(\s*)2\b", r"\g<1>8", text)
    return text.replace(": none", ": 1.5").replace("：无", "：1.5")


@pytest.mark.parametrize("edition", ["en", "zh"])
def test_the_machine_report_of_another_machine_compares_equal(edition: str) -> None:
    stored = stored_output(edition, "00_introduction", "c04")
    other = another_machine(stored)
    assert other != stored and other.count("8") >= 4  # the counts did change
    assert sanitized(other) == sanitized(stored), (sanitized(stored), sanitized(other))


def test_a_number_right_after_a_chinese_character_is_masked() -> None:
    # "加速比1.93x": no word boundary between 比 and 1 (both are word characters).
    assert sanitized("加速比1.93x，用时0.52 s") == sanitized("加速比2.05x，用时0.61 s")
