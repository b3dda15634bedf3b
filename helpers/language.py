"""The language a learner reads the course's messages in: English, or Chinese (中文).

The two editions of the course run the same code. What differs is one switch, the first line
of each chapter's first code cell: ``use_language("en")`` or ``use_language("zh")``. It sets
the environment variable :data:`LANGUAGE_ENV`, so that every process the kernel starts
afterwards (a ``spawn`` child, a script, a Dask worker) speaks the same language. It comes
first because of ``forkserver``: its server process, once started, keeps the environment it
started with, and every child forks from it.

Every sentence a helper shows a learner is written in both languages where it is made, with
:func:`say`::

    not_yet(say(f"worker {i} was not joined", f"工作进程 {i} 没有被 join"), "not-joined")

so the logic stays in one place and the translation sits next to the text it translates.
Hint ids (``"not-joined"``) stay English: tests read them, not the sentences.
"""

from __future__ import annotations

import os

__all__ = ["LANGUAGES", "LANGUAGE_ENV", "current_language", "say", "use_language"]

#: The languages of the course: English and simplified Chinese.
LANGUAGES = ("en", "zh")
#: The environment variable that holds the language (inherited by every child process).
LANGUAGE_ENV = "COURSE_LANGUAGE"


def _require_language(name: str, value: object) -> str:
    if not isinstance(value, str) or value not in LANGUAGES:
        raise ValueError(f"{name} must be one of {LANGUAGES}, got {value!r}")
    return value


def use_language(language: str) -> None:
    """Make the course's helpers speak ``language`` here and in every process started later.

    >>> use_language("zh"); current_language()
    'zh'
    >>> use_language("en"); current_language()
    'en'
    >>> use_language("fr")
    Traceback (most recent call last):
    ValueError: language must be one of ('en', 'zh'), got 'fr'
    """
    os.environ[LANGUAGE_ENV] = _require_language("language", language)


def current_language() -> str:
    """The language set by :func:`use_language` (or the environment); English by default."""
    value = os.environ.get(LANGUAGE_ENV, "") or "en"
    return _require_language(f"the environment variable {LANGUAGE_ENV}", value)


def say(en: str, zh: str) -> str:
    """The sentence in the current language: ``en`` in English, ``zh`` in Chinese.

    >>> use_language("zh"); say("Correct!", "正确！")
    '正确！'
    >>> use_language("en"); say("Correct!", "正确！")
    'Correct!'
    """
    if not isinstance(en, str) or not isinstance(zh, str):
        raise TypeError(f"en and zh must both be str, got {type(en).__name__}, "
                        f"{type(zh).__name__}")
    return zh if current_language() == "zh" else en
