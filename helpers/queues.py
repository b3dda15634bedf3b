"""Workers that hand their results back to the parent: through a queue, a pipe, or a list.

A ``Process`` keeps no return value: the child runs in its own memory, and whatever its target
returns is dropped when the child exits. So a child *sends* its result, and the parent reads it.
Every worker here takes the channel (a queue or one end of a pipe) as an argument, as the
multiprocessing "Programming guidelines" recommend, and never prints.

The ``queue`` argument of the ``put_*`` workers may be a ``multiprocessing.Queue``, a
``multiprocessing.SimpleQueue`` or, for threads, a ``queue.Queue``: anything with ``put``.

>>> import queue
>>> q = queue.Queue()
>>> put_tagged_sum_of_range(7, 100, q)
>>> q.get(timeout=1)
Tagged(task_id=7, value=4950)
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple, Protocol

from helpers._validate import MAX_SLEEP, require_has, require_int, require_number, require_seconds
from helpers.timing import Clock, Timing
from helpers.workers import MAX_RANGE, sum_of_range


class SupportsPut(Protocol):
    """Anything a worker can put a result into: ``multiprocessing.Queue``, ``queue.Queue``..."""

    def put(self, item: Any, /) -> None: ...


class SupportsSend(Protocol):
    """The sending end of a ``multiprocessing.Pipe``."""

    def send(self, obj: Any, /) -> None: ...

    def close(self) -> None: ...


class Tagged(NamedTuple):
    """A result labelled with the id of the task that produced it.

    Results from several workers arrive in the order the workers *finish*; the tag lets the
    parent put them back in task order: ``sorted(results)`` sorts by ``task_id`` first.
    """

    task_id: int
    value: Any


def _require_put(queue: object) -> None:
    require_has(
        "queue", queue, "put", example="a multiprocessing.Queue, SimpleQueue or queue.Queue"
    )


def put_sum_of_range(n: int, queue: SupportsPut) -> None:
    """Put ``0 + 1 + ... + (n - 1)`` into ``queue`` (the notes' ``job(Q)`` with ``n=100``).

    >>> import queue
    >>> q = queue.Queue()
    >>> put_sum_of_range(100, q)
    >>> q.get(timeout=1)
    4950
    """
    require_int("n", n, minimum=0, maximum=MAX_RANGE)
    _require_put(queue)
    queue.put(sum_of_range(n))


def put_tagged_sum_of_range(task_id: int, n: int, queue: SupportsPut, delay: float = 0.0) -> None:
    """Sleep ``delay`` seconds, then put ``Tagged(task_id, sum_of_range(n))`` into ``queue``.

    The delay stands in for work of uneven length, so that workers finish in an order that
    differs from the order they were started in.
    """
    require_int("task_id", task_id, minimum=0)
    require_int("n", n, minimum=0, maximum=MAX_RANGE)
    require_number("delay", delay, minimum=0, maximum=MAX_SLEEP)
    _require_put(queue)
    time.sleep(delay)
    queue.put(Tagged(task_id, sum_of_range(n)))


def list_of_squares(n: int) -> list[int]:
    """Return ``[0, 1, 4, ..., (n - 1) ** 2]``: a result that grows large with ``n``.

    >>> list_of_squares(5)
    [0, 1, 4, 9, 16]
    """
    require_int("n", n, minimum=0, maximum=10**7)
    return [i * i for i in range(n)]


def put_tagged_squares(task_id: int, n: int, queue: SupportsPut) -> None:
    """Put ``Tagged(task_id, list_of_squares(n))`` into ``queue``.

    With ``n`` around 100 000 the pickled list is far larger than an operating-system pipe
    holds (64 KiB on Linux), which is what makes joining before reading hang.
    """
    require_int("task_id", task_id, minimum=0)
    require_int("n", n, minimum=0, maximum=MAX_RANGE)
    _require_put(queue)
    queue.put(Tagged(task_id, list_of_squares(n)))


def send_sum_of_range(n: int, connection: SupportsSend) -> None:
    """Send ``sum_of_range(n)`` through ``connection`` (one end of a ``Pipe``), then close it.

    Closing the end tells the reader that nothing more will come: its ``recv()`` then raises
    ``EOFError`` instead of waiting.
    """
    require_int("n", n, minimum=0, maximum=MAX_RANGE)
    if not callable(getattr(connection, "send", None)):
        raise TypeError(
            "connection must be one end of a multiprocessing.Pipe (with a send() method), "
            f"got {type(connection).__name__}"
        )
    try:
        connection.send(sum_of_range(n))
    finally:
        connection.close()


def append_sum_of_range(n: int, results: list[int]) -> None:
    """Append ``sum_of_range(n)`` to the list ``results``.

    In a thread, the caller sees the new item: threads share memory. In a process, the child
    appends to its own *copy* of the list, and the parent's list does not change.

    >>> found = []
    >>> append_sum_of_range(100, found)
    >>> found
    [4950]
    """
    require_int("n", n, minimum=0, maximum=MAX_RANGE)
    if not isinstance(results, list):
        raise TypeError(f"results must be a list, got {type(results).__name__}")
    results.append(sum_of_range(n))


def _require_items(items: object) -> list[Any]:
    if isinstance(items, str | bytes) or not isinstance(items, Iterable):
        raise TypeError(f"items must be a list of things to send, got {type(items).__name__}")
    found = list(items)
    if len(found) > 10**6:
        raise ValueError(f"items must hold at most 1_000_000 items, got {len(found)}")
    return found


def round_trip(queue: Any, items: Iterable[Any], timeout: float = 10.0) -> list[Any]:
    """Put every item into ``queue``, then get them all back (waiting at most ``timeout`` each).

    Runs in the caller's thread; use it to compare what a queue costs per item.

    >>> import queue
    >>> round_trip(queue.Queue(), [1, 2, 3])
    [1, 2, 3]
    """
    require_has("queue", queue, "put", "get", example="e.g. a queue.Queue or multiprocessing.Queue")
    require_seconds("timeout", timeout)
    items = _require_items(items)
    for item in items:
        queue.put(item)
    return [queue.get(timeout=timeout) for _ in items]


def compare_round_trips(
    queues: Mapping[str, Any],
    items: Sequence[Any],
    rounds: int = 7,
    clock: Clock = time.perf_counter,
) -> dict[str, Timing]:
    """Time :func:`round_trip` through every queue, per item, in interleaved rounds.

    One untimed round first (it starts a ``multiprocessing.Queue``'s feeder thread), then
    ``rounds`` rounds in which every queue takes its turn: a burst of load on a shared machine
    then slows all of them, not only the one measured at that moment. Report the ``best`` of
    each :class:`~helpers.timing.Timing`: the closest to what the queue itself costs.

    >>> import queue
    >>> ticks = iter(range(100))
    >>> costs = compare_round_trips({"q": queue.Queue()}, [1, 2], rounds=2,
    ...                             clock=lambda: next(ticks))
    >>> costs["q"].samples  # one tick per round, for 2 items
    (0.5, 0.5)
    """
    if not isinstance(queues, Mapping):
        raise TypeError(f"queues must be a dict of name -> queue, got {type(queues).__name__}")
    if not queues:
        raise ValueError("queues must name at least one queue")
    for name, queue in queues.items():
        require_has(f"queues[{name!r}]", queue, "put", "get", example="e.g. a queue.Queue")
    require_int("rounds", rounds, minimum=1, maximum=1_000)
    items = _require_items(items)
    if not callable(clock):
        raise TypeError(f"clock must be callable, got {type(clock).__name__}")
    if not items:
        raise ValueError("items must hold at least one item")
    for queue in queues.values():
        round_trip(queue, items)
    samples: dict[str, list[float]] = {name: [] for name in queues}
    for _ in range(rounds):
        for name, queue in queues.items():
            start = clock()
            round_trip(queue, items)
            samples[name].append((clock() - start) / len(items))
    return {name: Timing(tuple(times)) for name, times in samples.items()}
