"""Plain-words verdicts on the learner's answers to the exercises.

Every check returns a :class:`Verdict`; a notebook cell that ends with a check shows its
message, in the learner's language (:mod:`helpers.language`: "Correct!" or "正确！"). A verdict
also carries a ``hint``: a short, stable id of *what* was judged (``"ok"``,
``"one-at-a-time"``, ``"separate-locks"``, ``"work-in-parent"``, ...). Tests read
``verdict.ok`` and ``verdict.hint``, never the message.

Importing this package inside IPython also registers the ``%%solution`` cell magic
(:mod:`helpers.solutions`): every exercise imports its check before its solution cell.
"""

from __future__ import annotations

from dataclasses import dataclass

from helpers.language import say

__all__ = ["Verdict", "correct", "not_yet"]


@dataclass(frozen=True)
class Verdict:
    """The outcome of a check: ``ok``, a message for the learner, and a ``hint`` id."""

    ok: bool
    message: str
    hint: str = ""

    def __post_init__(self) -> None:
        if not self.hint:
            object.__setattr__(self, "hint", "ok" if self.ok else "not-yet")

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        if self.ok:
            return say("Correct! ", "正确！") + self.message
        return say("Not yet: ", "还不对：") + self.message


def correct(message: str, hint: str = "ok") -> Verdict:
    """A passing verdict.

    >>> correct("well done").hint
    'ok'
    """
    return Verdict(True, message, hint)


def not_yet(message: str, hint: str = "not-yet") -> Verdict:
    """A failing verdict; ``message`` says what to change, ``hint`` names the mistake.

    >>> not_yet("start every worker before joining any", "one-at-a-time")
    Not yet: start every worker before joining any
    """
    return Verdict(False, message, hint)


def _register_solution_magic() -> None:
    try:
        from helpers.solutions import register
    except ImportError:  # pragma: no cover (IPython is always there in the course)
        return
    register()


_register_solution_magic()
