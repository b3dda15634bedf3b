"""Checks for the exercises of chapter 02 (returning results through a queue).

Both exercises ask for a *function* that starts worker processes, reads their results from
one queue and joins them. The check does not only look at what the function returns: it calls
it while watching

* every ``start()`` and ``join()`` of a thread or process, with its target and arguments
  (:func:`helpers.checks.recording.recorded_workers`);
* every ``get()`` on a ``multiprocessing`` queue (what it returned, and whether it had a
  timeout) and every call of ``join()`` on a process, when it *began* (:func:`watched_waits`);
* whether the learner's own thread (the parent) ran the work itself (:func:`parent_work`).

So it can tell "the workers computed the results and the parent read one per worker, then
joined" from the wrong answers that return the same list: work done in the parent, workers
run one at a time, joined before they were read, read with a ``get()`` that could wait
forever. Each failing verdict carries a hint id (see :data:`HINTS`). The learner's function
runs in a helper thread with a time limit, and every worker it leaves running is stopped, so
a wrong answer that hangs cannot freeze the notebook.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import multiprocessing as mp
import multiprocessing.queues
import os
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import CodeType, FrameType
from typing import Any

from helpers._validate import require_int, require_number
from helpers.checks import Verdict, correct, not_yet
from helpers.checks.recording import (
    Outcome,
    WorkerEvent,
    call_with_timeout,
    children_now,
    recorded_workers,
    require_timeout,
    stop_children_until_ended,
    wrapped_methods,
)
from helpers.language import say
from helpers.queues import (
    list_of_squares,
    put_tagged_squares,
    put_tagged_sum_of_range,
)
from helpers.workers import sum_of_range

#: Exercise 1: one worker per size; worker ``i`` sleeps ``DELAYS[i]`` before it reports, so the
#: first worker started is the last to finish.
SIZES = (300, 10, 4000, 50, 700)
DELAYS = (0.2, 0.15, 0.1, 0.05, 0.0)

#: Exercise 2: each result pickles to hundreds of kilobytes, far more than a pipe holds.
BIG_SIZES = (120_000, 60_000, 90_000)

#: Every hint id these checks give, and the mistake it names.
HINTS = {
    "ok": "right",
    "not-a-function": "the answer is not a function",
    "missing": "the function returned None (nothing written yet)",
    "wrong-type": "the function returned something of the wrong shape",
    "work-in-parent": "the parent computed the results (or never read the workers' results)",
    "threads": "threads were started instead of processes",
    "wrong-target": "the processes run another function than the exercise's worker",
    "wrong-queue": "the workers were given something other than a multiprocessing queue",
    "wrong-count": "not one process per task",
    "wrong-args": "a worker received the wrong arguments",
    "separate-queues": "the workers were given different queues",
    "one-at-a-time": "each worker was started only after the previous one was read or joined",
    "one-get-only": "fewer get() calls than workers",
    "no-timeout": "a get() without a timeout (it could wait forever)",
    "join-before-get": "a worker was joined before every result was read",
    "not-joined": "a worker was still running when the function returned",
    "exit-code": "a worker ended with a non-zero exit code",
    "raised": "the function raised an exception",
    "empty": "a get(timeout=...) found nothing",
    "hangs": "the function did not return in time",
    "wrong-length": "not one result per task",
    "pairs-left": "the (task_id, value) pairs were returned instead of the values",
    "arrival-order": "the results are in the order they arrived, not in task order",
    "sorted-by-value": "the results are sorted by value, not by task",
    "wrong-order": "the right values in a wrong order",
    "wrong-value": "a wrong value",
}


# --- watching the learner's code -------------------------------------------------------------


@dataclass
class Wait:
    """One call of ``get()`` on a multiprocessing queue, or of ``join()`` on a process."""

    kind: str  # "get" or "join"
    source: Any  # the queue read from, or the process joined
    bounded: bool  # it had a timeout (or did not block): it cannot wait forever
    called: float  # time.monotonic() when the call began
    returned: float | None = None  # when it returned; None while waiting, or if it raised
    item: Any = None  # what a get() returned

    @property
    def got_item(self) -> bool:
        """A ``get()`` that returned an item."""
        return self.kind == "get" and self.returned is not None


def _bounded_get(block: object = True, timeout: object = None) -> bool:
    return not block or timeout is not None


@contextlib.contextmanager
def watched_waits() -> Iterator[list[Wait]]:
    """Inside the block, every ``get()`` on a ``multiprocessing`` ``Queue``/``SimpleQueue`` and
    every process ``join()`` is noted, in the order the calls began.

    A ``SimpleQueue.get()`` takes no timeout; it is noted as bounded (it is not judged).
    """
    waits: list[Wait] = []
    guard = threading.Lock()
    queue_class = multiprocessing.queues.Queue
    simple_class = multiprocessing.queues.SimpleQueue
    process_class = mp.process.BaseProcess
    methods = [(queue_class, "get"), (simple_class, "get"), (process_class, "join")]

    def wrap(cls: type, name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        def watched(self: Any, *args: Any, **kwargs: Any) -> Any:
            if name == "join":
                bounded = (args[0] if args else kwargs.get("timeout")) is not None
            elif cls is queue_class:
                try:
                    bounded = _bounded_get(*args, **kwargs)
                except TypeError:  # a wrong call: let the real get() say so
                    return original(self, *args, **kwargs)
            else:
                bounded = True
            wait = Wait("get" if name == "get" else "join", self, bounded, time.monotonic())
            with guard:
                waits.append(wait)
            result = original(self, *args, **kwargs)
            wait.item = result
            wait.returned = time.monotonic()
            return result

        return watched

    with wrapped_methods(methods, wrap):
        yield waits


@dataclass
class ParentWork:
    """How often the learner's own thread called each of the watched functions."""

    calls: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """All calls together."""
        return sum(self.calls.values())


def parent_work(
    func: Callable[..., Any], watched: Sequence[Callable[..., Any]]
) -> tuple[Callable[..., Any], ParentWork]:
    """Wrap ``func`` so that, while it runs, calls of ``watched`` functions *in its own thread*
    are counted (``sys.setprofile`` is per thread: workers, threads and child processes are not
    counted). Returns the wrapped function and the counter it fills.
    """
    codes: dict[CodeType, str] = {f.__code__: f.__name__ for f in watched}
    work = ParentWork()
    parent = os.getpid()

    def hook(frame: FrameType, event: str, arg: object) -> None:
        if event == "call" and frame.f_code in codes and os.getpid() == parent:
            name = codes[frame.f_code]
            work.calls[name] = work.calls.get(name, 0) + 1

    @functools.wraps(func)
    def profiled(*args: Any) -> Any:
        sys.setprofile(hook)
        try:
            return func(*args)
        finally:
            sys.setprofile(None)

    return profiled, work


@dataclass
class Run:
    """Everything the check saw while the learner's function ran once."""

    outcome: Outcome
    events: list[WorkerEvent]  # starts and joins of threads and processes
    waits: list[Wait]  # gets and process joins
    work: ParentWork  # the workers' functions, called by the parent itself
    exitcodes: dict[int, int | None]  # id(process) -> exit code when the function returned
    stopped: int  # workers the check had to stop afterwards

    def started(self, kind: str) -> list[WorkerEvent]:
        """The ``start`` events of ``"thread"`` or ``"process"`` workers."""
        return [e for e in self.events if e.action == "start" and e.kind == kind]

    def joined(self, worker: Any) -> bool:
        """Whether ``join()`` on ``worker`` returned at least once."""
        return any(e.action == "join" and e.worker is worker for e in self.events)


def watch(
    func: Callable[..., Any],
    args: Sequence[Any],
    timeout: float,
    parent_must_not_run: Sequence[Callable[..., Any]] = (),
    grace: float = 2.0,
) -> Run:
    """Call ``func(*args)`` (at most ``timeout`` seconds), watching it; stop what it leaves.

    If ``func`` is still running after ``timeout`` seconds, the processes it started are
    stopped, and for up to ``grace`` seconds so is any process it starts after that (a
    ``join()`` that returns because its worker was stopped lets the code go on).
    """
    before = children_now()
    profiled, work = parent_work(func, parent_must_not_run)
    with recorded_workers() as log, watched_waits() as waits:
        outcome = call_with_timeout(profiled, tuple(args), timeout)
        events, seen = list(log.events), list(waits)
    processes = [e.worker for e in events if e.action == "start" and e.kind == "process"]
    exitcodes = {id(process): process.exitcode for process in processes}
    # Outside the recording: the check's own joins are not the learner's.
    deadline = time.monotonic() + grace
    stopped = stop_children_until_ended(before, outcome.thread, grace)
    while children_now() - before and time.monotonic() < deadline:
        time.sleep(0.02)
    return Run(outcome, events, seen, work, exitcodes, stopped)


# --- what an exercise expects ----------------------------------------------------------------


@dataclass(frozen=True)
class Exercise:
    """What one exercise asks for: which worker, with which arguments, and the right results."""

    function: str  # the learner's function, as the messages call it
    target: Callable[..., Any]  # the worker every process must run
    call_text: str  # how worker i is called, in words
    calls: Mapping[int, tuple[Any, ...]]  # task id -> the worker's arguments except the queue
    truth: list[Any]  # results[i] for task i
    describe: Callable[[int], str]  # what results[i] should be, in words
    parent_must_not_run: tuple[Callable[..., Any], ...]

    @property
    def tasks(self) -> int:
        return len(self.calls)


def _call_arguments(event: WorkerEvent) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The arguments the worker's target receives, looking inside ``functools.partial``."""
    target, args, kwargs = event.target, event.args, event.kwargs
    if isinstance(target, functools.partial):
        return tuple(target.args) + tuple(args), {**target.keywords, **kwargs}
    return tuple(args), dict(kwargs)


def _same_function(target: Any, expected: Callable[..., Any]) -> bool:
    target = getattr(target, "func", target)  # functools.partial
    return (
        getattr(target, "__module__", None) == expected.__module__
        and getattr(target, "__qualname__", None) == expected.__qualname__
    )


def _bound(event: WorkerEvent, exercise: Exercise) -> tuple[tuple[Any, ...], Any] | None:
    """``(arguments except the queue, queue)`` of one worker; ``None`` if they do not fit."""
    args, kwargs = _call_arguments(event)
    try:
        bound = inspect.signature(exercise.target).bind(*args, **kwargs)
    except TypeError:
        return None
    bound.apply_defaults()
    values = dict(bound.arguments)
    the_queue = values.pop("queue")
    return tuple(values.values()), the_queue


def _is_process_queue(obj: object) -> bool:
    return isinstance(obj, (multiprocessing.queues.Queue, multiprocessing.queues.SimpleQueue))


def _looks_tagged(item: object) -> bool:
    return isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], int)


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _as_list(results: object) -> list[Any] | None:
    """``results`` as a list, if it is a sequence of results (a list, tuple, array...)."""
    if results is None or isinstance(results, (str, bytes, Mapping, set, frozenset)):
        return None
    tolist = getattr(results, "tolist", None)
    if callable(tolist):  # a NumPy array
        results = tolist()
    try:
        return list(results)  # type: ignore[call-overload]
    except TypeError:
        return None


def _all_read_at(gets: list[Wait], expected: int) -> float:
    """When the ``expected``-th item was read (``inf`` if fewer were read)."""
    done = sorted(w.returned for w in gets if w.returned is not None)
    return done[expected - 1] if 0 < expected <= len(done) else float("inf")


def _queues_given(run: Run, exercise: Exercise) -> list[Any]:
    found = []
    for event in run.started("process"):
        bound = _bound(event, exercise)
        if bound is not None:
            found.append(bound[1])
    return found


def _joined_early(run: Run, workers: list[Any], gets: list[Wait]) -> bool:
    """Whether a ``join()`` on one of ``workers`` began before every worker had been read."""
    read_all = _all_read_at(gets, len(workers))
    ids = {id(worker) for worker in workers}
    return any(w.kind == "join" and id(w.source) in ids and w.called < read_all for w in run.waits)


def _started_after_a_wait(run: Run, workers: list[Any], gets: list[Wait]) -> bool:
    """Whether a worker was started after another had been joined or read: one at a time."""
    ids = {id(worker) for worker in workers}
    starts = [e.time for e in run.events if e.action == "start" and id(e.worker) in ids]
    if not starts:
        return False
    last_start = max(starts)
    joins = [w.called for w in run.waits if w.kind == "join" and id(w.source) in ids]
    reads = [w.returned for w in gets if w.returned is not None]
    return any(t < last_start for t in joins + reads)


# --- judging one run -------------------------------------------------------------------------


def _judge_hang(run: Run, exercise: Exercise, timeout: float) -> Verdict:
    workers = [event.worker for event in run.started("process")]
    queues = {id(q) for q in _queues_given(run, exercise)}
    gets = [w for w in run.waits if w.kind == "get" and id(w.source) in queues]
    stopped = say(f"(the check stopped {run.stopped} worker(s))",
                  f"（检查停止了 {run.stopped} 个工作进程）")
    if workers and _joined_early(run, workers, gets):
        return not_yet(
            say(f"{exercise.function} was still running after {timeout:g} seconds {stopped}: it "
                "waited in join() for a worker whose result had not been read. A process that has "
                "put data in a queue does not exit until that data has been read. Read one result "
                "per worker first (get(timeout=...) once per worker), then join.",
                f"{exercise.function} 在 {timeout:g} 秒后仍在运行{stopped}：它在 join() "
                "中等待一个结果还没有被读取的工作进程。一个往队列里放了数据的进程，"
                "要等这些数据被读走才会退出。请先为每个工作进程读一个结果（每个工作进程调用一次 "
                "get(timeout=...)），再 join。"),
            "join-before-get",
        )
    if any(w.kind == "get" and not w.bounded and w.returned is None for w in run.waits):
        return not_yet(
            say(f"{exercise.function} was still running after {timeout:g} seconds {stopped}: it "
                "waited in a get() without a timeout for a result that never came. Read exactly "
                "one result per worker, each with get(timeout=...).",
                f"{exercise.function} 在 {timeout:g} 秒后仍在运行{stopped}：它在一个没有超时的 "
                "get() 中等待一个永远不会来的结果。请为每个工作进程恰好读取一个结果，每次都用 "
                "get(timeout=...)。"),
            "no-timeout",
        )
    return not_yet(
        say(f"{exercise.function} was still running after {timeout:g} seconds {stopped}. Start "
            "every worker, read one result per worker with get(timeout=...), then join them.",
            f"{exercise.function} 在 {timeout:g} 秒后仍在运行{stopped}。请启动每个工作进程，用 "
            "get(timeout=...) 为每个工作进程读取一个结果，然后 join 它们。"),
        "hangs",
    )


def _judge_workers(run: Run, exercise: Exercise) -> Verdict | None:
    """A failing verdict about the kind of workers started, or ``None``."""
    processes = run.started("process")
    if not processes:
        for event in run.started("thread"):
            target = getattr(event.target, "func", event.target)
            module = str(getattr(target, "__module__", ""))
            if module.startswith("helpers.") and not module.startswith("helpers.checks"):
                return not_yet(
                    say(f"{exercise.function} started threads: use one multiprocessing Process "
                        "per task (this exercise is about processes handing their results back)",
                        f"{exercise.function} 启动的是线程：请为每个任务使用一个 multiprocessing "
                        "的 Process（这个练习讲的是进程如何交回它们的结果）"),
                    "threads",
                )
        return None  # nothing started: judged with the results
    name = exercise.target.__name__
    for event in processes:
        if not _same_function(event.target, exercise.target):
            return not_yet(
                say(f"a process runs {event.target_name}: every process should run {name} "
                    f"(target={name}), which puts a tagged result into the queue",
                    f"有一个进程运行的是 {event.target_name}：每个进程都应当运行 "
                    f"{name}（target={name}），它会把一个带标签的结果放进队列"),
                "wrong-target",
            )
    for the_queue in _queues_given(run, exercise):
        if not _is_process_queue(the_queue):
            return not_yet(
                say(f"the workers were given a {type(the_queue).__name__}: a child process needs "
                    "a multiprocessing queue (q = mp.Queue()) to send its result back",
                    f"工作进程拿到的是一个 {type(the_queue).__name__}：子进程需要一个 "
                    "multiprocessing 队列（q = mp.Queue()）来送回它的结果"),
                "wrong-queue",
            )
    return None


def _judge_mechanism(run: Run, exercise: Exercise) -> Verdict | None:
    """With the right workers: one per task, all started, each read once, then joined."""
    processes = run.started("process")
    if len(processes) != exercise.tasks:
        return not_yet(
            say(f"{len(processes)} process(es) were started for {exercise.tasks} tasks: start "
                "exactly one process per task",
                f"为 {exercise.tasks} 个任务启动了 {len(processes)} 个进程："
                "请为每个任务恰好启动一个进程"),
            "wrong-count",
        )
    bound = [_bound(event, exercise) for event in processes]
    given = {b[0][0]: b[0] for b in bound if b is not None and b[0]}
    if None in bound or given != dict(exercise.calls):
        return not_yet(
            say(f"the workers' arguments are not the tasks' (the first worker got "
                f"{_short(processes[0].args)}): worker i should run {exercise.call_text}",
                "工作进程的参数不是任务的参数（第一个工作进程拿到的是 "
                f"{_short(processes[0].args)}）：工作进程 i 应当运行 {exercise.call_text}"),
            "wrong-args",
        )
    queues = {id(b[1]) for b in bound if b is not None}
    if len(queues) != 1:
        return not_yet(
            say(f"the {exercise.tasks} workers were given {len(queues)} different queues: create "
                "one queue before the loop and give that same queue to every worker",
                f"这 {exercise.tasks} 个工作进程拿到了 {len(queues)} 个不同的队列："
                "请在循环之前创建一个队列，并把同一个队列交给每个工作进程"),
            "separate-queues",
        )
    the_queue = bound[0][1]  # type: ignore[index]
    workers = [event.worker for event in processes]
    gets = [w for w in run.waits if w.got_item and w.source is the_queue]
    if _started_after_a_wait(run, workers, gets):
        return not_yet(
            say("the workers ran one at a time: a worker was started only after an earlier one "
                "had been read or joined. Start all of them first, then read, then join, so that "
                "they run at the same time.",
                "这些工作进程是一个接一个运行的：某个工作进程要等前一个被读取或被 join "
                "之后才启动。请先启动全部工作进程，再读取，再 join，这样它们才能同时运行。"),
            "one-at-a-time",
        )
    if not gets or run.work.total:
        what = (
            say(f"the parent called {', '.join(sorted(run.work.calls))} itself",
                f"父进程自己调用了 {', '.join(sorted(run.work.calls))}")
            if run.work.total
            else say("no result was read from the workers' queue",
                     "没有从工作进程的队列中读到任何结果")
        )
        return not_yet(
            say(f"{what}: the results must come from the workers. Read each worker's tagged "
                "result with q.get(timeout=...) and keep its value.",
                f"{what}：结果必须来自工作进程。请用 q.get(timeout=...) "
                "读取每个工作进程带标签的结果，并保留其中的值。"),
            "work-in-parent",
        )
    if len(gets) < exercise.tasks:
        return not_yet(
            say(f"{len(gets)} get() for {exercise.tasks} workers: each get() reads one result, "
                "so call it once per worker (the notes' mistake: one get() for two workers)",
                f"{exercise.tasks} 个工作进程只调用了 {len(gets)} 次 get()：每次 get() "
                "读取一个结果，所以要为每个工作进程调用一次（学习笔记里的错误："
                "两个工作进程只调用了一次 get()）"),
            "one-get-only",
        )
    if any(not w.bounded for w in run.waits if w.kind == "get" and w.source is the_queue):
        return not_yet(
            say("a get() without a timeout: if a worker dies before it puts its result, that get() "
                "waits forever. Use q.get(timeout=30): it raises queue.Empty instead.",
                "一个没有超时的 get()：如果某个工作进程在放入结果之前就死了，这个 get() "
                "会永远等下去。请使用 q.get(timeout=30)：这时它会抛出 queue.Empty。"),
            "no-timeout",
        )
    if _joined_early(run, workers, gets):
        return not_yet(
            say("a worker was joined before every result had been read. That works only while "
                "the results are small: a process that has put a large result cannot exit until "
                "it is read, and join() then waits forever. Read first, join second.",
                "有一个工作进程在所有结果都被读取之前就被 join 了。这只在结果很小时才行得通："
                "一个放入了大结果的进程，要等结果被读走才能退出，而 join() 就会永远等下去。"
                "先读取，再 join。"),
            "join-before-get",
        )
    for index, worker in enumerate(workers):
        code = run.exitcodes.get(id(worker))
        if code is None or not run.joined(worker):
            return not_yet(
                say(f"worker {index} was not joined: join every worker (after reading the "
                    f"results) before {exercise.function} returns",
                    f"工作进程 {index} 没有被 join：请在 {exercise.function} "
                    "返回之前（在读取结果之后）join 每个工作进程"),
                "not-joined",
            )
        if code != 0:
            return not_yet(say(f"worker {index} ended with exit code {code}",
                               f"工作进程 {index} 以退出码 {code} 结束"), "exit-code")
    return None


def _judge_results(results: list[Any], run: Run, exercise: Exercise) -> Verdict | None:
    truth = exercise.truth
    if len(results) != len(truth):
        return not_yet(
            say(f"expected {len(truth)} results (one per task), got {len(results)}",
                f"应当有 {len(truth)} 个结果（每个任务一个），实际得到 {len(results)} 个"),
            "wrong-length",
        )
    if all(_looks_tagged(item) for item in results) and not all(_looks_tagged(t) for t in truth):
        return not_yet(
            say("these look like (task_id, value) pairs: sort them by task_id, then keep only the "
                "values, e.g. [value for _, value in sorted(pairs)]",
                "这些看起来是 (task_id, value) 对：请按 task_id 排序，然后只保留值，例如 [value "
                "for _, value in sorted(pairs)]"),
            "pairs-left",
        )
    if results == truth:
        return None
    arrived = [w.item[1] for w in run.waits if w.got_item and _looks_tagged(w.item)]
    if results == arrived:
        return not_yet(
            say("these are the values in the order they arrived, which is the order the workers "
                "finished: sort the (task_id, value) pairs by task_id before keeping the values",
                "这些值是按到达的顺序排列的，也就是工作进程完成的顺序：请先按 task_id 对 "
                "(task_id, value) 对排序，再保留值"),
            "arrival-order",
        )
    try:
        same_items = sorted(results) == sorted(truth)
    except TypeError:
        same_items = False
    if same_items:
        if results == sorted(truth):
            return not_yet(
                say("right values, but sorted by value: put them in task order (sort the "
                    "(task_id, value) pairs by task_id, the first item of each pair)",
                    "值是对的，但按值排序了：请把它们按任务顺序排列（按 task_id，"
                    "也就是每对中的第一项，对 (task_id, value) 对排序）"),
                "sorted-by-value",
            )
        return not_yet(
            say("right values in the wrong order: results arrive in the order the workers finish; "
                "sort the (task_id, value) pairs by task_id before keeping the values",
                "值是对的，但顺序错了：结果按工作进程完成的顺序到达；请先按 task_id 对 (task_id, "
                "value) 对排序，再保留值"),
            "wrong-order",
        )
    for index, (got, expected) in enumerate(zip(results, truth, strict=True)):
        if got != expected:
            return not_yet(
                say(f"results[{index}] should be {exercise.describe(index)}, got {_short(got)}",
                    f"results[{index}] 应当是 {exercise.describe(index)}，实际得到 {_short(got)}"),
                "wrong-value",
            )
    return None  # pragma: no cover (unreachable: unequal lists differ somewhere)


def _judge_error(run: Run, exercise: Exercise) -> Verdict:
    error = run.outcome.error
    for index, event in enumerate(run.started("process")):
        code = run.exitcodes.get(id(event.worker))
        if code is not None and code > 0:
            return not_yet(
                say(f"{exercise.function} raised {type(error).__name__}, and worker {index} ended "
                    f"with exit code {code}: the worker failed (look at its arguments: plain ints "
                    "for the task id and the size)",
                    f"{exercise.function} 抛出了 {type(error).__name__}，而工作进程 {index} "
                    f"以退出码 {code} 结束：这个工作进程失败了（检查它的参数："
                    "任务编号和大小都应当是普通的 int）"),
                "exit-code",
            )
    if isinstance(error, queue.Empty):
        return not_yet(
            say(f"{exercise.function} raised queue.Empty: a get(timeout=...) found nothing. Did "
                "every worker start, with the same queue, and do you read once per worker?",
                f"{exercise.function} 抛出了 queue.Empty：一次 get(timeout=...) 什么也没读到。"
                "每个工作进程都启动了吗？用的是同一个队列吗？你是否为每个工作进程读取一次？"),
            "empty",
        )
    return not_yet(say(f"{exercise.function} raised {type(error).__name__}: {error}",
                       f"{exercise.function} 抛出了 {type(error).__name__}：{error}"), "raised")


def _unpack(returned: object, pair: bool) -> list[Any] | Verdict:
    """The results the learner's function returned (``pair``: as ``(results, workers)``)."""
    results = returned
    if pair:
        if not (isinstance(returned, tuple) and len(returned) == 2):
            return not_yet(
                say(f"the function should return a pair (results, workers), got "
                    f"{type(returned).__name__}",
                    "这个函数应当返回一对 (results, workers)，实际得到的是 "
                    f"{type(returned).__name__}"),
                "wrong-type",
            )
        results, workers = returned
        listed = _as_list(workers)
        if listed is None or not all(isinstance(w, mp.process.BaseProcess) for w in listed):
            return not_yet(
                say("workers should be the list of the Process objects that the function started",
                    "workers 应当是这个函数所启动的 Process 对象组成的列表"),
                "wrong-type",
            )
    elif isinstance(returned, tuple) and len(returned) == 2:
        listed = _as_list(returned[1])
        if listed and all(isinstance(w, mp.process.BaseProcess) for w in listed):
            results = returned[0]  # (results, workers) is accepted too
    as_list = _as_list(results)
    if as_list is None:
        return not_yet(
            say(f"results should be a list (one value per task), not {type(results).__name__}",
                f"results 应当是一个列表（每个任务一个值），而不是 {type(results).__name__}"),
            "wrong-type",
        )
    return as_list


def _judge(run: Run, exercise: Exercise, timeout: float, pair: bool) -> Verdict:
    """The verdict on one run; ``pair``: the function must return ``(results, workers)``."""
    if not run.outcome.finished:
        return _judge_hang(run, exercise, timeout)
    failed = _judge_workers(run, exercise)
    if failed is not None:
        return failed
    if run.outcome.error is not None:
        return _judge_error(run, exercise)
    if run.outcome.value is None:
        return not_yet(
            say(f"{exercise.function} returned None: start one process per task, read one tagged "
                "result per worker with get(timeout=...), join the workers, and return "
                + ("(results, workers)" if pair else say("the values in task order",
                                                          "按任务顺序排列的值")),
                f"{exercise.function} 返回了 None：请为每个任务启动一个进程，用 get(timeout=...) "
                "为每个工作进程读取一个带标签的结果，join 这些工作进程，然后返回"
                + (" (results, workers)" if pair else "按任务顺序排列的值")),
            "missing",
        )
    results = _unpack(run.outcome.value, pair)
    if isinstance(results, Verdict):
        return results
    if not run.started("process"):
        said = say("right values, but ", "值是对的，但是") if results == exercise.truth else ""
        return not_yet(
            say(f"{said}{exercise.function} started no process: the parent did the work. Start "
                f"one Process per task (target={exercise.target.__name__}, all with the same "
                "queue); the workers compute, the parent only reads their results.",
                f"{said}{exercise.function} 没有启动任何进程：工作是父进程做的。"
                f"请为每个任务启动一个 Process（target={exercise.target.__name__}，"
                "全都使用同一个队列）；由工作进程计算，父进程只读取它们的结果。"),
            "work-in-parent",
        )
    failed = _judge_mechanism(run, exercise)
    if failed is None:
        failed = _judge_results(results, run, exercise)
    return correct(say("right",
                       "对")) if failed is None else failed


def _arrived_in_task_order(run: Run) -> bool:
    ids = [w.item[0] for w in run.waits if w.got_item and _looks_tagged(w.item)]
    return ids == sorted(ids)


def _check(
    func: object,
    setups: Sequence[tuple[Exercise, tuple[Any, ...]]],
    timeout: float,
    pair: bool,
) -> Verdict:
    """Run ``func`` once per ``(exercise, args)`` in ``setups``, as long as the runs cannot tell.

    Results that happened to arrive in task order cannot show that they were sorted: the next
    setup runs the answer again (a loaded machine can start the workers so slowly that they
    finish in the order they were started; the setups of exercise 1 spread the workers'
    delays further each time, so that one of them sees the results arrive out of order).
    """
    if not callable(func):
        exercise = setups[0][0]
        return not_yet(
            say(f"{exercise.function} should be a function, not {type(func).__name__}",
                f"{exercise.function} 应当是一个函数，而不是 {type(func).__name__}"),
            "not-a-function",
        )
    verdict = not_yet(say("not run",
                          "未运行"), "hangs")
    for exercise, args in setups:
        run = watch(func, args, timeout, exercise.parent_must_not_run)
        verdict = _judge(run, exercise, timeout, pair)
        if not verdict.ok or not _arrived_in_task_order(run):
            return verdict
    return verdict


# --- exercise 1 ------------------------------------------------------------------------------


def delay_spreads(attempts: int, longest_delay: float, timeout: float) -> list[float]:
    """By how much each run of exercise 1's check multiplies the workers' delays.

    The first run uses the delays as given; each further run spreads them four times more (at
    most ten times, and never beyond a quarter of ``timeout`` for the longest delay), so that
    workers started slowly on a loaded machine still finish out of task order.

    >>> delay_spreads(4, longest_delay=0.2, timeout=20.0)
    [1.0, 4.0, 10.0, 10.0]
    >>> delay_spreads(3, longest_delay=2.0, timeout=20.0)
    [1.0, 2.5, 2.5]
    """
    require_int("attempts", attempts, minimum=1, maximum=10)
    require_number("longest_delay", longest_delay, minimum=0, maximum=10)
    require_timeout("timeout", timeout)
    most = 10.0 if longest_delay == 0 else max(1.0, min(10.0, timeout / 4 / longest_delay))
    return [min(4.0**attempt, most) for attempt in range(attempts)]


#: The largest size a check's worker computes (the exercises use at most 120_000).
MAX_SIZE = 10**7


def _require_sizes(sizes: object) -> tuple[int, ...]:
    if isinstance(sizes, str) or not isinstance(sizes, Sequence) or not sizes:
        raise TypeError(f"sizes must be a non-empty list of ints, got {sizes!r}")
    if len(sizes) > 64:
        raise ValueError(f"sizes must hold at most 64 sizes (one worker each), got {len(sizes)}")
    return tuple(require_int("sizes[...]", n, minimum=0, maximum=MAX_SIZE) for n in sizes)


def _require_delays(delays: object) -> tuple[float, ...]:
    if isinstance(delays, str) or not isinstance(delays, Sequence):
        raise TypeError(f"delays must be a list of seconds, got {delays!r}")
    for delay in delays:
        require_number("delays[...]", delay, minimum=0, maximum=10)
    return tuple(delays)


def check_ordered_sums(
    ordered_sums: Callable[[Sequence[int], Sequence[float]], Any],
    sizes: Sequence[int] = SIZES,
    delays: Sequence[float] = DELAYS,
    timeout: float = 20.0,
    attempts: int = 3,
) -> Verdict:
    """Exercise 1: ``ordered_sums(sizes, delays)`` must return the sums in task order.

    Judged on how it got them: one process per task running
    ``put_tagged_sum_of_range(i, sizes[i], q, delays[i])``, all with the same queue ``q``, all
    started before any is read or joined; one ``get(timeout=...)`` per worker; then every
    worker joined, with exit code 0; ``results[i] == sum_of_range(sizes[i])``. Returning
    ``(results, workers)`` is accepted too.
    """
    sizes, delays = _require_sizes(sizes), _require_delays(delays)
    if len(sizes) != len(delays):
        raise ValueError(f"sizes and delays must have the same length, got {sizes}, {delays}")
    require_timeout("timeout", timeout)
    require_int("attempts", attempts, minimum=1, maximum=10)
    truth = [sum_of_range(n) for n in sizes]

    def setup(spread: float) -> tuple[Exercise, tuple[Any, ...]]:
        spread_delays = tuple(delay * spread for delay in delays)
        exercise = Exercise(
            function="ordered_sums",
            target=put_tagged_sum_of_range,
            call_text="put_tagged_sum_of_range(i, sizes[i], q, delays[i])",
            calls={
                i: (i, n, d) for i, (n, d) in enumerate(zip(sizes, spread_delays, strict=True))
            },
            truth=truth,
            describe=lambda i: f"sum_of_range({sizes[i]}) = {truth[i]}",
            parent_must_not_run=(sum_of_range, put_tagged_sum_of_range),
        )
        return exercise, (tuple(sizes), spread_delays)

    setups = [setup(spread) for spread in delay_spreads(attempts, max(delays, default=0), timeout)]
    verdict = _check(ordered_sums, setups, timeout, pair=False)
    if verdict.ok:
        return correct(
            say(f"{len(sizes)} processes started together, one get(timeout=...) per worker, then "
                "all joined; the sums are in task order, whatever order the workers finished in.",
                f"{len(sizes)} 个进程一起启动，每个工作进程一次 get(timeout=...)，然后全部 join；"
                "无论工作进程以什么顺序完成，这些和都按任务顺序排列。")
        )
    return verdict


# --- exercise 2 ------------------------------------------------------------------------------


def check_collect(
    collect: Callable[[Sequence[int]], Any],
    sizes: Sequence[int] = BIG_SIZES,
    timeout: float = 20.0,
    attempts: int = 3,
) -> Verdict:
    """Exercise 2: ``collect(sizes)`` must return ``(results, workers)``.

    ``results[i]`` is ``list_of_squares(sizes[i])``, computed by a process running
    ``put_tagged_squares(i, sizes[i], q)``; all processes share ``q`` and are started before
    any is read or joined, every result is read with ``get(timeout=...)`` *before* any worker
    is joined, and every worker ends with exit code 0. ``collect`` runs in a helper thread;
    if it hangs for ``timeout`` seconds, the check stops it (and every worker it started) and
    says why, so a wrong answer cannot freeze the notebook. (A hung ``collect`` runs in a
    daemon thread, which Python cannot stop: once its workers are stopped it usually ends,
    on an error; if it waits for something else, it stays until the kernel restarts, using no
    CPU while it waits.)
    """
    sizes = _require_sizes(sizes)
    require_timeout("timeout", timeout)
    require_int("attempts", attempts, minimum=1, maximum=10)
    exercise = Exercise(
        function="collect",
        target=put_tagged_squares,
        call_text="put_tagged_squares(i, sizes[i], q)",
        calls={i: (i, n) for i, n in enumerate(sizes)},
        truth=[list_of_squares(n) for n in sizes],
        describe=lambda i: say(f"list_of_squares({sizes[i]}) ({sizes[i]} numbers)",
                               f"list_of_squares({sizes[i]})（{sizes[i]} 个数）"),
        parent_must_not_run=(list_of_squares, put_tagged_squares),
    )
    verdict = _check(collect, [(exercise, (tuple(sizes),))] * attempts, timeout, pair=True)
    if verdict.ok:
        return correct(
            say(f"{len(sizes)} workers started together, their {len(sizes)} large results read "
                "first (each with a timeout), then every worker joined with exit code 0; the "
                "results are in task order.",
                f"{len(sizes)} 个工作进程一起启动，先读取它们的 {len(sizes)} "
                "个大结果（每次都有超时），然后每个工作进程都被 join，退出码为 0；"
                "结果按任务顺序排列。")
        )
    return verdict
