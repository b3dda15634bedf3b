"""helpers.gil: busy intervals and their overlap."""

from __future__ import annotations

import pytest

from helpers import gil


def test_busy_intervals_are_ordered_and_do_not_overlap_within_one_worker() -> None:
    intervals = gil.busy_intervals(steps=200, step_size=50)
    assert intervals
    for (start, end), (next_start, _) in zip(intervals, intervals[1:], strict=False):
        assert start <= end < next_start


def test_busy_intervals_splits_at_gaps_longer_than_max_gap() -> None:
    # With max_gap=0 every reading after the first starts a new interval.
    assert len(gil.busy_intervals(steps=5, step_size=10_000, max_gap=0)) >= 2


@pytest.mark.parametrize("argument", ["steps", "step_size"])
def test_busy_intervals_rejects_non_positive_sizes(argument: str) -> None:
    with pytest.raises(ValueError, match=f"{argument} must be >= 1"):
        gil.busy_intervals(**{argument: 0})


def test_overlap_fraction_of_disjoint_rows_is_zero() -> None:
    assert gil.overlap_fraction({"a": [(0, 1), (2, 3)], "b": [(1, 2)]}) == 0.0


def test_overlap_fraction_counts_the_shared_part() -> None:
    # Busy from 0 to 3; both busy from 1 to 2: a third of the time.
    assert gil.overlap_fraction({"a": [(0, 2)], "b": [(1, 3)]}) == pytest.approx(1 / 3)


def test_overlap_fraction_of_nothing_is_zero() -> None:
    assert gil.overlap_fraction({}) == 0.0


def test_threads_under_the_gil_do_not_compute_at_the_same_time() -> None:
    from helpers.system import gil_enabled

    rows = gil.timelines("threads", steps=2_000)
    assert len(rows) == 2
    if gil_enabled():
        assert gil.overlap_fraction(rows) < 0.1


def test_timelines_in_processes_start_at_zero() -> None:
    rows = gil.timelines("processes", steps=200)
    assert min(start for intervals in rows.values() for start, _ in intervals) == 0.0


def test_timelines_rejects_an_unknown_kind() -> None:
    with pytest.raises(ValueError, match="kind must be 'threads' or 'processes'"):
        gil.timelines("fibers")


def test_timelines_label_each_worker() -> None:
    assert list(gil.timelines("threads", steps=10)) == ["thread 0", "thread 1"]
    assert list(gil.timelines("processes", steps=10)) == ["process 0", "process 1"]


def test_most_overlapping_keeps_the_round_with_the_largest_overlap(monkeypatch) -> None:
    rounds = iter([
        {"a": [(0.0, 1.0)], "b": [(1.0, 2.0)]},  # no overlap
        {"a": [(0.0, 1.0)], "b": [(0.0, 1.0)]},  # full overlap
        {"a": [(0.0, 1.0)], "b": [(0.5, 1.5)]},
    ])
    monkeypatch.setattr(gil, "timelines", lambda kind, workers, steps: next(rounds))
    assert gil.overlap_fraction(gil.most_overlapping("threads", rounds=3)) == 1.0


def test_most_overlapping_rejects_zero_rounds() -> None:
    with pytest.raises(ValueError, match="rounds must be >= 1"):
        gil.most_overlapping("threads", rounds=0)


def test_threads_under_the_gil_stay_apart_even_in_their_most_overlapping_round() -> None:
    from helpers.system import gil_enabled

    rows = gil.most_overlapping("threads", rounds=2, steps=2_000)
    if gil_enabled():
        assert gil.overlap_fraction(rows) < 0.1
