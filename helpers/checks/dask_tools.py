"""Checks for the exercises of chapter 09 (Dask distributed).

Both checks run the learner's function on a real cluster, and watch, while it runs, the calls
it makes to Dask (in the thread that runs it): every ``Client.submit`` and ``Client.map``
(how many tasks), every ``Future.result`` (with or without a time-out, on a future still
pending or already done), every ``Client.gather`` (on pending futures or finished ones),
``as_completed`` and ``wait`` (their time-outs). The verdict depends on the order and the
arguments of these calls, not on a clock:

* Exercise 1, ``squares_on_cluster(client, numbers)``: every task in flight before the first
  result is collected, and no wait without a time-out.
* Exercise 2, ``run_on_own_cluster(numbers)``: the learner's own ``LocalCluster``, on loopback,
  and nothing of it left once the function has returned (no process, no listening port).

Every verdict carries a hint id (see :mod:`helpers.checks`); the tests in
``tests/test_checks_dask_tools.py`` list the wrong answers learners give and the id each gets.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from helpers._validate import require_has
from helpers.checks import Verdict, correct, not_yet
from helpers.checks.recording import (
    CALLER_THREAD,
    call_with_timeout,
    require_timeout,
    wrapped_methods,
)
from helpers.language import say

#: The numbers both exercises square with ``helpers.workers.slow_square``.
NUMBERS = tuple(range(21, 29))
#: How long the check lets the learner's function run.
CHECK_TIMEOUT = 20.0
#: Exercise 2 starts a cluster of its own: more time.
OWN_CLUSTER_TIMEOUT = 45.0
_LOOPBACK_IPS = ("127.0.0.1", "::1")


@dataclass
class DaskCalls:
    """What the learner's code asked of Dask, in order (only the calls made in its thread)."""

    events: list[tuple[str, Any]] = field(default_factory=list)  # (kind, detail)
    clusters: list[Any] = field(default_factory=list)  # LocalClusters made (any thread)
    cluster_options: list[dict[str, Any]] = field(default_factory=list)
    clients: list[Any] = field(default_factory=list)  # Clients made (any thread)
    exposed: bool = False  # a socket listened beyond loopback while a task was submitted

    @property
    def tasks(self) -> int:
        """How many tasks were submitted."""
        return sum(detail for kind, detail in self.events if kind == "submit")

    def collected_before_all_submitted(self) -> bool:
        """Whether a result was waited for before the last task was submitted."""
        last_submit = max((i for i, (kind, _) in enumerate(self.events) if kind == "submit"),
                          default=-1)
        return any(kind in ("result", "gather") for kind, _ in self.events[:last_submit])

    def waited_without_timeout(self) -> str | None:
        """The first wait that could last for ever: ``as_completed`` without a time-out, or
        ``result()`` without a time-out or ``gather``, on a pending future or before any wait
        with a time-out (``wait(futures, timeout=...)``, ``as_completed(..., timeout=...)``).

        A future's state alone cannot tell: on a loaded machine a task may finish before the
        learner's next line runs, and the same answer would hang the day a worker does.
        """
        timed_wait = False
        for kind, detail in self.events:
            if kind in ("wait", "as_completed") and detail is not None:
                timed_wait = True
            if kind == "as_completed" and detail is None:
                return say("as_completed(futures) without a timeout",
                           "不带超时的 as_completed(futures)")
            if kind == "wait" and detail is None:
                return say("wait(futures) without a timeout", "不带超时的 wait(futures)")
            untimed = kind == "result" and detail[1] is None
            if untimed and (detail[0] == "pending" or not timed_wait):
                return say("future.result() without a timeout",
                           "不带超时的 future.result()")
            if kind == "gather" and (detail == "pending" or not timed_wait):
                return say("client.gather(futures) with no wait(futures, timeout=...) before it",
                           "之前没有 wait(futures, timeout=...) 的 client.gather(futures)")
        return None


def _in_caller() -> bool:
    return threading.current_thread().name == CALLER_THREAD


def _listening_beyond_loopback() -> set[tuple[str, int]]:
    """Sockets this process and its children listen on that other machines could reach."""
    import psutil

    found = set()
    me = psutil.Process()
    for proc in [me, *me.children(recursive=True)]:
        try:
            get = getattr(proc, "net_connections", None) or proc.connections
            found.update((c.laddr.ip, c.laddr.port) for c in get(kind="inet")
                         if c.status == psutil.CONN_LISTEN and c.laddr.ip not in _LOOPBACK_IPS)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


def _pending(futures: Any) -> bool:
    from distributed import Future

    if isinstance(futures, Future):
        return not futures.done()
    if isinstance(futures, dict):
        futures = list(futures.values())
    if isinstance(futures, list | tuple | set):
        return any(_pending(item) for item in futures)
    return False


@contextlib.contextmanager
def watched_dask() -> Iterator[DaskCalls]:
    """Inside the block, record the Dask calls of the learner's thread (see module docstring)."""
    from distributed import Client, Future, LocalCluster, as_completed
    from distributed.utils import SyncMethodMixin

    calls = DaskCalls()
    before = _listening_beyond_loopback()
    depth = threading.local()

    def wrap(cls: type, name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        def watched(self: Any, *args: Any, **kwargs: Any) -> Any:
            if name == "__init__" and cls is LocalCluster:
                calls.cluster_options.append(dict(kwargs))
                calls.clusters.append(self)
                return original(self, *args, **kwargs)
            if name == "__init__" and cls is Client:
                calls.clients.append(self)
                return original(self, *args, **kwargs)
            outermost = _in_caller() and not getattr(depth, "inside", False)
            if not outermost:
                return original(self, *args, **kwargs)
            if name == "result":
                timeout = kwargs.get("timeout", args[0] if args else None)
                calls.events.append(("result", ("pending" if not self.done() else "done",
                                                timeout)))
            elif name == "gather":
                futures = kwargs.get("futures", args[0] if args else None)
                calls.events.append(("gather", "pending" if _pending(futures) else "done"))
            elif name == "__init__":  # as_completed
                calls.events.append(("as_completed", kwargs.get("timeout")))
            elif name == "sync":  # distributed.wait(futures, timeout=...) runs client.sync(_wait)
                if getattr(args[0] if args else None, "__name__", "") == "_wait":
                    calls.events.append(("wait", kwargs.get("timeout")))
            depth.inside = True
            try:
                value = original(self, *args, **kwargs)
            finally:
                depth.inside = False
            if name == "submit":
                calls.events.append(("submit", 1))
            elif name == "map":
                calls.events.append(("submit", len(value)))
            if name in ("submit", "map") and _listening_beyond_loopback() - before:
                calls.exposed = True
            return value

        return watched

    methods = [(Client, "submit"), (Client, "map"), (Client, "gather"), (Future, "result"),
               (as_completed, "__init__"), (LocalCluster, "__init__"), (Client, "__init__"),
               (SyncMethodMixin, "sync")]
    with wrapped_methods(methods, wrap):
        yield calls


def _judge_calls(calls: DaskCalls, value: Any, numbers: tuple[int, ...], name: str
                 ) -> Verdict | None:
    if calls.tasks < len(numbers):
        return not_yet(say(
            f"{name} submitted {calls.tasks} task(s) for {len(numbers)} numbers: "
            "the squares were not each computed in a task on the cluster. Hand every "
            "number to the cluster: client.map(slow_square, numbers)",
            f"{name} 为 {len(numbers)} 个数提交了 {calls.tasks} 个任务：平方数并不是各自在集群"
            "上的一个任务里算出的。请把每个数都交给集群：client.map(slow_square, numbers)"),
                       "work-in-client")
    if calls.collected_before_all_submitted():
        return not_yet(say(
            f"{name} waited for a result before it had submitted every task, so "
            "the tasks ran one at a time. Submit them all first (client.map), then "
            "collect",
            f"{name} 在提交完所有任务之前就等待了一个结果，所以任务是一个接一个"
            "运行的。请先全部提交（client.map），再收集"), "one-at-a-time")
    wait = calls.waited_without_timeout()
    if wait is not None:
        return not_yet(say(
            f"{name} used {wait}: if a worker hangs, that waits for ever. Give the "
            "wait a time-out: [f.result(timeout=30) for f in futures], or "
            "wait(futures, timeout=30) before client.gather(futures)",
            f"{name} 使用了 {wait}：如果某个工作进程卡住，这会永远等下去。给等待加"
            "上超时：[f.result(timeout=30) for f in futures]，或者在 "
            "client.gather(futures) 之前 wait(futures, timeout=30)"), "no-timeout")
    if not isinstance(value, list | tuple):
        return not_yet(say(
            f"{name} should return the list of squares, got "
            f"{type(value).__name__}",
            f"{name} 应当返回平方数的列表，得到的却是 {type(value).__name__}"), "wrong-type")
    expected = [x * x for x in numbers]
    if list(value) != expected:
        shown = repr(list(value))[:80]
        hint = "wrong-order" if sorted(value, key=repr) == sorted(expected, key=repr) else \
            "wrong-result"
        return not_yet(say(
            f"{name} returned {shown}; expected the squares in the order of the "
            f"numbers, {expected}",
            f"{name} 返回了 {shown}；期望按数的顺序排列的平方数 {expected}"), hint)
    return None


def check_squares(squares_on_cluster: Callable[..., Any], client: Any = None,
                  timeout: float = CHECK_TIMEOUT) -> Verdict:
    """Exercise 1: ``squares_on_cluster(client, numbers)`` returns the squares of ``numbers``,
    computed on the cluster with every task in flight at once, collected with a time-out.

    The check starts a 2-worker ``LocalCluster`` of its own, unless given a ``client``. Hint ids:
    ``ok``, ``not-a-function``, ``hangs``, ``raised``, ``work-in-client``, ``one-at-a-time``,
    ``no-timeout``, ``wrong-type``, ``wrong-order``, ``wrong-result``.
    """
    if not callable(squares_on_cluster):
        return not_yet(say(
            "squares_on_cluster should be a function (def squares_on_cluster(client,"
            " numbers): ...)",
            "squares_on_cluster 应当是一个函数（def "
            "squares_on_cluster(client, numbers): ...）"), "not-a-function")
    timeout = require_timeout("timeout", timeout)
    if client is not None:
        require_has("client", client, "submit", "map", "gather", example="a distributed.Client")
    if client is None:
        from distributed import Client

        from helpers.dask_tools import local_cluster

        with local_cluster() as cluster, Client(cluster) as own:
            return _check_squares(squares_on_cluster, own, timeout)
    return _check_squares(squares_on_cluster, client, timeout)


def _check_squares(squares_on_cluster: Callable[..., Any], client: Any, timeout: float
                   ) -> Verdict:
    with watched_dask() as calls:
        outcome = call_with_timeout(squares_on_cluster, (client, list(NUMBERS)), timeout)
    if not outcome.finished:
        return not_yet(say(
            f"squares_on_cluster did not return within {timeout:g} s: give every "
            "wait a time-out",
            f"squares_on_cluster 在 {timeout:g} 秒内没有返回：给每一次等待都加上超时"), "hangs")
    if outcome.error is not None:
        return not_yet(say(
            f"squares_on_cluster raised {type(outcome.error).__name__}: "
            f"{outcome.error}",
            f"squares_on_cluster 抛出了 {type(outcome.error).__name__}："
            f"{outcome.error}"), "raised")
    verdict = _judge_calls(calls, outcome.value, NUMBERS, "squares_on_cluster")
    if verdict is not None:
        return verdict
    return correct(say(
        f"{calls.tasks} tasks in flight at once on the cluster, collected with a "
        "time-out, in the order of the numbers.",
        f"{calls.tasks} 个任务同时在集群上运行，带超时地收集，并按数的顺序排列。"))


def _close_what_was_left(calls: DaskCalls) -> None:
    # The clusters first: a cluster closes its workers before its scheduler, so no worker
    # is left asking a scheduler that has gone (it would log an error to the terminal).
    for cluster in calls.clusters:
        with contextlib.suppress(Exception):
            cluster.close(timeout=10)
    for client in calls.clients:
        with contextlib.suppress(Exception):
            client.close(timeout=10)


def _left_running(pids_before: set[int], ports_before: set[int], wait: float
                  ) -> tuple[list[int], set[int]]:
    """The processes and listening ports that appeared since ``*_before``, once they have had
    ``wait`` seconds to go (a cluster's processes take a moment to end)."""
    import time

    from helpers.dask_tools import ports_left, processes_left

    deadline = time.monotonic() + wait
    while True:
        pids = [pid for pid in processes_left() if pid not in pids_before]
        ports = ports_left(ports_before)
        if (not pids and not ports) or time.monotonic() >= deadline:
            return pids, ports
        time.sleep(0.1)


def _stop(pids: list[int]) -> None:
    import psutil

    procs = []
    for pid in pids:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc = psutil.Process(pid)
            proc.terminate()
            procs.append(proc)
    _, alive = psutil.wait_procs(procs, timeout=5)
    for proc in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.kill()
    psutil.wait_procs(alive, timeout=5)


def check_own_cluster(run_on_own_cluster: Callable[..., Any],
                      timeout: float = OWN_CLUSTER_TIMEOUT) -> Verdict:
    """Exercise 2: ``run_on_own_cluster(numbers)`` starts a ``LocalCluster`` of 2 worker
    processes on loopback, squares ``numbers`` on it with ``slow_square`` (all in flight,
    collected with a time-out), and closes client and cluster before it returns.

    Anything it leaves running is stopped by the check. Hint ids: ``ok``, ``not-a-function``,
    ``hangs``, ``left-running``, ``raised``, ``no-cluster``, ``not-loopback``,
    ``work-in-client``, ``one-at-a-time``, ``no-timeout``, ``wrong-type``, ``wrong-order``,
    ``wrong-result``.
    """
    from helpers.dask_tools import listening_ports, processes_left

    if not callable(run_on_own_cluster):
        return not_yet(say(
            "run_on_own_cluster should be a function (def run_on_own_cluster("
            "numbers): ...)",
            "run_on_own_cluster 应当是一个函数（def "
            "run_on_own_cluster(numbers): ...）"), "not-a-function")
    timeout = require_timeout("timeout", timeout)
    pids_before, ports_before = set(processes_left()), listening_ports()
    with watched_dask() as calls:
        outcome = call_with_timeout(run_on_own_cluster, (list(NUMBERS),), timeout)
    pids, ports = _left_running(pids_before, ports_before, 3.0 if outcome.finished else 0.0)
    if pids or ports or not outcome.finished:
        _close_what_was_left(calls)
        _stop(_left_running(pids_before, ports_before, 5.0)[0])
    if not outcome.finished:
        return not_yet(say(
            f"run_on_own_cluster did not return within {timeout:g} s: give every "
            "wait a time-out (the check has closed the cluster)",
            f"run_on_own_cluster 在 {timeout:g} 秒内没有返回：给每一次等待都加上超时（"
            "检查已经关闭了集群）"), "hangs")
    if pids or ports:
        left = say(" and ", "和").join(
            what for what, found in ((say("worker processes", "工作进程"), pids),
                                     (say("listening ports", "监听端口"), ports)) if found)
        return not_yet(say(
            f"run_on_own_cluster returned, but its cluster was still running ({left});"
            " the check has closed it. Open both with `with`: with LocalCluster(...)"
            " as cluster, Client(cluster) as client:",
            f"run_on_own_cluster 已经返回，但它的集群还在运行（{left}）；检查已"
            "经关闭了它。用 `with` 打开两者：with LocalCluster(...) as cluster, "
            "Client(cluster) as client:"), "left-running")
    if outcome.error is not None:
        return not_yet(say(
            f"run_on_own_cluster raised {type(outcome.error).__name__}: "
            f"{outcome.error}",
            f"run_on_own_cluster 抛出了 {type(outcome.error).__name__}："
            f"{outcome.error}"), "raised")
    if not calls.clusters:
        return not_yet(say(
            "run_on_own_cluster started no LocalCluster: start one of 2 worker "
            "processes in the function, and close it before returning",
            "run_on_own_cluster 没有启动 LocalCluster：请在函数里启动一个有 2 个"
            "工作进程的集群，并在返回之前关闭它"), "no-cluster")
    if calls.exposed:
        return not_yet(say(
            "the cluster listened on an address other machines can reach: pass "
            "host='127.0.0.1' and dashboard_address='127.0.0.1:0' to LocalCluster",
            "集群监听的地址其他机器也能访问：请给 LocalCluster 传入 host='127.0.0.1' 和 "
            "dashboard_address='127.0.0.1:0'"), "not-loopback")
    verdict = _judge_calls(calls, outcome.value, NUMBERS, "run_on_own_cluster")
    if verdict is not None:
        return verdict
    return correct(say(
        "a cluster of your own on this machine only, every task in flight, "
        "collected with a time-out, and nothing left running once it returned.",
        "一个只在本机上的、你自己的集群，所有任务同时运行，带超时地收集，返回之后什么也没有留"
        "下。"))
