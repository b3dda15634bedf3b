"""Dask distributed next to ``multiprocessing.Pool``, on the same jobs (chapter 09, ``make bench``).

A Dask cluster costs more per task than a ``Pool``: every task is a message to the scheduler,
which decides where it runs and tells a worker, whose result is reported back, and kept there
until the client asks for it. These helpers measure that against a ``Pool`` with the same number
of workers, in the same rounds, taking turns (:func:`helpers.benchmark.take_turns`):

* :func:`dask_vs_pool`: many tiny tasks (``noop``, one message per task for both: ``Pool.map``
  with ``chunksize=1``) and the notes' CPU job split into one chunk per worker, serial vs
  ``Pool`` vs Dask;
* :func:`dask_figures`: the same, with the cluster and the pool made and shut down here
  (``make bench``).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from typing import Any

from helpers._validate import require_has, require_int, require_seconds, require_workers
from helpers.benchmark import (
    MAX_N,
    closed_form,
    parallel_sum,
    pid_after,
    sum_chunk,
    take_turns,
    until_all_answered,
)
from helpers.overheads import noop
from helpers.timing import Timing

#: How long one collection of results may take before it is given up.
GATHER_TIMEOUT = 60.0


class DaskMapper:
    """A ``map(func, items)`` that runs every item as a Dask task and waits for all of them
    (so that :func:`helpers.benchmark.parallel_sum` can use a ``Client`` like a ``Pool``)."""

    def __init__(self, client: Any, timeout: float = GATHER_TIMEOUT) -> None:
        self.client = require_has("client", client, "map", "gather",
                                  example="a distributed.Client")
        self.timeout = require_seconds("timeout", timeout)

    def map(self, func: Callable[..., Any], items: Iterable[Any], /) -> list[Any]:
        from distributed import wait

        futures = self.client.map(func, list(items), pure=False)
        wait(futures, timeout=self.timeout)
        return self.client.gather(futures)


def warm_up_dask(client: Any, workers: int, timeout: float = 60.0) -> set[int]:
    """Wait until ``workers`` worker processes have started and each has run a task; return
    their pids (as :func:`helpers.benchmark.warm_up` does for a ``Pool``)."""
    require_has("client", client, "map", "gather", example="a distributed.Client")
    require_workers("workers", workers)
    timeout = require_seconds("timeout", timeout)
    client.wait_for_workers(workers, timeout=timeout)
    mapper = DaskMapper(client, timeout)
    return until_all_answered(
        workers, timeout, lambda _left: mapper.map(pid_after, [0.01] * (2 * workers))
    )


@dataclass(frozen=True)
class DaskVsPool:
    """What :func:`dask_vs_pool` measured: each contestant's :class:`Timing`, per round.

    Keys of ``timings``: ``"tiny, Pool.map"``, ``"tiny, Dask"`` (``tasks`` no-op tasks),
    ``"cpu, serial"``, ``"cpu, Pool"``, ``"cpu, Dask"`` (the CPU job over ``range(n)``).
    """

    n: int
    tasks: int
    workers: int
    timings: dict[str, Timing]
    correct: bool

    def per_task(self, contestant: str) -> float:
        """The best time per tiny task of ``"tiny, Pool.map"`` or ``"tiny, Dask"``, in seconds."""
        return self.timings[contestant].best / self.tasks

    @property
    def overhead_ratio(self) -> float:
        """How many times more a Dask task costs than a ``Pool.map`` task (chunksize=1)."""
        return self.per_task("tiny, Dask") / self.per_task("tiny, Pool.map")

    def efficiency(self, contestant: str) -> float:
        """Best serial time / best time of ``"cpu, Pool"`` or ``"cpu, Dask"``, per worker."""
        serial = self.timings["cpu, serial"].best
        return serial / self.timings[contestant].best / self.workers

    def median_efficiency(self, contestant: str) -> float:
        """The median, over the rounds, of serial time / ``contestant``'s time in that round,
        per worker (as :meth:`helpers.benchmark.RaceResult.efficiency`; ``make bench``)."""
        pairs = zip(self.timings["cpu, serial"].samples, self.timings[contestant].samples,
                    strict=True)
        return statistics.median(serial / other for serial, other in pairs) / self.workers


def dask_vs_pool(client: Any, pool: Any, n: int, tasks: int, workers: int, rounds: int = 3
                 ) -> DaskVsPool:
    """Time tiny tasks and the CPU job on ``client`` and ``pool``, and the job serially, taking
    turns for ``rounds`` rounds after one untimed round. Both must be warmed up already."""
    require_has("client", client, "map", "gather", example="a distributed.Client")
    require_has("pool", pool, "map", example="a multiprocessing.Pool")
    require_int("n", n, minimum=1, maximum=MAX_N)
    require_int("tasks", tasks, minimum=1, maximum=10**6)
    require_workers("workers", workers)
    require_int("rounds", rounds, minimum=1, maximum=1_000)
    dask = DaskMapper(client)
    timings, results = take_turns(
        {
            "tiny, Pool.map": lambda: pool.map(noop, range(tasks), chunksize=1),
            "tiny, Dask": lambda: dask.map(noop, range(tasks)),
            "cpu, serial": lambda: sum_chunk(0, n),
            "cpu, Pool": lambda: parallel_sum(pool, n, workers),
            "cpu, Dask": lambda: parallel_sum(dask, n, workers),
        },
        rounds=rounds,
    )
    sums = [results["cpu, serial"], results["cpu, Pool"], results["cpu, Dask"]]
    correct = all(total == closed_form(n) for total in sums) and (
        results["tiny, Pool.map"] == results["tiny, Dask"])
    return DaskVsPool(n=n, tasks=tasks, workers=workers, timings=timings, correct=correct)


def dask_figures(n: int, tasks: int, workers: int, context: BaseContext, rounds: int = 3
                 ) -> DaskVsPool:
    """:func:`dask_vs_pool` on a ``LocalCluster`` of ``workers`` processes and a ``Pool`` of
    as many from ``context``, both made, warmed up and shut down here (``make bench``)."""
    from distributed import Client

    from helpers.benchmark import warm_up
    from helpers.dask_tools import local_cluster

    require_int("n", n, minimum=1, maximum=MAX_N)
    require_int("tasks", tasks, minimum=1, maximum=10**6)
    require_workers("workers", workers)
    require_has("context", context, "Pool", example="e.g. multiprocessing.get_context('spawn')")
    require_int("rounds", rounds, minimum=1, maximum=1_000)
    # The Pool first: under fork, its workers are forked before the client starts its threads
    # (fork() in a process with threads can leave a child deadlocked; chapter 07).
    with context.Pool(workers) as pool:
        warm_up(pool, workers)
        with local_cluster(workers) as cluster, Client(cluster) as client:
            warm_up_dask(client, workers)
            result = dask_vs_pool(client, pool, n, tasks, workers, rounds)
        pool.close()
        pool.join()
    return result
