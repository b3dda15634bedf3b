"""Plain-words verdicts on the learner's answers to the exercises.

Every check returns a :class:`Verdict`; a notebook cell that ends with a check shows its
message. Tests read ``verdict.ok``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Verdict", "correct", "not_yet"]


@dataclass(frozen=True)
class Verdict:
    """The outcome of a check: ``ok`` and a message for the learner."""

    ok: bool
    message: str

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        return ("Correct! " if self.ok else "Not yet: ") + self.message


def correct(message: str) -> Verdict:
    """A passing verdict."""
    return Verdict(True, message)


def not_yet(message: str) -> Verdict:
    """A failing verdict; ``message`` says what to change."""
    return Verdict(False, message)
