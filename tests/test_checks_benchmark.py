"""helpers.checks.benchmark: the chapter 03 checks reject the wrong answers learners give, each
with its own hint, and accept every right answer."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from helpers.benchmark import split_range
from helpers.checks.benchmark import (
    AMDAHL_FRACTION,
    WORKLOADS,
    check_amdahl,
    check_split,
    check_workloads,
)

F = AMDAHL_FRACTION

# --- exercise 1: my_split ------------------------------------------------------------------------


def skeleton(n, parts):
    return []


def forgot_return(n, parts):
    [(k, k) for k in range(parts)]


def generator(n, parts):
    return ((k * n // parts, (k + 1) * n // parts) for k in range(parts))


def floats(n, parts):
    return [(k * n / parts, (k + 1) * n / parts) for k in range(parts)]


def numpy_floats(n, parts):
    bounds = np.linspace(0, n, parts + 1)
    return list(zip(bounds[:-1], bounds[1:], strict=True))


def drops_remainder(n, parts):
    size = n // parts
    return [(k * size, (k + 1) * size) for k in range(parts)]


def remainder_in_last_chunk(n, parts):
    size = n // parts
    return [(k * size, n if k == parts - 1 else (k + 1) * size) for k in range(parts)]


def inclusive_stops(n, parts):  # (first, last) instead of (start, stop)
    return [(start, stop - 1) for start, stop in split_range(n, parts)]


def overlapping(n, parts):  # stop + 1, "so the last number is included"
    return [(start, min(n, stop + 1)) for start, stop in split_range(n, parts)]


def step_by_size(n, parts):  # range(0, n, size): one chunk too many when n % parts != 0
    size = max(1, n // parts)
    return [(start, min(n, start + size)) for start in range(0, n, size)] or [(0, 0)] * parts


def one_chunk_per_number(n, parts):
    return [(i, i + 1) for i in range(n)]


def array_split(n, parts):
    return np.array_split(np.arange(n), parts)


def ranges(n, parts):
    return [range(start, stop) for start, stop in split_range(n, parts)]


def starts_only(n, parts):
    return [start for start, _ in split_range(n, parts)]


def string_bounds(n, parts):
    return [(str(start), str(stop)) for start, stop in split_range(n, parts)]


def bool_bounds(n, parts):
    return [(False, True)] * parts


def reversed_pairs(n, parts):
    return [(stop, start) for start, stop in split_range(n, parts)]


def ceil_size_past_n(n, parts):  # chunks of ceil(n / parts) run past n
    size = -(-n // parts)
    return [(k * size, (k + 1) * size) for k in range(parts)]


def crashes(n, parts):
    return n / 0


def lopsided(n, parts):  # the first chunk takes everything left over by rounding up
    size = -(-n // parts)  # ceil
    bounds = [min(n, k * size) for k in range(parts)] + [n]
    return list(zip(bounds[:-1], bounds[1:], strict=True))


WRONG_SPLITS: dict[str, tuple[Callable, str]] = {
    "skeleton (empty list)": (skeleton, "empty"),
    "forgot the return": (forgot_return, "empty"),
    "a generator": (generator, "not-a-list"),
    "floats from n / parts": (floats, "floats"),
    "NumPy floats from linspace": (numpy_floats, "floats"),
    "drops the remainder": (drops_remainder, "drops-remainder"),
    "remainder in the last chunk": (remainder_in_last_chunk, "remainder-in-last-chunk"),
    "inclusive stops": (inclusive_stops, "gap"),
    "overlapping chunks": (overlapping, "overlap"),
    "step by size: too many chunks": (step_by_size, "wrong-count"),
    "one chunk per number": (one_chunk_per_number, "wrong-count"),
    "np.array_split arrays": (array_split, "arrays-not-pairs"),
    "range objects": (ranges, "not-pairs"),
    "starts only": (starts_only, "not-pairs"),
    "strings": (string_bounds, "not-integers"),
    "bools": (bool_bounds, "not-integers"),
    "reversed pairs": (reversed_pairs, "stop-before-start"),
    "ceil-sized chunks past n": (ceil_size_past_n, "wrong-ends"),
    "raises": (crashes, "raises"),
    "ceil-sized chunks": (lopsided, "uneven"),
}


@pytest.mark.parametrize("name", WRONG_SPLITS)
def test_check_split_rejects_a_wrong_answer_with_its_hint(name: str) -> None:
    split, hint = WRONG_SPLITS[name]
    verdict = check_split(split)
    assert not verdict.ok, verdict.message
    assert verdict.hint == hint, verdict.message


def test_check_split_rejects_a_list_instead_of_a_function() -> None:
    assert check_split([(0, 5), (5, 10)]).hint == "not-callable"


def divmod_version(n, parts):
    size, extra = divmod(n, parts)
    chunks, start = [], 0
    for k in range(parts):
        stop = start + size + (1 if k < extra else 0)
        chunks.append((start, stop))
        start = stop
    return chunks


def formula(n, parts):
    return [(i * n // parts, (i + 1) * n // parts) for i in range(parts)]


def numpy_int_bounds(n, parts):
    bounds = np.linspace(0, n, parts + 1).astype(np.int64)
    return list(zip(bounds[:-1], bounds[1:], strict=True))


def numpy_cumsum(n, parts):
    size, extra = divmod(n, parts)
    bounds = np.cumsum([0] + [size + (k < extra) for k in range(parts)])
    return [(bounds[k], bounds[k + 1]) for k in range(parts)]


def numpy_2d_array(n, parts):
    return np.array(formula(n, parts), dtype=np.int64).reshape(parts, 2)


def numpy_pair_arrays(n, parts):
    return [np.array(pair) for pair in formula(n, parts)]


def lists_not_tuples(n, parts):
    return [[start, stop] for start, stop in formula(n, parts)]


def tuple_of_tuples(n, parts):
    return tuple(formula(n, parts))


def remainder_last_chunks(n, parts):  # the extra numbers go to the last chunks: also fair
    return [(n - stop, n - start) for start, stop in reversed(divmod_version(n, parts))]


RIGHT_SPLITS: dict[str, Callable] = {
    "divmod": divmod_version,
    "i * n // parts": formula,
    "the course's split_range": split_range,
    "NumPy int64 bounds": numpy_int_bounds,
    "NumPy cumsum bounds": numpy_cumsum,
    "a 2-D NumPy array of pairs": numpy_2d_array,
    "NumPy arrays of two": numpy_pair_arrays,
    "lists of two": lists_not_tuples,
    "a tuple of tuples": tuple_of_tuples,
    "remainder spread over the last chunks": remainder_last_chunks,
}


@pytest.mark.parametrize("name", RIGHT_SPLITS)
def test_check_split_accepts_a_right_answer(name: str) -> None:
    verdict = check_split(RIGHT_SPLITS[name])
    assert verdict.ok, verdict.message


# --- exercise 2: threads or processes ------------------------------------------------------------

WAITING = [job for job, best in WORKLOADS.items() if best == "threads"]


def answers_with(**changes: str) -> dict[str, str]:
    answers = dict(WORKLOADS)
    answers.update(changes)
    return answers


WRONG_WORKLOADS: dict[str, tuple[object, str]] = {
    "the notes: processes always": (dict.fromkeys(WORKLOADS, "processes"), "all-processes"),
    "threads always": (dict.fromkeys(WORKLOADS, "threads"), "all-threads"),
    "swapped": (
        {job: "processes" if best == "threads" else "threads" for job, best in WORKLOADS.items()},
        "swapped",
    ),
    "one waiting job in processes": (answers_with(**{WAITING[0]: "processes"}), "some-wrong"),
    "an invalid word": (answers_with(**{WAITING[0]: "multiprocessing"}), "invalid-answer"),
    "serial": (answers_with(**{WAITING[0]: "serial"}), "invalid-answer"),
    "a boolean": (answers_with(**{WAITING[0]: True}), "invalid-answer"),
    "empty dict": ({}, "missing"),
    "a job name mistyped": (
        {job.upper(): best for job, best in WORKLOADS.items()},
        "missing",
    ),
    "a list": (list(WORKLOADS.values()), "wrong-type"),
}


@pytest.mark.parametrize("name", WRONG_WORKLOADS)
def test_check_workloads_rejects_a_wrong_answer_with_its_hint(name: str) -> None:
    answers, hint = WRONG_WORKLOADS[name]
    verdict = check_workloads(answers)  # type: ignore[arg-type]
    assert not verdict.ok, verdict.message
    assert verdict.hint == hint, verdict.message


RIGHT_WORKLOADS: dict[str, dict[str, str]] = {
    "exact words": dict(WORKLOADS),
    "capitalised, with spaces": {job: f" {best.title()} " for job, best in WORKLOADS.items()},
    "singular": {job: best.removesuffix("s").replace("processe", "process")
                 for job, best in WORKLOADS.items()},
    "with an extra key": {**WORKLOADS, "my own job": "threads"},
}


@pytest.mark.parametrize("name", RIGHT_WORKLOADS)
def test_check_workloads_accepts_a_right_answer(name: str) -> None:
    verdict = check_workloads(RIGHT_WORKLOADS[name])
    assert verdict.ok, verdict.message


def test_the_singular_right_answer_really_is_singular() -> None:
    assert set(RIGHT_WORKLOADS["singular"].values()) == {"thread", "process"}


# --- exercise 3: Amdahl's limit ------------------------------------------------------------------


def speedup(f: float, n: int) -> float:
    return 1 / (f + (1 - f) / n)


RIGHT = (speedup(F, 2), speedup(F, 8), 1 / F)

WRONG_AMDAHL: dict[str, tuple[tuple[object, object, object], str]] = {
    "f as a percentage (5)": ((speedup(5, 2), speedup(5, 8), 1 / 5), "percent-not-fraction"),
    "ignoring f: S = n": ((2, 8, float("inf")), "ignores-serial-part"),
    "multiplied by n": ((1 / (F + (1 - F) * 2), 1 / (F + (1 - F) * 8), 1 / F),
                        "multiplied-not-divided"),
    "the time, not the speed-up": ((F + (1 - F) / 2, F + (1 - F) / 8, F), "time-not-speedup"),
    "efficiency instead of speed-up": ((RIGHT[0] / 2, RIGHT[1] / 8, 1 / F),
                                       "efficiency-not-speedup"),
    "limit 1 / (1 - f)": ((RIGHT[0], RIGHT[1], 1 / (1 - F)), "limit-inverted"),
    "limit infinite": ((RIGHT[0], RIGHT[1], float("inf")), "limit-infinite"),
    "limit 100": ((RIGHT[0], RIGHT[1], 100.0), "wrong-limit"),
    "on_2 off": ((1.5, RIGHT[1], RIGHT[2]), "wrong-on-2"),
    "on_8 with n = 4": ((RIGHT[0], speedup(F, 4), RIGHT[2]), "wrong-on-8"),
    "the skeleton": ((None, None, None), "missing"),
    "text": (("1.9", "5.9", "20"), "wrong-type"),
    "a boolean": ((True, RIGHT[1], RIGHT[2]), "wrong-type"),
}


@pytest.mark.parametrize("name", WRONG_AMDAHL)
def test_check_amdahl_rejects_a_wrong_answer_with_its_hint(name: str) -> None:
    values, hint = WRONG_AMDAHL[name]
    verdict = check_amdahl(*values)  # type: ignore[arg-type]
    assert not verdict.ok, verdict.message
    assert verdict.hint == hint, verdict.message


RIGHT_AMDAHL: dict[str, tuple[float, float, float]] = {
    "exact": RIGHT,
    "rounded by hand": (1.9, 5.93, 20),
    "NumPy floats": tuple(np.float64(value) for value in RIGHT),  # type: ignore[dict-item]
    "limit as an int": (RIGHT[0], RIGHT[1], 20),
}


@pytest.mark.parametrize("name", RIGHT_AMDAHL)
def test_check_amdahl_accepts_a_right_answer(name: str) -> None:
    verdict = check_amdahl(*RIGHT_AMDAHL[name])
    assert verdict.ok, verdict.message
