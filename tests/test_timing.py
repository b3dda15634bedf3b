"""helpers.timing: measuring with a fake clock, speed-up arithmetic, Amdahl's law, plots."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from helpers.timing import (  # noqa: E402
    Timing,
    amdahl_speedup,
    efficiency,
    fit_amdahl,
    format_percent,
    format_ratio,
    format_seconds,
    measure,
    plot_efficiency,
    plot_speedup,
    speedup,
    timed,
)


class FakeClock:
    """A clock that advances by the given steps each time it is read."""

    def __init__(self, *readings: float) -> None:
        self.readings = list(readings)
        self.reads = 0

    def __call__(self) -> float:
        self.reads += 1
        return self.readings.pop(0)


# --- Timing ----------------------------------------------------------------------------------


def test_timing_median_is_the_middle_sample():
    assert Timing((3.0, 1.0, 2.0)).median == 2.0


def test_timing_best_is_the_fastest_sample():
    assert Timing((3.0, 1.0, 2.0)).best == 1.0


def test_timing_spread_is_range_over_median():
    assert Timing((1.0, 2.0, 3.0)).spread == pytest.approx(1.0)


def test_timing_spread_of_zero_median_is_zero():
    assert Timing((0.0, 0.0)).spread == 0.0


def test_timing_needs_at_least_one_sample():
    with pytest.raises(ValueError, match="samples"):
        Timing(())


def test_timing_scaled_multiplies_every_sample():
    assert Timing((2.0, 4.0)).scaled(0.25).samples == (0.5, 1.0)


def test_timing_scaled_rejects_non_positive_factor():
    with pytest.raises(ValueError, match="factor"):
        Timing((1.0,)).scaled(0)


def test_timing_str_uses_the_course_formats():
    assert str(Timing((0.010, 0.012, 0.011))) == "11 ms (median of 3, spread 18%)"


# --- measure and timed -----------------------------------------------------------------------


def test_measure_records_one_sample_per_repeat_from_the_clock():
    clock = FakeClock(0.0, 1.0, 5.0, 7.0)
    timing = measure(lambda: None, repeat=2, warmup=0, clock=clock)
    assert timing.samples == (1.0, 2.0)


def test_measure_does_not_time_the_warmup_calls():
    calls = []
    clock = FakeClock(0.0, 1.0)
    measure(calls.append, "x", repeat=1, warmup=2, clock=clock)
    assert calls == ["x", "x", "x"]
    assert clock.reads == 2


def test_measure_passes_arguments_through():
    seen = []
    measure(lambda a, b=0: seen.append((a, b)), 1, b=2, repeat=1, warmup=0, clock=FakeClock(0, 0))
    assert seen == [(1, 2)]


def test_measure_rejects_a_non_callable():
    with pytest.raises(TypeError, match="func"):
        measure(42)


def test_measure_rejects_zero_repeats():
    with pytest.raises(ValueError, match="repeat"):
        measure(lambda: None, repeat=0)


def test_timed_returns_the_result_and_the_elapsed_time():
    assert timed(sum, [1, 2, 3], clock=FakeClock(2.0, 2.25)) == (6, 0.25)


def test_timed_rejects_a_non_callable():
    with pytest.raises(TypeError, match="func"):
        timed("not a function")


# --- speed-up and efficiency -----------------------------------------------------------------


def test_speedup_is_serial_over_parallel():
    assert speedup(3.0, 1.5) == 2.0


def test_speedup_rejects_zero_parallel_time():
    with pytest.raises(ValueError, match="parallel_seconds"):
        speedup(1.0, 0.0)


def test_efficiency_is_speedup_per_worker():
    assert efficiency(4.0, 1.0, workers=8) == 0.5


def test_efficiency_rejects_zero_workers():
    with pytest.raises(ValueError, match="workers"):
        efficiency(1.0, 1.0, workers=0)


# --- Amdahl ----------------------------------------------------------------------------------


def test_amdahl_with_no_serial_part_is_linear():
    assert amdahl_speedup(0.0, 8) == 8.0


def test_amdahl_with_only_serial_part_is_one():
    assert amdahl_speedup(1.0, 8) == 1.0


def test_amdahl_matches_the_formula():
    assert amdahl_speedup(0.05, 8) == pytest.approx(1 / (0.05 + 0.95 / 8))


def test_amdahl_rejects_a_fraction_above_one():
    with pytest.raises(ValueError, match="serial_fraction"):
        amdahl_speedup(1.5, 2)


def test_amdahl_rejects_zero_workers():
    with pytest.raises(ValueError, match="workers"):
        amdahl_speedup(0.1, 0)


def test_fit_amdahl_recovers_the_fraction_of_exact_data():
    workers = [1, 2, 3, 4]
    speedups = [amdahl_speedup(0.2, n) for n in workers]
    assert fit_amdahl(workers, speedups) == pytest.approx(0.2)


def test_fit_amdahl_of_perfect_scaling_is_zero():
    assert fit_amdahl([1, 2, 4], [1.0, 2.0, 4.0]) == pytest.approx(0.0)


def test_fit_amdahl_clips_superlinear_speedups_to_zero():
    assert fit_amdahl([2], [2.5]) == 0.0


def test_fit_amdahl_clips_slowdowns_to_one():
    assert fit_amdahl([2], [0.5]) == 1.0


def test_fit_amdahl_needs_a_run_with_several_workers():
    with pytest.raises(ValueError, match="more than one worker"):
        fit_amdahl([1, 1], [1.0, 1.0])


def test_fit_amdahl_rejects_lists_of_different_lengths():
    with pytest.raises(ValueError, match="same length"):
        fit_amdahl([1, 2], [1.0])


def test_fit_amdahl_rejects_a_non_positive_speedup():
    with pytest.raises(ValueError, match="speedups"):
        fit_amdahl([2], [0.0])


# --- formats (notebooks/sanitize.cfg relies on them) -----------------------------------------


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(1.234, "1.23 s"), (0.0123, "12.3 ms"), (4.56e-5, "45.6 µs"), (3e-9, "3 ns"), (0.9997, "1 s")],
)
def test_format_seconds_picks_a_fitting_unit(seconds, text):
    assert format_seconds(seconds) == text


def test_format_ratio_has_two_decimals_and_an_x():
    assert format_ratio(1.934) == "1.93x"


def test_format_percent_is_a_whole_percentage():
    assert format_percent(0.864) == "86%"


def test_format_percent_rejects_text():
    with pytest.raises(TypeError, match="fraction"):
        format_percent("86%")


# --- plots -----------------------------------------------------------------------------------


def test_plot_speedup_draws_ideal_machine_amdahl_and_measured_lines():
    ax = plot_speedup([1, 2, 3, 4], [1.0, 1.9, 1.95, 2.0], cores=2, serial_fraction=0.05)
    labels = [line.get_label() for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert labels == ["ideal: S = n", "ideal on this machine", "Amdahl, f = 0.05", "measured"]
    plt.close(ax.figure)


def test_plot_speedup_draws_reference_lines_once_per_axes():
    ax = plot_speedup([1, 2], [1.0, 1.9], label="fork")
    plot_speedup([1, 2], [1.0, 1.8], label="spawn", ax=ax)
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["ideal: S = n", "fork", "spawn"]
    plt.close(ax.figure)


def test_plot_speedup_rejects_lists_of_different_lengths():
    with pytest.raises(ValueError, match="same length"):
        plot_speedup([1, 2], [1.0])


def test_plot_efficiency_draws_the_ideal_line_and_the_points():
    ax = plot_efficiency([1, 2], [0.98, 0.96])
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["ideal: 1.0", "measured"]
    plt.close(ax.figure)
