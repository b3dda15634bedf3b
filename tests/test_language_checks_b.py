"""The checks of chapters 07-10 and the helpers' own messages speak the learner's language.

Two kinds of test (issue 12):

* a static one: every ``not_yet(...)`` / ``correct(...)`` in these modules passes ``say(...)``
  as its message, and every ``say(en, zh)`` has two non-empty sentences with the same
  ``{...}`` placeholders (read from the source, so a message never shown in a test is covered);
* for each check module, one cheap named wrong answer judged in Chinese: the message is
  Chinese, the hint id is the English one the check's own tests expect.
"""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import pytest

from helpers.language import LANGUAGE_ENV, use_language

ROOT = Path(__file__).resolve().parents[1]

#: The modules whose verdicts and messages this test file owns.
CHECK_MODULES = [
    "helpers/checks/own_modules.py",
    "helpers/checks/porting.py",
    "helpers/checks/failures.py",
    "helpers/checks/waiting.py",
    "helpers/checks/dask_tools.py",
    "helpers/checks/fractal.py",
]
#: Helpers outside helpers/checks whose learner-visible messages were converted.
HELPER_MODULES = [
    "helpers/own_modules.py",
    "helpers/sharing.py",
    "helpers/stopping.py",
    "helpers/system.py",
    "helpers/timing.py",
    "helpers/workers.py",
]
MODULES = CHECK_MODULES + HELPER_MODULES

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def english_afterwards(monkeypatch: pytest.MonkeyPatch):
    # Not monkeypatch.delenv after the test: it would record the test's "zh" and restore it.
    monkeypatch.delenv(LANGUAGE_ENV, raising=False)
    yield
    os.environ.pop(LANGUAGE_ENV, None)


# --- static: every verdict's message is a say(en, zh) -----------------------------------------


def _tree(path: str) -> ast.Module:
    return ast.parse((ROOT / path).read_text(encoding="utf-8"), filename=path)


def _is_say(node: ast.AST) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == "say")


def _placeholders(node: ast.expr) -> set[str] | None:
    """The ``{...}`` of a sentence (expression, conversion, format spec), or None if the
    sentence is not a string literal or is empty."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return set() if node.value else None
    if isinstance(node, ast.JoinedStr) and node.values:
        found = set()
        for part in node.values:
            if isinstance(part, ast.FormattedValue):
                spec = ast.unparse(part.format_spec) if part.format_spec else ""
                found.add(f"{ast.unparse(part.value)}!{part.conversion}:{spec}")
        return found
    return None


def _verdict_calls(tree: ast.Module) -> list[ast.Call]:
    return [node for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id in ("not_yet", "correct")]


@pytest.mark.parametrize("path", CHECK_MODULES)
def test_every_verdict_message_is_said_in_both_languages(path: str) -> None:
    calls = _verdict_calls(_tree(path))
    assert calls, f"{path} makes no verdict"
    for call in calls:
        message = call.args[0] if call.args else next(
            (k.value for k in call.keywords if k.arg == "message"), None)
        # The one exception: fractal's correct(""), a pass between two stages of a check
        # that is never shown (check_render_shared goes on to a second stage).
        if isinstance(message, ast.Constant) and message.value == "" and call.func.id == "correct":
            assert path.endswith("fractal.py"), f"{path}:{call.lineno}: an empty verdict"
            continue
        assert message is not None and _is_say(message), (
            f"{path}:{call.lineno}: {call.func.id}(...) without say(en, zh) as its message")


@pytest.mark.parametrize("path", MODULES)
def test_every_say_has_two_sentences_with_the_same_placeholders(path: str) -> None:
    calls = [node for node in ast.walk(_tree(path)) if _is_say(node)]
    assert calls, f"{path} says nothing"
    for call in calls:
        assert len(call.args) == 2 and not call.keywords, f"{path}:{call.lineno}: say(en, zh)"
        en, zh = (_placeholders(arg) for arg in call.args)
        assert en is not None and zh is not None, (
            f"{path}:{call.lineno}: both sentences must be non-empty string literals")
        assert en == zh, f"{path}:{call.lineno}: placeholders {sorted(en)} != {sorted(zh)}"
        zh_text = ast.unparse(call.args[1])
        assert CHINESE.search(zh_text), f"{path}:{call.lineno}: the second sentence is not Chinese"


# --- one wrong answer per check module, judged in Chinese --------------------------------------


def _in_chinese(verdict, hint: str) -> None:
    assert not verdict.ok
    assert verdict.hint == hint
    assert CHINESE.search(verdict.message), verdict.message
    assert repr(verdict).startswith("还不对：")


def test_own_modules_names_a_lambda_in_chinese() -> None:
    from helpers.checks.own_modules import check_own_module

    use_language("zh")
    _in_chinese(check_own_module(lambda task, numbers: [], lambda x: x ** 3), "lambda")


def test_own_modules_pairs_in_chinese() -> None:
    from helpers.checks.own_modules import CUBE_INPUTS, _pairs

    use_language("zh")
    verdict = _pairs(42, CUBE_INPUTS)
    _in_chinese(verdict, "wrong-shape")
    assert "由二元组 (os.getpid(), x ** 3) 组成的列表" in verdict.message
    use_language("en")
    assert "a list of pairs (os.getpid(), x ** 3)" in _pairs(42, CUBE_INPUTS).message


def ported_in_the_parent(context, numbers, scale):
    from helpers.porting import scaled_report

    return [scaled_report(x) for x in numbers]


def test_porting_names_work_in_the_parent_in_chinese() -> None:
    from helpers.checks.porting import check_port

    use_language("zh")
    _in_chinese(check_port(ported_in_the_parent), "work-in-parent")


def test_failures_names_the_wrong_wait_in_chinese() -> None:
    from helpers.checks.failures import check_answers

    use_language("zh")
    verdict = check_answers({"worker": "outbox.put", "parent": "worker.join",
                             "fix": "put the sentinel"})
    _in_chinese(verdict, "wrong-worker-wait")


def ask_many_not_async(address, n):
    return [b"pong"] * n


def test_waiting_names_a_plain_function_in_chinese() -> None:
    from helpers.checks.waiting import check_ask_many

    use_language("zh")
    _in_chinese(check_ask_many(ask_many_not_async), "not-async")


def test_dask_tools_names_work_in_the_client_in_chinese() -> None:
    from helpers.checks.dask_tools import NUMBERS, DaskCalls, _judge_calls

    use_language("zh")
    verdict = _judge_calls(DaskCalls(), [x * x for x in NUMBERS], NUMBERS, "squares_on_cluster")
    _in_chinese(verdict, "work-in-client")


def test_dask_tools_names_an_untimed_wait_in_chinese() -> None:
    from helpers.checks.dask_tools import DaskCalls

    calls = DaskCalls(events=[("submit", 8), ("as_completed", None)])
    use_language("zh")
    assert calls.waited_without_timeout() == "不带超时的 as_completed(futures)"
    use_language("en")
    assert calls.waited_without_timeout() == "as_completed(futures) without a timeout"


def test_fractal_names_min_of_keys_in_chinese() -> None:
    from helpers.checks.fractal import check_best_chunk

    use_language("zh")
    _in_chinese(check_best_chunk({1: 1.0, 2: 0.5, 4: 0.8}, 1), "min-of-keys")


def test_a_right_answer_says_correct_in_chinese() -> None:
    from helpers.checks.fractal import check_best_chunk

    use_language("zh")
    verdict = check_best_chunk({1: 1.0, 2: 0.5, 4: 0.8}, 2)
    assert verdict.ok and verdict.hint == "ok"
    assert repr(verdict) == "正确！best_rows 是你测得的用时最短的大小。"


def test_english_stays_the_default() -> None:
    from helpers.checks.fractal import check_best_chunk

    assert os.environ.get(LANGUAGE_ENV) is None
    verdict = check_best_chunk({1: 1.0, 2: 0.5, 4: 0.8}, 1)
    assert verdict.message.startswith("min(times) gives the smallest *key*")


# --- the helpers' own sentences --------------------------------------------------------------


def test_writemodule_says_what_it_wrote_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    from helpers.own_modules import module_folder, writemodule

    use_language("zh")
    try:
        writemodule("zh_said_module", "X = 1\n")
    finally:
        (module_folder() / "zh_said_module.py").unlink(missing_ok=True)
    assert capsys.readouterr().out == ("已写入 zh_said_module.py（1 行），"
                                       "位于这个内核的模块文件夹中\n")


def test_write_to_global_value_says_it_found_none_in_chinese(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from helpers import sharing

    monkeypatch.setattr(sharing, "global_value", None)
    use_language("zh")
    assert sharing.write_to_global_value(5) == ("没有找到共享的 Value："
                                                "在这个进程里 global_value 是 None")


def test_describe_machine_in_chinese() -> None:
    from helpers.system import describe_machine

    use_language("zh")
    text = describe_machine()
    for label in ("逻辑 CPU：", "物理核心：", "本进程可用：", "CPU 配额（cgroup）：",
                  "Pool() 启动的工作进程数：", "可用的启动方式：", "GIL 已启用："):
        assert label in text
    assert "logical CPUs" not in text


def test_a_timing_and_a_job_in_chinese() -> None:
    from helpers.timing import Timing
    from helpers.workers import job

    use_language("zh")
    assert str(Timing((0.010, 0.012, 0.011))) == "11 ms（3 次的中位数，波动 18%）"
    assert job(1, 2) == "一个任务：a=1，d=2"
    use_language("en")
    assert str(Timing((0.010, 0.012, 0.011))) == "11 ms (median of 3, spread 18%)"
    assert job(1, 2) == "a job with a=1 and d=2"


def test_where_waiting_in_chinese() -> None:
    from helpers.stopping import where_waiting

    dump = ("Thread 0x01 (most recent call first):\n"
            '  File "/x/multiprocessing/queues.py", line 113 in get\n'
            '  File "/y/helpers/stopping.py", line 50 in consume\n'
            "Thread 0x02 (most recent call first):\n"
            '  File "/y/helpers/stopping.py", line 60 in consume\n')
    use_language("zh")
    assert where_waiting(dump) == ["stopping.py: consume，正在等待 queues.py: get",
                                   "stopping.py: consume，没有在等待（它正在运行）"]
    use_language("en")
    assert where_waiting(dump) == ["stopping.py: consume, waiting in queues.py: get",
                                   "stopping.py: consume, waiting in nothing (it was running)"]
