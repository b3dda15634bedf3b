"""Watch the learner's code run: which workers it started and joined, in what order.

Several exercises are about *how* work is done, not only about the result: start every worker
before joining any, give all of them the same lock, let the workers (not the parent) do the
work. A result alone cannot show that. So those checks call the learner's function inside
:func:`recorded_workers`, which notes every ``start()`` and ``join()`` of a
``threading.Thread`` or a ``multiprocessing`` process in this process, with the worker's
target and arguments, and :func:`call_with_timeout` makes sure that a wrong answer that hangs
cannot freeze the notebook.

>>> import threading
>>> with recorded_workers() as log:
...     worker = threading.Thread(target=print, args=("",))
...     worker.start()
...     worker.join(timeout=5)
<BLANKLINE>
>>> [(event.action, event.target_name) for event in log.events_of([worker])]
[('start', 'print'), ('join', 'print')]
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from helpers._validate import require_callable, require_items, require_number, require_seconds

_process_class = mp.process.BaseProcess

#: The longest a check waits for the learner's code, in seconds.
MAX_TIMEOUT = 600.0


def require_timeout(name: str, value: object) -> float:
    """``value`` as a watchdog's time limit: a finite number of seconds, > 0, <= MAX_TIMEOUT.

    ``None`` (wait forever) is refused: a check must never hang on the learner's code.
    """
    seconds = require_number(name, value, minimum=0, maximum=MAX_TIMEOUT)
    if seconds <= 0:
        raise ValueError(f"{name} must be > 0 seconds, got {value}")
    return seconds


@dataclass(frozen=True)
class WorkerEvent:
    """One ``start()`` or ``join()`` of a thread or process, as the parent saw it."""

    action: str  # "start" or "join"
    worker: Any  # the Thread or Process object itself
    target: Any
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    time: float
    #: For a ``join()``: the worker was still running when it returned (its time-out ran out).
    still_running: bool = False
    #: For a ``join()``: the time-out it was given (None: wait for ever).
    timeout: float | None = None

    @property
    def target_name(self) -> str:
        """The target function's name, looking inside ``functools.partial``."""
        target = getattr(self.target, "func", self.target)
        return getattr(target, "__name__", repr(target))

    @property
    def kind(self) -> str:
        """``"thread"`` or ``"process"``."""
        return "thread" if isinstance(self.worker, threading.Thread) else "process"


@dataclass
class WorkerLog:
    """Every start and join seen inside :func:`recorded_workers`, in order."""

    events: list[WorkerEvent] = field(default_factory=list)

    def events_of(self, workers: Iterable[Any]) -> list[WorkerEvent]:
        """The events of these workers only (a pool or a queue starts threads of its own)."""
        ids = {id(worker) for worker in workers}
        return [event for event in self.events if id(event.worker) in ids]

    def started(self, kind: str | None = None) -> list[WorkerEvent]:
        """The ``start`` events, of ``"thread"`` or ``"process"`` workers or of both."""
        return [e for e in self.events if e.action == "start" and kind in (None, e.kind)]

    def first_join_before_a_start(self, workers: Iterable[Any]) -> WorkerEvent | None:
        """The first start among ``workers`` that came after one of them was joined.

        ``None`` means every worker was started before any was joined: they could all run at
        the same time.
        """
        joined = False
        for event in self.events_of(workers):
            if event.action == "join":
                joined = True
            elif joined:
                return event
        return None


def _worker_call(worker: Any) -> tuple[Any, tuple[Any, ...], dict[str, Any]]:
    # Thread.run deletes its _target, _args and _kwargs when it ends: read them at start().
    return (
        getattr(worker, "_target", None),
        tuple(getattr(worker, "_args", ()) or ()),
        dict(getattr(worker, "_kwargs", {}) or {}),
    )


Wrapper = Callable[[type, str, Callable[..., Any]], Callable[..., Any]]


@contextlib.contextmanager
def wrapped_methods(methods: Iterable[tuple[type, str]], wrap: Wrapper) -> Iterator[None]:
    """Inside the block, each method ``cls.name`` is replaced by ``wrap(cls, name, original)``.

    Every method is restored when the block ends, even if it fails. The checks use this to
    watch the learner's calls (``start``, ``join``, ``get``) without changing what they do.
    """
    originals = {(cls, name): vars(cls)[name] for cls, name in methods}
    try:
        for (cls, name), original in originals.items():
            setattr(cls, name, wrap(cls, name, original))
        yield
    finally:
        for (cls, name), original in originals.items():
            setattr(cls, name, original)


def _is_alive(worker: Any) -> bool:
    try:
        return bool(worker.is_alive())
    except (AssertionError, ValueError):  # a process of another parent, or closed
        return False


@contextlib.contextmanager
def recorded_workers() -> Iterator[WorkerLog]:
    """Inside the block, every Thread and Process ``start()``/``join()`` is logged.

    The methods are wrapped only for the duration of the block, and restored even if it fails.
    """
    log = WorkerLog()
    guard = threading.Lock()
    # A worker's target and arguments as seen at start(): a Thread forgets them when it ends.
    calls: dict[int, tuple[Any, tuple[Any, ...], dict[str, Any]]] = {}

    def wrap(cls: type, name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        def recorded(self: Any, *args: Any, **kwargs: Any) -> Any:
            if name == "start":
                call = calls[id(self)] = _worker_call(self)
                with guard:
                    log.events.append(WorkerEvent(name, self, *call, time.monotonic()))
                return original(self, *args, **kwargs)
            result = original(self, *args, **kwargs)
            call = calls.get(id(self)) or _worker_call(self)
            running = name == "join" and _is_alive(self)
            timeout = kwargs.get("timeout", args[0] if args else None)
            with guard:
                log.events.append(
                    WorkerEvent(name, self, *call, time.monotonic(), running, timeout)
                )
            return result

        return recorded

    classes = (threading.Thread, _process_class)
    with wrapped_methods([(cls, name) for cls in classes for name in ("start", "join")], wrap):
        yield log


#: The name of the thread in which :func:`call_with_timeout` runs the learner's code.
CALLER_THREAD = "learner-code-under-check"


@dataclass
class Outcome:
    """What happened to a call made by :func:`call_with_timeout` (``thread`` ran it)."""

    finished: bool
    value: Any = None
    error: BaseException | None = None
    thread: threading.Thread | None = None


def call_with_timeout(func: Callable[..., Any], args: Sequence[Any], timeout: float) -> Outcome:
    """Call ``func(*args)`` in a daemon thread and wait at most ``timeout`` seconds for it.

    If it has not finished by then, ``Outcome.finished`` is False, and every
    ``multiprocessing`` pool the call created is terminated (a pool would otherwise replace
    its workers as they are stopped); the caller should stop the other processes it started
    (see :func:`stop_children_until_ended`). A learner's *thread* cannot be
    stopped from outside: it is a daemon thread, so it cannot keep the interpreter alive, and
    the checks stop every process it started.
    """
    require_callable("func", func)
    args = tuple(require_items("args", args))
    timeout = require_timeout("timeout", timeout)
    outcome = Outcome(finished=False)

    def call() -> None:
        try:
            outcome.value = func(*args)
        except BaseException as error:  # the learner's code may raise anything
            outcome.error = error

    thread = threading.Thread(target=call, name=CALLER_THREAD, daemon=True)
    outcome.thread = thread
    with pools_made(thread) as pools:
        thread.start()
        thread.join(timeout)
    outcome.finished = not thread.is_alive()
    if not outcome.finished:
        stop_pools(pools)
    return outcome


@contextlib.contextmanager
def pools_made(thread: threading.Thread | None = None) -> Iterator[list[Any]]:
    """Inside the block, list every ``multiprocessing`` pool (``ThreadPool`` too) and
    ``ProcessPoolExecutor`` created, by ``thread`` only if one is given.

    A check stops the ones the learner's code left running with :func:`stop_pools`. Stopping
    a pool's processes one by one is not enough: a ``Pool`` replaces dead workers (for ever,
    if its initializer fails) and may be left with a locked queue.
    """
    import multiprocessing.pool
    from concurrent.futures import ProcessPoolExecutor

    if thread is not None and not isinstance(thread, threading.Thread):
        raise TypeError(f"thread must be a threading.Thread or None, got {type(thread).__name__}")
    made: list[Any] = []

    def wrap(cls: type, name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        def recorded(self: Any, *args: Any, **kwargs: Any) -> Any:
            if thread is None or threading.current_thread() is thread:
                made.append(self)
            return original(self, *args, **kwargs)

        return recorded

    methods = [(multiprocessing.pool.Pool, "__init__"), (ProcessPoolExecutor, "__init__")]
    with wrapped_methods(methods, wrap):
        yield made


def stop_pools(pools: Iterable[Any]) -> None:
    """Terminate the pools, and shut the executors down without waiting for their tasks."""
    for pool in require_items("pools", pools):
        try:
            if hasattr(pool, "terminate"):
                pool.terminate()
            else:
                pool.shutdown(wait=False, cancel_futures=True)
        except Exception:  # noqa: BLE001 - half-built (its __init__ raised) or already closed
            pass


def children_now() -> set[int]:
    """The pids of this process's live multiprocessing children."""
    return {process.pid for process in mp.active_children() if process.pid is not None}


def stop_new_children(before: set[int], grace: float = 3.0) -> int:
    """Terminate and join every multiprocessing child not in ``before``; return how many.

    ``terminate()`` is acceptable here: the check throws away whatever those workers were
    writing to.
    """
    if not isinstance(before, set | frozenset):
        raise TypeError(f"before must be a set of pids, got {type(before).__name__}")
    grace = require_seconds("grace", grace)
    stopped = 0
    new = [p for p in mp.active_children() if p.pid not in before]
    for process in new:
        if process.is_alive():
            process.terminate()
            stopped += 1
    deadline = time.monotonic() + grace
    for process in new:
        process.join(timeout=max(0.1, deadline - time.monotonic()))
        if process.is_alive():  # pragma: no cover (terminate() did not work)
            process.kill()
            process.join(timeout=grace)
    return stopped


def stop_children_until_ended(
    before: set[int], caller: threading.Thread | None, grace: float = 5.0
) -> int:
    """Stop every child not in ``before``; while ``caller`` still runs, keep stopping what it
    starts, for at most ``grace`` seconds. Return how many processes were stopped.

    ``caller`` is the thread that ran the learner's code (``Outcome.thread``). If that code
    hangs (a ``join()`` without a time-out on a worker that never ends), stopping its workers
    usually lets it end; until it has, it may start more, and those are stopped too.
    """
    if not isinstance(before, set | frozenset):
        raise TypeError(f"before must be a set of pids, got {type(before).__name__}")
    if caller is not None and not isinstance(caller, threading.Thread):
        raise TypeError(f"caller must be a threading.Thread or None, got {type(caller).__name__}")
    grace = require_seconds("grace", grace)
    stopped = stop_new_children(before)
    deadline = time.monotonic() + grace
    while caller is not None and caller.is_alive() and time.monotonic() < deadline:
        caller.join(timeout=0.05)
        stopped += stop_new_children(before)
    return stopped + stop_new_children(before)
