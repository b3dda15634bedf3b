"""The language switch (helpers.language): one call in the kernel, heard by every child."""

from __future__ import annotations

import multiprocessing as mp

import pytest

from helpers.checks import correct, not_yet
from helpers.language import LANGUAGE_ENV, current_language, say, use_language


@pytest.fixture(autouse=True)
def english_afterwards(monkeypatch: pytest.MonkeyPatch) -> None:
    # monkeypatch puts back, after the test, the value the variable had when it was first
    # touched: set it here, once, so that a test's use_language("zh") does not outlive it.
    monkeypatch.setenv(LANGUAGE_ENV, "en")


def test_english_is_the_default() -> None:
    assert current_language() == "en"
    assert say("Correct!", "正确！") == "Correct!"


# Not forkserver here: its server process, once started (by an earlier test in this worker),
# keeps the environment it started with; that is why the switch is a chapter's first line.
@pytest.mark.parametrize("method", ["spawn", "fork"])
def test_a_child_started_afterwards_speaks_the_same_language(method: str) -> None:
    if method not in mp.get_all_start_methods():
        pytest.skip(f"no {method} here")
    use_language("zh")
    with mp.get_context(method).Pool(1) as pool:
        assert pool.apply_async(current_language).get(timeout=60) == "zh"


def test_a_verdict_speaks_the_current_language() -> None:
    use_language("zh")
    assert repr(correct("好")) == "正确！好"
    assert repr(not_yet("再试一次", "x")).startswith("还不对：")
    use_language("en")
    assert repr(not_yet("try again", "x")) == "Not yet: try again"


def test_a_wrong_language_in_the_environment_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(LANGUAGE_ENV, "klingon")
    with pytest.raises(ValueError, match=LANGUAGE_ENV):
        current_language()
