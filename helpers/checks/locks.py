"""Checks for the exercises of chapter 06 (locks).

Exercise 1 is about a *mechanism*: four processes that share **one** lock, all running at the
same time. A final count cannot show that (four processes started and joined one at a time
lose nothing even without a lock, and four separate locks often get lucky), so the learner
writes a function ``run_four(counter)`` and :func:`check_no_lost_updates` calls it with a
fresh counter while it records every process started and joined
(:mod:`helpers.checks.recording`): which target, which counter and which lock each process
received, in what order they were started and joined, and how they ended.

Exercise 2 is about lock *orders*: :func:`check_lock_orders` looks for a circle in the
learner's orders before it looks at the reports of the run.

Every verdict carries a hint id (``"separate-locks"``, ``"one-at-a-time"``, ``"circle"``, ...);
see the two functions for the full lists.
"""

from __future__ import annotations

import functools
import inspect
import multiprocessing as mp
import multiprocessing.managers as mp_managers
import multiprocessing.synchronize as mp_sync
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from helpers.checks import Verdict, correct, not_yet
from helpers.checks.recording import (
    CALLER_THREAD,
    WorkerEvent,
    WorkerLog,
    call_with_timeout,
    children_now,
    recorded_workers,
    require_timeout,
    stop_children_until_ended,
)
from helpers.language import say
from helpers.locks import LockReport, increment

# --------------------------------------------------------------------------------------------
# Exercise 1: four processes, one lock, no lost update
# --------------------------------------------------------------------------------------------

#: Exercise 1: how many processes, and how many increments each.
EXERCISE_WORKERS = 4
EXERCISE_INCREMENTS = 5_000

#: Seconds the check waits for ``run_four`` (a right answer needs well under one).
CHECK_TIMEOUT = 20.0

#: Locks that work between processes: a multiprocessing lock, or a Manager's lock proxy.
_PROCESS_LOCK_TYPES: tuple[type, ...] = (mp_sync.Lock, mp_sync.RLock, mp_managers.AcquirerProxy)
#: Locks that live in one process only.
_THREAD_LOCK_TYPES: tuple[type, ...] = tuple(
    kind
    for kind in (
        type(threading.Lock()),
        type(threading.RLock()),
        getattr(threading, "_PyRLock", None),  # the pure-Python RLock, where there is one
        threading.Semaphore,
        threading.Condition,
    )
    if isinstance(kind, type)
)
_SIGNATURE = inspect.signature(increment)


@dataclass(frozen=True)
class _Call:
    """One process (or thread) the learner started, and what it was asked to run."""

    event: WorkerEvent
    function: Any  # the target, looked through functools.partial
    arguments: dict[str, Any] | None  # increment's arguments by name; None if not increment

    @property
    def worker(self) -> Any:
        return self.event.worker

    @property
    def lock(self) -> Any:
        return None if self.arguments is None else self.arguments["lock"]


def _call_of(event: WorkerEvent) -> _Call:
    function, args, kwargs = event.target, tuple(event.args), dict(event.kwargs)
    while isinstance(function, functools.partial):
        args = tuple(function.args) + args
        kwargs = {**function.keywords, **kwargs}
        function = function.func
    arguments = None
    if function is increment:
        try:
            bound = _SIGNATURE.bind(*args, **kwargs)
        except TypeError:
            arguments = None
        else:
            bound.apply_defaults()
            arguments = dict(bound.arguments)
    return _Call(event, function, arguments)


def _is_internal(event: WorkerEvent) -> bool:
    """A worker that multiprocessing starts for itself (a Manager's server, a Queue's feeder)."""
    if event.kind == "thread" and getattr(event.worker, "name", "") == CALLER_THREAD:
        return True
    function = event.target
    while isinstance(function, functools.partial):
        function = function.func
    module = getattr(function, "__module__", "") or ""
    return module == "multiprocessing" or module.startswith("multiprocessing.")


def _held_in_this_process(lock: Any) -> bool:
    """True if a thread of this process holds ``lock`` (a multiprocessing Lock or RLock)."""
    semlock = getattr(lock, "_semlock", None)
    count = getattr(semlock, "_count", None)
    try:
        return callable(count) and count() > 0
    except Exception:  # pragma: no cover (a lock we cannot inspect)
        return False


@dataclass(frozen=True)
class _Ended:
    """How a started process stood when ``run_four`` returned."""

    joined: bool  # the learner called join() on it
    running: bool  # still running (a join with a timeout gave up, or no join at all)
    exitcode: int | None


def _how_it_ended(log: WorkerLog, worker: Any) -> _Ended:
    joined = any(event.action == "join" for event in log.events_of([worker]))
    exitcode = worker.exitcode if getattr(worker, "_popen", None) is not None else None
    return _Ended(joined=joined, running=exitcode is None, exitcode=exitcode)


def check_no_lost_updates(
    run_four: Callable[[Any], Any],
    timeout: float = CHECK_TIMEOUT,
) -> Verdict:
    """Exercise 1: ``run_four(counter)`` starts four processes of
    ``increment(counter, 5_000, lock)`` that share one lock, starts them all before joining
    any, and joins them all.

    The check calls ``run_four`` with a fresh ``mp.Value("i", 0)`` and records every process
    it starts and joins (its return value is not used); a call that has not returned after
    ``timeout`` seconds is stopped, with every process it started. Hint ids: ``ok``,
    ``wrong-type``, ``parent-holds-lock``, ``hangs``, ``thread-lock``, ``error``, ``threads``,
    ``work-in-parent``, ``not-started``, ``wrong-target``, ``wrong-args``, ``other-counter``,
    ``fewer-workers``, ``more-workers``, ``wrong-increments``, ``no-lock``, ``not-a-lock``,
    ``separate-locks``, ``one-at-a-time``, ``not-joined``, ``worker-failed``,
    ``lost-updates``.
    """
    if not callable(run_four):
        return not_yet(
            say(f"pass the function itself, check_no_lost_updates(run_four), not a "
                f"{type(run_four).__name__}",
                "请传入函数本身，check_no_lost_updates(run_four)，而不是一个 "
                f"{type(run_four).__name__}"),
            "wrong-type",
        )
    require_timeout("timeout", timeout)
    counter = mp.Value("i", 0)
    before = children_now()
    with recorded_workers() as log:
        outcome = call_with_timeout(run_four, (counter,), timeout)
    events = [event for event in log.started() if not _is_internal(event)]
    calls = [_call_of(event) for event in events]
    processes = [call for call in calls if call.event.kind == "process"]
    threads = [call for call in calls if call.event.kind == "thread"]
    ended = {id(call.worker): _how_it_ended(log, call.worker) for call in processes}
    final = counter.get_obj().value  # not counter.value: the learner's code may hold its lock
    lock_held_here = not outcome.finished and any(
        _held_in_this_process(call.lock) for call in processes
    )
    # The learner's call may be stuck (joining processes that wait for a lock the parent
    # holds): with its processes stopped it can usually end.
    stop_children_until_ended(before, outcome.thread)
    return _judge(outcome, log, processes, threads, ended, final, lock_held_here, counter,
                  timeout)


def _judge(
    outcome: Any,
    log: WorkerLog,
    processes: list[_Call],
    threads: list[_Call],
    ended: dict[int, _Ended],
    final: int,
    lock_held_here: bool,
    counter: Any,
    timeout: float,
) -> Verdict:
    workers, increments = EXERCISE_WORKERS, EXERCISE_INCREMENTS
    expected = workers * increments
    if not outcome.finished:
        if lock_held_here:
            return not_yet(
                say(f"run_four did not finish within {timeout:g} s: the parent holds the lock "
                    "while it waits for the processes, and they wait for that same lock. Do not "
                    "take the lock in run_four at all: increment takes it, in each process, "
                    "around each +=. (The check has stopped those processes.)",
                    f"run_four 没有在 {timeout:g} 秒内结束：父进程在等待这些进程时持有锁，"
                    "而它们在等待同一个锁。根本不要在 run_four 中获取锁：increment "
                    "会在每个进程中、在每次 += 前后获取它。（检查已经停止了这些进程。）"),
                "parent-holds-lock",
            )
        return not_yet(
            say(f"run_four did not finish within {timeout:g} s (the check has stopped the "
                "processes it started). Is it waiting for something that never happens?",
                f"run_four 没有在 {timeout:g} 秒内结束（检查已经停止了它启动的进程）。"
                "它是不是在等待一件永远不会发生的事？"),
            "hangs",
        )
    if any(isinstance(call.lock, _THREAD_LOCK_TYPES) for call in processes):
        return not_yet(
            say("a threading.Lock works only between the threads of one process. Under spawn and "
                "forkserver it cannot even be sent to a process (TypeError: cannot pickle); under "
                "fork every process gets its own copy, which excludes nobody. Use "
                "multiprocessing.Lock() or counter.get_lock().",
                "threading.Lock 只在同一个进程的线程之间起作用。在 spawn 和 forkserver 下，"
                "它甚至无法被发送给进程（TypeError: cannot pickle）；在 fork 下，"
                "每个进程都得到自己的一份副本，谁也排斥不了。请使用 multiprocessing.Lock() 或 "
                "counter.get_lock()。"),
            "thread-lock",
        )
    if outcome.error is not None:
        error = outcome.error
        return not_yet(
            say(f"run_four(counter) raised {type(error).__name__}: {error}",
                f"run_four(counter) 抛出了 {type(error).__name__}：{error}"),
            "error",
        )
    if not processes:
        if threads:
            return not_yet(
                say("run_four started threads: the exercise is about processes. Use "
                    "mp.Process(target=increment, args=(counter, 5_000, lock)).",
                    "run_four 启动的是线程：这个练习讲的是进程。请使用 "
                    "mp.Process(target=increment, args=(counter, 5_000, lock))。"),
                "threads",
            )
        if final != 0:
            return not_yet(
                say(f"the counter reads {final:,}, but run_four started no process: the parent did "
                    "the work. Start four processes and let each of them run increment.",
                    f"计数器的值是 {final:,}，但 run_four 没有启动任何进程：工作是父进程做的。"
                    "请启动四个进程，让它们每一个都运行 increment。"),
                "work-in-parent",
            )
        return not_yet(
            say(f"run_four started no process: create {workers} "
                "mp.Process(target=increment, args=(counter, 5_000, lock)), start them all, then "
                "join them all.",
                f"run_four 没有启动任何进程：请创建 {workers} 个 mp.Process(target=increment, "
                "args=(counter, 5_000, lock))，先全部启动，再全部 join。"),
            "not-started",
        )
    for number, call in enumerate(processes, 1):
        if call.function is not increment:
            if call.function is None and final != 0:
                return not_yet(
                    say("target=increment(...) calls increment right here, in the parent, and "
                        "gives the process nothing to run. Pass the function itself and its "
                        "arguments separately: mp.Process(target=increment, args=(counter, 5_000, "
                        "lock)).",
                        "target=increment(...) 会在这里、在父进程中直接调用 increment，"
                        "而进程什么也没得到。请把函数本身和它的参数分开传入："
                        "mp.Process(target=increment, args=(counter, 5_000, lock))。"),
                    "work-in-parent",
                )
            name = getattr(call.function, "__name__", repr(call.function))
            return not_yet(
                say(f"process {number} runs {name}, not increment: use target=increment",
                    f"进程 {number} 运行的是 {name}，而不是 increment：请使用 target=increment"),
                "wrong-target",
            )
        if call.arguments is None:
            return not_yet(
                say(f"process {number} was given arguments that increment does not accept: "
                    "args=(counter, 5_000, lock)",
                    f"进程 {number} 得到的参数是 increment 不接受的：args=(counter, 5_000, lock)"),
                "wrong-args",
            )
    if any(call.arguments["counter"] is not counter for call in processes):
        return not_yet(
            say("the processes must add to the counter that run_four receives (its parameter), "
                "not to a counter of their own",
                "这些进程必须累加到 run_four 收到的那个计数器（它的参数）上，"
                "而不是它们自己的计数器"),
            "other-counter",
        )
    own_work = sum(call.arguments["increments"] for call in processes)
    if final > own_work:
        return not_yet(
            say(f"the counter reads {final:,}, more than the processes' own {own_work:,} "
                "increments: the parent added to it too. Only the processes should count.",
                f"计数器的值是 {final:,}，比这些进程自己的 {own_work:,} 次累加还多："
                "父进程也往上加了。只应当由这些进程来计数。"),
            "work-in-parent",
        )
    if len(processes) < workers:
        return not_yet(
            say(f"run_four started {len(processes)} process(es); the exercise asks for {workers}",
                f"run_four 启动了 {len(processes)} 个进程；练习要求 {workers} 个"),
            "fewer-workers",
        )
    if len(processes) > workers:
        return not_yet(
            say(f"run_four started {len(processes)} processes; the exercise asks for {workers}",
                f"run_four 启动了 {len(processes)} 个进程；练习要求 {workers} 个"),
            "more-workers",
        )
    if any(call.arguments["increments"] != increments for call in processes):
        given = sorted({repr(call.arguments["increments"]) for call in processes})
        return not_yet(
            say(f"give every process increments=5_000 (found {', '.join(given)})",
                f"请给每个进程 increments=5_000（实际发现 {', '.join(given)}）"),
            "wrong-increments",
        )
    locks = [call.lock for call in processes]
    if any(lock is None for lock in locks):
        missing = sum(lock is None for lock in locks)
        return not_yet(
            say(f"{missing} of {workers} processes got no lock (lock=None), so nothing stops "
                "two of them from interleaving their read-modify-writes. Create one lock and pass "
                "it to every process: args=(counter, 5_000, lock).",
                f"{workers} 个进程中有 {missing} 个没有得到锁（lock=None），"
                "所以没有什么能阻止其中两个交错执行它们的“读-改-写”。请创建一个锁，"
                "并把它传给每个进程：args=(counter, 5_000, lock)。"),
            "no-lock",
        )
    odd = [lock for lock in locks if not isinstance(lock, _PROCESS_LOCK_TYPES)]
    if odd:
        kind = type(odd[0]).__name__
        return not_yet(
            say(f"the processes got a {kind}; use a lock made for processes: "
                "multiprocessing.Lock() or counter.get_lock()",
                f"这些进程得到的是一个 {kind}；请使用为进程准备的锁：multiprocessing.Lock() 或 "
                "counter.get_lock()"),
            "not-a-lock",
        )
    distinct = len({id(lock) for lock in locks})
    if distinct > 1:
        return not_yet(
            say(f"the {workers} processes got {distinct} different locks. A lock excludes only "
                "those who take the same lock: create one lock before the list (or use "
                "counter.get_lock()) and pass that one to every process.",
                f"这 {workers} 个进程得到了 {distinct} 个不同的锁。一个锁只能排斥获取同一个锁的人："
                "请在创建列表之前创建一个锁（或者使用 counter.get_lock()），"
                "并把这一个锁传给每个进程。"),
            "separate-locks",
        )
    workers_started = [call.worker for call in processes]
    late = log.first_join_before_a_start(workers_started)
    if late is not None:
        return not_yet(
            say("a process was started only after another was joined, so they ran one at a time "
                "(and one at a time nothing is lost, even without a lock). Start all four first, "
                "then join all four.",
                "有一个进程在另一个被 join 之后才启动，所以它们是一个接一个运行的（一个接一个运行"
                "时，即使没有锁也不会丢失任何更新）。请先启动全部四个，再 join 全部四个。"),
            "one-at-a-time",
        )
    for number, call in enumerate(processes, 1):
        state = ended[id(call.worker)]
        if not state.joined:
            return not_yet(
                say(f"process {number} was never joined: after starting all four, call "
                    "worker.join(timeout=30) on each",
                    f"进程 {number} 从未被 join：在启动全部四个之后，请对每一个调用 "
                    "worker.join(timeout=30)"),
                "not-joined",
            )
        if state.running:
            return not_yet(
                say(f"process {number} was still running when run_four returned: its join gave up "
                    "(was it waiting for a lock the parent held?). Join each process and do not "
                    "hold "
                    "the lock in the parent.",
                    f"run_four 返回时，进程 {number} 仍在运行：它的 join "
                    "放弃了（它是不是在等待父进程持有的锁？）。请 join 每个进程，"
                    "并且不要在父进程中持有锁。"),
                "not-joined",
            )
    for number, call in enumerate(processes, 1):
        exitcode = ended[id(call.worker)].exitcode
        if exitcode != 0:
            return not_yet(
                say(f"process {number} failed (exit code {exitcode}); look at the arguments you "
                    "gave it",
                    f"进程 {number} 失败了（退出码 {exitcode}）；请检查你传给它的参数"),
                "worker-failed",
            )
    if final < expected:
        return not_yet(
            say(f"{expected - final:,} of {expected:,} updates were lost, although every process "
                "held the same lock: run the check again, and tell your instructor if it repeats",
                f"{expected:,} 次更新中丢失了 {expected - final:,} 次，尽管每个进程都持有同一个锁："
                "请再运行一次检查，如果仍然如此，请告诉你的讲师"),
            "lost-updates",
        )
    return correct(
        say(f"{workers} processes, all started before any was joined, all holding one lock around "
            f"each +=, and the counter reads {expected:,}: no update was lost.",
            f"{workers} 个进程，全都在任何一个被 join 之前启动，每次 += 前后都持有同一个锁，"
            f"计数器的值是 {expected:,}：没有丢失任何更新。")
    )


# --------------------------------------------------------------------------------------------
# Exercise 2: break the circle of lock orders
# --------------------------------------------------------------------------------------------

#: Exercise 2: three workers, each needing two of the locks A, B, C, in orders that form a circle.
CYCLE_ORDERS: dict[str, tuple[str, str]] = {
    "worker 1": ("A", "B"),
    "worker 2": ("B", "C"),
    "worker 3": ("C", "A"),
}


def _circle(orders: Mapping[str, Sequence[str]]) -> list[str] | None:
    """Workers whose "first lock before second lock" rules form a circle, or None."""
    before: dict[str, list[tuple[str, str]]] = {}
    for worker, (first, second) in orders.items():
        before.setdefault(first, []).append((second, worker))

    def visit(lock: str, path: list[str], seen_workers: list[str]) -> list[str] | None:
        for nxt, worker in before.get(lock, []):
            if nxt == path[0]:
                return [*seen_workers, worker]
            if nxt not in path:
                found = visit(nxt, [*path, nxt], [*seen_workers, worker])
                if found:
                    return found
        return None

    for start in sorted(before):
        found = visit(start, [start], [])
        if found:
            return found
    return None


def _is_pair_of_names(pair: object) -> bool:
    return (
        isinstance(pair, Sequence)
        and not isinstance(pair, str)
        and len(pair) == 2
        and all(isinstance(name, str) for name in pair)
    )


def check_lock_orders(
    orders: Mapping[str, Sequence[str]],
    reports: Sequence[LockReport],
    needs: Mapping[str, Sequence[str]] = CYCLE_ORDERS,
) -> Verdict:
    """Exercise 2: ``orders`` (worker -> lock order) must contain no circle, and every
    worker's report must say it got both locks.

    ``needs`` says which two locks each worker needs; the order is the learner's choice. The
    orders are judged first: a circle is wrong however the run went (a lucky run, or each
    worker run on its own, gets both locks too). Hint ids: ``ok``, ``wrong-type``,
    ``missing-worker``, ``extra-worker``, ``not-a-pair``, ``wrong-locks``, ``circle``,
    ``no-reports``, ``reports-mismatch``, ``timed-out``.
    """
    if not isinstance(needs, Mapping) or not all(
        _is_pair_of_names(pair) for pair in needs.values()
    ):
        raise TypeError(f"needs must be a dict of worker -> two lock names, got {needs!r}")
    if not isinstance(orders, Mapping):
        kind = type(orders).__name__
        return not_yet(
            say(f"orders should be a dict of worker -> (first, second), not {kind}",
                "orders 应当是一个 工作进程 -> (first, second) 的 dict，而不是 "
                f"{kind}"), "wrong-type"
        )
    missing = sorted(set(needs) - set(orders))
    if missing:
        return not_yet(
            say(f"orders needs one entry for each of {', '.join(sorted(needs))}; "
                f"missing: {', '.join(missing)}. Every worker must still run.",
                f"orders 需要为 {', '.join(sorted(needs))} 中的每一个都给出一项；缺少："
                f"{', '.join(missing)}。每个工作进程都仍然必须运行。"),
            "missing-worker",
        )
    extra = sorted(set(orders) - set(needs), key=str)
    if extra:
        return not_yet(
            say(f"orders has workers the exercise does not have: {', '.join(map(str, extra))}",
                f"orders 中有练习里没有的工作进程：{', '.join(map(str, extra))}"),
            "extra-worker",
        )
    for worker, pair in orders.items():
        if not _is_pair_of_names(pair):
            return not_yet(
                say(f"orders[{worker!r}] should be two lock names, like ('A', 'B'), "
                    f"got {pair!r}"[:160],
                    f"orders[{worker!r}] 应当是两个锁的名字，例如 ('A', 'B')，"
                    f"实际得到 {pair!r}"[:160]),
                "not-a-pair",
            )
        if sorted(pair) != sorted(needs[worker]):
            wanted = say(" and ", " 和 ").join(sorted(needs[worker]))
            return not_yet(
                say(f"{worker} needs locks {wanted} (in an order you choose), got {tuple(pair)}",
                    f"{worker} 需要锁 {wanted}（顺序由你选择），实际得到 {tuple(pair)}"),
                "wrong-locks",
            )
    circle = _circle(orders)
    if circle:
        steps = say(", ", "，").join(
            say(f"{w} takes {orders[w][0]} before {orders[w][1]}",
                f"{w} 先取 {orders[w][0]} 再取 {orders[w][1]}")
            for w in circle
        )
        return not_yet(
            say(f"the orders form a circle ({steps}): each worker can hold one lock while waiting "
                "for the next. Choose one global order of the locks and make every worker follow "
                "it.",
                f"这些顺序形成了一个环（{steps}）：每个工作进程都可能持有一个锁，同时等待下一个。"
                "请为这些锁选定一个全局顺序，并让每个工作进程都遵循它。"),
            "circle",
        )
    if isinstance(reports, str) or not isinstance(reports, Sequence):
        return not_yet(
            say("reports should be the list that run_lock_workers(orders, ...) returns",
                "reports 应当是 run_lock_workers(orders, ...) 返回的列表"),
            "no-reports",
        )
    by_worker = {report.worker: report for report in reports if isinstance(report, LockReport)}
    if sorted(by_worker) != sorted(needs):
        return not_yet(
            say("the orders are right; now run the workers with them, "
                "reports = run_lock_workers(orders, ...), and pass those reports",
                "顺序对了；现在请用它们运行工作进程，reports = run_lock_workers(orders, ...)，"
                "并传入这些 reports"),
            "no-reports",
        )
    for worker, report in sorted(by_worker.items()):
        if tuple(report.order) != tuple(orders[worker]):
            return not_yet(
                say(f"{worker} ran with {report.order}, not with your order "
                    f"{tuple(orders[worker])}: run the workers with your orders, "
                    "run_lock_workers(orders, ...)",
                    f"{worker} 运行时用的是 {report.order}，而不是你的顺序 "
                    f"{tuple(orders[worker])}：请用你的顺序运行工作进程，"
                    "run_lock_workers(orders, ...)"),
                "reports-mismatch",
            )
    for worker, report in sorted(by_worker.items()):
        if not report.got_both:
            return not_yet(
                say(f"the orders are right, but {worker} timed out: the machine may be very busy; "
                    "run the cell again",
                    f"顺序对了，但 {worker} 超时了：机器可能非常忙；请再运行一次这个单元格"),
                "timed-out",
            )
    return correct(
        say("No circle, so no worker can wait for a lock held by a worker that waits for it; "
            f"all {len(needs)} workers got both of their locks.",
            f"没有环，所以不会有工作进程在等待一个由正在等它的工作进程持有的锁；全部 {len(needs)} "
            "个工作进程都拿到了它们需要的两个锁。")
    )
