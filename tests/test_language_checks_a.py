"""The checks of chapters 01-06 and the %%solution magic speak the learner's language (issue 12).

One cheap named wrong answer per module, judged with ``use_language("zh")``: its message is
Chinese, its hint id the same as in English. (tests/test_language_static.py reads every
sentence of every module from the source.)
"""

from __future__ import annotations

import re

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

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def english_afterwards(monkeypatch: pytest.MonkeyPatch) -> None:
    """English to start with, and the environment as it was afterwards.

    setenv records the variable's value before the test, and monkeypatch puts that back at the
    end, whatever use_language wrote in between. (A delenv *after* the test would record "zh"
    and put it back, so the next test in this worker would speak Chinese.)
    """
    monkeypatch.setenv(LANGUAGE_ENV, "en")


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
