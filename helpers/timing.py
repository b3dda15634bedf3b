"""Time code fairly: warm-up, repeats, median and spread; speed-up and efficiency.

Wall-clock measurements on a shared machine are noisy. :func:`measure` therefore runs the
code a few times after a warm-up and keeps every run in a :class:`Timing`: its median (robust
to one slow run), its spread (how much to trust it), and its best, the fastest run. Noise only
ever slows a run down, so when several contestants take turns for several rounds
(:func:`helpers.benchmark.take_turns`), the ratio of their fastest runs is the most robust
comparison. The clock is a parameter, so tests can use a fake one.

Printed durations, ratios and shares use :func:`format_seconds`, :func:`format_ratio` and
:func:`format_percent`; the test suite's sanitize file recognises those formats, so a notebook
can print measurements and still compare its stored output with a fresh run.

Scaling: :func:`speedup` and :func:`efficiency` turn timings into the two numbers that say how
well the workers were used; :func:`amdahl_speedup` is the speed-up Amdahl's law predicts,
:func:`fit_amdahl` finds the serial fraction that best explains measured speed-ups, and
:func:`plot_speedup` / :func:`plot_efficiency` draw them next to the ideal line.

>>> format_seconds(0.0123), format_ratio(1.934)
('12.3 ms', '1.93x')
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from numbers import Integral
from typing import TYPE_CHECKING, Any

from helpers._validate import (
    require_callable,
    require_has,
    require_int,
    require_number,
    require_text,
    require_workers,
)
from helpers.language import say

if TYPE_CHECKING:  # matplotlib is imported only by the plots, so that workers start quickly
    from matplotlib.axes import Axes

Clock = Callable[[], float]


@dataclass(frozen=True)
class Timing:
    """Repeated measurements of one piece of code, in seconds."""

    samples: tuple[float, ...]

    def __post_init__(self) -> None:
        if not self.samples:
            raise ValueError("samples must hold at least one measurement")

    @property
    def median(self) -> float:
        """The middle measurement: the number to report."""
        return statistics.median(self.samples)

    @property
    def best(self) -> float:
        """The fastest measurement: the run that other programs disturbed least."""
        return min(self.samples)

    @property
    def spread(self) -> float:
        """(slowest - fastest) / median: 0.05 means the runs agree within 5 %."""
        return (max(self.samples) - min(self.samples)) / self.median if self.median > 0 else 0.0

    def scaled(self, factor: float) -> Timing:
        """The same measurements multiplied by ``factor``, e.g. ``1 / tasks`` for a per-task time.

        >>> Timing((2.0, 4.0)).scaled(0.5).samples
        (1.0, 2.0)
        """
        if require_number("factor", factor) <= 0:
            raise ValueError(f"factor must be > 0, got {factor}")
        return Timing(tuple(sample * factor for sample in self.samples))

    def __str__(self) -> str:
        count, spread = len(self.samples), format_percent(self.spread)
        return say(f"{format_seconds(self.median)} (median of {count}, spread {spread})",
                   f"{format_seconds(self.median)}（{count} 次的中位数，波动 {spread}）")


def measure(
    func: Callable[..., Any],
    *args: Any,
    repeat: int = 3,
    warmup: int = 1,
    clock: Clock = time.perf_counter,
    **kwargs: Any,
) -> Timing:
    """Call ``func(*args, **kwargs)`` ``warmup`` times untimed, then ``repeat`` times timed.

    >>> ticks = iter(range(100))
    >>> measure(lambda: None, repeat=2, warmup=0, clock=lambda: next(ticks)).samples
    (1, 1)
    """
    if not callable(func):
        raise TypeError(f"func must be callable, got {type(func).__name__}")
    require_int("repeat", repeat, minimum=1, maximum=10_000)
    require_int("warmup", warmup, minimum=0, maximum=10_000)
    if not callable(clock):
        raise TypeError(f"clock must be callable, got {type(clock).__name__}")
    for _ in range(warmup):
        func(*args, **kwargs)
    samples = []
    for _ in range(repeat):
        start = clock()
        func(*args, **kwargs)
        samples.append(clock() - start)
    return Timing(tuple(samples))


def timed(
    func: Callable[..., Any], *args: Any, clock: Clock = time.perf_counter, **kwargs: Any
) -> tuple[Any, float]:
    """Call ``func(*args, **kwargs)`` once; return its result and how long it took, in seconds.

    Use it when the result matters as well as the time (to check that a fast answer is right).

    >>> ticks = iter([10.0, 10.5])
    >>> timed(max, 3, 7, clock=lambda: next(ticks))
    (7, 0.5)
    """
    require_callable("func", func)
    require_callable("clock", clock)
    start = clock()
    result = func(*args, **kwargs)
    return result, clock() - start


def speedup(serial_seconds: float, parallel_seconds: float) -> float:
    """How many times faster the parallel run was: ``serial / parallel``.

    >>> speedup(2.0, 1.0)
    2.0
    """
    require_number("serial_seconds", serial_seconds, minimum=0)
    if require_number("parallel_seconds", parallel_seconds) <= 0:
        raise ValueError(f"parallel_seconds must be > 0, got {parallel_seconds}")
    return serial_seconds / parallel_seconds


def efficiency(serial_seconds: float, parallel_seconds: float, workers: int) -> float:
    """Speed-up per worker: 1.0 means every worker was fully useful.

    >>> efficiency(2.0, 1.0, workers=2)
    1.0
    """
    require_int("workers", workers, minimum=1)
    return speedup(serial_seconds, parallel_seconds) / workers


def amdahl_speedup(serial_fraction: float, workers: int) -> float:
    """The speed-up Amdahl's law predicts: ``1 / (f + (1 - f) / n)``.

    ``serial_fraction`` (``f``) is the share of the serial run time that cannot be split
    between workers; ``workers`` (``n``) run the rest. However many workers, the speed-up
    stays below ``1 / f``.

    >>> amdahl_speedup(0.0, 4), amdahl_speedup(1.0, 4), round(amdahl_speedup(0.1, 4), 3)
    (4.0, 1.0, 3.077)
    """
    fraction = require_number("serial_fraction", serial_fraction, minimum=0)
    if fraction > 1:
        raise ValueError(f"serial_fraction must be <= 1, got {serial_fraction}")
    require_int("workers", workers, minimum=1)
    return 1.0 / (fraction + (1.0 - fraction) / workers)


def _require_sequence(name: str, value: object) -> None:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise TypeError(f"{name} must be a list of numbers, got {type(value).__name__} {value!r}")


def _require_axes(ax: object) -> None:
    if ax is not None:
        require_has("ax", ax, "plot", example="matplotlib axes, e.g. from plt.subplots()")


def _require_points(
    xs_name: str, xs: object, ys_name: str, ys: object
) -> tuple[list[int], list[float]]:
    """Both sequences, of one length, at least one point; worker counts from 1 to 10_000."""
    _require_sequence(xs_name, xs)
    _require_sequence(ys_name, ys)
    if len(xs) != len(ys):  # type: ignore[arg-type]
        raise ValueError(f"{xs_name} and {ys_name} must have the same length")
    if not xs:
        raise ValueError(f"{xs_name} must hold at least one worker count")
    counts = []
    for n in xs:  # type: ignore[attr-defined]
        if isinstance(n, bool) or not isinstance(n, Integral):  # NumPy integers are welcome
            raise TypeError(f"{xs_name} must hold ints, got {type(n).__name__} {n!r}")
        counts.append(require_int(f"{xs_name}[...]", int(n), minimum=1, maximum=10_000))
    values = [require_number(f"{ys_name}[...]", y) for y in ys]  # type: ignore[attr-defined]
    return counts, values


def fit_amdahl(workers: Sequence[int], speedups: Sequence[float]) -> float:
    """The serial fraction ``f`` that best explains measured speed-ups, by least squares.

    Amdahl's law reads ``1/S = f + (1 - f)/n``, a straight line in ``f``:
    ``1/S - 1/n = f * (1 - 1/n)``. The least-squares ``f`` of that line is
    ``sum(x*y) / sum(x*x)`` with ``x = 1 - 1/n`` and ``y = 1/S - 1/n``, clipped to [0, 1].
    A run with one worker says nothing about ``f`` (``x = 0``); at least one run needs more.

    Pass only worker counts up to the number of cores: beyond it the workers take turns on
    the cores, the speed-up stops growing, and that is not a serial fraction.

    >>> round(fit_amdahl([1, 2, 4], [1.0, amdahl_speedup(0.1, 2), amdahl_speedup(0.1, 4)]), 6)
    0.1
    """
    _require_sequence("workers", workers)
    _require_sequence("speedups", speedups)
    if len(workers) != len(speedups):
        raise ValueError(
            "workers and speedups must have the same length, "
            f"got {len(workers)} and {len(speedups)}"
        )
    xs, ys = [], []
    for n, s in zip(workers, speedups, strict=True):
        require_int("workers", n, minimum=1)
        if require_number("speedups", s) <= 0:
            raise ValueError(f"speedups must be > 0, got {s}")
        xs.append(1.0 - 1.0 / n)
        ys.append(1.0 / s - 1.0 / n)
    denominator = sum(x * x for x in xs)
    if denominator == 0:
        raise ValueError("workers must include a run with more than one worker")
    fraction = sum(x * y for x, y in zip(xs, ys, strict=True)) / denominator
    return min(1.0, max(0.0, fraction))


def plot_speedup(
    workers: Sequence[int],
    speedups: Sequence[float],
    *,
    cores: int | None = None,
    serial_fraction: float | None = None,
    label: str = "measured",
    ax: Axes | None = None,
    title: str = "Speed-up",
) -> Axes:
    """Plot measured speed-ups against the number of workers, with the ideal line ``S = n``.

    ``cores`` adds the machine's limit (``S = min(n, cores)``) and a vertical mark;
    ``serial_fraction`` adds Amdahl's curve for that fraction, capped at ``cores`` if given.
    Call it again with the same ``ax`` and another ``label`` to compare several runs.
    Returns the axes.
    """
    import matplotlib.pyplot as plt

    _require_points("workers", workers, "speedups", speedups)
    if cores is not None:
        require_workers("cores", cores)
    if serial_fraction is not None:
        amdahl_speedup(serial_fraction, 1)  # checks it: a fraction from 0 to 1
    require_text("label", label)
    require_text("title", title)
    _require_axes(ax)
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.5))
    top = max(workers)
    grid = list(range(1, top + 1))
    if not ax.get_lines():  # draw the reference lines only once per axes
        ax.plot(grid, grid, "k--", linewidth=1, label="ideal: S = n")
        if cores is not None:
            require_workers("cores", cores)
            ax.plot(
                grid,
                [min(n, cores) for n in grid],
                ":",
                color="grey",
                label="ideal on this machine",
            )
            ax.axvline(cores, color="grey", linewidth=0.8)
        if serial_fraction is not None:
            predicted = [amdahl_speedup(serial_fraction, min(n, cores or n)) for n in grid]
            ax.plot(
                grid,
                predicted,
                "-",
                color="tab:red",
                alpha=0.6,
                label=f"Amdahl, f = {serial_fraction:.2f}",
            )
    ax.plot(list(workers), list(speedups), "o-", label=label)
    ax.set_xlabel("workers")
    ax.set_ylabel("speed-up (serial time / parallel time)")
    ax.set_xticks(grid)
    ax.set_ylim(bottom=0)
    ax.set_title(title)
    ax.legend(fontsize="small")
    return ax


def plot_efficiency(
    workers: Sequence[int],
    efficiencies: Sequence[float],
    *,
    label: str = "measured",
    ax: Axes | None = None,
    title: str = "Efficiency",
) -> Axes:
    """Plot efficiency (speed-up / workers) against the number of workers, with the ideal 1.0.

    Returns the axes.
    """
    import matplotlib.pyplot as plt

    _require_points("workers", workers, "efficiencies", efficiencies)
    require_text("label", label)
    require_text("title", title)
    _require_axes(ax)
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.5))
    if not ax.get_lines():
        ax.axhline(1.0, color="k", linestyle="--", linewidth=1, label="ideal: 1.0")
    ax.plot(list(workers), list(efficiencies), "o-", label=label)
    ax.set_xlabel("workers")
    ax.set_ylabel("efficiency (speed-up / workers)")
    ax.set_xticks(range(1, max(workers) + 1))
    ax.set_ylim(0, 1.15)
    ax.set_title(title)
    ax.legend(fontsize="small")
    return ax


def format_seconds(seconds: float) -> str:
    """A duration with a unit that suits it: ``'1.23 s'``, ``'12.3 ms'``, ``'45.6 µs'``."""
    require_number("seconds", seconds, allow_infinity=True)
    for scale, unit in ((1.0, "s"), (1e-3, "ms"), (1e-6, "µs"), (1e-9, "ns")):
        scaled = float(f"{seconds / scale:.3g}")
        if abs(scaled) >= 1 or unit == "ns":
            if abs(scaled) >= 1000 and unit != "s":
                continue  # e.g. 999.7 ms rounds to 1000 ms: the larger unit was right
            return f"{scaled:g} {unit}" if abs(scaled) < 1e6 else f"{seconds:.0f} s"
    raise AssertionError("unreachable")  # pragma: no cover


def format_ratio(ratio: float) -> str:
    """A ratio such as a speed-up, with two decimals and an ``x``: ``'1.93x'``."""
    require_number("ratio", ratio, allow_infinity=True)
    return f"{ratio:.2f}x"


def format_percent(fraction: float) -> str:
    """A fraction as a whole percentage: ``0.864`` -> ``'86%'``.

    >>> format_percent(0.864)
    '86%'
    """
    require_number("fraction", fraction, allow_infinity=True)
    return f"{fraction:.0%}"
