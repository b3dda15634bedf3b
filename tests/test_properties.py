"""Property-based tests (hypothesis) for the pure helpers: what must hold for *every* input.

Splitting work (``split_range``), timing statistics (``Timing``), speed-up, efficiency and
Amdahl's law (``helpers.timing``), typecode ranges (``helpers.sharing``) and the search for a
circle in lock orders (``helpers.checks.locks``). Each property runs a bounded number of
examples, without deadlines and without an example database (nothing is written to the work
tree), so that the whole file takes a few seconds.
"""

from __future__ import annotations

import ctypes
import itertools
import math
from multiprocessing.sharedctypes import typecode_to_type

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from helpers.benchmark import closed_form, split_range, sum_chunk
from helpers.checks.locks import CYCLE_ORDERS, _circle, check_lock_orders
from helpers.sharing import (
    INTEGER_TYPECODES,
    fits_everywhere,
    integer_range,
    portable_bytes,
    wrap_like_ctypes,
)
from helpers.timing import Timing, amdahl_speedup, efficiency, fit_amdahl, speedup

FEW = settings(max_examples=40, deadline=None, database=None)
SOME = settings(max_examples=100, deadline=None, database=None)

seconds = st.floats(min_value=1e-6, max_value=1e4, allow_nan=False, allow_infinity=False)
fractions = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
worker_counts = st.integers(min_value=1, max_value=256)
typecodes = st.sampled_from(INTEGER_TYPECODES)


# --- splitting work --------------------------------------------------------------------------


@SOME
@given(n=st.integers(min_value=0, max_value=10**9), parts=st.integers(min_value=1, max_value=300))
def test_split_range_covers_range_n_once_in_parts_nearly_equal_chunks(n: int, parts: int) -> None:
    chunks = split_range(n, parts)
    assert len(chunks) == parts
    assert chunks[0][0] == 0 and chunks[-1][1] == n
    for (_, stop), (start, _) in itertools.pairwise(chunks):
        assert stop == start  # consecutive: no gap, no overlap
    lengths = [stop - start for start, stop in chunks]
    assert min(lengths) >= 0 and max(lengths) - min(lengths) <= 1
    assert lengths == sorted(lengths, reverse=True)  # the first chunks take the remainder
    assert sum(lengths) == n


@FEW
@given(n=st.integers(min_value=0, max_value=3_000), parts=st.integers(min_value=1, max_value=12))
def test_the_chunks_partial_sums_add_up_to_the_closed_form(n: int, parts: int) -> None:
    assert sum(sum_chunk(start, stop) for start, stop in split_range(n, parts)) == closed_form(n)


# --- timing statistics -----------------------------------------------------------------------


@SOME
@given(samples=st.lists(seconds, min_size=1, max_size=30))
def test_timing_best_median_and_spread_are_ordered(samples: list[float]) -> None:
    timing = Timing(tuple(samples))
    assert timing.best == min(samples)
    assert timing.best <= timing.median <= max(samples)
    assert timing.spread >= 0
    assert math.isclose(timing.spread * timing.median, max(samples) - min(samples),
                        rel_tol=1e-9, abs_tol=1e-12)


@SOME
@given(samples=st.lists(seconds, min_size=1, max_size=30),
       factor=st.floats(min_value=1e-6, max_value=1e6))
def test_scaling_a_timing_scales_best_and_median_but_not_spread(
    samples: list[float], factor: float
) -> None:
    timing, scaled = Timing(tuple(samples)), Timing(tuple(samples)).scaled(factor)
    assert math.isclose(scaled.best, timing.best * factor, rel_tol=1e-9)
    assert math.isclose(scaled.median, timing.median * factor, rel_tol=1e-9)
    assert math.isclose(scaled.spread, timing.spread, rel_tol=1e-6, abs_tol=1e-9)


def test_a_timing_needs_a_sample() -> None:
    with pytest.raises(ValueError, match="samples"):
        Timing(())


# --- speed-up, efficiency, Amdahl ------------------------------------------------------------


@SOME
@given(serial=seconds, parallel=seconds, workers=worker_counts)
def test_speedup_and_efficiency_are_the_ratios_they_claim(
    serial: float, parallel: float, workers: int
) -> None:
    s = speedup(serial, parallel)
    assert math.isclose(s * parallel, serial, rel_tol=1e-9)
    assert math.isclose(efficiency(serial, parallel, workers) * workers, s, rel_tol=1e-9)


@SOME
@given(fraction=fractions, workers=worker_counts)
def test_amdahl_speedup_lies_between_one_and_the_worker_count_and_below_one_over_f(
    fraction: float, workers: int
) -> None:
    s = amdahl_speedup(fraction, workers)
    assert 1 - 1e-9 <= s <= workers * (1 + 1e-9)
    if fraction > 0:
        assert s <= 1 / fraction * (1 + 1e-9)
    assert amdahl_speedup(fraction, workers + 1) >= s * (1 - 1e-12)  # more workers never hurt


@SOME
@given(low=fractions, high=fractions, workers=worker_counts)
def test_a_larger_serial_fraction_never_gives_a_larger_speedup(
    low: float, high: float, workers: int
) -> None:
    low, high = sorted((low, high))
    assert amdahl_speedup(high, workers) <= amdahl_speedup(low, workers) * (1 + 1e-12)


@SOME
@given(fraction=fractions,
       counts=st.lists(worker_counts, min_size=1, max_size=8).filter(lambda c: max(c) > 1))
def test_fit_amdahl_recovers_the_fraction_behind_exact_speedups(
    fraction: float, counts: list[int]
) -> None:
    speedups = [amdahl_speedup(fraction, n) for n in counts]
    assert math.isclose(fit_amdahl(counts, speedups), fraction, abs_tol=1e-9)


@SOME
@given(points=st.lists(st.tuples(worker_counts, st.floats(min_value=0.01, max_value=1e3)),
                       min_size=1, max_size=8))
def test_fit_amdahl_always_answers_a_fraction_from_0_to_1(
    points: list[tuple[int, float]]
) -> None:
    counts, speedups = [n for n, _ in points], [s for _, s in points]
    assume(max(counts) > 1)
    assert 0.0 <= fit_amdahl(counts, speedups) <= 1.0


# --- typecode ranges -------------------------------------------------------------------------


@SOME
@given(typecode=typecodes, nbytes=st.integers(min_value=1, max_value=16))
def test_an_integer_range_holds_exactly_2_to_the_bits_values(typecode: str, nbytes: int) -> None:
    low, high = integer_range(typecode, nbytes)
    assert high - low + 1 == 2 ** (8 * nbytes)
    if typecode.islower():
        assert low == -(high + 1)
    else:
        assert low == 0


@SOME
@given(typecode=typecodes, value=st.integers(min_value=-(2**70), max_value=2**70))
def test_wrap_like_ctypes_matches_ctypes_itself(typecode: str, value: int) -> None:
    low, high = integer_range(typecode)
    wrapped = wrap_like_ctypes(value, typecode)
    assert low <= wrapped <= high
    assert (wrapped - value) % (high - low + 1) == 0
    if low <= value <= high:
        assert wrapped == value
    assert wrapped == typecode_to_type[typecode](value).value


@SOME
@given(typecode=typecodes, values=st.lists(st.integers(min_value=-(2**65), max_value=2**65),
                                           max_size=6))
def test_fits_everywhere_means_within_the_narrowest_platform_range(
    typecode: str, values: list[int]
) -> None:
    low, high = integer_range(typecode, portable_bytes(typecode)[0])
    assert fits_everywhere(typecode, values) == all(low <= v <= high for v in values)
    if fits_everywhere(typecode, values):  # then it also fits here
        here_low, here_high = integer_range(typecode)
        assert all(here_low <= v <= here_high for v in values)
        assert all(wrap_like_ctypes(v, typecode) == v for v in values)


def test_ctypes_sizes_agree_with_integer_range_here() -> None:
    for typecode in INTEGER_TYPECODES:
        assert integer_range(typecode) == integer_range(
            typecode, ctypes.sizeof(typecode_to_type[typecode])
        )


# --- a circle in lock orders -----------------------------------------------------------------

LOCK_NAMES = "ABCDE"
pairs = st.lists(st.sampled_from(LOCK_NAMES), min_size=2, max_size=2, unique=True).map(tuple)
orders_strategy = st.dictionaries(
    st.sampled_from([f"worker {n}" for n in range(1, 7)]), pairs, min_size=1, max_size=6
)


def _has_cycle(orders: dict[str, tuple[str, str]]) -> bool:
    """Reference: a directed graph "first before second" has a cycle iff no topological order."""
    edges = {(first, second) for first, second in orders.values()}
    nodes = {name for edge in edges for name in edge}
    incoming = {node: sum(1 for _, b in edges if b == node) for node in nodes}
    ready = [node for node, count in incoming.items() if count == 0]
    removed = 0
    while ready:
        node = ready.pop()
        removed += 1
        for a, b in edges:
            if a == node:
                incoming[b] -= 1
                if incoming[b] == 0:
                    ready.append(b)
    return removed < len(nodes)


@SOME
@given(orders=orders_strategy)
def test_circle_is_found_exactly_when_the_orders_have_a_cycle(
    orders: dict[str, tuple[str, str]]
) -> None:
    circle = _circle(orders)
    assert (circle is not None) == _has_cycle(orders)
    if circle is not None:  # the workers named really form that circle
        steps = [orders[worker] for worker in circle]
        for (_, second), (first, _) in zip(steps, steps[1:] + steps[:1], strict=True):
            assert second == first


@SOME
@given(orders=orders_strategy)
def test_orders_that_follow_one_global_order_never_form_a_circle(
    orders: dict[str, tuple[str, str]]
) -> None:
    assert _circle({worker: tuple(sorted(pair)) for worker, pair in orders.items()}) is None


@pytest.mark.parametrize("flips", list(itertools.product([False, True], repeat=3)))
def test_check_lock_orders_says_circle_exactly_for_the_circular_orientations(
    flips: tuple[bool, bool, bool],
) -> None:
    orders = {
        worker: tuple(reversed(pair)) if flip else pair
        for (worker, pair), flip in zip(CYCLE_ORDERS.items(), flips, strict=True)
    }
    verdict = check_lock_orders(orders, [])
    assert (verdict.hint == "circle") == _has_cycle(orders)
