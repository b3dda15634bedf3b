"""The costs that decide when parallelism pays: starting workers, handing out tasks, moving data.

Each function measures one cost and returns a :class:`helpers.timing.Timing` (seconds):

* :func:`thread_start` and :func:`process_start`: start a worker that does nothing and wait
  for it to end (``start()`` to ``join()``), under a given start method;
* :func:`pool_task_overhead`: the time per task of ``pool.map`` over tasks that do nothing,
  for a given ``chunksize``;
* :func:`send_bytes_to_child`: a round trip of a payload to a pool worker and back of its size;
* :func:`pickle_vs_shared_memory`: how long a worker takes to *get and read* a NumPy array,
  sent pickled or found by name in shared memory.

The tasks that children run (:func:`noop`, :func:`payload_size`, and chapter 05's
:func:`helpers.sharing.sum_array` and :func:`helpers.sharing.sum_shared`) are pure.
"""

from __future__ import annotations

import math
import multiprocessing as mp
import threading
import time
from typing import Any

from helpers._validate import require_has, require_int, require_workers
from helpers.sharing import sum_array, sum_shared
from helpers.timing import Timing, measure


def noop(*args: Any) -> None:
    """Do nothing (the task whose cost is all overhead).

    >>> noop(1, 2) is None
    True
    """
    return None


def payload_size(payload: bytes) -> int:
    """Return ``len(payload)``: the child's proof that the whole payload arrived.

    >>> payload_size(b"abc")
    3
    """
    if not isinstance(payload, bytes | bytearray):
        raise TypeError(f"payload must be bytes, got {type(payload).__name__}")
    return len(payload)


def thread_start(repeat: int = 20) -> Timing:
    """Time ``Thread(target=noop).start()`` then ``join()``, ``repeat`` times (after a warm-up)."""
    require_int("repeat", repeat, minimum=1, maximum=10_000)

    def start_and_join() -> None:
        thread = threading.Thread(target=noop)
        thread.start()
        thread.join(timeout=10)

    return measure(start_and_join, repeat=repeat, warmup=1)


def process_start(method: str, repeat: int = 5) -> Timing:
    """Time ``Process(target=noop).start()`` then ``join()`` under start method ``method``.

    The context comes from ``multiprocessing.get_context(method)``, so the notebook's or the
    script's default start method is left alone. One untimed start comes first (under
    ``forkserver`` it starts the fork server, a one-off cost).
    """
    if not isinstance(method, str) or method not in mp.get_all_start_methods():
        raise ValueError(
            f"method must be one of {mp.get_all_start_methods()} on this platform, got {method!r}"
        )
    require_int("repeat", repeat, minimum=1, maximum=1_000)
    context = mp.get_context(method)

    def start_and_join() -> None:
        process = context.Process(target=noop)
        process.start()
        process.join(timeout=60)
        if process.exitcode != 0:
            raise RuntimeError(f"the {method} child ended with exit code {process.exitcode}")

    return measure(start_and_join, repeat=repeat, warmup=1)


def tuned_chunksize(tasks: int, workers: int) -> int:
    """The chunk size ``Pool.map`` picks when none is given: about 4 chunks per worker.

    >>> tuned_chunksize(10_000, 2)
    1250
    >>> tuned_chunksize(3, 2)
    1
    """
    require_int("tasks", tasks, minimum=0)
    require_workers("workers", workers)
    return max(1, math.ceil(tasks / (4 * workers)))


def pool_task_overhead(pool: Any, tasks: int, chunksize: int, repeat: int = 3) -> Timing:
    """The time per task of ``pool.map(noop, range(tasks), chunksize=chunksize)``.

    The tasks do nothing, so all of it is overhead: pickling each task, sending it through a
    pipe, a worker taking it, and the result coming back. ``pool`` should be warmed up.
    """
    require_has("pool", pool, "map", example="a warmed-up multiprocessing.Pool")
    require_int("tasks", tasks, minimum=1, maximum=10**7)
    require_int("chunksize", chunksize, minimum=1, maximum=10**7)
    require_int("repeat", repeat, minimum=1, maximum=1_000)
    timing = measure(pool.map, noop, range(tasks), chunksize, repeat=repeat, warmup=1)
    return timing.scaled(1 / tasks)


def send_bytes_to_child(pool: Any, nbytes: int, repeat: int = 3) -> Timing:
    """Time ``pool.apply(payload_size, (payload,))`` for a payload of ``nbytes`` bytes.

    It includes pickling the payload, moving it through the pipe, unpickling it in the child
    and the (tiny) answer coming back.
    """
    require_has("pool", pool, "apply", example="a warmed-up multiprocessing.Pool")
    require_int("nbytes", nbytes, minimum=0, maximum=2**30)
    require_int("repeat", repeat, minimum=1, maximum=1_000)
    payload = bytes(nbytes)

    def round_trip() -> None:
        if pool.apply(payload_size, (payload,)) != nbytes:
            raise RuntimeError("the child received a truncated payload")

    return measure(round_trip, repeat=repeat, warmup=1)


def pickle_vs_shared_memory(pool: Any, megabytes: int, repeat: int = 3) -> tuple[Timing, Timing]:
    """How long a pool worker takes to get a float64 array of ``megabytes`` MiB and read it.

    Both ways the worker computes the array's sum, and the clock runs in the parent from
    sending the request to receiving the sum:

    * pickled: ``pool.apply(sum_array, (array,))``: the array is pickled, sent through a
      pipe, unpickled into a new array in the child, summed;
    * shared memory: the array already lives in a ``SharedMemory`` block (put there once,
      before timing); ``pool.apply(sum_shared, (name, shape, dtype))`` sends only its
      name; the child attaches, sums in place, detaches.

    Returns ``(pickled, shared)``. The block is closed and unlinked before returning.
    """
    from multiprocessing.shared_memory import SharedMemory

    import numpy as np

    require_has("pool", pool, "apply", example="a warmed-up multiprocessing.Pool")
    require_int("megabytes", megabytes, minimum=1, maximum=1024)
    require_int("repeat", repeat, minimum=1, maximum=1_000)
    # Whole numbers below 2**53: every partial sum is exact, so both sums must be equal.
    array = np.arange(megabytes * 2**20 // 8, dtype=np.float64)
    block = SharedMemory(create=True, size=array.nbytes)
    try:
        view = np.ndarray(array.shape, dtype=array.dtype, buffer=block.buf)
        view[:] = array
        del view
        arguments = (block.name, array.shape, array.dtype.str)
        expected = float(array.sum())
        pickled, shared = [], []
        for round_ in range(repeat + 1):  # round 0 warms up; the two ways take turns
            start = time.perf_counter()
            total_pickled = pool.apply(sum_array, (array,))
            middle = time.perf_counter()
            total_shared = pool.apply(sum_shared, arguments)
            end = time.perf_counter()
            if not total_pickled == total_shared == expected:
                raise RuntimeError("the worker read different sums from the two copies")
            if round_ > 0:
                pickled.append(middle - start)
                shared.append(end - middle)
    finally:
        block.close()
        block.unlink()
    return Timing(tuple(pickled)), Timing(tuple(shared))
