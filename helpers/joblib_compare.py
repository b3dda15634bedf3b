"""joblib next to ``multiprocessing.Pool``, on the same jobs (``make bench``; chapter 07).

joblib's ``Parallel(n_jobs=...)`` is what scientific Python uses for "run this in parallel".
Its default backend, loky, keeps a pool of worker processes of its own (started with loky's
own start method, whatever the ``multiprocessing`` one is) and reuses it from one call to the
next; it sends functions by value (cloudpickle). These helpers measure it on the course's
jobs, in the same rounds as a ``Pool``, so that the two can be compared fairly:

* :func:`joblib_race`: the notes' CPU job, serial vs ``Pool`` vs joblib, taking turns;
* :func:`joblib_task_overhead`: the cost of one tiny task, as
  :func:`helpers.overheads.pool_task_overhead` measures it for a ``Pool``.

loky's workers outlive a call by 300 s, on purpose (the next call is then fast). Every helper
here shuts them down before it returns (:func:`helpers.by_value.stop_joblib_workers`), so that
nothing is left running.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from multiprocessing.context import BaseContext
from typing import Any

from helpers._validate import require_has, require_int, require_workers
from helpers.benchmark import (
    MAX_N,
    RaceResult,
    parallel_sum,
    pid_after,
    sum_chunk,
    take_turns,
    until_all_answered,
    warm_up,
)
from helpers.by_value import stop_joblib_workers
from helpers.overheads import noop
from helpers.timing import Timing, measure


class JoblibMapper:
    """A ``map(func, items)`` that runs on a joblib ``Parallel`` (so that
    :func:`helpers.benchmark.parallel_sum` can use it like a ``Pool``)."""

    def __init__(self, parallel: Any) -> None:
        self.parallel = require_has("parallel", parallel, "__call__", example="joblib.Parallel")

    def map(self, func: Callable[..., Any], items: Iterable[Any], /) -> list[Any]:
        from joblib import delayed

        return self.parallel(delayed(func)(item) for item in items)


def warm_up_joblib(parallel: Any, workers: int, timeout: float = 60.0) -> set[int]:
    """Run short tasks on ``parallel`` until ``workers`` different processes have answered.

    As :func:`helpers.benchmark.warm_up` does for a ``Pool``: afterwards, timing joblib
    measures the work, not the workers' start-up. Returns their pids.
    """
    from joblib import delayed

    require_has("parallel", parallel, "__call__", example="joblib.Parallel")
    return until_all_answered(
        workers, timeout, lambda _left: parallel(
            delayed(pid_after)(0.01) for _ in range(2 * workers)
        )
    )


def joblib_race(n: int, workers: int, context: BaseContext, repeat: int = 3) -> RaceResult:
    """The notes' CPU job over ``range(n)``: serial, a ``Pool`` and joblib, taking turns.

    The same chunks for both (``range(n)`` split into ``workers``), both warmed up before the
    clock starts, ``repeat`` timed rounds after one untimed one; ``context`` makes the Pool.
    The result's ``timings`` and ``totals`` have the keys ``"serial"``, ``"pool"`` and
    ``"joblib"``; ``result.efficiency("joblib")`` is joblib's efficiency.
    """
    from joblib import Parallel

    require_int("n", n, minimum=1, maximum=MAX_N)
    require_workers("workers", workers)
    require_has("context", context, "Pool", example="e.g. multiprocessing.get_context('spawn')")
    require_int("repeat", repeat, minimum=1, maximum=1_000)
    try:
        with context.Pool(workers) as pool, Parallel(n_jobs=workers, max_nbytes=None) as parallel:
            warm_up(pool, workers)
            warm_up_joblib(parallel, workers)
            joblib = JoblibMapper(parallel)
            timings, totals = take_turns(
                {
                    "serial": lambda: sum_chunk(0, n),
                    "pool": lambda: parallel_sum(pool, n, workers),
                    "joblib": lambda: parallel_sum(joblib, n, workers),
                },
                rounds=repeat,
            )
            pool.close()
            pool.join()
    finally:
        stop_joblib_workers()
    return RaceResult(n=n, workers=workers, timings=timings, totals=totals)


def joblib_task_overhead(
    workers: int, tasks: int, batch_size: int | str = 1, repeat: int = 3
) -> Timing:
    """The time per task of ``Parallel(n_jobs=workers, batch_size=...)`` running ``noop`` tasks.

    The tasks do nothing, so all of it is overhead, as in
    :func:`helpers.overheads.pool_task_overhead`: ``batch_size=1`` sends one task per message
    (``chunksize=1``), ``"auto"`` lets joblib group them as it learns how long they take.
    The workers are warmed up first and shut down at the end.
    """
    from joblib import Parallel, delayed

    require_workers("workers", workers)
    require_int("tasks", tasks, minimum=1, maximum=10**7)
    if batch_size != "auto":
        require_int("batch_size", batch_size, minimum=1, maximum=10**7)
    require_int("repeat", repeat, minimum=1, maximum=1_000)
    try:
        with Parallel(n_jobs=workers, batch_size=batch_size, max_nbytes=None) as parallel:
            warm_up_joblib(parallel, workers)
            timing = measure(
                lambda: parallel(delayed(noop)(i) for i in range(tasks)), repeat=repeat, warmup=1
            )
    finally:
        stop_joblib_workers()
    return timing.scaled(1 / tasks)
