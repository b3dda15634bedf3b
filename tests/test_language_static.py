"""Every sentence a helper shows a learner is written in both languages (issue 12), read from
the source, so that a message no test ever triggers is covered too:

* every verdict (``not_yet(...)`` / ``correct(...)``) of the checks passes ``say(en, zh)`` as
  its message, where it is made;
* every ``say`` has two non-empty texts with the same placeholders, the second in Chinese and
  with full-width punctuation next to Chinese characters.

tests/test_language_checks_a.py and _b.py judge one named wrong answer per check in Chinese.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: The exercise checks: every verdict they make is said in both languages.
CHECK_MODULES = sorted(
    str(path.relative_to(ROOT)) for path in (ROOT / "helpers" / "checks").glob("*.py")
    if path.name not in ("__init__.py", "recording.py")
)
#: Helpers outside helpers/checks that say something to a learner.
HELPER_MODULES = [
    "helpers/own_modules.py",
    "helpers/sharing.py",
    "helpers/solutions.py",
    "helpers/stopping.py",
    "helpers/system.py",
    "helpers/timing.py",
    "helpers/workers.py",
]
MODULES = CHECK_MODULES + HELPER_MODULES

#: Chinese characters, or Chinese (full-width) punctuation: a piece of a sentence may be a
#: separator alone (locks: say(", ", "，")).
CHINESE = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")


# --- static: every sentence in say(en, zh) -----------------------------------------------------


def _tree(module: str) -> ast.Module:
    return ast.parse((ROOT / module).read_text(encoding="utf-8"), filename=module)


def _is_say(node: ast.AST) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == "say")


def _message_argument(call: ast.Call) -> ast.expr | None:
    if call.args:
        return call.args[0]
    return next((k.value for k in call.keywords if k.arg == "message"), None)


def _verdict_calls(tree: ast.Module) -> list[ast.Call]:
    return [node for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id in ("not_yet", "correct")]


def _module_constants(tree: ast.Module) -> dict[str, ast.expr]:
    """The module-level ``NAME = <expression>`` assignments."""
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                found[target.id] = node.value
    return found


def _text(node: ast.expr, constants: dict[str, ast.expr]) -> ast.expr | None:
    """``node`` if it is a text the test can read, a module constant's value for its name;
    else None. A text: a string, an f-string, a slice of one, or one with more added on."""
    if isinstance(node, ast.Name) and node.id in constants:
        return _text(constants[node.id], constants)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node
    if isinstance(node, ast.JoinedStr):
        return node
    if isinstance(node, ast.Subscript):
        return node if _text(node.value, constants) is not None else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return node if _text(node.left, constants) is not None else None
    return None


def _non_empty(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return bool(node.value.strip())
    if isinstance(node, ast.JoinedStr):
        return bool(node.values)
    if isinstance(node, ast.Subscript):
        return _non_empty(node.value)
    return _non_empty(node.left)  # a BinOp


def placeholders(node: ast.expr) -> set[str]:
    """What a text fills in: each f-string field (its expression, conversion and format) and
    each ``{name}`` of a plain string (a ``str.format`` template); nested ``say`` included."""
    found = set()
    in_fstring = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.JoinedStr):
            for value in sub.values:
                in_fstring.add(id(value))
                if isinstance(value, ast.FormattedValue):
                    spec = ast.unparse(value.format_spec) if value.format_spec else ""
                    found.add(f"{ast.unparse(value.value)}!{value.conversion}:{spec}")
    for sub in ast.walk(node):
        if (isinstance(sub, ast.Constant) and isinstance(sub.value, str)
                and id(sub) not in in_fstring):
            found |= {f"{{{name}}}" for name in re.findall(r"\{([A-Za-z_]\w*)\}", sub.value)}
    return found


def _unshown(call: ast.Call) -> bool:
    """``correct("")``: a pass between two stages of a check, never shown to a learner."""
    message = _message_argument(call)
    return (call.func.id == "correct" and isinstance(message, ast.Constant)
            and message.value == "")


@pytest.mark.parametrize("module", CHECK_MODULES)
def test_every_verdict_sentence_is_said_in_both_languages(module: str) -> None:
    tree = _tree(module)
    calls = _verdict_calls(tree)
    assert calls, f"{module} makes no verdict"
    unsaid = [f"{module}:{call.lineno}" for call in calls
              if not _is_say(_message_argument(call)) and not _unshown(call)]
    assert not unsaid, f"not_yet/correct without say(en, zh): {unsaid}"
    # The one unshown verdict: check_render_shared's pass between its two stages (chapter 10).
    unshown = [call.lineno for call in calls if _unshown(call)]
    assert not unshown or module.endswith("fractal.py"), f"{module}: correct('') at {unshown}"


@pytest.mark.parametrize("module", MODULES)
def test_every_say_has_two_texts_with_the_same_placeholders(module: str) -> None:
    tree = _tree(module)
    constants = _module_constants(tree)
    says = [node for node in ast.walk(tree) if _is_say(node)]
    assert says, f"{module} says nothing in Chinese"
    for call in says:
        where = f"{module}:{call.lineno}"
        assert len(call.args) == 2 and not call.keywords, f"{where}: say(en, zh) takes two texts"
        en, zh = (_text(arg, constants) for arg in call.args)
        assert en is not None and zh is not None, f"{where}: say's arguments must be texts"
        assert _non_empty(en) and _non_empty(zh), f"{where}: an empty text"
        assert placeholders(en) == placeholders(zh), (
            f"{where}: the placeholders differ: {placeholders(en)} vs {placeholders(zh)}"
        )
        assert ast.unparse(en) != ast.unparse(zh), f"{where}: the Chinese is the English"
        assert CHINESE.search(ast.unparse(zh)), f"{where}: the second text is not Chinese"


def test_the_placeholder_comparison_sees_a_difference() -> None:
    en = ast.parse('f"worker {index} ended with exit code {code}"', mode="eval").body
    zh = ast.parse('f"工作进程 {index} 以退出码 {code!r} 结束"', mode="eval").body
    assert placeholders(en) != placeholders(zh)


@pytest.mark.parametrize("module", MODULES)
def test_the_chinese_uses_full_width_punctuation(module: str) -> None:
    """No half-width , ; : ? ! ( ) next to a Chinese character in the Chinese texts."""
    tree = _tree(module)
    half_width = re.compile(r"[\u4e00-\u9fff][,;:?!()]|[,;:?!()][\u4e00-\u9fff]")
    for call in (node for node in ast.walk(tree) if _is_say(node)):
        for sub in ast.walk(call.args[1]):
            if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                assert not half_width.search(sub.value), f"{module}:{call.lineno}: {sub.value!r}"
