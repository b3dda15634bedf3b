"""Checks for the exercises of chapter 03 (the benchmark)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from numbers import Real

from helpers.checks import Verdict, correct, not_yet
from helpers.timing import amdahl_speedup

#: The (n, parts) cases a learner's split function must handle in exercise 1.
SPLIT_CASES = ((10, 3), (12, 4), (5_000_000, 2), (7, 7), (3, 5), (0, 2))

#: Exercise 2: jobs to sort into "threads" (they mostly wait) or "processes" (pure-Python CPU).
WORKLOADS = {
    "download 200 web pages": "threads",
    "sum i + i**2 over 10**8 numbers in a Python loop": "processes",
    "wait for 50 answers from a database server": "threads",
    "run a pure-Python simulation for 8 parameter sets": "processes",
    "read 100 small files from a network drive": "threads",
    "find the primes below 10**7 with a Python loop": "processes",
}

#: Exercise 3: the serial fraction of the program in the question.
AMDAHL_FRACTION = 0.05


def _describe(value: object) -> str:
    return f"{type(value).__name__} {value!r}"[:80]


def check_split(split: Callable[[int, int], object]) -> Verdict:
    """Exercise 1: ``split(n, parts)`` must cut ``range(n)`` into ``parts`` fair chunks.

    Fair: ``parts`` consecutive ``(start, stop)`` pairs from 0 to ``n``, every number in exactly
    one chunk, and chunk lengths that differ by at most one.
    """
    if not callable(split):
        return not_yet(
            f"pass your function itself, e.g. check_split(my_split), not {_describe(split)}"
        )
    for n, parts in SPLIT_CASES:
        case = f"my_split({n}, {parts})"
        try:
            chunks = split(n, parts)
        except Exception as error:  # the learner's code may fail in any way
            return not_yet(f"{case} raised {type(error).__name__}: {error}")
        if not isinstance(chunks, list | tuple):
            return not_yet(
                f"{case} should return a list of (start, stop) pairs, got {_describe(chunks)}"
            )
        if len(chunks) != parts:
            return not_yet(f"{case} returned {len(chunks)} chunks; one per worker means {parts}")
        if not all(isinstance(c, tuple | list) and len(c) == 2 for c in chunks):
            return not_yet(f"{case}: every chunk should be a (start, stop) pair")
        if not all(isinstance(x, int) for c in chunks for x in c):
            return not_yet(f"{case}: starts and stops should be ints (use // not /)")
        if chunks[0][0] != 0 or chunks[-1][1] != n:
            return not_yet(f"{case} should start at 0 and end at {n}, got {list(chunks)}"[:160])
        for (_, stop), (start, _) in zip(chunks, chunks[1:], strict=False):
            if start != stop:
                return not_yet(
                    f"{case}: each chunk must start where the previous one stopped "
                    "(no gap, no overlap)"
                )
        lengths = [stop - start for start, stop in chunks]
        if min(lengths) < 0:
            return not_yet(f"{case}: a chunk has stop < start")
        if max(lengths) - min(lengths) > 1:
            return not_yet(
                f"{case} gives chunk lengths {sorted(set(lengths))}: the slowest worker decides "
                "the time, so spread the remainder n % parts one by one over the first chunks"
            )
    return correct(
        f"all {len(SPLIT_CASES)} cases are fair: every number in exactly one chunk, "
        "lengths within one of each other."
    )


def check_workloads(answers: Mapping[str, str]) -> Verdict:
    """Exercise 2: ``answers`` maps each job in :data:`WORKLOADS` to "threads" or "processes"."""
    if not isinstance(answers, Mapping):
        return not_yet(
            f"answers should be a dict of job -> 'threads' or 'processes', not {_describe(answers)}"
        )
    missing = [job for job in WORKLOADS if job not in answers]
    if missing:
        return not_yet(f"answer every job; missing: {missing[0]!r} and {len(missing) - 1} more")
    invalid = [job for job in WORKLOADS if answers[job] not in ("threads", "processes")]
    if invalid:
        return not_yet(f"answer 'threads' or 'processes' for {invalid[0]!r}")
    wrong = [job for job in WORKLOADS if answers[job] != WORKLOADS[job]]
    if wrong:
        return not_yet(
            f"{len(wrong)} of {len(WORKLOADS)} are not the best choice, e.g. {wrong[0]!r}: "
            "does that job spend its time computing in Python, or waiting for something?"
        )
    return correct(
        "waiting jobs release the GIL, so threads overlap them cheaply; pure-Python "
        "computing holds the GIL, so only processes (or a free-threaded Python) run it in parallel."
    )


def _close(value: object, truth: float, tolerance: float = 0.01) -> bool:
    return (
        isinstance(value, Real)
        and not isinstance(value, bool)
        and math.isclose(float(value), truth, rel_tol=tolerance)
    )


def check_amdahl(on_2: float, on_8: float, limit: float) -> Verdict:
    """Exercise 3: speed-ups for :data:`AMDAHL_FRACTION` on 2 and 8 cores, and the limit."""
    f = AMDAHL_FRACTION
    for name, value in (("on_2", on_2), ("on_8", on_8), ("limit", limit)):
        if value is None:
            return not_yet(f"{name} is still None: compute it")
        if not isinstance(value, Real) or isinstance(value, bool):
            return not_yet(f"{name} should be a number, got {_describe(value)}")
    if not _close(on_2, amdahl_speedup(f, 2)):
        return not_yet(
            "on_2 is off: with n workers the parallel part takes (1 - f) / n of the serial time, "
            "the serial part still takes f; the speed-up is 1 / (f + (1 - f) / n)"
        )
    if not _close(on_8, amdahl_speedup(f, 8)):
        return not_yet("on_2 is right but on_8 is off: the same formula, with n = 8")
    if not _close(limit, 1 / f):
        return not_yet(
            "the limit is off: with very many workers (1 - f) / n goes to 0; what is left?"
        )
    return correct(
        f"{on_2:.2f}x, {on_8:.2f}x and at most {limit:.0f}x: 8 cores give only "
        f"{on_8 / 8:.0%} efficiency when {f:.0%} of the work is serial."
    )
