"""The checks of chapters 01-06 and the %%solution magic speak the learner's language (issue 12).

Two kinds of test:

* static (AST): every verdict's sentence in these modules is written with ``say(en, zh)``
  where it is made, and every ``say`` has two non-empty texts with the same placeholders;
* one cheap named wrong answer per module, judged with ``use_language("zh")``: its message is
  Chinese, its hint id the same as in English.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

from helpers.checks import Verdict
from helpers.checks.benchmark import WORKLOADS, check_workloads
from helpers.checks.locks import CYCLE_ORDERS, check_lock_orders
from helpers.checks.pools import check_square_all
from helpers.checks.processes import check_classified
from helpers.checks.queues import check_ordered_sums
from helpers.checks.sharing import TYPECODE_TASKS, check_typecodes
from helpers.language import LANGUAGE_ENV, use_language
from helpers.locks import LockReport
from helpers.solutions import NOT_RUN, NOT_RUN_ZH, RUN_ENV, register

ROOT = Path(__file__).resolve().parent.parent

#: The modules this test covers (the other checks are covered by their own test file).
MODULES = [
    "helpers/checks/processes.py",
    "helpers/checks/queues.py",
    "helpers/checks/benchmark.py",
    "helpers/checks/pools.py",
    "helpers/checks/sharing.py",
    "helpers/checks/locks.py",
    "helpers/solutions.py",
]

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def english_afterwards(monkeypatch: pytest.MonkeyPatch) -> None:
    """English to start with, and the environment as it was afterwards.

    setenv records the variable's value before the test, and monkeypatch puts that back at the
    end, whatever use_language wrote in between. (A delenv *after* the test would record "zh"
    and put it back, so the next test in this worker would speak Chinese.)
    """
    monkeypatch.setenv(LANGUAGE_ENV, "en")


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


@pytest.mark.parametrize("module", MODULES)
def test_every_verdict_sentence_is_said_in_both_languages(module: str) -> None:
    tree = _tree(module)
    unsaid = [f"{module}:{call.lineno}" for call in _verdict_calls(tree)
              if not _is_say(_message_argument(call))]
    assert not unsaid, f"not_yet/correct without say(en, zh): {unsaid}"


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


# --- one named wrong answer per module, judged in Chinese ---------------------------------------


def _both(judge) -> tuple[Verdict, Verdict]:
    """The verdict of ``judge()`` in English, then in Chinese."""
    use_language("en")
    english = judge()
    use_language("zh")
    chinese = judge()
    return english, chinese


def _says_it_in_chinese(english: Verdict, chinese: Verdict, hint: str) -> None:
    assert not english.ok and not chinese.ok
    assert english.hint == chinese.hint == hint
    assert not CHINESE.search(english.message), english.message
    assert CHINESE.search(chinese.message), chinese.message
    assert repr(chinese).startswith("还不对：")


def test_processes_in_chinese() -> None:
    english, chinese = _both(lambda: check_classified({}))
    _says_it_in_chinese(english, chinese, "missing")
    assert "threading.Thread" in chinese.message  # the names stay as Python spells them


def test_queues_in_chinese() -> None:
    english, chinese = _both(lambda: check_ordered_sums(42))
    _says_it_in_chinese(english, chinese, "not-a-function")


def test_benchmark_in_chinese() -> None:
    english, chinese = _both(lambda: check_workloads(dict.fromkeys(WORKLOADS, "processes")))
    _says_it_in_chinese(english, chinese, "all-processes")


def test_pools_in_chinese() -> None:
    def squares_here(pool, numbers):
        return [n * n for n in numbers]

    english, chinese = _both(lambda: check_square_all(squares_here))
    _says_it_in_chinese(english, chinese, "work-in-parent")


def test_sharing_in_chinese() -> None:
    answers = dict.fromkeys(TYPECODE_TASKS, "q")  # 8 bytes: more than all but one need
    english, chinese = _both(lambda: check_typecodes(answers))
    _says_it_in_chinese(english, chinese, "too-big")
    assert english.message.endswith("(3 more to fix)")  # a message built in pieces
    assert chinese.message.endswith("（还有 3 处要改）")


def test_locks_in_chinese() -> None:
    reports = [LockReport(worker, order, True) for worker, order in CYCLE_ORDERS.items()]
    english, chinese = _both(lambda: check_lock_orders(CYCLE_ORDERS, reports))
    _says_it_in_chinese(english, chinese, "circle")
    assert "worker 1 takes A before B" in english.message
    assert "worker 1 先取 A 再取 B" in chinese.message  # the circle's steps, in pieces


def test_a_solution_not_run_says_so_in_chinese(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(RUN_ENV, raising=False)
    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    shell = InteractiveShell.instance(config=config)
    assert register(shell)
    use_language("zh")
    shell.run_cell("%%solution\nanswer = 42\n")
    out = capsys.readouterr().out
    assert NOT_RUN_ZH in out and NOT_RUN not in out
    use_language("en")
    shell.run_cell("%%solution\nanswer = 42\n")
    assert NOT_RUN in capsys.readouterr().out
