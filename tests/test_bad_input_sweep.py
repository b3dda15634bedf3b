"""Issue 8, section 4: every public helper, called with bad arguments, generated from signatures.

The sweep walks the ``helpers`` package, takes every public function and class defined there,
and builds a valid call from a table of sample arguments keyed by parameter name (a new helper
with a parameter the table does not know fails :func:`test_every_parameter_has_a_sample`, so it
is covered without anyone remembering to). Then it replaces one argument at a time by a bad
value chosen from the parameter's annotation (``None``, a value of the wrong type, NaN,
infinity, a negative number, a trillion, an empty or a string where a list belongs) and calls
the helper *in this process*, with every side effect a helper could have (starting a process,
a thread, a pool or a subprocess, sleeping, waiting on a queue or an event, opening a socket,
creating a shared-memory segment) replaced by a trap. What must hold for each call:

* it raises a ``TypeError`` or a ``ValueError`` whose message names the argument;
* it raises before any side effect (the trap raises :class:`SideEffect`, which is neither);
* it changed nothing in the arguments it was given.

In-process calls cost microseconds, so the whole sweep takes about a second. A bad value that
is in fact valid for one parameter (a negative ``dx`` moves a point left) is listed in
:data:`VALID` with the reason; the list is checked for names that no longer exist.

The learner-facing checks (``helpers.checks``) are held to a different rule, tested in
``tests/test_worst_inputs.py``: a check answers "Not yet" with a hint to any absurd answer.
Here only their own settings (time-outs, attempts, sizes) are swept.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import copy
import importlib
import inspect
import multiprocessing as mp
import multiprocessing.pool
import multiprocessing.process
import multiprocessing.queues
import os
import pkgutil
import queue
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import is_dataclass
from multiprocessing import shared_memory
from typing import Any

import numpy as np
import pytest

import helpers

NAN, INF = float("nan"), float("inf")
TRILLION = 10**12


class SideEffect(BaseException):
    """Raised by a trap: the helper did something before it had checked its arguments."""


# --- what is swept ---------------------------------------------------------------------------

#: Public names that take no argument a learner could get wrong, with the reason.
NOT_SWEPT: dict[str, str] = {
    # Typing protocols: never called.
    "helpers.benchmark.Mapper": "a Protocol",
    "helpers.locks.HasValue": "a Protocol",
    "helpers.locks.Waitable": "a Protocol",
    "helpers.queues.SupportsPut": "a Protocol",
    "helpers.queues.SupportsSend": "a Protocol",
    # The claims machinery runs in the tooling, on figures the notebooks record.
    "helpers.claims.Claim": "a record written in helpers/claims.py itself",
    "helpers.claims.MissingFigure": "an exception class",
    # IPython glue: called by IPython with IPython's arguments.
    "helpers.solutions.load_ipython_extension": "called by IPython",
    "helpers.solutions.register": "called by IPython",
    "helpers.own_modules.register": "called when the module is imported, with IPython's shell",
    "helpers.solutions.solution": "called by IPython (tests/test_solutions.py)",
    # The checks' recording machinery: wraps and watches the learner's calls.
    "helpers.checks.recording.wrapped_methods": "internal to the checks",
    "helpers.checks.recording.WorkerLog": "internal to the checks",
    "helpers.checks.recording.WorkerEvent": "internal to the checks",
    "helpers.checks.recording.Outcome": "internal to the checks",
    "helpers.checks.queues.Wait": "internal to the checks",
    "helpers.checks.queues.Run": "internal to the checks",
    "helpers.checks.queues.Exercise": "internal to the checks",
    "helpers.checks.queues.ParentWork": "internal to the checks",
    "helpers.checks.queues.parent_work": "internal to the checks",
    "helpers.checks.queues.watch": "internal to the checks",
    "helpers.checks.fractal.WatchingPool": "internal to the checks",
    "helpers.checks.fractal.WorkerFailed": "an exception class",
    "helpers.checks.Verdict": "what a check returns",
    "helpers.checks.correct": "what a check returns",
    "helpers.checks.not_yet": "what a check returns",
    "helpers.sharing.Point": "a ctypes Structure: ctypes checks its own fields",
    "helpers.checks.recording.require_timeout": "a validator (tests/test_worst_inputs.py)",
}

#: Parameters whose value is the learner's answer to an exercise: a check must answer "Not
#: yet" to nonsense there, not raise (tests/test_worst_inputs.py).
LEARNER_ANSWERS = {
    "split", "answers", "on_2", "on_8", "limit", "run_four", "orders", "reports",
    "square_all", "outcomes", "pending", "futures", "squares", "sent_as", "child_can_receive",
    "start_six", "ordered_sums", "collect", "fill", "scale",
    "run_cubes", "task", "ported", "ask_many",
    "make_tiles", "render_shared", "times", "best_rows",
}


def _public_callables() -> list[tuple[str, Any]]:
    found = []
    for info in pkgutil.walk_packages(helpers.__path__, "helpers."):
        if info.name.rsplit(".", 1)[-1].startswith("_"):
            continue
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                continue
            if not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue
            dotted = f"{module.__name__}.{name}"
            if dotted in NOT_SWEPT:
                continue
            if inspect.isclass(obj) and (is_dataclass(obj) or issubclass(obj, tuple)):
                continue  # a result record: the helpers make it, the learner reads it
            found.append((dotted, obj))
    return found


PUBLIC = _public_callables()


def _parameters(func: Any) -> list[inspect.Parameter]:
    return [
        p
        for p in inspect.signature(func).parameters.values()
        if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and p.name != "self"
    ]


# --- traps: every side effect a helper could have ---------------------------------------------


class Trap:
    """A stand-in for a pool, queue, lock, counter, shared value or the learner's function.

    Reading the attributes it was given is allowed; calling it or any of its methods, using it
    in a ``with``, or setting an attribute is a side effect and raises :class:`SideEffect`.
    """

    def __init__(self, what: str, **readable: object) -> None:
        object.__setattr__(self, "_what", what)
        object.__setattr__(self, "_readable", readable)

    def __getattr__(self, name: str) -> object:
        if name in ("_what", "_readable"):
            raise AttributeError(name)
        if name in self._readable:
            return self._readable[name]
        if name.startswith("__"):
            raise AttributeError(name)

        def method(*args: object, **kwargs: object) -> None:
            raise SideEffect(f"{self._what}.{name}() was called")

        return method

    def __setattr__(self, name: str, value: object) -> None:
        raise SideEffect(f"{self._what}.{name} was set")

    def __call__(self, *args: object, **kwargs: object) -> None:
        raise SideEffect(f"{self._what} was called")

    def __enter__(self) -> None:
        raise SideEffect(f"{self._what} was entered")

    def __exit__(self, *exc: object) -> None:
        return None

    def __repr__(self) -> str:
        return f"<trap {self._what}>"

    def __deepcopy__(self, memo: object) -> Trap:
        return self  # a trap watches itself


def _trap(what: str) -> Callable[..., Any]:
    def trapped(*args: object, **kwargs: object) -> None:
        if args and isinstance(args[0], multiprocessing.pool.Pool):
            args[0]._state = "never started"  # what Pool.__del__ reads
        raise SideEffect(what)

    return trapped


TRAPPED: list[tuple[Any, str, str]] = [
    (multiprocessing.process.BaseProcess, "start", "a process was started"),
    (threading.Thread, "start", "a thread was started"),
    # (Never trap __new__: CPython cannot undo that; a trapped __init__ leaves the class's
    # defaults, which their __del__ reads. Pool's __del__ reads _state: see _trap.)
    (multiprocessing.pool.Pool, "__init__", "a pool was made"),
    (concurrent.futures.ThreadPoolExecutor, "submit", "a thread pool got work"),
    (concurrent.futures.ProcessPoolExecutor, "__init__", "a process pool was made"),
    (subprocess.Popen, "__init__", "a subprocess was started"),
    (shared_memory.SharedMemory, "__init__", "a shared-memory segment was made or attached"),
    (socket.socket, "__init__", "a socket was opened"),
    (queue.Queue, "get", "a queue was read"),
    (queue.Queue, "put", "a queue was written"),
    (multiprocessing.queues.Queue, "get", "a queue was read"),
    (multiprocessing.queues.Queue, "put", "a queue was written"),
    (threading.Event, "wait", "an event was waited on"),
    (threading.Barrier, "wait", "a barrier was waited on"),
    (threading.Condition, "wait", "a condition was waited on"),
    (time, "sleep", "time.sleep() was called"),
    (multiprocessing.context.BaseContext, "Value", "a shared Value was made"),
    (multiprocessing.context.BaseContext, "Array", "a shared Array was made"),
    (multiprocessing.context.BaseContext, "Manager", "a Manager was started"),
]


@contextlib.contextmanager
def _side_effects_trapped() -> Iterator[None]:
    import matplotlib.pyplot as plt

    targets = [
        *TRAPPED,
        (plt, "subplots", "a figure was made"),
        (plt, "figure", "a figure was made"),
        (os, "_exit", "os._exit() was called"),
    ]
    with pytest.MonkeyPatch.context() as patch:
        for owner, name, what in targets:
            patch.setattr(owner, name, _trap(what))
        yield


# --- valid samples, by parameter name ----------------------------------------------------------


def _untouchable(*args: object, **kwargs: object) -> None:
    raise SideEffect("the function it was given was called")


def _record() -> Any:
    from helpers.pools import TaskRecord

    return TaskRecord(task=0, pid=1, start=0.0, end=1.0)


#: A valid value for each parameter without a default, by name (a factory: a fresh one per call).
SAMPLES: dict[str, Callable[[], object]] = {
    "a": lambda: 1, "b": lambda: 2, "d": lambda: 1, "x": lambda: 2,
    "address": lambda: ("127.0.0.1", 9),
    "after": lambda: 1.0,
    "cell": lambda: "X = 1\n",
    "args": lambda: (),
    "ask_round": lambda: (lambda left: [os.getpid()]),
    "array": lambda: np.zeros(4),
    "barrier": lambda: Trap("barrier"),
    "block": lambda: (0, 1),
    "before": lambda: set(),
    "caller": lambda: threading.Thread(target=print),  # never started
    "chunk": lambda: (0, 10),
    "children": lambda: [],
    "chunksize": lambda: 1,
    "code": lambda: 1,
    "connection": lambda: Trap("connection"),
    "contestants": lambda: {"a": _untouchable},
    "context": lambda: mp.get_context("spawn"),
    "count": lambda: 1,
    "counter": lambda: Trap("counter", value=0),
    "counters": lambda: [Trap("counter", value=0)],
    "dotted": lambda: "helpers.locks.Counter",
    "dtype": lambda: "float64",
    "delay": lambda: 0.01,
    "dx": lambda: 1.0, "dy": lambda: 1.0,
    "efficiencies": lambda: [1.0, 0.9],
    "error": lambda: ValueError("boom"),
    "executor": lambda: Trap("executor"),
    "factor": lambda: 2.0,
    "figures": lambda: {},
    "fraction": lambda: 0.5,
    "full": lambda: 100, "quick": lambda: 10,
    "func": lambda: _untouchable,
    "function": lambda: _untouchable,
    "height": lambda: 3, "width": lambda: 4,
    "high": lambda: 255, "low": lambda: 0,
    "increments": lambda: 10,
    "inbox": lambda: Trap("inbox"),
    "index": lambda: 1,
    "intervals": lambda: [(0.0, 1.0)],
    "item": lambda: "2.5",
    "items": lambda: [1, 2],
    "kind": lambda: "threads",
    "line": lambda: "",
    "lock": lambda: Trap("lock"),
    "mapper": lambda: Trap("mapper"),
    "mapping": lambda: {},
    "megabytes": lambda: 1,
    "method": lambda: "spawn",
    "n": lambda: 10,
    "nbytes": lambda: 10,
    "notebook": lambda: "03_benchmark",
    "number": lambda: 1.0,
    "obj": lambda: None,
    "order": lambda: ("A", "B"),
    "outbox": lambda: Trap("outbox"),
    "outcome": lambda: 9,
    "orders": lambda: {"worker 1": ("A", "B")},
    "parallel_seconds": lambda: 1.0, "serial_seconds": lambda: 2.0,
    "parts": lambda: 2,
    "path": lambda: "no_such_script.py",
    "payload": lambda: b"x",
    "pickler": lambda: "pickle",
    "period_text": lambda: "100000", "quota_text": lambda: "50000",
    "parallel": lambda: Trap("parallel"),
    "pool": lambda: Trap("pool"),
    "pools": lambda: [],
    "pid": lambda: 2**22 + 12345,  # above Linux's default pid_max: no such process
    "process_name": lambda: "SpawnPoolWorker-1",
    "process": lambda: Trap("process", sentinel=3, pid=1),
    "processes": lambda: 2,
    "queue": lambda: Trap("queue"),
    "queues": lambda: {"a queue": Trap("queue")},
    "ratio": lambda: 2.0,
    "scale": lambda: 2,
    "serial_fraction": lambda: 0.1,
    "ready": lambda: Trap("ready"),
    "results": lambda: Trap("results"),
    "record": lambda: __import__("logging").makeLogRecord({"msg": "sample"}),
    "records": lambda: [_record()],
    "requests": lambda: 1,
    "rounds": lambda: 2,
    "row": lambda: 0,
    "rows": lambda: {"a": [(0.0, 1.0)]},
    "rows_per_task": lambda: 1,
    "seconds": lambda: 0.01,
    "setups": lambda: {"a": (Trap("counter", value=0), None)},
    "shape": lambda: (2,),
    "shared": lambda: [0] * 4,
    "shared_dict": lambda: {},
    "shared_point": lambda: Trap("point", x=0.0, y=0.0),
    "shared_value": lambda: Trap("shared_value", value=0),
    "size": lambda: 10,
    "source": lambda: "X = 1\n",
    "sizes_mb": lambda: [1.0],
    "slots": lambda: Trap("slots"),
    "speedups": lambda: [1.0, 1.8],
    "start": lambda: 0, "stop": lambda: 10,
    "stderr": lambda: "",
    "step": lambda: 1,
    "stop_event": lambda: Trap("stop_event"),
    "target": lambda: _untouchable,
    "task": lambda: 0, "task_id": lambda: 0,
    "tasks": lambda: 4,
    "text": lambda: "max 100000",
    "threads": lambda: 2,
    "tile": lambda: (0, 1, 0, 1),
    "tiles": lambda: [(0, 1, 0, 1)],
    "timeout": lambda: 1.0,
    "typecode": lambda: "i",
    "value": lambda: 1,
    "values": lambda: [1, 2],
    "variant": lambda: "RawValue, no lock",
    "view": lambda: __import__("helpers.fractal", fromlist=["View"]).View(4, 3, 5),
    "worker": lambda: 0,
    "worker_counts": lambda: [1, 2],
    "workers": lambda: 2,
}

#: Where one function's parameter means something else than the name's usual meaning.
SAMPLES_FOR: dict[tuple[str, str], Callable[[], object]] = {
    ("helpers.benchmark.timeline_rows", "records"): lambda: [(1, 0.0, 1.0)],
    ("helpers.benchmark.makespan", "records"): lambda: [(1, 0.0, 1.0)],
    ("helpers.claims.record", "key"): lambda: "a figure",
    ("helpers.claims.stored_figures", "notebook"): lambda: {"cells": []},
    ("helpers.sharing.sum_shared", "name"): lambda: "psm_sweep_never_made",
    ("helpers.solutions.register_cell_magic", "name"): lambda: "sweep_magic",
    ("helpers.sharing.scale_shared_rows", "name"): lambda: "psm_sweep_never_made",
    ("helpers.sharing.segment_exists", "name"): lambda: "psm_sweep_never_made",
    ("helpers.fractal.render_block_into", "name"): lambda: "psm_sweep_never_made",
    ("helpers.own_modules.write_module", "name"): lambda: "sweep_never_written",
    ("helpers.own_modules.writemodule", "line"): lambda: "sweep_never_written",
    ("helpers.sharing.scale_shared_rows", "stop"): lambda: 2,
    ("helpers.sharing.record_square", "key"): lambda: 3,
    ("helpers.locks.take_two_locks", "worker"): lambda: "worker 1",
    ("helpers.locks.take_two_locks", "locks"): lambda: {"A": Trap("A"), "B": Trap("B")},
    ("helpers.locks.increment_in_rounds", "locks"): lambda: [Trap("lock")],
    ("helpers.locks.count_until_stopped", "stop"): lambda: Trap("stop"),
    ("helpers.queues.append_sum_of_range", "results"): lambda: [],
    ("helpers.timing.fit_amdahl", "workers"): lambda: [1, 2],
    ("helpers.timing.plot_speedup", "workers"): lambda: [1, 2],
    ("helpers.timing.plot_efficiency", "workers"): lambda: [1, 2],
}


# Chapter 09 (helpers.dask_tools, helpers.dask_compare, helpers.checks.dask_tools), in a block
# of its own so that chapters added side by side do not edit the same lines.
LEARNER_ANSWERS |= {"squares_on_cluster", "run_on_own_cluster"}
SAMPLES.update({
    "client": lambda: Trap("client"),
    "folder": lambda: "no_such_folder_made_by_the_sweep",
    "link": lambda: "http://127.0.0.1:8787/status",
    "popens": lambda: [],
    "quiet": lambda: 40,  # logging.ERROR
    "scheduler_address": lambda: "tcp://127.0.0.1:9",
    "scheduler_file": lambda: "no_such_scheduler_file.json",
})
SAMPLES_FOR.update({
    ("helpers.dask_tools.slice_sum", "stop"): lambda: 2,
    ("helpers.dask_tools.worker_command", "name"): lambda: "worker-0",
})

# The language switch (helpers.language): issue 12's Chinese edition.
SAMPLES.update({
    "language": lambda: "en",
    "en": lambda: "Correct!",
    "zh": lambda: "正确！",
})

# Exercise 1's check of chapter 02 spreads the workers' delays when results arrive in order.
SAMPLES_FOR.update({
    ("helpers.checks.queues.delay_spreads", "attempts"): lambda: 3,
    ("helpers.checks.queues.delay_spreads", "longest_delay"): lambda: 0.2,
})

def _sample(dotted: str, parameter: inspect.Parameter) -> object:
    if (dotted, parameter.name) in SAMPLES_FOR:
        return SAMPLES_FOR[dotted, parameter.name]()
    if parameter.default is not inspect.Parameter.empty:
        return copy.copy(parameter.default)
    return SAMPLES[parameter.name]()


# --- bad values, from the annotation -----------------------------------------------------------

#: Names of enumerated string parameters: a name outside the list is bad.
ENUMERATED = {"kind", "variant", "method", "typecode", "dtype"}


def _bad_values(parameter: inspect.Parameter) -> list[object]:
    """Values that are wrong for ``parameter`` whatever the helper does, from its annotation."""
    annotation = str(parameter.annotation).replace(" ", "")
    optional = annotation.endswith("|None") or parameter.default is None
    base = annotation.removesuffix("|None")
    bad: list[object] = [] if optional else [None]
    if base == "object":
        return []  # anything goes
    if base in ("int", "int|Sequence[int]"):
        bad += ["3", 2.5, True, -1, TRILLION]
    elif base == "float":
        bad += ["0.5", NAN, INF, -1.0, TRILLION]
    elif base == "bool":
        bad += ["yes", 2]
    elif base == "str":
        bad += [3]
        if parameter.name in ENUMERATED:
            bad += ["no such thing"]
    elif base.startswith(("Sequence", "Iterable", "list", "tuple")):
        bad += [3, "abc"]
    elif base.startswith(("Mapping", "dict", "Figures")):
        bad += [3, "abc", [1, 2]]
    else:  # a callable, an object with methods, an array, a context, a path, bytes
        bad += [3]
    return bad


NEGATIVE, HUGE = repr(-1), repr(TRILLION)
NEGATIVE_FLOAT = repr(-1.0)

#: Bad-looking values that are in fact valid: (parameter, repr of the value) for every helper,
#: or ("module.function:parameter", repr) for one; with the reason.
VALID: dict[tuple[str, str], str] = {
    # Plain numbers that a helper computes with: any sign, any size.
    **{(name, value): "a number to compute with"
       for name in ("a", "b", "x", "dx", "dy", "number", "factor", "value", "step")
       for value in (NEGATIVE, HUGE, NEGATIVE_FLOAT)},
    # Identifiers: any size.
    **{(name, HUGE): "an id" for name in ("task", "task_id", "worker", "key")},
    ("helpers.sharing.record_square:key", NEGATIVE): "any int is a key",
    ("helpers.locks.add_in_turns:lock", "None"): "runs the same steps without a lock",
    ("helpers.joblib_compare.joblib_task_overhead:batch_size", "3"): "a batch of 3 tasks",
    # Sizes of pure arithmetic, which costs nothing whatever the size.
    ("helpers.benchmark.problem_size:full", HUGE): "a size, returned as it is",
    ("helpers.benchmark.problem_size:quick", HUGE): "a size, returned as it is",
    ("helpers.benchmark.closed_form:n", HUGE): "a formula, not a loop",
    ("helpers.benchmark.split_range:n", HUGE): "a few range boundaries",
    ("helpers.benchmark.numpy_safe_block:stop", HUGE): "a formula, not a loop",
    ("helpers.overheads.tuned_chunksize:tasks", HUGE): "a division",
    ("helpers.pools.default_chunksize:tasks", HUGE): "a division",
    ("helpers.checks.sharing.best_bytes:high", HUGE): "fits in 8 bytes",
    ("helpers.checks.sharing.best_bytes:low", NEGATIVE): "a signed range",
    ("helpers.timing.speedup:serial_seconds", HUGE): "a division",
    ("helpers.timing.speedup:parallel_seconds", HUGE): "a division",
    ("helpers.timing.efficiency:serial_seconds", HUGE): "a division",
    ("helpers.timing.efficiency:parallel_seconds", HUGE): "a division",
    ("helpers.timing.efficiency:workers", HUGE): "a division",
    ("helpers.timing.amdahl_speedup:workers", HUGE): "a formula",
    # Formatting shows whatever number it is given ("inf s", "-1.0 s").
    **{(f"helpers.timing.{function}:{name}", value): "formatting shows any number"
       for function, name in (("format_seconds", "seconds"), ("format_ratio", "ratio"),
                              ("format_percent", "fraction"))
       for value in (repr(INF), NEGATIVE_FLOAT, HUGE)},
    # A batch larger than the increments takes the lock once for all of them.
    ("helpers.locks.increment:batch", HUGE): "one batch for all",
    ("helpers.locks.increment_in_rounds:batch", HUGE): "one batch for all",
    ("helpers.locks.run_rounds:batch", HUGE): "one batch for all",
    # fail_after past the last step never fails, as None does.
    ("helpers.locks.add_steps:fail_after", HUGE): "never fails",
    ("helpers.locks.notes_job:fail_after", HUGE): "never fails",
    ("helpers.locks.guarded_job:fail_after", HUGE): "never fails",
    # The lookup table lives in pool workers; its size is known only there (IndexError).
    ("helpers.pools.look_up:index", HUGE): "checked against the table, in the worker",
    # Exit statuses wrap modulo 256, as the operating system does.
    ("helpers.workers.exit_with:code", HUGE): "the OS keeps code % 256",
    ("helpers.pools.crash_worker:code", HUGE): "the OS keeps code % 256",
}


def _is_valid(dotted: str, name: str, value: object) -> bool:
    key = repr(value)
    return (f"{dotted}:{name}", key) in VALID or (name, key) in VALID


# --- the sweep -------------------------------------------------------------------------------


def _snapshot(arguments: dict[str, object]) -> dict[str, object]:
    """What can be compared afterwards: copies of the plain containers and arrays."""
    return {
        name: value.copy() if isinstance(value, np.ndarray) else copy.deepcopy(value)
        for name, value in arguments.items()
        if isinstance(value, list | dict | set | np.ndarray)
    }


def _same(before: dict[str, object], after: dict[str, object]) -> bool:
    return all(
        np.array_equal(value, after[name])
        if isinstance(value, np.ndarray)
        else value == after[name]
        for name, value in before.items()
    )


def _call(func: Any, arguments: dict[str, object]) -> None:
    with _side_effects_trapped():
        result = func(**arguments)
        if isinstance(result, contextlib.AbstractContextManager) and hasattr(result, "gen"):
            with result:  # a @contextmanager helper checks its arguments when entered
                pass


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def sweep(dotted: str, func: Any) -> tuple[int, list[str]]:
    """Call ``func`` with one bad argument at a time; return the count and what went wrong."""
    parameters = _parameters(func)
    learner = dotted.startswith("helpers.checks.")
    tried, problems = 0, []
    for target in parameters:
        if learner and target.name in LEARNER_ANSWERS:
            continue
        for bad in _bad_values(target):
            if _is_valid(dotted, target.name, bad):
                continue
            arguments = {
                p.name: Trap("the answer") if learner and p.name in LEARNER_ANSWERS
                else _sample(dotted, p)
                for p in parameters
            }
            arguments[target.name] = bad
            before = _snapshot(arguments)
            call = f"{target.name}={_shown(bad)}"
            tried += 1
            try:
                _call(func, arguments)
            except (SideEffect, SystemExit) as effect:
                problems.append(f"{call}: {effect} before the argument was checked")
            except (TypeError, ValueError) as error:
                if not re.search(rf"\b{re.escape(target.name)}\b", str(error)):
                    problems.append(f"{call}: {type(error).__name__} without the name: {error}")
            except Exception as error:  # noqa: BLE001 - that is the finding
                problems.append(f"{call}: unclear {type(error).__name__}: {error}")
            else:
                problems.append(f"{call}: accepted")
            if not _same(before, arguments):
                problems.append(f"{call}: changed an argument before refusing")
    return tried, problems


SWEPT = [(dotted, func) for dotted, func in PUBLIC if _parameters(func)]


@pytest.mark.parametrize(("dotted", "func"), SWEPT, ids=[dotted for dotted, _ in SWEPT])
def test_bad_arguments_are_refused_by_name_before_any_side_effect(dotted: str, func: Any) -> None:
    tried, problems = sweep(dotted, func)
    assert not problems, f"{dotted}:\n  " + "\n  ".join(problems)


def test_every_parameter_has_a_sample() -> None:
    """A new helper with a parameter nobody has a sample for fails here: add one to SAMPLES."""
    missing = [
        f"{dotted}({p.name})"
        for dotted, func in SWEPT
        for p in _parameters(func)
        if p.default is inspect.Parameter.empty
        and p.name not in SAMPLES
        and (dotted, p.name) not in SAMPLES_FOR
        and not (dotted.startswith("helpers.checks.") and p.name in LEARNER_ANSWERS)
    ]
    assert not missing


def test_the_sweep_covers_the_package_and_enough_bad_calls() -> None:
    modules = {dotted.rsplit(".", 1)[0] for dotted, _ in SWEPT}
    assert len(SWEPT) >= 100 and len(modules) >= 15, (len(SWEPT), sorted(modules))
    tried = sum(len(_bad_values(p)) for _, func in SWEPT for p in _parameters(func))
    assert tried >= 1000


def test_the_exceptions_name_things_that_exist() -> None:
    swept = dict(SWEPT)
    for dotted in NOT_SWEPT:
        module, _, name = dotted.rpartition(".")
        assert hasattr(importlib.import_module(module), name), dotted
    for where, _ in VALID:
        if ":" in where:
            dotted, _, name = where.partition(":")
            assert dotted in swept, where
            assert name in inspect.signature(swept[dotted]).parameters, where
    for dotted, name in SAMPLES_FOR:
        assert name in inspect.signature(swept[dotted]).parameters, (dotted, name)


# --- the sweep's own traps and verdicts can fail -------------------------------------------------


def _refuses_late(n: int, pool: Any) -> int:
    pool.map(abs, [n])  # uses the pool before it checks n
    if not isinstance(n, int):
        raise TypeError(f"n must be an int, got {n!r}")
    return n


def _refuses_without_the_name(n: int) -> int:
    if not isinstance(n, int):
        raise TypeError("expected an int")
    return n


def _changes_then_refuses(shared: list[int], n: int) -> None:
    shared[0] = 99
    if not isinstance(n, int):
        raise TypeError(f"n must be an int, got {n!r}")


def _starts_a_thread(n: int) -> None:
    threading.Thread(target=print).start()


def _sleeps(n: int) -> None:
    time.sleep(0)


@pytest.mark.parametrize(
    ("func", "finding"),
    [
        (_refuses_late, "pool.map() was called before the argument was checked"),
        (_refuses_without_the_name, "TypeError without the name"),
        (_changes_then_refuses, "changed an argument"),
        (_starts_a_thread, "a thread was started"),
        (_sleeps, "time.sleep() was called"),
        (lambda n: None, "accepted"),
    ],
    ids=["late", "unnamed", "changes", "thread", "sleep", "accepts"],
)
def test_the_sweep_finds_each_kind_of_mistake(func: Any, finding: str) -> None:
    tried, problems = sweep("tests.example", func)
    assert tried > 0
    assert any(finding in problem for problem in problems), problems


def test_the_traps_are_undone_afterwards() -> None:
    with _side_effects_trapped(), pytest.raises(SideEffect):
        multiprocessing.pool.ThreadPool(1)
    with multiprocessing.pool.ThreadPool(1) as pool:
        assert pool.map(abs, [-1]) == [1]
    assert subprocess.run([sys.executable, "-c", ""], check=False).returncode == 0
    time.sleep(0)
