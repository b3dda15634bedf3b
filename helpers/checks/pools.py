"""Checks for the exercises of chapter 04 (process pools).

Each check judges *how* the answer was reached, not only the numbers:

* Exercise 1 hands the learner's ``square_all(pool, numbers)`` a *recording* stand-in for a
  pool (:class:`RecordingPool`). It runs each task at once, in this process, and notes the
  order of the calls, so whether the tasks could have run side by side depends only on that
  order, not on a clock: the verdict is the same on every machine. Every value its tasks
  return is a fresh object, so a square computed by the learner's own code (in the parent) is
  told apart from one a task returned by ``is``, even when they are equal.
* Exercise 2 receives the learner's ``outcomes`` *and* the ``pending`` AsyncResults, and asks
  each AsyncResult again: ``.get()`` returns the same value object, or raises the same
  exception object, every time, so an outcome copied from it is *that* object, while one
  computed again in the parent is not.
* Exercise 3 does the same with each future's ``result()``. Its inputs have squares above 256,
  which CPython never shares between computations, so ``is`` tells them apart too.

Every verdict carries a hint id (see :mod:`helpers.checks`); the tests in
``tests/test_checks_pools.py`` list the wrong answers learners give and the id each gets.
"""

from __future__ import annotations

import inspect
import multiprocessing.pool
import pickle
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from helpers._validate import require_callable
from helpers.checks import Verdict, correct, not_yet
from helpers.checks.recording import call_with_timeout
from helpers.language import say
from helpers.workers import square

#: The numbers exercise 1 passes to the learner's ``square_all(pool, numbers)``.
NUMBERS = (3, 1, 4, 1, 5, 9, 2, 6)

#: The inputs of exercise 2; some of them make ``square`` raise. The squares of the others
#: (289, 30.25, 900) are objects of their own, never shared by CPython.
SQUARE_INPUTS = (17, "four", 5.5, None, -30)

#: The inputs of exercise 3: their squares (441 ... 784) are above 256, so CPython makes a new
#: object for each computation and ``is`` tells a future's result from a square made elsewhere.
FUTURE_INPUTS = tuple(range(21, 29))

#: How long the check lets the learner's ``square_all`` run on the stand-in pool.
CHECK_TIMEOUT = 10.0


# --- exercise 1: submit everything, then collect ---------------------------------------------


class _FromPool(int):
    """An int returned by a task of the :class:`RecordingPool`: a fresh object every time.

    Equal to the plain int, but ``is`` tells it from a square the learner's code computed.
    """

    __slots__ = ()


@dataclass(frozen=True)
class _Call:
    """One call the stand-in pool saw: a submission or a wait."""

    kind: str  # "submit" or "get"
    task: int  # the submission's number (a whole map counts as one)
    timeout: float | None = None
    how: str = ""  # "apply_async", "map", "get", "wait", ...
    lazy: bool = False  # submitted from inside a generator expression


def _in_generator(frame: Any) -> bool:
    """Whether the code that called the pool (``frame``) is a generator expression.

    ``(pool.apply_async(...) for n in numbers)`` submits each task only when the loop over it
    asks for the next one; its code object is named ``<genexpr>`` on every Python version.
    """
    return frame is not None and frame.f_code.co_name == "<genexpr>"


class _RecordedResult:
    """What the stand-in pool's ``apply_async`` and ``map_async`` return: an AsyncResult."""

    def __init__(self, pool: RecordingPool, task: int, value: Any, label: str) -> None:
        self._pool, self._task, self._value, self._label = pool, task, value, label

    def get(self, timeout: float | None = None) -> Any:
        self._pool.log("get", self._task, timeout, "get")
        return self._value

    def wait(self, timeout: float | None = None) -> None:
        self._pool.log("get", self._task, timeout, "wait")

    def ready(self) -> bool:
        return True

    def successful(self) -> bool:
        return True

    def __repr__(self) -> str:
        return f"<AsyncResult of {self._label}>"


class _RecordedIterator:
    """What the stand-in pool's ``imap`` returns: ``next(timeout)`` or plain iteration."""

    def __init__(self, pool: RecordingPool, task: int, values: list[Any]) -> None:
        self._pool, self._task, self._values = pool, task, iter(values)

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        return self.next()

    def next(self, timeout: float | None = None) -> Any:
        self._pool.log("get", self._task, timeout, "imap")
        return next(self._values)


class RecordingPool:
    """A stand-in for ``multiprocessing.Pool`` that runs tasks here and logs every call.

    ``calls`` holds a :class:`_Call` per submission and per wait, in the order they happened;
    ``functions`` every function handed to the pool; ``returned`` every value its tasks
    returned (each a fresh object). ``imap_unordered`` hands results back in reverse order,
    as a real pool may when later tasks finish first.
    """

    def __init__(self) -> None:
        self.calls: list[_Call] = []
        self.functions: list[Callable[..., Any]] = []
        self.returned: list[Any] = []
        self._tasks = 0

    def log(self, kind: str, task: int, timeout: float | None, how: str, lazy: bool = False
            ) -> None:
        self.calls.append(_Call(kind, task, timeout, how, lazy))

    def _run(self, func: Callable[..., Any], args: tuple[Any, ...], kwds: Mapping[str, Any]
             ) -> Any:
        value = func(*args, **kwds)
        if type(value) is int:
            value = _FromPool(value)  # a new object, even for small ints that CPython shares
        self.returned.append(value)
        return value

    def _submit(self, func: Callable[..., Any], how: str, frame: Any) -> int:
        self.functions.append(func)
        task = self._tasks
        self._tasks += 1
        self.log("submit", task, None, how, lazy=_in_generator(frame))
        return task

    def apply_async(self, func: Callable[..., Any], args: Iterable[Any] = (),
                    kwds: Mapping[str, Any] | None = None, callback: Any = None,
                    error_callback: Any = None) -> _RecordedResult:
        frame = inspect.currentframe()
        task = self._submit(func, "apply_async", frame.f_back if frame else None)
        args = tuple(args)  # the real pool fails later, in the worker, when args is no iterable
        value = self._run(func, args, kwds or {})
        if callback is not None:
            callback(value)  # a real pool calls it in a thread of the parent, when the task ends
        name = getattr(func, "__name__", "task")
        return _RecordedResult(self, task, value, f"{name}{args!r}")

    def apply(self, func: Callable[..., Any], args: Iterable[Any] = (),
              kwds: Mapping[str, Any] | None = None) -> Any:
        return self.apply_async(func, args, kwds).get()  # apply waits, without a time-out

    def _map(self, func: Callable[..., Any], items: Iterable[Any], how: str, star: bool
             ) -> tuple[int, list[Any]]:
        frame = inspect.currentframe()
        caller = frame.f_back.f_back if frame and frame.f_back else None
        task = self._submit(func, how, caller)
        values = [self._run(func, tuple(item) if star else (item,), {}) for item in items]
        return task, values

    def map(self, func: Callable[..., Any], iterable: Iterable[Any],
            chunksize: int | None = None) -> list[Any]:
        task, values = self._map(func, iterable, "map", star=False)
        self.log("get", task, None, "map")
        return values

    def starmap(self, func: Callable[..., Any], iterable: Iterable[Iterable[Any]],
                chunksize: int | None = None) -> list[Any]:
        task, values = self._map(func, iterable, "starmap", star=True)
        self.log("get", task, None, "map")
        return values

    def map_async(self, func: Callable[..., Any], iterable: Iterable[Any],
                  chunksize: int | None = None, callback: Any = None,
                  error_callback: Any = None) -> _RecordedResult:
        task, values = self._map(func, iterable, "map_async", star=False)
        if callback is not None:
            callback(values)
        return _RecordedResult(self, task, values, "map_async")

    def starmap_async(self, func: Callable[..., Any], iterable: Iterable[Iterable[Any]],
                      chunksize: int | None = None, callback: Any = None,
                      error_callback: Any = None) -> _RecordedResult:
        task, values = self._map(func, iterable, "starmap_async", star=True)
        if callback is not None:
            callback(values)
        return _RecordedResult(self, task, values, "starmap_async")

    def imap(self, func: Callable[..., Any], iterable: Iterable[Any],
             chunksize: int = 1) -> _RecordedIterator:
        task, values = self._map(func, iterable, "imap", star=False)
        return _RecordedIterator(self, task, values)

    def imap_unordered(self, func: Callable[..., Any], iterable: Iterable[Any],
                       chunksize: int = 1) -> _RecordedIterator:
        task, values = self._map(func, iterable, "imap_unordered", star=False)
        return _RecordedIterator(self, task, values[::-1])  # later tasks finished first

    def close(self) -> None:
        """Nothing to close: the stand-in has no workers."""

    def join(self) -> None:
        """Nothing to wait for."""

    def terminate(self) -> None:
        """Nothing to stop."""


def defined_in_notebook(func: Callable[..., Any]) -> bool:
    """Whether a worker under ``spawn`` could not find ``func``: a lambda, a nested function,
    a function of the notebook (``__main__``), or anything that cannot be pickled.

    >>> defined_in_notebook(square), defined_in_notebook(lambda x: x * x)
    (False, True)
    """
    require_callable("func", func)
    func = getattr(func, "func", func)  # look inside functools.partial
    if getattr(func, "__module__", None) == "__main__":
        return True
    qualname = getattr(func, "__qualname__", "")
    if "<lambda>" in qualname or "<locals>" in qualname:
        return True
    try:
        pickle.dumps(func)
    except Exception:  # any failure to pickle means no worker can receive it
        return True
    return False


def _one_at_a_time(calls: list[_Call]) -> _Call | None:
    """The first submission that came after a wait, or None if all came before any wait."""
    waited = False
    for call in calls:
        if call.kind == "get":
            waited = True
        elif waited:
            return call
    return None


def check_square_all(square_all: Callable[..., Any]) -> Verdict:
    """Exercise 1: ``square_all(pool, numbers)`` returns the squares, computed side by side.

    Right: every task submitted before the first wait, every wait with a time-out, and the
    squares the tasks returned, in the order of ``numbers``.
    """
    if not callable(square_all):
        return not_yet(say(f"square_all should be a function, not {type(square_all).__name__}",
                           f"square_all 应当是一个函数，而不是 {type(square_all).__name__}"),
                       "wrong-type")
    pool = RecordingPool()
    outcome = call_with_timeout(square_all, (pool, NUMBERS), CHECK_TIMEOUT)
    if not outcome.finished:
        return not_yet(say(f"square_all(pool, numbers) did not return within {CHECK_TIMEOUT:g} s",
                           f"square_all(pool, numbers) 没有在 {CHECK_TIMEOUT:g} 秒内返回"),
                       "hangs")
    if outcome.error is not None:
        error = outcome.error
        return not_yet(say(f"square_all(pool, numbers) raised {type(error).__name__}: {error}",
                           f"square_all(pool, numbers) 抛出了 {type(error).__name__}：{error}"),
                       "raised")
    if any(defined_in_notebook(func) for func in pool.functions):
        return not_yet(say("a lambda or a function defined in the notebook cannot reach a worker "
                           "under spawn (chapter 00): hand the pool square from helpers.workers",
                           "lambda 或在笔记本中定义的函数，在 spawn 下无法到达工作进程（第 00 章）"
                           "：请把 helpers.workers 中的 square 交给进程池"),
                       "function-defined-in-notebook")
    if not any(call.kind == "submit" for call in pool.calls):
        return not_yet(say("square_all must hand the work to the pool it receives "
                           "(pool.apply_async for each number), not square the numbers itself",
                           "square_all 必须把工作交给它收到的进程池（对每个数调用 "
                           "pool.apply_async），而不是自己去算平方"),
                       "work-in-parent")
    returned = outcome.value
    if isinstance(returned, str | bytes | Mapping) or not isinstance(returned, Iterable):
        return not_yet(say(f"return a list of squares, not {type(returned).__name__}",
                           "请返回由平方组成的列表，而不是 "
                           f"{type(returned).__name__}"), "wrong-type")
    got = list(returned)
    expected = [square(n) for n in NUMBERS]
    if any(isinstance(value, _RecordedResult) for value in got):
        return not_yet(say("you returned the AsyncResults themselves: call .get(timeout=...) on "
                           "each to collect its value",
                           "你返回的是 AsyncResult 对象本身：请对每一个调用 .get(timeout=...) "
                           "取出它的值"), "async-result")
    if got != expected:
        try:
            same_values = sorted(got) == sorted(expected)
        except TypeError:
            same_values = False
        if same_values:
            return not_yet(say(f"for numbers {list(NUMBERS)} return the squares in the same order, "
                               f"{expected}; got {got}",
                               f"对于 numbers {list(NUMBERS)}，请按相同的顺序返回平方 {expected}；"
                               f"实际得到 {got}"), "wrong-order")
        return not_yet(say(f"for numbers {list(NUMBERS)} return {expected} (same order), got {got}",
                           f"对于 numbers {list(NUMBERS)}，请返回 {expected}（顺序相同），实际得到 "
                           f"{got}"),
                       "wrong-values")
    made_by_tasks = {id(value) for value in pool.returned}
    if any(id(value) not in made_by_tasks for value in got):
        return not_yet(say("the squares you returned were not the ones the pool's tasks returned: "
                           "your own code computed them, in this process. Return the values that "
                           ".get() hands you",
                           "你返回的平方不是进程池的任务返回的那些：它们是你自己的代码在这个进程里"
                           "算出来的。请返回 .get() 交给你的值"), "work-in-parent")
    late = _one_at_a_time(pool.calls)
    if late is not None and late.lazy:
        return not_yet(say("the AsyncResults come from a generator (round brackets): it submits "
                           "each task only when the loop asks for it, after the .get() of the one "
                           "before, so the pool runs them one at a time. Make it a list "
                           "(square brackets)",
                           "这些 AsyncResult 来自一个生成器（圆括号）："
                           "它要等循环需要时才提交每个任务，也就是在前一个任务的 .get() 之后，"
                           "所以进程池是一个接一个地运行它们的。"
                           "请把它改成列表（方括号）"), "generator")
    if late is not None:
        return not_yet(say(f"task {late.task} was submitted only after you waited for an earlier "
                           "result, so the pool ran the tasks one at a time. Submit all of them "
                           "first (keep the AsyncResults in a list), then call .get() on each",
                           f"任务 {late.task} 是在你等待了前面的某个结果之后才提交的，"
                           "所以进程池是一个接一个地运行这些任务的。请先提交全部任务（把 "
                           "AsyncResult 保存在一个列表中），再对每一个调用 .get()"),
                       "one-at-a-time")
    untimed = next((call for call in pool.calls if call.kind == "get" and call.timeout is None),
                   None)
    if untimed is not None and untimed.how in ("map", "imap"):
        return not_yet(say("pool.map, starmap and imap hand the pool every task at once, but they "
                           "wait without a time-out: if a worker dies, they wait forever. Use "
                           "pool.map_async(square, numbers).get(timeout=10), or apply_async and "
                           ".get(timeout=10)",
                           "pool.map、starmap 和 imap 会一次把所有任务交给进程池，"
                           "但它们的等待没有超时：如果某个工作进程死了，它们会永远等下去。请使用 "
                           "pool.map_async(square, numbers).get(timeout=10)，或者 apply_async 加 "
                           ".get(timeout=10)"), "no-timeout")
    if untimed is not None:
        return not_yet(say("the order is right; now give every .get() a timeout, e.g. "
                           ".get(timeout=10), so that a stuck task cannot hang the notebook",
                           "顺序对了；现在请给每个 .get() 加上超时，例如 .get(timeout=10)，"
                           "这样卡住的任务就不会让笔记本挂起"),
                       "no-timeout")
    return correct(say(f"all {len(NUMBERS)} tasks were submitted before the first wait, every "
                       "wait has a time-out, and the squares are the ones the tasks returned: the "
                       "pool's workers could run them side by side.",
                       f"全部 {len(NUMBERS)} 个任务都在第一次等待之前提交，每次等待都有超时，"
                       "而且这些平方正是任务返回的那些：进程池的工作进程可以让它们并行运行。"))


# --- exercise 2: errors come back, per task --------------------------------------------------


def expected_outcome(x: object) -> object:
    """What ``square(x)`` gives for ``x``: its result, or the exception it raises."""
    try:
        return square(x)  # type: ignore[arg-type]
    except Exception as error:
        return error


_ASYNC_RESULT = multiprocessing.pool.ApplyResult


def _asked_again(result: Any) -> tuple[bool, object]:
    """``(True, value)`` or ``(False, exception)``: what ``result.get()`` gives now."""
    try:
        return True, result.get(timeout=0)
    except Exception as error:  # the very exception object the task raised
        return False, error


def check_outcomes(outcomes: Mapping[object, object], pending: Mapping[object, Any]) -> Verdict:
    """Exercise 2: ``outcomes[x]`` is what ``pending[x].get()`` gave: a value or an exception.

    ``pending`` maps each of :data:`SQUARE_INPUTS` to its AsyncResult; the check asks each one
    again, to see that every outcome came from it (and not from ``square(x)`` run here).
    """
    if not isinstance(outcomes, Mapping):
        return not_yet(say(f"outcomes should be a dict of input -> outcome, not "
                           f"{type(outcomes).__name__}",
                           "outcomes 应当是一个 输入 -> 结果 的 dict，而不是 "
                           f"{type(outcomes).__name__}"), "wrong-type")
    if not isinstance(pending, Mapping) or not all(
        isinstance(pending.get(x), _ASYNC_RESULT) for x in SQUARE_INPUTS
    ):
        return not_yet(say("pass pending, the dict {x: pool.apply_async(square, (x,))} the cell "
                           "builds, as the second argument",
                           "请把 pending，也就是单元格构造的 dict "
                           "{x: pool.apply_async(square, (x,))}，"
                           "作为第二个参数传入"), "wrong-type")
    failing = [x for x in SQUARE_INPUTS if isinstance(expected_outcome(x), Exception)]
    missing = [x for x in SQUARE_INPUTS if x not in outcomes]
    if missing and missing == failing:
        return not_yet(say(f"outcomes holds only the tasks that worked; for {missing[0]!r} the "
                           f"task raised: catch the exception around .get(timeout=...) and "
                           "store it",
                           f"outcomes 只包含成功的任务；对于 {missing[0]!r}，任务抛出了异常：请在 "
                           ".get(timeout=...) 外面捕获这个异常，并把它存起来"),
                       "only-successes")
    if missing:
        return not_yet(say(f"outcomes has no entry for {len(missing)} of the {len(SQUARE_INPUTS)} "
                           f"inputs, e.g. {missing[0]!r}",
                           f"outcomes 缺少 {len(SQUARE_INPUTS)} 个输入中的 {len(missing)} 个，例如 "
                           f"{missing[0]!r}"), "missing")
    unfinished = [x for x in SQUARE_INPUTS if not pending[x].ready()]
    if unfinished:
        return not_yet(say(f"the task for {unfinished[0]!r} never finished: leaving the with-block "
                           "stops the workers, so collect every result inside it, with "
                           ".get(timeout=...)",
                           f"{unfinished[0]!r} 的任务一直没有完成：离开 with 代码块会停止工作进程，"
                           "所以请在代码块内部用 .get(timeout=...) 收集每个结果"), "not-finished")
    for x in SQUARE_INPUTS:
        expected, got = expected_outcome(x), outcomes[x]
        if isinstance(got, _ASYNC_RESULT):
            return not_yet(say(f"outcomes[{x!r}] is the AsyncResult itself: store what its "
                               ".get(timeout=...) returns, or the exception it raises",
                               f"outcomes[{x!r}] 是 AsyncResult 对象本身：请存入它的 "
                               ".get(timeout=...) 返回的值，或者它抛出的异常"),
                           "async-result")
        if isinstance(expected, Exception):
            if got is None:
                return not_yet(say(f"outcomes[{x!r}] is None: store the exception object itself "
                                   "(except Exception as error: outcomes[x] = error)",
                                   f"outcomes[{x!r}] 是 None：请存入异常对象本身（except Exception "
                                   "as error: outcomes[x] = error）"), "stored-none")
            if isinstance(got, str):
                return not_yet(say(f"outcomes[{x!r}] is the text {got!r}: store the exception "
                                   "object itself, not str(error)",
                                   f"outcomes[{x!r}] 是文本 {got!r}：请存入异常对象本身，而不是 "
                                   "str(error)"), "stored-text")
            if not isinstance(got, BaseException):
                return not_yet(say(f"square({x!r}) raises {type(expected).__name__} in the worker: "
                                   "catch it around .get(timeout=...) and store the exception "
                                   f"itself, not {got!r}",
                                   f"square({x!r}) 在工作进程中抛出 {type(expected).__name__}："
                                   "请在 .get(timeout=...) 外面捕获它，并存入这个异常本身，而不是 "
                                   f"{got!r}"), "not-exception")
            if type(got) is not type(expected):
                return not_yet(say(f"outcomes[{x!r}] is a {type(got).__name__}, but the worker "
                                   f"raised {type(expected).__name__}",
                                   f"outcomes[{x!r}] 是一个 {type(got).__name__}，"
                                   "但工作进程抛出的是 "
                                   f"{type(expected).__name__}"), "wrong-exception")
        elif isinstance(got, BaseException):
            return not_yet(say(f"square({x!r}) works, but outcomes[{x!r}] holds "
                               f"{type(got).__name__}: {got}",
                               f"square({x!r}) 能正常运行，但 outcomes[{x!r}] 存的是 "
                               f"{type(got).__name__}：{got}"), "wrong-values")
        elif got != expected:
            return not_yet(say(f"outcomes[{x!r}] should be {expected!r}, got {got!r}",
                               f"outcomes[{x!r}] 应当是 {expected!r}，实际得到 {got!r}"),
                           "wrong-values")
    asked = {x: _asked_again(pending[x]) for x in SQUARE_INPUTS}
    for x, (worked, thing) in asked.items():
        if worked and outcomes[x] is not thing:
            return not_yet(say(f"outcomes[{x!r}] equals the result, but it is not the value "
                               f"pending[{x!r}].get() returns: it was computed again, in this "
                               "process. Store what .get(timeout=...) returns",
                               f"outcomes[{x!r}] 与结果相等，但它不是 pending[{x!r}].get() "
                               "返回的那个值：它是在这个进程里重新算出来的。请存入 "
                               ".get(timeout=...) 返回的值"), "work-in-parent")
    for x, (worked, thing) in asked.items():
        if not worked and outcomes[x] is not thing:
            return not_yet(say(f"outcomes[{x!r}] is a new {type(thing).__name__}, not the one "
                               f"pending[{x!r}].get() raised: store the caught exception itself "
                               "(except Exception as error: outcomes[x] = error)",
                               f"outcomes[{x!r}] 是一个新的 {type(thing).__name__}，不是 "
                               f"pending[{x!r}].get() 抛出的那一个：请存入捕获到的异常本身（except "
                               "Exception as error: outcomes[x] = error）"), "new-exception")
    return correct(say(f"{len(SQUARE_INPUTS) - len(failing)} results and {len(failing)} "
                       "exceptions, each the very object its own .get() gave: a failing task "
                       "raised at its own .get(), and the others were unharmed.",
                       f"{len(SQUARE_INPUTS) - len(failing)} 个结果和 {len(failing)} 个异常，"
                       "每一个都正是它自己的 .get() 给出的那个对象：失败的任务在它自己的 .get() "
                       "处抛出异常，其他任务不受影响。"))


# --- exercise 3: futures and as_completed ----------------------------------------------------


def check_futures_squares(
    futures: Mapping[object, object], squares: Mapping[object, object]
) -> Verdict:
    """Exercise 3: ``futures`` maps Future -> x and ``squares`` maps x -> that future's result.

    The inputs ``x`` are :data:`FUTURE_INPUTS`. Each ``squares[x]`` must be the very object
    ``future.result()`` returns for x's future, not a square computed here.
    """
    if not isinstance(futures, Mapping) or not isinstance(squares, Mapping):
        return not_yet(say("futures and squares should both be dicts",
                           "futures 和 squares 都应当是 dict"), "wrong-type")
    if not futures:
        return not_yet(say("futures is empty: submit square(x) for every x and keep "
                           "{future: x for ...}",
                           "futures 是空的：请为每个 x 提交 square(x)，并保存 "
                           "{future: x for ...}"), "missing")
    not_futures = [key for key in futures if not isinstance(key, Future)]
    if not_futures:
        return not_yet(say(f"the keys of futures should be what executor.submit returns (Futures), "
                           f"found {type(not_futures[0]).__name__}",
                           "futures 的键应当是 executor.submit 返回的东西（Future 对象），"
                           f"实际发现的是 {type(not_futures[0]).__name__}"), "wrong-type")
    if sorted(futures.values(), key=repr) != sorted(FUTURE_INPUTS, key=repr):
        return not_yet(say(f"futures should map one future to each x in {list(FUTURE_INPUTS)}",
                           f"futures 应当为 {list(FUTURE_INPUTS)} 中的每个 x 对应一个 Future 对象"),
                       "missing")
    pending = [x for future, x in futures.items() if not future.done()]
    if pending:
        return not_yet(say(f"the future for {pending[0]!r} has not finished: collect the results "
                           "with as_completed(futures, timeout=...) inside the with-block",
                           f"{pending[0]!r} 的 Future 对象还没有完成：请在 with 代码块内部用 "
                           "as_completed(futures, timeout=...) 收集结果"),
                       "not-done")
    future_of = {x: future for future, x in futures.items()}
    failed = [x for x in FUTURE_INPUTS
              if future_of[x].cancelled() or future_of[x].exception(timeout=0) is not None]
    if failed:
        return not_yet(say(f"the task for {failed[0]!r} did not return a square: submit "
                           "square(x) from helpers.workers for each x",
                           f"{failed[0]!r} 的任务没有返回平方：请为每个 x 提交 helpers.workers "
                           "中的 square(x)"), "task-failed")
    result_of = {x: future_of[x].result(timeout=0) for x in FUTURE_INPUTS}
    expected = {x: square(x) for x in FUTURE_INPUTS}
    if not squares:
        return not_yet(say("squares is empty: for each future that as_completed(futures, "
                           "timeout=...) hands you, store squares[futures[future]] = "
                           "future.result()",
                           "squares 是空的：对于 as_completed(futures, timeout=...) 交给你的每个 "
                           "future，请存入 squares[futures[future]] = future.result()"), "missing")
    if any(isinstance(value, Future) for value in squares.values()):
        return not_yet(say("squares holds futures: store what each future's .result() returns",
                           "squares 中存的是 Future 对象：请存入每个 Future 对象的 .result() "
                           "返回的值"),
                       "future-not-result")
    if dict(squares) != expected:
        values_there = sorted(map(repr, squares.values())) == sorted(map(repr, expected.values()))
        if set(squares) != set(FUTURE_INPUTS) or values_there:
            return not_yet(say(f"squares should map each x in {list(FUTURE_INPUTS)} to its own "
                               "square: find the x of the future as_completed hands you with "
                               f"futures[future]; got {dict(squares)}",
                               f"squares 应当把 {list(FUTURE_INPUTS)} 中的每个 x "
                               "映射到它自己的平方：用 futures[future] 找出 as_completed 交给你的 "
                               f"Future 对象对应的 x；实际得到 {dict(squares)}"), "keyed-wrong")
        wrong = next(x for x in FUTURE_INPUTS if squares[x] != expected[x])
        return not_yet(say(f"squares[{wrong!r}] should be {expected[wrong]!r}, "
                           f"got {squares[wrong]!r}",
                           f"squares[{wrong!r}] 应当是 {expected[wrong]!r}，实际得到 "
                           f"{squares[wrong]!r}"), "wrong-values")
    computed_here = [x for x in FUTURE_INPUTS if squares[x] is not result_of[x]]
    if computed_here:
        x = computed_here[0]
        return not_yet(say(f"squares[{x!r}] is right, but it is not the value its future's "
                           ".result() returns: it was computed again, in this process. Read each "
                           "square from its future",
                           f"squares[{x!r}] 是对的，但它不是它的 Future 对象的 .result() 返回的值："
                           "它是在这个进程里重新算出来的。请从每个 Future "
                           "对象中读取平方"), "work-in-parent")
    return correct(say("as_completed hands you each future when it finishes; the dict "
                       "future -> x tells you which input it belonged to.",
                       "as_completed 会在每个 Future 对象完成时把它交给你；字典 future -> x "
                       "告诉你它属于哪个输入。"))
