"""Figures a notebook measures, and the claims its prose makes about them.

A course that teaches through measurement must never print a number that contradicts the
sentence next to it. So every measuring cell hands the figures the prose relies on to
:func:`record`, under a key, and every claim the prose makes about them is written once,
here, in :data:`CLAIMS`, as code:

* ``make outputs`` (``tools/execute_notebooks.py``) stores the recorded figures in the
  cell's metadata (``metadata["course"]["figures"][key]``), evaluates the notebook's claims,
  measures again if one fails, and refuses to store a notebook whose figures still
  contradict its text;
* ``tests/test_claims.py`` reads the stored figures of every notebook and fails on any
  contradiction, or on a claim whose figures are no longer recorded.

Figures are plain numbers (and booleans) with names, so any edition of a chapter, in any
language, is judged by the same claims.

>>> record("demo", speedup=1.9, cores=2)
>>> drain()
{'demo': {'speedup': 1.9, 'cores': 2}}
>>> drain()
{}
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from numbers import Real
from typing import Any

from helpers._validate import require_mapping, require_text

Figures = Mapping[str, Mapping[str, Any]]

_recorded: dict[str, dict[str, Any]] = {}


def record(key: str, **figures: float | int | bool) -> None:
    """Remember ``figures`` under ``key`` until the tooling collects them (:func:`drain`).

    Only numbers and booleans are accepted: a figure is something a claim can compare.
    """
    if not isinstance(key, str) or not key:
        raise TypeError(f"key must be a non-empty str, got {key!r}")
    if not figures:
        raise ValueError("record() needs at least one figure, e.g. record('race', speedup=1.9)")
    for name, value in figures.items():
        if not isinstance(value, (Real, bool)) or (
            isinstance(value, float) and not math.isfinite(value)
        ):
            raise TypeError(f"figure {name!r} must be a finite number or a bool, got {value!r}")
    _recorded.setdefault(key, {}).update(
        {name: value if isinstance(value, bool | int) else float(value)
         for name, value in figures.items()}
    )


def drain() -> dict[str, dict[str, Any]]:
    """Return the figures recorded since the last call, and forget them."""
    figures = {key: dict(values) for key, values in _recorded.items()}
    _recorded.clear()
    return figures


def drain_json() -> str:
    """:func:`drain`, as JSON: what the tooling asks the kernel for after every cell."""
    return json.dumps(drain())


@dataclass(frozen=True)
class Claim:
    """A sentence of a chapter about a measurement, as a test on the recorded figures.

    ``holds`` receives the figures of the notebook (key -> name -> value) and says whether
    the claim is true of them; ``applies`` says whether the claim is made at all on the
    machine the figures come from (e.g. only with two cores or more, only with the GIL).
    """

    notebook: str
    says: str
    needs: tuple[str, ...]  # "key.name" of every figure the claim reads
    holds: Callable[[Callable[[str], Any]], bool]
    applies: Callable[[Callable[[str], Any]], bool] = lambda figure: True



#: Every claim the chapters make about their measurements. ``figure("key.name")`` reads one.
CLAIMS: list[Claim] = []


def claims_for(notebook: str) -> list[Claim]:
    """The claims of the notebook whose file stem is ``notebook`` (e.g. ``03_benchmark``)."""
    require_text("notebook", notebook)
    return [claim for claim in CLAIMS if claim.notebook == notebook]


class MissingFigure(KeyError):
    """A claim reads a figure that the notebook did not record."""


def _reader(figures: Figures) -> Callable[[str], Any]:
    def figure(dotted: str) -> Any:
        key, _, name = dotted.partition(".")
        try:
            return figures[key][name]
        except KeyError:
            raise MissingFigure(dotted) from None

    return figure


def contradictions(notebook: str, figures: Figures) -> list[str]:
    """What is wrong with ``figures`` (key -> name -> value) for the claims of ``notebook``.

    An empty list means every claim that applies holds. A claim whose figures are missing is
    reported too: the cell that should record them no longer does.
    """
    require_text("notebook", notebook)
    require_mapping("figures", figures)
    problems = []
    figure = _reader(figures)
    for claim in claims_for(notebook):
        try:
            if not claim.applies(figure):
                continue
            if not claim.holds(figure):
                shown = ", ".join(f"{name} = {_show(figure(name))}" for name in claim.needs)
                problems.append(f"{notebook}: the text says {claim.says}, but {shown}")
        except MissingFigure as missing:
            problems.append(
                f"{notebook}: the claim '{claim.says}' reads the figure {missing.args[0]}, "
                "which no cell recorded"
            )
    return problems


def _show(value: Any) -> str:
    return f"{value:.3g}" if isinstance(value, float) else repr(value)


def stored_figures(notebook: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The figures stored in a notebook's cells (a notebook as read by ``json`` or nbformat)."""
    require_mapping("notebook", notebook)
    figures: dict[str, dict[str, Any]] = {}
    for cell in notebook.get("cells", []):
        stored = cell.get("metadata", {}).get("course", {}).get("figures", {})
        for key, values in stored.items():
            figures.setdefault(key, {}).update(values)
    return figures


# --- chapter 00 ---
CLAIMS += [
    Claim(
        notebook="00_introduction",
        says="with the GIL, two threads are both busy less than 10% of the time",
        needs=("gil_picture.threads_overlap", "gil_picture.gil"),
        holds=lambda f: f("gil_picture.threads_overlap") < 0.1,
        applies=lambda f: bool(f("gil_picture.gil")),
    ),
    Claim(
        notebook="00_introduction",
        says="with two free cores, two processes are both busy more than half of the time",
        needs=("gil_picture.processes_overlap", "gil_picture.cpus"),
        holds=lambda f: f("gil_picture.processes_overlap") > 0.5,
        applies=lambda f: f("gil_picture.cpus") >= 2,
    ),
]


# --- chapter 02 ---
CLAIMS += [
    Claim(
        notebook="02_queues",
        says="list_of_squares(200,000) pickles to more than a megabyte, far more than a pipe "
        "holds",
        needs=("big_result.pickled_bytes", "big_result.pipe_bytes"),
        holds=lambda f: f("big_result.pickled_bytes") > max(1_000_000,
                                                            10 * f("big_result.pipe_bytes")),
    ),
    Claim(
        notebook="02_queues",
        says="the child's work takes far less than a second, yet a second later it is still "
        "alive (stuck at exit until its result is read), and exits with code 0 once read",
        needs=("big_result.compute_seconds", "join_first.alive_after_1s",
               "join_first.exit_code_after_read"),
        holds=lambda f: f("big_result.compute_seconds") < 0.5
        and f("join_first.alive_after_1s") is True
        and f("join_first.exit_code_after_read") == 0,
    ),
    Claim(
        notebook="02_queues",
        says="in the run shown, the last task started arrived first and the first started "
        "arrived last",
        needs=("arrival.first_to_arrive", "arrival.last_to_arrive", "arrival.tasks"),
        holds=lambda f: f("arrival.first_to_arrive") == f("arrival.tasks") - 1
        and f("arrival.last_to_arrive") == 0,
    ),
    Claim(
        notebook="02_queues",
        says="a multiprocessing.Queue costs at least 3 times as much per item as a "
        "queue.Queue, even for small lists",
        needs=("queue_cost.small_ratio", "queue_cost.large_ratio"),
        holds=lambda f: min(f("queue_cost.small_ratio"), f("queue_cost.large_ratio")) >= 3,
    ),
    Claim(
        notebook="02_queues",
        says="the gap grows with the size of the items, while a queue.Queue costs the same "
        "whatever their size",
        needs=("queue_cost.small_ratio", "queue_cost.large_ratio", "queue_cost.threads_small",
               "queue_cost.threads_large"),
        holds=lambda f: f("queue_cost.large_ratio") > f("queue_cost.small_ratio")
        and f("queue_cost.threads_large") < 2 * f("queue_cost.threads_small"),
    ),
]


# --- chapter 03 ---
def _two_cores(f: Callable[[str], Any], key: str) -> bool:
    return f(f"{key}.cores") >= 2


CLAIMS += [
    Claim(
        notebook="03_benchmark",
        says="the notes' threads, which did twice the work under one GIL, were the slowest",
        needs=("notes_race.threads_s", "notes_race.processes_s", "notes_race.normal_s",
               "notes_race.cores", "notes_race.gil"),
        holds=lambda f: f("notes_race.threads_s")
        > max(f("notes_race.processes_s"), f("notes_race.normal_s")),
        applies=lambda f: _two_cores(f, "notes_race") and bool(f("notes_race.gil")),
    ),
    Claim(
        notebook="03_benchmark",
        says="per job, the notes' processes took less time than normal()",
        needs=("notes_race.processes_s", "notes_race.normal_s", "notes_race.cores"),
        holds=lambda f: f("notes_race.processes_s") / 2 < f("notes_race.normal_s"),
        applies=lambda f: _two_cores(f, "notes_race"),
    ),
    Claim(
        notebook="03_benchmark",
        says="in the fair race, processes reach a speed-up of at least 0.8 x the cores",
        needs=("fair_race.processes_speedup", "fair_race.cores"),
        holds=lambda f: f("fair_race.processes_speedup") >= 0.8 * f("fair_race.cores"),
        applies=lambda f: _two_cores(f, "fair_race"),
    ),
    Claim(
        notebook="03_benchmark",
        says="in the fair race, threads reach a speed-up of at most 1.15x (with the GIL)",
        needs=("fair_race.threads_speedup", "fair_race.gil"),
        holds=lambda f: f("fair_race.threads_speedup") <= 1.15,
        applies=lambda f: bool(f("fair_race.gil")),
    ),
    Claim(
        notebook="03_benchmark",
        says="threads waiting on a socket reach at least half the number of threads as speed-up",
        needs=("waiting.speedup", "waiting.threads"),
        holds=lambda f: f("waiting.speedup") >= 0.5 * f("waiting.threads"),
    ),
    Claim(
        notebook="03_benchmark",
        says="with as many processes as cores, the speed-up is at least 0.8 x the cores",
        needs=("scaling.speedup_at_cores", "scaling.cores"),
        holds=lambda f: f("scaling.speedup_at_cores") >= 0.8 * f("scaling.cores"),
        applies=lambda f: _two_cores(f, "scaling"),
    ),
    Claim(
        notebook="03_benchmark",
        says="twice as many processes as cores stay within 15% of the speed-up at the cores",
        needs=("scaling.speedup_at_twice", "scaling.speedup_at_cores", "scaling.cores"),
        holds=lambda f: 0.85
        <= f("scaling.speedup_at_twice") / f("scaling.speedup_at_cores")
        <= 1.15,
        applies=lambda f: _two_cores(f, "scaling"),
    ),
    Claim(
        notebook="03_benchmark",
        says="the fitted serial fraction f comes out below a quarter",
        needs=("scaling.fitted_f", "scaling.cores"),
        holds=lambda f: f("scaling.fitted_f") < 0.25,
        applies=lambda f: _two_cores(f, "scaling"),
    ),
    Claim(
        notebook="03_benchmark",
        says="a thread starts more than ten times faster than any process",
        needs=("starts.thread_s", "starts.cheapest_process_s"),
        holds=lambda f: 10 * f("starts.thread_s") < f("starts.cheapest_process_s"),
    ),
    Claim(
        notebook="03_benchmark",
        says="spawn is the dearest start method, at least twice the cheapest",
        needs=("starts.spawn_s", "starts.cheapest_process_s", "starts.dearest_process_s",
               "starts.methods"),
        holds=lambda f: f("starts.spawn_s") >= f("starts.dearest_process_s")
        and f("starts.spawn_s") >= 2 * f("starts.cheapest_process_s"),
        applies=lambda f: f("starts.methods") >= 2,
    ),
    Claim(
        notebook="03_benchmark",
        says="a tuned chunksize cuts the overhead per task by an order of magnitude or more",
        needs=("costs.chunksize_gain",),
        holds=lambda f: f("costs.chunksize_gain") >= 10,
    ),
    Claim(
        notebook="03_benchmark",
        says="a 10 kB round trip costs less than 1.5 times a 1 kB one",
        needs=("costs.send_10kB_s", "costs.send_1kB_s"),
        holds=lambda f: f("costs.send_10kB_s") < 1.5 * f("costs.send_1kB_s"),
    ),
    Claim(
        notebook="03_benchmark",
        says="10 MB cost many (at least 5) times more than 1 kB to send",
        needs=("costs.send_10MB_s", "costs.send_1kB_s"),
        holds=lambda f: f("costs.send_10MB_s") >= 5 * f("costs.send_1kB_s"),
    ),
    Claim(
        notebook="03_benchmark",
        says="a worker reads the array at least five times faster through shared memory",
        needs=("costs.shared_vs_pickle",),
        holds=lambda f: f("costs.shared_vs_pickle") >= 5,
    ),
]


# --- chapter 04 ---
CLAIMS += [
    Claim(
        notebook="04_pools",
        says="Pool() with no argument starts one worker per CPU Python counts",
        needs=("default_pool.workers", "default_pool.cpus"),
        holds=lambda f: f("default_pool.workers") == f("default_pool.cpus"),
    ),
    Claim(
        notebook="04_pools",
        says="with .get() inside the loop, never more than one task runs at a time",
        needs=("apply_async_ways.most_running_one_at_a_time",),
        holds=lambda f: f("apply_async_ways.most_running_one_at_a_time") == 1,
    ),
    Claim(
        notebook="04_pools",
        says="after submitting all tasks, both workers run tasks at the same time",
        needs=("apply_async_ways.most_running_submit_all",),
        holds=lambda f: f("apply_async_ways.most_running_submit_all") == 2,
    ),
    Claim(
        notebook="04_pools",
        says="submitting all, then collecting, takes about half as long on a pool of two",
        needs=("apply_async_ways.speedup",),
        holds=lambda f: 1.6 <= f("apply_async_ways.speedup") <= 2.4,
    ),
    Claim(
        notebook="04_pools",
        says="map's default chunk size is more than ten times faster than chunksize 1",
        needs=("chunksize.chunksize_1_s", "chunksize.default_s"),
        holds=lambda f: f("chunksize.chunksize_1_s") > 10 * f("chunksize.default_s"),
    ),
    Claim(
        notebook="04_pools",
        says="a plain loop is about as fast as the best chunk size, or faster "
        "(the two workers gain nothing on tiny tasks)",
        needs=("chunksize.best_pool_s", "chunksize.no_pool_s"),
        holds=lambda f: f("chunksize.best_pool_s") >= 0.8 * f("chunksize.no_pool_s"),
    ),
    Claim(
        notebook="04_pools",
        says="uneven tasks: chunksize=1 shares them almost evenly (about 0.6 s) and finishes "
        "first; chunksize=4 leaves one worker with 0.9 s",
        needs=("uneven_tasks.chunksize_1_s", "uneven_tasks.chunksize_4_s"),
        holds=lambda f: f("uneven_tasks.chunksize_1_s") <= 0.7
        and f("uneven_tasks.chunksize_4_s") >= 0.85
        and f("uneven_tasks.chunksize_1_s") < f("uneven_tasks.chunksize_4_s"),
    ),
    Claim(
        notebook="04_pools",
        says="eight naps in eight threads take about as long as one nap",
        needs=("thread_naps.threads_s", "thread_naps.nap_s"),
        holds=lambda f: f("thread_naps.threads_s") <= 1.5 * f("thread_naps.nap_s"),
    ),
]


# --- chapter 05 ---
CLAIMS += [
    Claim(
        notebook="05_shared_memory",
        says="sharing is faster than pickling at every size in the table, from 1 MB on",
        needs=("transfer.min_ratio", "transfer.smallest_mb"),
        holds=lambda f: f("transfer.min_ratio") > 1.0,
    ),
    Claim(
        notebook="05_shared_memory",
        says="the gap is wider at the largest size (50 MB) than at the smallest (1 MB)",
        needs=("transfer.ratio_smallest", "transfer.ratio_largest"),
        holds=lambda f: f("transfer.ratio_largest") > f("transfer.ratio_smallest"),
    ),
    Claim(
        notebook="05_shared_memory",
        says="a Manager dict update is the slowest of the four",
        needs=(
            "manager_cost.manager_s",
            "manager_cost.local_dict_s",
            "manager_cost.value_s",
            "manager_cost.raw_value_s",
        ),
        holds=lambda f: f("manager_cost.manager_s")
        > max(f("manager_cost.local_dict_s"), f("manager_cost.value_s"),
              f("manager_cost.raw_value_s")),
    ),
    Claim(
        notebook="05_shared_memory",
        says="a Manager dict update takes more than a hundred times as long as a local one",
        needs=("manager_cost.manager_s", "manager_cost.local_dict_s"),
        holds=lambda f: f("manager_cost.manager_s") >= 100 * f("manager_cost.local_dict_s"),
    ),
    Claim(
        notebook="05_shared_memory",
        says="the lock of a Value costs a fraction of a microsecond per update",
        needs=("manager_cost.value_s", "manager_cost.raw_value_s"),
        holds=lambda f: f("manager_cost.value_s") - f("manager_cost.raw_value_s") < 1e-6,
    ),
]


# --- chapter 06 ---
def _races(f: Callable[[str], Any], key: str) -> bool:
    """A race between two processes needs two cores to run them at the same moment."""
    return f(f"{key}.cores") >= 2


CLAIMS += [
    Claim(
        notebook="06_locks",
        says="without the lock, the notes' two workers are done in well under the locked time "
        "(about half, plus a start)",
        needs=("notes_example.unlocked_s", "notes_example.locked_s"),
        holds=lambda f: f("notes_example.unlocked_s") <= 0.8 * f("notes_example.locked_s"),
    ),
    Claim(
        notebook="06_locks",
        says="without the lock, the notes' example still ends at 20",
        needs=("notes_example.unlocked_final",),
        holds=lambda f: f("notes_example.unlocked_final") == 20,
    ),
    Claim(
        notebook="06_locks",
        says="two processes racing on a bare shared integer lose updates",
        needs=("single_race.lost_share", "single_race.cores"),
        holds=lambda f: f("single_race.lost_share") > 0,
        applies=lambda f: _races(f, "single_race"),
    ),
    Claim(
        notebook="06_locks",
        says="with the lock, nothing is lost",
        needs=("single_race.lost_with_lock",),
        holds=lambda f: f("single_race.lost_with_lock") == 0,
    ),
    Claim(
        notebook="06_locks",
        says="a Value with only its built-in lock loses updates too",
        needs=("builtin_lock.lost_share", "builtin_lock.cores"),
        holds=lambda f: f("builtin_lock.lost_share") > 0,
        applies=lambda f: _races(f, "builtin_lock"),
    ),
    Claim(
        notebook="06_locks",
        says="in the repeated race, the two locked setups lose nothing, every round",
        needs=("repeated_race.locked_most_lost",),
        holds=lambda f: f("repeated_race.locked_most_lost") == 0,
    ),
    Claim(
        notebook="06_locks",
        says="in the repeated race, each unlocked setup loses updates in some rounds, and a "
        "different number from one round to the next",
        needs=("repeated_race.raw_rounds_losing", "repeated_race.raw_different",
               "repeated_race.value_rounds_losing", "repeated_race.value_different",
               "repeated_race.cores"),
        holds=lambda f: min(f("repeated_race.raw_rounds_losing"),
                            f("repeated_race.value_rounds_losing")) >= 1
        and min(f("repeated_race.raw_different"), f("repeated_race.value_different")) >= 2,
        applies=lambda f: _races(f, "repeated_race"),
    ),
    Claim(
        notebook="06_locks",
        says="taking and releasing a process lock costs several (at least 3) times the bare "
        "addition",
        needs=("lock_cost.raw_lock",),
        holds=lambda f: f("lock_cost.raw_lock") >= 3,
    ),
    Claim(
        notebook="06_locks",
        says="both Value setups cost more than a RawValue with one Lock",
        needs=("lock_cost.get_lock", "lock_cost.separate_lock", "lock_cost.raw_lock"),
        holds=lambda f: min(f("lock_cost.get_lock"), f("lock_cost.separate_lock"))
        > f("lock_cost.raw_lock"),
    ),
    Claim(
        notebook="06_locks",
        says="batching pays off quickly: 10 increments per acquisition are at least 1.5x as "
        "fast as 1",
        needs=("granularity.batch_1_s", "granularity.batch_10_s"),
        holds=lambda f: f("granularity.batch_1_s") >= 1.5 * f("granularity.batch_10_s"),
    ),
    Claim(
        notebook="06_locks",
        says="from about 100 increments per acquisition, the lock's cost disappears in the "
        "noise (within 30% of one acquisition for the whole job)",
        needs=("granularity.batch_100_s", "granularity.batch_1000_s",
               "granularity.batch_10000_s"),
        holds=lambda f: max(f("granularity.batch_100_s"), f("granularity.batch_1000_s"))
        <= 1.3 * f("granularity.batch_10000_s"),
    ),
    Claim(
        notebook="06_locks",
        says="threads doing read, sleep(0), write without a lock lose most of their updates",
        needs=("threads.widened_lost_share",),
        holds=lambda f: f("threads.widened_lost_share") > 0.5,
    ),
    Claim(
        notebook="06_locks",
        says="with a threading.Lock, the threads lose nothing",
        needs=("threads.locked_lost",),
        holds=lambda f: f("threads.locked_lost") == 0,
    ),
]

# --- chapter 07 ---
CLAIMS += [
    Claim(
        notebook="07_your_own_code",
        says="joblib and Pool return the same results on the same jobs",
        needs=("joblib_vs_pool.same_results",),
        holds=lambda f: f("joblib_vs_pool.same_results") is True,
    ),
    Claim(
        notebook="07_your_own_code",
        says="for big tasks the tool matters little: joblib's and Pool's efficiencies on the "
        "CPU job are within 25 percentage points of each other",
        needs=("joblib_vs_pool.pool_efficiency", "joblib_vs_pool.joblib_efficiency",
               "joblib_vs_pool.cores"),
        holds=lambda f: abs(f("joblib_vs_pool.pool_efficiency")
                            - f("joblib_vs_pool.joblib_efficiency")) <= 0.25,
        applies=lambda f: f("joblib_vs_pool.cores") >= 2,
    ),
    Claim(
        notebook="07_your_own_code",
        says="a function that reads a global array makes cloudpickle send the whole array",
        needs=("by_value_size.closure_mb", "by_value_size.array_mb"),
        holds=lambda f: f("by_value_size.closure_mb") >= f("by_value_size.array_mb"),
    ),
    Claim(
        notebook="07_your_own_code",
        says="one request after another takes at least one delay per request",
        needs=("waits.one_s", "waits.delay_s"),
        holds=lambda f: f("waits.one_s") >= f("waits.delay_s"),
    ),
    Claim(
        notebook="07_your_own_code",
        says="threads and asyncio each answer all the requests in under three delays",
        needs=("waits.threads_s", "waits.async_s", "waits.delay_s"),
        holds=lambda f: max(f("waits.threads_s"), f("waits.async_s")) < 3 * f("waits.delay_s"),
    ),
]

# --- chapter 09 ---
CLAIMS += [
    Claim(
        notebook="09_dask_distributed",
        says="Dask and Pool return the same results on the same jobs",
        needs=("dask_vs_pool.same_results",),
        holds=lambda f: f("dask_vs_pool.same_results") is True,
    ),
    Claim(
        notebook="09_dask_distributed",
        says="the CPU job takes over a second serially",
        needs=("dask_vs_pool.serial_s",),
        holds=lambda f: f("dask_vs_pool.serial_s") >= 1.0,
    ),
    Claim(
        notebook="09_dask_distributed",
        says="a Dask task costs on the order of a millisecond here (between 0.2 and 10 ms)",
        needs=("dask_vs_pool.dask_task_us",),
        holds=lambda f: 200 <= f("dask_vs_pool.dask_task_us") <= 10_000,
    ),
    Claim(
        notebook="09_dask_distributed",
        says="a Dask task costs many times a Pool task with chunksize=1 (at least 5x)",
        needs=("dask_vs_pool.overhead_ratio",),
        holds=lambda f: f("dask_vs_pool.overhead_ratio") >= 5,
    ),
    Claim(
        notebook="09_dask_distributed",
        says="on the CPU job of over a second, Dask's efficiency is close to Pool's (within "
        "15 percentage points)",
        needs=("dask_vs_pool.pool_efficiency", "dask_vs_pool.dask_efficiency",
               "dask_vs_pool.cores", "dask_vs_pool.workers"),
        holds=lambda f: abs(f("dask_vs_pool.pool_efficiency")
                            - f("dask_vs_pool.dask_efficiency")) <= 0.15,
        applies=lambda f: f("dask_vs_pool.cores") >= f("dask_vs_pool.workers"),
    ),
]

# --- chapter 10 ---
def _race_on_two_cores(f: Callable[[str], Any]) -> bool:
    """A parallel efficiency needs two cores to run the two workers at the same moment."""
    return f("race.cores") >= 2


CLAIMS += [
    Claim(
        notebook="10_capstone",
        says="the top rows are cheap and the bottom rows dear: the bottom half needs several "
        "times the steps of the top half",
        needs=("row_costs.bottom_over_top",),
        holds=lambda f: f("row_costs.bottom_over_top") >= 3,
    ),
    Claim(
        notebook="10_capstone",
        says="balanced (imap_unordered, blocks of 8 rows), two processes reach an efficiency "
        "of at least 90%",
        needs=("race.balanced_efficiency", "race.cores"),
        holds=lambda f: f("race.balanced_efficiency") >= 0.9,
        applies=_race_on_two_cores,
    ),
    Claim(
        notebook="10_capstone",
        says="the static split (one block of rows per worker) is measurably worse: at least "
        "10 points of efficiency below the balanced run",
        needs=("race.static_efficiency", "race.balanced_efficiency", "race.cores"),
        holds=lambda f: f("race.static_efficiency") <= f("race.balanced_efficiency") - 0.1,
        applies=_race_on_two_cores,
    ),
    Claim(
        notebook="10_capstone",
        says="the static split is barely faster than serial: an efficiency not far above 50% "
        "(at most 70%)",
        needs=("race.static_efficiency", "race.cores"),
        holds=lambda f: f("race.static_efficiency") <= 0.7,
        applies=_race_on_two_cores,
    ),
    Claim(
        notebook="10_capstone",
        says="writing into shared memory is as efficient as the balanced run (within 10 points)",
        needs=("race.shared_efficiency", "race.balanced_efficiency", "race.cores"),
        holds=lambda f: f("race.shared_efficiency") >= f("race.balanced_efficiency") - 0.1,
        applies=_race_on_two_cores,
    ),
    Claim(
        notebook="10_capstone",
        says="NumPy in one thread is several times faster than the pure-Python loop",
        needs=("numpy_threads.vectorised_speedup",),
        holds=lambda f: f("numpy_threads.vectorised_speedup") >= 3,
    ),
    Claim(
        notebook="10_capstone",
        says="the second thread gains far less than vectorising did",
        needs=("numpy_threads.threads_speedup", "numpy_threads.vectorised_speedup"),
        holds=lambda f: f("numpy_threads.threads_speedup")
        < f("numpy_threads.vectorised_speedup") / 2,
    ),
    Claim(
        notebook="10_capstone",
        says="the second NumPy thread gained little or nothing (below 1.3x)",
        needs=("numpy_threads.threads_speedup",),
        holds=lambda f: f("numpy_threads.threads_speedup") < 1.3,
    ),
    Claim(
        notebook="10_capstone",
        says="exercise 3: the whole image as one task takes about the serial time, clearly "
        "longer than the best chunk size (at least 1.4 times)",
        needs=("chunk_sizes.whole_image_s", "chunk_sizes.best_s", "chunk_sizes.cores"),
        holds=lambda f: f("chunk_sizes.whole_image_s") >= 1.4 * f("chunk_sizes.best_s"),
        applies=lambda f: f("chunk_sizes.cores") >= 2,
    ),
]
