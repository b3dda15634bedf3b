"""Measure this machine: ``python -m tools.bench [--start-method M] [--quick]`` (``make bench``).

One run measures, on this machine and with one start method for the pools:

* the notes' CPU-bound job (``sum(i + i**2 for i in range(n))``, ``n`` chosen so the serial
  run takes at least ``--seconds``) run serially, in ``cores`` threads and in ``cores``
  processes, with the same total work, workers started before the clock starts, and the
  median of several rounds in which the three take turns;
* an I/O-bound job (sleeps) run serially and in many threads;
* the costs of parallelism: starting a thread, starting a process under every start method
  this platform offers, the per-task overhead of ``Pool.map`` with ``chunksize=1`` and a tuned
  chunk size, and how much faster a worker reads a 100 MiB NumPy array through shared memory
  than receiving it pickled;
* joblib (its default loky backend, what scientific Python uses under ``n_jobs``) next to
  ``Pool``: the same CPU job, serial vs ``Pool`` vs joblib taking turns, and the same tiny
  tasks (``joblib_efficiency``, ``joblib_task_overhead_us``);
* Dask distributed (chapter 09) next to ``Pool``: tiny tasks, one message per task for both
  (``dask_task_overhead_us`` and its ratio to ``Pool.map`` with ``chunksize=1``), and the CPU
  job on a 2-worker ``LocalCluster`` (``dask_efficiency``), Pool and Dask taking turns.
* chapter 10's capstone: a Mandelbrot image (rows of very uneven cost) rendered serially and by
  two processes, once with one static block of rows per worker and once balanced
  (``imap_unordered``, blocks of 8 rows), taking turns (``capstone_efficiency_static``,
  ``capstone_efficiency_balanced``; :func:`capstone`).

It prints a table, and as its last line one JSON object with the results (see ``KEYS``).
``--quick`` uses tiny sizes: it checks that the command works, not how fast the machine is.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing as mp
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass, replace
from typing import Any

from helpers.timing import format_ratio, format_seconds

# Under spawn and forkserver every child process imports this module again (as __mp_main__):
# the heavier imports are inside the functions, so that a child starts as fast as it can.

#: The keys of the JSON line, in order.
KEYS = (
    "cores",
    "start_method",
    "serial_s",
    "cpu_threads_speedup",
    "cpu_processes_speedup",
    "cpu_processes_efficiency",
    "io_threads",
    "io_threads_speedup",
    "process_start_ms",
    "thread_start_ms",
    "pool_task_overhead_us",
    "shared_memory_vs_pickle",
    "joblib_efficiency",
    "joblib_task_overhead_us",
    "dask_task_overhead_us",
    "dask_efficiency",
    "capstone_efficiency_static",
    "capstone_efficiency_balanced",
)


@dataclass(frozen=True)
class Sizes:
    """How much work each measurement does."""

    serial_seconds: float  # the serial CPU job takes at least this long
    repeat: int  # rounds per measurement (the median is reported)
    io_seconds: float  # length of one sleep
    io_rounds: int  # sleeps per thread
    pool_tasks: int  # no-op tasks for the pool overhead
    array_mib: int  # size of the array for shared memory vs pickle
    process_starts: int  # processes started per start method
    thread_starts: int  # threads started
    idle_sample_seconds: float  # how long to watch the other programs' CPU use
    dask_tasks: int  # no-op tasks for Dask's per-task cost (about 1.6 ms each)
    quick: bool  # a smoke test: the numbers mean nothing


FULL = Sizes(
    serial_seconds=1.2,
    repeat=7,
    io_seconds=0.05,
    io_rounds=2,
    pool_tasks=20_000,
    array_mib=100,
    process_starts=5,
    thread_starts=50,
    idle_sample_seconds=1.0,
    dask_tasks=1_000,
    quick=False,
)
QUICK = Sizes(
    serial_seconds=0.02,
    repeat=2,
    io_seconds=0.005,
    io_rounds=1,
    pool_tasks=400,
    array_mib=2,
    process_starts=1,
    thread_starts=3,
    idle_sample_seconds=0.1,
    dask_tasks=50,
    quick=True,
)

#: Targets on a quiet machine (the limit of an efficiency is 1.0).
EFFICIENCY_TARGET = {"fork": 0.95, "forkserver": 0.95, "spawn": 0.85}
IO_TARGET = 0.9  # io_threads_speedup >= IO_TARGET * io_threads
CHUNKSIZE_TARGET = 10.0  # the tuned chunk size is at least this many times cheaper per task
SHARED_MEMORY_TARGET = 10.0
DASK_EFFICIENCY_TARGET = 0.85  # a 2-worker LocalCluster on a CPU job of over a second
DASK_WORKERS = 2
CAPSTONE_TARGET = 0.90  # capstone_efficiency_balanced >= this, with 2 processes
CAPSTONE_GAP = 0.10  # and the static split at least this much lower: measurably worse
#: The capstone's processes: the image is cut for two workers, whatever the core count.
CAPSTONE_WORKERS = 2


def calibrate(seconds: float, cores: int) -> int:
    """The ``n`` for which the serial job takes about ``seconds`` here (a multiple of ``cores``).

    The fastest of three short trial runs sets the rate, so ``n`` errs on the large side when
    the machine is busy during calibration.
    """
    from helpers.benchmark import sum_chunk
    from helpers.timing import measure

    trial = 200_000
    rate = trial / measure(sum_chunk, 0, trial, repeat=3, warmup=1).best
    n = math.ceil(seconds * rate)
    return max(cores, math.ceil(n / cores) * cores)


def busy_cores(seconds: float) -> float:
    """How many of the machine's CPUs other programs keep busy, watched for ``seconds``.

    Called while this benchmark sits idle: whatever is busy then belongs to somebody else,
    and will compete with the benchmark's workers for the cores.
    """
    import psutil

    share = psutil.cpu_percent(interval=seconds) / 100
    return round(share * (psutil.cpu_count() or 1), 2)


def dask_keys(n: int, cores: int, context: Any, sizes: Sizes) -> dict[str, Any]:
    """Dask next to ``Pool`` (``helpers.dask_compare``): a ``LocalCluster`` and a ``Pool`` of
    ``min(2, cores)`` workers each, tiny tasks and the CPU job over ``range(n)``, taking turns.

    ``dask_efficiency`` is the median over the rounds of serial time / Dask's time, per worker
    (as ``joblib_efficiency``); ``dask_task_overhead_us`` the best time per no-op task.
    """
    from helpers.dask_compare import dask_figures

    workers = min(DASK_WORKERS, cores)
    n = max(workers, n - n % workers)
    race = dask_figures(n, sizes.dask_tasks, workers, context, rounds=sizes.repeat)
    if not race.correct:
        raise RuntimeError("Dask and Pool returned different results")
    return {
        "dask_task_overhead_us": round(race.per_task("tiny, Dask") * 1e6, 1),
        "dask_efficiency": round(race.median_efficiency("cpu, Dask"), 3),
        "dask_workers": workers,
        "dask_overhead_vs_pool": round(race.overhead_ratio, 1),
        "pool_task_overhead_beside_dask_us": round(race.per_task("tiny, Pool.map") * 1e6, 2),
        "pool_efficiency_beside_dask": round(race.median_efficiency("cpu, Pool"), 3),
    }


def capstone(method: str, sizes: Sizes) -> dict[str, Any]:
    """Chapter 10's race: serial vs 2 processes on the Mandelbrot image, static and balanced.

    The full image is the notebook's (560 x 392 pixels, 250 steps at most: more than a second
    of serial work); efficiency is the median over the rounds of serial time / variant time /
    2, as for ``cpu_processes_efficiency``.
    """
    from helpers.fractal import View, capstone_race

    view = View(width=60, height=40, max_iter=50) if sizes.quick else View(560, 392, 250)
    rounds = 1 if sizes.quick else sizes.repeat  # 7: a noisy host moves single rounds by 30%
    timings = capstone_race(view, CAPSTONE_WORKERS, mp.get_context(method), rounds=rounds)
    serial = timings["serial"]

    def efficiency(name: str) -> float:
        pairs = zip(serial.samples, timings[name].samples, strict=True)
        return statistics.median(s / p / CAPSTONE_WORKERS for s, p in pairs)

    return {
        "capstone_efficiency_static": round(efficiency("static"), 3),
        "capstone_efficiency_balanced": round(efficiency("balanced"), 3),
        "capstone_serial_s": round(serial.median, 4),
        "capstone_rounds": rounds,
    }


def run(method: str, sizes: Sizes) -> dict[str, Any]:
    """Take every measurement; return the results as a dict (the JSON line's content)."""
    from helpers.benchmark import closed_form, fair_race, io_race, warm_up
    from helpers.joblib_compare import joblib_race, joblib_task_overhead
    from helpers.overheads import (
        pickle_vs_shared_memory,
        pool_task_overhead,
        process_start,
        thread_start,
        tuned_chunksize,
    )
    from helpers.system import cpu_counts

    context = mp.get_context(method)
    cores = cpu_counts().usable
    n = calibrate(sizes.serial_seconds, cores)

    others_before = busy_cores(sizes.idle_sample_seconds)
    race = fair_race(n, cores, context, repeat=sizes.repeat, watch=True)
    measured = race.timings["serial"].median
    if measured < 0.85 * sizes.serial_seconds:  # the CPU got faster after calibrating: once more
        n = math.ceil(n * sizes.serial_seconds / measured / cores) * cores
        race = fair_race(n, cores, context, repeat=sizes.repeat, watch=True)
    if not race.all_correct:
        raise RuntimeError(f"wrong sums: {race.totals}, expected {closed_form(n)}")
    others_after = busy_cores(sizes.idle_sample_seconds)
    serial, processes = race.timings["serial"], race.timings["processes"]
    during = [busy for rounds in race.others_busy.values() for busy in rounds]

    io_threads = max(8, 8 * cores)
    io_tasks = io_threads * sizes.io_rounds
    io_serial, io_threaded = io_race(io_tasks, io_threads, sizes.io_seconds, repeat=sizes.repeat)

    starts = {m: process_start(m, repeat=sizes.process_starts) for m in mp.get_all_start_methods()}
    thread = thread_start(repeat=sizes.thread_starts)

    tuned = tuned_chunksize(sizes.pool_tasks, cores)
    with context.Pool(cores) as pool:
        warm_up(pool, cores)
        per_task_1 = pool_task_overhead(pool, sizes.pool_tasks, 1, repeat=sizes.repeat)
        per_task_tuned = pool_task_overhead(pool, sizes.pool_tasks, tuned, repeat=sizes.repeat)
        pickled, shared = pickle_vs_shared_memory(pool, sizes.array_mib, repeat=sizes.repeat)
        pool.close()
        pool.join()

    # joblib next to Pool: its own race (serial, Pool and joblib taking turns) on the same n.
    beside = joblib_race(n, cores, context, repeat=sizes.repeat)
    if not beside.all_correct:
        raise RuntimeError(f"wrong sums: {beside.totals}, expected {closed_form(n)}")
    joblib_1 = joblib_task_overhead(cores, sizes.pool_tasks, 1, repeat=sizes.repeat)
    joblib_auto = joblib_task_overhead(cores, sizes.pool_tasks, "auto", repeat=sizes.repeat)
    fractal = capstone(method, sizes)

    # Dask next to Pool, in rounds of its own on the same n (chapter 09).
    dask = dask_keys(n, cores, context, sizes)

    return {
        "cores": cores,
        "start_method": method,
        "serial_s": round(serial.median, 4),
        "cpu_threads_speedup": round(race.speedup("threads"), 3),
        "cpu_processes_speedup": round(race.speedup("processes"), 3),
        "cpu_processes_efficiency": round(race.efficiency("processes"), 3),
        "io_threads": io_threads,
        "io_threads_speedup": round(io_serial.median / io_threaded.median, 2),
        "process_start_ms": {m: round(t.median * 1e3, 3) for m, t in starts.items()},
        "thread_start_ms": round(thread.median * 1e3, 4),
        "pool_task_overhead_us": {
            "chunksize_1": round(per_task_1.median * 1e6, 2),
            "tuned": round(per_task_tuned.median * 1e6, 3),
            "tuned_chunksize": tuned,
        },
        "shared_memory_vs_pickle": round(pickled.median / shared.median, 2),
        "joblib_efficiency": round(beside.efficiency("joblib"), 3),
        "joblib_task_overhead_us": {
            "batch_size_1": round(joblib_1.median * 1e6, 2),
            "auto": round(joblib_auto.median * 1e6, 3),
        },
        **dask,
        **fractal,
        # Context for reading the numbers above.
        "n": n,
        "repeat": sizes.repeat,
        "spread": {name: round(t.spread, 3) for name, t in race.timings.items()},
        "cpu_processes_efficiency_best": round(serial.best / processes.best / cores, 3),
        "cpu_processes_efficiency_rounds": [
            round(s / p / cores, 3) for s, p in zip(serial.samples, processes.samples, strict=True)
        ],
        "busy_cores_during_race": round(statistics.fmean(during), 2),
        "busy_cores_during_race_max": round(max(during), 2),
        "busy_cores_before": others_before,
        "busy_cores_after": others_after,
        "io_sleep_s": sizes.io_seconds,
        "io_tasks": io_tasks,
        "array_mib": sizes.array_mib,
        "pickle_read_ms": round(pickled.median * 1e3, 2),
        "pool_efficiency_beside_joblib": round(beside.efficiency("pool"), 3),
        "shared_memory_read_ms": round(shared.median * 1e3, 2),
        "load_average_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
        "python": platform.python_version(),
        "quick": sizes.quick,
    }


def targets(results: dict[str, Any]) -> dict[str, bool]:
    """Which of the targets the results meet (see the module's constants)."""
    overhead = results["pool_task_overhead_us"]
    efficiency_target = EFFICIENCY_TARGET[results["start_method"]]
    return {
        "cpu_processes_efficiency": results["cpu_processes_efficiency"] >= efficiency_target,
        "io_threads_speedup": results["io_threads_speedup"] >= IO_TARGET * results["io_threads"],
        "pool_task_overhead_us": overhead["chunksize_1"] >= CHUNKSIZE_TARGET * overhead["tuned"],
        "shared_memory_vs_pickle": results["shared_memory_vs_pickle"] >= SHARED_MEMORY_TARGET,
        "dask_efficiency": results["dask_efficiency"] >= DASK_EFFICIENCY_TARGET,
        **capstone_targets(results),
    }


def capstone_targets(results: dict[str, Any]) -> dict[str, bool]:
    """The capstone's targets: balanced >= 0.90, and the static split measurably worse."""
    balanced, static = (results["capstone_efficiency_balanced"],
                        results["capstone_efficiency_static"])
    return {
        "capstone_efficiency_balanced": balanced >= CAPSTONE_TARGET,
        "capstone_efficiency_static": static <= balanced - CAPSTONE_GAP,
    }


def table(r: dict[str, Any]) -> str:
    """The results ``r`` of :func:`run` as a readable table, with targets and definitions."""
    met = targets(r)

    def goal(key: str, text: str) -> str:
        return f"{text}: {'met' if met[key] else 'MISSED'}"

    cores, method, mib = r["cores"], r["start_method"], r["array_mib"]
    overhead = r["pool_task_overhead_us"]
    chunk_ratio = overhead["chunksize_1"] / max(overhead["tuned"], 1e-9)
    rows = [
        ("CPU job, serial (in the parent)", format_seconds(r["serial_s"]), ""),
        (f"CPU job, {cores} threads: speed-up", format_ratio(r["cpu_threads_speedup"]), "~1x: GIL"),
        (
            f"CPU job, {cores} processes: speed-up",
            format_ratio(r["cpu_processes_speedup"]),
            f"limit {cores}x",
        ),
        (
            f"CPU job, {cores} processes: efficiency",
            f"{r['cpu_processes_efficiency']:.3f}",
            goal("cpu_processes_efficiency", f">= {EFFICIENCY_TARGET[method]}"),
        ),
        (
            f"I/O job, {r['io_threads']} threads: speed-up",
            format_ratio(r["io_threads_speedup"]),
            goal("io_threads_speedup", f">= {IO_TARGET * r['io_threads']:.1f}x"),
        ),
        ("start + join a thread", format_seconds(r["thread_start_ms"] / 1e3), ""),
    ]
    for name, ms in r["process_start_ms"].items():
        rows.append((f"start + join a process ({name})", format_seconds(ms / 1e3), ""))
    rows += [
        ("pool.map per task, chunksize=1", format_seconds(overhead["chunksize_1"] / 1e6), ""),
        (
            f"pool.map per task, chunksize={overhead['tuned_chunksize']}",
            format_seconds(overhead["tuned"] / 1e6),
            goal("pool_task_overhead_us", f"{format_ratio(chunk_ratio)} cheaper, >= 10x"),
        ),
        (f"worker reads {mib} MiB, pickled", format_seconds(r["pickle_read_ms"] / 1e3), ""),
        (
            f"worker reads {mib} MiB, shared memory",
            format_seconds(r["shared_memory_read_ms"] / 1e3),
            "",
        ),
        (
            "shared memory vs pickle",
            format_ratio(r["shared_memory_vs_pickle"]),
            goal("shared_memory_vs_pickle", f">= {SHARED_MEMORY_TARGET:g}x"),
        ),
        (
            f"CPU job, joblib {cores} workers: efficiency",
            f"{r['joblib_efficiency']:.3f}",
            f"Pool in the same rounds: {r['pool_efficiency_beside_joblib']:.3f}",
        ),
        (
            "joblib per task, batch_size=1",
            format_seconds(r["joblib_task_overhead_us"]["batch_size_1"] / 1e6),
            f"Pool chunksize=1: {format_seconds(overhead['chunksize_1'] / 1e6)}",
        ),
        (
            "joblib per task, batch_size='auto'",
            format_seconds(r["joblib_task_overhead_us"]["auto"] / 1e6),
            "",
        ),
        (
            f"CPU job, Dask {r['dask_workers']} workers: efficiency",
            f"{r['dask_efficiency']:.3f}",
            goal("dask_efficiency", f">= {DASK_EFFICIENCY_TARGET}")
            + f" (Pool in the same rounds: {r['pool_efficiency_beside_dask']:.3f})",
        ),
        (
            "Dask per task",
            format_seconds(r["dask_task_overhead_us"] / 1e6),
            f"{format_ratio(r['dask_overhead_vs_pool'])} Pool chunksize=1 in the same rounds",
        ),
        (
            "fractal, 2 processes, static: efficiency",
            f"{r['capstone_efficiency_static']:.3f}",
            goal("capstone_efficiency_static", f"<= balanced - {CAPSTONE_GAP:g}"),
        ),
        (
            "fractal, 2 processes, balanced: efficiency",
            f"{r['capstone_efficiency_balanced']:.3f}",
            goal("capstone_efficiency_balanced", f">= {CAPSTONE_TARGET:g}"),
        ),
    ]
    width = max(len(name) for name, _, _ in rows) + 2
    spread = r["spread"]
    lines = [
        f"Benchmark: {cores} usable cores, start method {method}, Python {r['python']}, "
        f"load average {r['load_average_1min']}",
        f"Other programs kept {r['busy_cores_during_race']} of the {cores} cores busy during the"
        f" CPU race (at most {r['busy_cores_during_race_max']} in one round),"
        f" {r['busy_cores_before']} before and {r['busy_cores_after']} after it.",
        f"CPU job: sum(i + i**2 for i in range(n)), n = {r['n']:,}, in {cores} equal chunks; "
        "workers started",
        f"  before timing; median of {r['repeat']} rounds (spread: serial {spread['serial']:.0%}, "
        f"threads {spread['threads']:.0%}, processes {spread['processes']:.0%});",
        "  the processes' efficiency in each round: "
        + ", ".join(f"{e:.2f}" for e in r["cpu_processes_efficiency_rounds"])
        + f"; from the fastest rounds: {r['cpu_processes_efficiency_best']:.3f}",
        "",
        f"{'measurement':<{width}}{'value':<11}target",
        f"{'-' * (width - 2):<{width}}{'-' * 9:<11}{'-' * 26}",
    ]
    lines += [f"{name:<{width}}{value:<11}{target}".rstrip() for name, value, target in rows]
    lines += [
        "",
        "speed-up = serial time / parallel time, the median over rounds in which both ran back to",
        "  back; efficiency = speed-up / processes (the limit is 1.0).",
        f"I/O job: {r['io_tasks']} sleeps of {format_seconds(r['io_sleep_s'])}, one after another"
        f" vs shared by {r['io_threads']} threads.",
        "start + join: Process(target=noop).start() then join(); the first start is not timed.",
        "pool.map per task: time of pool.map(noop, range(tasks), chunksize) / tasks, warm pool.",
        "worker reads: from pool.apply(...) to the worker's answer; the worker sums a float64",
        "  array. pickled: the array is the argument (pickled, sent down a pipe, unpickled).",
        "  shared memory: the array is already in a SharedMemory block; the worker gets its name,",
        "  attaches, sums in place and detaches. The ratio is pickled time / shared-memory time.",
        "joblib: Parallel(n_jobs=cores) with its default loky backend (its own worker processes,",
        "  started its own way whatever the start method); the CPU job in the same chunks as the",
        "  Pool, serial, Pool and joblib taking turns; per task: noop tasks, as for pool.map.",
        "Dask: a LocalCluster of worker processes (distributed); the CPU job in one chunk per",
        "  worker, serial, Pool and Dask taking turns; per task: noop tasks, one message each,",
        "  against Pool.map(noop, ..., chunksize=1) in the same rounds.",
        "fractal: chapter 10's Mandelbrot image (serial "
        f"{format_seconds(r['capstone_serial_s'])}), 2 processes: one block of rows per worker",
        "  (static) or blocks of 8 rows by imap_unordered (balanced); median of "
        f"{r['capstone_rounds']} rounds in turns.",
    ]
    if r["quick"]:
        lines.append("QUICK run: the sizes are far too small for the numbers to mean anything.")
    missed = [key for key, ok in met.items() if not ok]
    if missed and not r["quick"]:
        lines.append(f"Missed: {', '.join(missed)}.")
        if r["busy_cores_during_race"] >= 0.1:
            lines.append(
                f"Other programs kept {r['busy_cores_during_race']} of {cores} cores busy during"
                " the CPU race: the workers shared the cores with them."
            )
        elif r["spread"]["serial"] >= 0.1:
            lines.append(
                "No other program on this machine competed during the CPU race, yet the same"
                f" serial job varied by {r['spread']['serial']:.0%} between rounds: the CPUs"
                " themselves ran at varying speed (on a virtual machine, the host shares its"
                " physical cores with other machines)."
            )
        else:
            lines.append(
                "Neither other programs nor a varying CPU speed explain it: compare the efficiency"
                " of each round, and the pool overheads."
            )
        lines.append("Re-run on a quiet machine.")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--start-method",
        choices=mp.get_all_start_methods(),
        default=None,
        help="start method for the pools (default: the platform's)",
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke test")
    parser.add_argument(
        "--seconds",
        type=float,
        default=None,
        help=f"serial time of the CPU job (default {FULL.serial_seconds}; at least 1 s is fair)",
    )
    args = parser.parse_args(argv)
    method = args.start_method or mp.get_start_method()
    sizes = QUICK if args.quick else FULL
    if args.seconds is not None:
        if args.seconds <= 0:
            parser.error("--seconds must be > 0")
        sizes = replace(sizes, serial_seconds=args.seconds)
    started = time.perf_counter()
    results = run(method, sizes)
    results["targets_met"] = targets(results)
    results["bench_seconds"] = round(time.perf_counter() - started, 1)
    print(table(results))
    print(json.dumps(results), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
