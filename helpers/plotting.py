"""Plots shared by several chapters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
from matplotlib.axes import Axes

from helpers._validate import require_has, require_text

Interval = tuple[float, float]


def plot_timeline(
    rows: Mapping[str, Sequence[Interval]],
    ax: Axes | None = None,
    title: str = "",
    xlabel: str = "time (s)",
) -> Axes:
    """Draw one horizontal lane per row, with a bar for each ``(start, end)`` interval.

    Returns the axes, so that a caller can add to the plot.
    """
    if not isinstance(rows, Mapping):
        raise TypeError(
            f"rows must be a dict of label -> [(start, end), ...], got {type(rows).__name__}"
        )
    if ax is not None:
        require_has("ax", ax, "broken_barh", example="matplotlib axes, e.g. from plt.subplots()")
    require_text("title", title)
    require_text("xlabel", xlabel)
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.6 + 0.5 * len(rows)))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for lane, intervals in enumerate(rows.values()):
        spans = [(start, end - start) for start, end in intervals]
        ax.broken_barh(spans, (lane - 0.4, 0.8), color=colours[lane % len(colours)])
    ax.set_yticks(range(len(rows)), labels=list(rows))
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title)
    return ax
