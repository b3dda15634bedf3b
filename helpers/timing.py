"""Time code fairly: warm-up, repeats, median and spread; speed-up and efficiency.

Wall-clock measurements on a shared machine are noisy. :func:`measure` therefore runs the
code a few times after a warm-up and reports the median (robust to one slow run) and the
spread (how much to trust it). The clock is a parameter, so tests can use a fake one.

Printed durations and ratios use :func:`format_seconds` and :func:`format_ratio`; the test
suite's sanitize file recognises those formats, so a notebook can print measurements and
still compare its stored output with a fresh run.

>>> format_seconds(0.0123), format_ratio(1.934)
('12.3 ms', '1.93x')
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from helpers._validate import require_int, require_number

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
        """The fastest measurement."""
        return min(self.samples)

    @property
    def spread(self) -> float:
        """(slowest - fastest) / median: 0.05 means the runs agree within 5 %."""
        return (max(self.samples) - min(self.samples)) / self.median if self.median > 0 else 0.0

    def __str__(self) -> str:
        return f"{format_seconds(self.median)} (median of {len(self.samples)}, spread {self.spread:.0%})"


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
    require_int("repeat", repeat, minimum=1)
    require_int("warmup", warmup, minimum=0)
    for _ in range(warmup):
        func(*args, **kwargs)
    samples = []
    for _ in range(repeat):
        start = clock()
        func(*args, **kwargs)
        samples.append(clock() - start)
    return Timing(tuple(samples))


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


def format_seconds(seconds: float) -> str:
    """A duration with a unit that suits it: ``'1.23 s'``, ``'12.3 ms'``, ``'45.6 µs'``."""
    require_number("seconds", seconds)
    for scale, unit in ((1.0, "s"), (1e-3, "ms"), (1e-6, "µs"), (1e-9, "ns")):
        scaled = float(f"{seconds / scale:.3g}")
        if abs(scaled) >= 1 or unit == "ns":
            if abs(scaled) >= 1000 and unit != "s":
                continue  # e.g. 999.7 ms rounds to 1000 ms: the larger unit was right
            return f"{scaled:g} {unit}" if abs(scaled) < 1e6 else f"{seconds:.0f} s"
    raise AssertionError("unreachable")  # pragma: no cover


def format_ratio(ratio: float) -> str:
    """A ratio such as a speed-up, with two decimals and an ``x``: ``'1.93x'``."""
    require_number("ratio", ratio)
    return f"{ratio:.2f}x"
