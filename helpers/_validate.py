"""Argument checks with messages that name the argument and say what was expected.

Every public helper checks its arguments with these *before* it starts a worker, sleeps, takes
a lock or changes anything, so that a bad call fails at once with a ``TypeError`` or a
``ValueError`` that names the argument.

>>> require_number("seconds", float("nan"))
Traceback (most recent call last):
...
ValueError: seconds must be a finite number, got nan
>>> require_has("pool", None, "map_async", example="a multiprocessing.Pool")
Traceback (most recent call last):
...
TypeError: pool must have a map_async() method (a multiprocessing.Pool), got NoneType None
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Mapping
from numbers import Real
from pathlib import Path

#: The most workers (threads or processes) a helper starts at once. Far more than the course
#: needs anywhere (it uses 1 to 8), far fewer than would freeze a laptop.
MAX_WORKERS = max(64, 4 * (os.cpu_count() or 1))

#: The longest a helper sleeps or waits in one call, in seconds (the course's longest is
#: 30 s, a worker's patience for a barrier or a queue).
MAX_SLEEP = 60.0


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def require_int(
    name: str, value: object, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    """Return ``value`` if it is an ``int`` (not a ``bool``) within ``[minimum, maximum]``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {_shown(value)}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum:_}, got {value:_}")
    return value


def require_number(
    name: str,
    value: object,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    allow_infinity: bool = False,
) -> float:
    """Return ``value`` as a float if it is a real number (not a bool) within the bounds.

    NaN is always refused; infinity only unless ``allow_infinity=True`` (where "no limit" is
    a meaningful answer).
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {_shown(value)}")
    number = float(value)
    if math.isnan(number) or (math.isinf(number) and not allow_infinity):
        raise ValueError(f"{name} must be a finite number, got {value}")
    if minimum is not None and number < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and number > maximum:
        raise ValueError(f"{name} must be <= {maximum:g}, got {value}")
    return number


def require_seconds(name: str, value: object) -> float:
    """Return ``value`` as a float if it is a time from 0 to :data:`MAX_SLEEP` seconds."""
    return require_number(name, value, minimum=0, maximum=MAX_SLEEP)


def require_bool(name: str, value: object) -> bool:
    """Return ``value`` if it is ``True`` or ``False`` (not ``1``, ``None`` or ``"yes"``)."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} {_shown(value)}")
    return value


def require_text(name: str, value: object) -> str:
    """Return ``value`` if it is a ``str``."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__} {_shown(value)}")
    return value


def require_callable(name: str, value: object) -> Callable[..., object]:
    """Return ``value`` if it can be called (a function, a method, a class)."""
    if not callable(value):
        raise TypeError(f"{name} must be a function, got {type(value).__name__} {_shown(value)}")
    return value


def require_path(name: str, value: object) -> Path:
    """``value`` as a :class:`~pathlib.Path` if it is a ``str`` or a path."""
    if not isinstance(value, str | os.PathLike):
        raise TypeError(f"{name} must be a path (a str or a Path), got {type(value).__name__} "
                        f"{_shown(value)}")
    return Path(value)


def require_mapping(name: str, value: object) -> Mapping[object, object]:
    """Return ``value`` if it is a mapping (a dict, or a dict proxy)."""
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a dict, got {type(value).__name__} {_shown(value)}")
    return value


def require_order(low_name: str, low: int, high_name: str, high: int) -> None:
    """Refuse ``low > high``, naming both (e.g. ``start`` and ``stop`` of a range)."""
    if low > high:
        raise ValueError(f"{low_name} must be <= {high_name}, got {low_name}={low:_}, "
                         f"{high_name}={high:_}")


def require_workers(name: str, value: object) -> int:
    """Return ``value`` if it is a number of workers from 1 to :data:`MAX_WORKERS`."""
    return require_int(name, value, minimum=1, maximum=MAX_WORKERS)


def require_items(name: str, value: object, *, size: int | None = None) -> list[object]:
    """``value`` (any iterable but a string) as a list; with ``size``, each item of that length.

    For arguments such as a list of ``(start, end)`` intervals (``size=2``) or of records.
    """
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise TypeError(f"{name} must be a list, got {type(value).__name__} {_shown(value)}")
    items = list(value)
    if size is not None:
        for index, item in enumerate(items):
            if isinstance(item, str | bytes) or not hasattr(item, "__len__") or len(item) != size:
                raise TypeError(
                    f"{name}[{index}] must be a tuple of {size} values, got {_shown(item)}"
                )
    return items


def require_has(name: str, value: object, *methods: str, example: str = "") -> object:
    """Return ``value`` if it has every one of ``methods``, callable (duck typing).

    ``example`` says what would do, e.g. ``"a multiprocessing.Pool"``.
    """
    missing = [method for method in methods if not callable(getattr(value, method, None))]
    if missing:
        if len(missing) == 1:
            article = "an" if missing[0][0] in "aeiou" else "a"
            wanted = f"{article} {missing[0]}() method"
        else:
            wanted = " and ".join(f"{method}()" for method in missing) + " methods"
        hint = f" ({example})" if example else ""
        raise TypeError(
            f"{name} must have {wanted}{hint}, got {type(value).__name__} {_shown(value)}"
        )
    return value
