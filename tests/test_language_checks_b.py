"""The checks of chapters 07-10 and the helpers' own messages speak the learner's language.

For each check module, one cheap named wrong answer judged in Chinese: the message is Chinese,
the hint id is the English one the check's own tests expect; and each converted helper in both
languages (issue 12). tests/test_language_static.py reads every sentence from the source.
"""

from __future__ import annotations

import os
import re

import pytest

from helpers.language import LANGUAGE_ENV, use_language

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def english_afterwards(monkeypatch: pytest.MonkeyPatch) -> None:
    # setenv records the value before the test, which monkeypatch puts back afterwards.
    monkeypatch.setenv(LANGUAGE_ENV, "en")


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


def test_english_stays_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    from helpers.checks.fractal import check_best_chunk

    monkeypatch.delenv(LANGUAGE_ENV)
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
