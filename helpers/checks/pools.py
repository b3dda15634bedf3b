"""Checks for the exercises of chapter 04 (process pools).

Exercise 1 hands the learner's function a *recording* stand-in for a pool: it runs every task
at once, in this process, and notes the order of the calls. Whether the tasks could have run
side by side then depends only on that order, not on a clock, so the verdict is the same on
every machine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future
from typing import Any

from helpers.checks import Verdict, correct, not_yet
from helpers.workers import square

#: The numbers exercise 1 passes to the learner's ``square_all(pool, numbers)``.
NUMBERS = (3, 1, 4, 1, 5, 9, 2, 6)

#: The inputs of exercise 2; some of them make ``square`` raise.
SQUARE_INPUTS = (3, "four", 5.5, None, -2)

#: The inputs of exercise 3.
FUTURE_INPUTS = tuple(range(1, 9))


# --- exercise 1: submit everything, then collect ---------------------------------------------


class _RecordedResult:
    """What :meth:`RecordingPool.apply_async` returns: an AsyncResult look-alike."""

    def __init__(self, pool: RecordingPool, index: int, func: Callable[..., Any],
                 args: tuple[Any, ...], kwds: dict[str, Any]) -> None:
        self._pool, self._index = pool, index
        self._func, self._args, self._kwds = func, args, kwds

    def get(self, timeout: float | None = None) -> Any:
        self._pool.calls.append(("get", self._index, timeout))
        return self._func(*self._args, **self._kwds)

    def wait(self, timeout: float | None = None) -> None:
        self._pool.calls.append(("wait", self._index, timeout))

    def ready(self) -> bool:
        return True


class RecordingPool:
    """A stand-in for ``multiprocessing.Pool`` that runs tasks here and logs every call.

    ``calls`` holds ``("submit", i, None)``, ``("get", i, timeout)``, ``("map", n, None)``...
    in the order they happened. Only what exercise 1 needs is offered.
    """

    def __init__(self) -> None:
        self.calls: list[tuple[str, int, float | None]] = []
        self.functions: list[Callable[..., Any]] = []
        self._submitted = 0

    def apply_async(self, func: Callable[..., Any], args: Iterable[Any] = (),
                    kwds: Mapping[str, Any] | None = None, callback: Any = None,
                    error_callback: Any = None) -> _RecordedResult:
        args = tuple(args)  # the real pool fails later, in the worker, when args is no iterable
        self.functions.append(func)
        index = self._submitted
        self._submitted += 1
        self.calls.append(("submit", index, None))
        return _RecordedResult(self, index, func, args, dict(kwds or {}))

    def map(self, func: Callable[..., Any], iterable: Iterable[Any],
            chunksize: int | None = None) -> list[Any]:
        items = list(iterable)
        self.functions.append(func)
        self.calls.append(("map", len(items), None))
        return [func(item) for item in items]

    def map_async(self, func: Callable[..., Any], iterable: Iterable[Any],
                  chunksize: int | None = None, callback: Any = None,
                  error_callback: Any = None) -> _RecordedResult:
        results = self.map(func, iterable)
        return _RecordedResult(self, -1, lambda: results, (), {})

    def imap(self, func: Callable[..., Any], iterable: Iterable[Any],
             chunksize: int = 1) -> Iterable[Any]:
        return iter(self.map(func, iterable))

    imap_unordered = imap

    def starmap(self, func: Callable[..., Any], iterable: Iterable[Iterable[Any]],
                chunksize: int | None = None) -> list[Any]:
        items = [tuple(args) for args in iterable]
        self.functions.append(func)
        self.calls.append(("map", len(items), None))
        return [func(*args) for args in items]


def _defined_in_notebook(func: Callable[..., Any]) -> bool:
    func = getattr(func, "func", func)  # look inside functools.partial
    return getattr(func, "__module__", None) == "__main__"


def check_square_all(square_all: Callable[..., Any]) -> Verdict:
    """Exercise 1: ``square_all(pool, numbers)`` returns the squares, computed side by side."""
    if not callable(square_all):
        return not_yet(f"square_all should be a function, not {type(square_all).__name__}")
    pool = RecordingPool()
    try:
        returned = square_all(pool, NUMBERS)
    except Exception as error:  # the learner's code: report any failure in plain words
        return not_yet(f"square_all(pool, numbers) raised {type(error).__name__}: {error}")
    if not pool.calls:
        return not_yet("square_all must use the pool it receives (pool.apply_async or pool.map)")
    if any(_defined_in_notebook(func) for func in pool.functions):
        return not_yet("a function defined in the notebook cannot be sent to a pool under spawn; "
                       "use square from helpers.workers")
    expected = [square(n) for n in NUMBERS]
    try:
        got = list(returned)
    except TypeError:
        return not_yet(f"return a list of squares, not {type(returned).__name__}")
    if got != expected:
        return not_yet(f"for numbers {list(NUMBERS)} return {expected} (same order), got {got}")
    kinds = [kind for kind, _, _ in pool.calls]
    if "map" in kinds:
        return correct("map and its relatives hand the pool every task at once. "
                       "(pool.map waits without a time-out; map_async(...).get(timeout) has one.)")
    first_get = next((i for i, kind in enumerate(kinds) if kind in ("get", "wait")), None)
    late = [index for kind, index, _ in pool.calls[first_get or 0:] if kind == "submit"]
    if first_get is not None and late:
        return not_yet(f"task {late[0]} was submitted only after you waited for an earlier "
                       "result, so the pool ran the tasks one at a time. Submit all of them "
                       "first (keep the AsyncResults in a list), then call .get() on each")
    if any(kind == "get" and timeout is None for kind, _, timeout in pool.calls):
        return not_yet("the order is right; now give every .get() a timeout, e.g. "
                       ".get(timeout=10), so that a stuck task cannot hang the notebook")
    return correct(f"all {len(NUMBERS)} tasks were submitted before the first .get(), "
                   "so the pool's workers could run them side by side.")


# --- exercise 2: errors come back, per task --------------------------------------------------


def expected_outcome(x: object) -> object:
    """What ``square(x)`` gives for ``x``: its result, or the exception it raises."""
    try:
        return square(x)  # type: ignore[arg-type]
    except Exception as error:
        return error


def check_outcomes(outcomes: Mapping[object, object]) -> Verdict:
    """Exercise 2: ``outcomes`` maps each of :data:`SQUARE_INPUTS` to its result or exception."""
    if not isinstance(outcomes, Mapping):
        kind = type(outcomes).__name__
        return not_yet(f"outcomes should be a dict of input -> outcome, not {kind}")
    missing = [x for x in SQUARE_INPUTS if x not in outcomes]
    if missing:
        return not_yet(f"outcomes has no entry for {len(missing)} of the {len(SQUARE_INPUTS)} "
                       f"inputs, e.g. {missing[0]!r}")
    for x in SQUARE_INPUTS:
        expected, got = expected_outcome(x), outcomes[x]
        if isinstance(expected, Exception):
            if not isinstance(got, BaseException):
                return not_yet(f"square({x!r}) raises {type(expected).__name__} in the worker: "
                               f"catch it around .get(timeout=...) and store the exception "
                               f"itself, not {got!r}")
            if type(got) is not type(expected):
                return not_yet(f"outcomes[{x!r}] is a {type(got).__name__}, but the worker "
                               f"raised {type(expected).__name__}")
        elif isinstance(got, BaseException):
            return not_yet(f"square({x!r}) works, but outcomes[{x!r}] holds "
                           f"{type(got).__name__}: {got}")
        elif got != expected:
            return not_yet(f"outcomes[{x!r}] should be {expected!r}, got {got!r}")
    errors = sum(isinstance(expected_outcome(x), Exception) for x in SQUARE_INPUTS)
    return correct(f"{len(SQUARE_INPUTS) - errors} results and {errors} exceptions: each failing "
                   "task raised its own exception at its own .get(), and the others were unharmed.")


# --- exercise 3: futures and as_completed ----------------------------------------------------


def check_futures_squares(
    futures: Mapping[object, object], squares: Mapping[object, object]
) -> Verdict:
    """Exercise 3: ``futures`` maps Future -> x and ``squares`` maps x -> x*x.

    The inputs ``x`` are :data:`FUTURE_INPUTS`.
    """
    if not isinstance(futures, Mapping) or not isinstance(squares, Mapping):
        return not_yet("futures and squares should both be dicts")
    if not futures:
        return not_yet("futures is empty: submit square(x) for every x and keep "
                       "{future: x for ...}")
    not_futures = [key for key in futures if not isinstance(key, Future)]
    if not_futures:
        return not_yet(f"the keys of futures should be what executor.submit returns (Futures), "
                       f"found {type(not_futures[0]).__name__}")
    if sorted(futures.values(), key=repr) != sorted(FUTURE_INPUTS, key=repr):
        return not_yet(f"futures should map one future to each x in {list(FUTURE_INPUTS)}")
    pending = [x for future, x in futures.items() if not future.done()]
    if pending:
        return not_yet(f"the future for {pending[0]!r} has not finished: collect the results "
                       "with as_completed(futures, timeout=...) inside the with-block")
    expected = {x: square(x) for x in FUTURE_INPUTS}
    if dict(squares) != expected:
        wrong = next((x for x in FUTURE_INPUTS if squares.get(x) != expected[x]), None)
        if wrong is None:
            return not_yet(f"squares should have exactly the keys {list(FUTURE_INPUTS)}")
        return not_yet(f"squares[{wrong!r}] should be {expected[wrong]!r}, "
                       f"got {squares.get(wrong)!r}; use futures[future] to find the x")
    return correct("as_completed hands you each future when it finishes; the dict "
                   "future -> x tells you which input it belonged to.")
