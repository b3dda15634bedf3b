"""Checks for the exercises of chapters 00 (introduction) and 01 (processes and threads).

* :func:`check_spawnable` (00): which objects a spawned child could receive, and under which
  module name pickle sends them.
* :func:`check_started_and_joined` (01, exercise 1): the learner writes ``start_six()``; the
  check calls it and watches which workers it starts and joins, and in what order.
* :func:`check_classified` (01, exercise 2): class or not, as Python says on this version.

Every failing verdict carries a hint id naming the mistake (see :mod:`helpers.checks`).
"""

from __future__ import annotations

import functools
import importlib
import inspect
import multiprocessing as mp
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from numbers import Real
from typing import Any

from helpers._validate import require_text
from helpers.checks import Verdict, correct, not_yet
from helpers.checks.recording import (
    CALLER_THREAD,
    WorkerLog,
    call_with_timeout,
    children_now,
    recorded_workers,
    stop_children_until_ended,
)
from helpers.language import say
from helpers.workers import add, slow_square

# --- chapter 00: what a spawned child can receive ------------------------------------------

#: The objects of chapter 00's exercise, by the name the learner uses for each.
SPAWN_CANDIDATES = ("cube", "add", "len", "lambda")

#: The module pickle names for each (``None``: pickle refuses it).
_SENT_AS: dict[str, str | None] = {
    "cube": "__main__",
    "add": "helpers.workers",
    "len": "builtins",
    "lambda": None,
}
_QUALNAMES = {"cube": "cube", "add": "add", "len": "len"}


def _is_bool(value: object) -> bool:
    """A real ``bool``, or NumPy's boolean (a learner may compute answers with NumPy)."""
    kind = type(value)
    return isinstance(value, bool) or (
        kind.__module__ == "numpy" and kind.__name__ in ("bool", "bool_")
    )


def _unanswered(answers: Mapping[str, Any], names: Sequence[str]) -> list[str]:
    return [name for name in names if name not in answers or answers[name] is ...]


def _module_named(name: str, answer: object) -> bool:
    expected = _SENT_AS[name]
    if expected is None:
        return answer is None
    if not isinstance(answer, str):
        return False
    answer = answer.strip()
    return answer in (expected, f"{expected}.{_QUALNAMES[name]}")


def check_spawnable(
    sent_as: Mapping[str, str | None], child_can_receive: Mapping[str, bool]
) -> Verdict:
    """Chapter 00: for each name in :data:`SPAWN_CANDIDATES`, the module pickle sends it
    under (``None`` if pickle refuses it), and whether a spawned child could receive it.
    """
    for label, answers in (("sent_as", sent_as), ("child_can_receive", child_can_receive)):
        if not isinstance(answers, Mapping):
            return not_yet(
                say(f"{label} should be a dict with the keys {', '.join(SPAWN_CANDIDATES)}, "
                    f"not {type(answers).__name__}",
                    f"{label} 应当是一个以 {', '.join(SPAWN_CANDIDATES)} 为键的 dict，而不是 "
                    f"{type(answers).__name__}"),
                "wrong-type",
            )
    for label, answers in (("sent_as", sent_as), ("child_can_receive", child_can_receive)):
        missing = _unanswered(answers, SPAWN_CANDIDATES)
        if missing:
            return not_yet(say(f"answer every name in {label}; missing: {', '.join(missing)}",
                               f"请回答 {label} 中的每个名字；缺少：{', '.join(missing)}"),
                           "missing")
    not_bools = [name for name in SPAWN_CANDIDATES if not _is_bool(child_can_receive[name])]
    if not_bools:
        name = not_bools[0]
        return not_yet(
            say(f"child_can_receive[{name!r}] is {child_can_receive[name]!r}: answer True or False "
                "(a string such as 'no' counts as true in Python)",
                f"child_can_receive[{name!r}] 是 {child_can_receive[name]!r}：请回答 True 或 "
                "False（像 'no' 这样的字符串在 Python 中算作真）"),
            "not-a-bool",
        )
    if child_can_receive["cube"]:
        return not_yet(
            say("cube travels as __main__.cube, and a spawned child's __main__ is an empty module: "
                "the child cannot find cube (the cells above showed it fail)",
                "cube 以 __main__.cube 的名字传送，而 spawn 启动的子进程的 __main__ 是一个空模块："
                "子进程找不到 cube（上面的单元格已经显示它失败了）"),
            "main-travels",
        )
    if child_can_receive["lambda"]:
        return not_yet(
            say("a lambda has no name a child could import, so pickle refuses it: it never even "
                "leaves the parent",
                "lambda 没有子进程可以 import 的名字，所以 pickle 拒绝序列化它："
                "它根本离不开父进程"),
            "lambda-travels",
        )
    if not child_can_receive["add"]:
        return not_yet(
            say("add travels as helpers.workers.add, and helpers is installed: any fresh Python "
                "imports it. That is why the course keeps its workers there",
                "add 以 helpers.workers.add 的名字传送，而 helpers 已经安装：任何新启动的 Python "
                "都能 import 它。这就是本课程把工作进程的函数放在那里的原因"),
            "helpers-refused",
        )
    if not child_can_receive["len"]:
        return not_yet(
            say("len travels as builtins.len, and every Python has the module builtins",
                "len 以 builtins.len 的名字传送，而每个 Python 都有 builtins 模块"),
            "builtin-refused",
        )
    if sent_as["lambda"] is not None:
        return not_yet(
            say("pickle.dumps refuses the lambda (PicklingError): write None for it in sent_as",
                "pickle.dumps 拒绝序列化这个 lambda（PicklingError）：在 sent_as 中为它写 None"),
            "lambda-has-a-name",
        )
    wrong = [name for name in SPAWN_CANDIDATES if not _module_named(name, sent_as[name])]
    if wrong:
        return not_yet(
            say(f"sent_as[{wrong[0]!r}] is {sent_as[wrong[0]]!r}: read the module name pickle "
                f"writes, e.g. names_in(pickle.dumps({wrong[0]}))",
                f"sent_as[{wrong[0]!r}] 是 {sent_as[wrong[0]]!r}：请读出 pickle 写下的模块名，例如 "
                f"names_in(pickle.dumps({wrong[0]}))"),
            "wrong-module",
        )
    return correct(
        say("add and len travel by reference to modules every Python can import (helpers.workers, "
            "builtins); cube travels as __main__.cube, which a spawned child cannot find; "
            "a lambda has no name at all, so pickle refuses it.",
            "add 和 len 按引用传送，指向每个 Python 都能 import 的模块（helpers.workers、"
            "builtins）；cube 以 __main__.cube 的名字传送，spawn 启动的子进程找不到它；lambda "
            "根本没有名字，所以 pickle 拒绝序列化它。")
    )


# --- chapter 01, exercise 1: start all six, then join all six -------------------------------

#: The inputs of exercise 1: threads run ``slow_square(x, delay=0.2)``, processes ``add(x, 10)``.
SIX_INPUTS = (1, 2, 3)
THREAD_DELAY = 0.2
ADDEND = 10
_CHECK_TIMEOUT = 20.0  # seconds; a notebook cell is stopped after 30


def _unwrap(target: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """The function a worker really calls, with all its arguments (``functools.partial`` opened)."""
    while isinstance(target, functools.partial):
        args = tuple(target.args) + args
        kwargs = {**target.keywords, **kwargs}
        target = target.func
    return target, args, kwargs


def _call_arguments(target: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict | None:
    """The arguments by parameter name, defaults applied; ``None`` if they do not fit."""
    try:
        bound = inspect.signature(target).bind(*args, **kwargs)
    except (TypeError, ValueError):
        return None
    bound.apply_defaults()
    return dict(bound.arguments)


def _number(value: object) -> float | None:
    return None if isinstance(value, bool) or not isinstance(value, Real) else float(value)


def _kind_word(kind: str) -> str:
    """A worker's kind, ``"thread"`` or ``"process"``, in the learner's language."""
    if kind == "thread":
        return say("thread", "线程")
    if kind == "process":
        return say("process", "进程")
    return kind


def _judge_calls(
    workers: Sequence[Any], function: Callable[..., Any], log: WorkerLog
) -> Verdict | None:
    """A failing verdict if these workers do not call ``function`` as the exercise says."""
    starts = {id(e.worker): e for e in log.events_of(workers) if e.action == "start"}
    found = []
    for worker in workers:
        event = starts[id(worker)]
        target, args, kwargs = _unwrap(event.target, event.args, event.kwargs)
        kind = _kind_word(event.kind)
        if getattr(target, "__name__", "") == "<lambda>":
            return not_yet(
                say(f"a {kind} runs a lambda: give target={function.__name__} and put its "
                    "arguments in args=(...) and kwargs={...}, so the worker itself calls it",
                    f"一个{kind}运行的是 lambda：请写 target={function.__name__}，把它的参数放进 "
                    "args=(...) 和 kwargs={...}，让工作进程自己去调用它"),
                "wrong-target",
            )
        if target is not function:
            name = getattr(target, "__name__", repr(target))
            return not_yet(
                say(f"a {kind} runs {name}; its target should be {function.__name__}",
                    f"一个{kind}运行的是 {name}；它的 target 应当是 {function.__name__}"),
                "wrong-target",
            )
        arguments = _call_arguments(target, args, kwargs)
        if arguments is None:
            return not_yet(
                say(f"a {kind}'s arguments {args!r} {kwargs!r} do not fit {function.__name__}",
                    f"一个{kind}的参数 {args!r} {kwargs!r} 与 {function.__name__} 不匹配"),
                "wrong-args",
            )
        found.append(arguments)
    if function is slow_square:
        xs = sorted(_number(a["x"]) or 0.0 for a in found)
        delays = {_number(a["delay"]) for a in found}
        if xs != [float(x) for x in SIX_INPUTS] or delays != {THREAD_DELAY}:
            return not_yet(
                say(f"the threads should run slow_square(x, delay={THREAD_DELAY}) for x in "
                    f"{', '.join(map(str, SIX_INPUTS))}; they got "
                    + "; ".join(f"x={a['x']!r}, delay={a['delay']!r}" for a in found),
                    f"这些线程应当对 x = {', '.join(map(str, SIX_INPUTS))} 运行 "
                    f"slow_square(x, delay={THREAD_DELAY})；它们实际得到的是 "
                    + "; ".join(f"x={a['x']!r}, delay={a['delay']!r}" for a in found)),
                "wrong-args",
            )
    elif function is add:
        pairs = sorted((_number(a["a"]) or 0.0, _number(a["b"]) or 0.0) for a in found)
        if pairs != [(float(x), float(ADDEND)) for x in SIX_INPUTS]:
            return not_yet(
                say(f"the processes should run add(x, {ADDEND}) for x in "
                    f"{', '.join(map(str, SIX_INPUTS))}; they got "
                    + "; ".join(f"add({a['a']!r}, {a['b']!r})" for a in found),
                    f"这些进程应当对 x = {', '.join(map(str, SIX_INPUTS))} 运行 add(x, {ADDEND})；"
                    "它们实际得到的是 "
                    + "; ".join(f"add({a['a']!r}, {a['b']!r})" for a in found)),
                "wrong-args",
            )
    return None


def _judge_six(outcome_value: Any, log: WorkerLog) -> Verdict:
    started = [e for e in log.started() if getattr(e.worker, "name", "") != CALLER_THREAD]
    if outcome_value is None:
        if started:
            return not_yet(
                say(f"start_six() started {len(started)} workers but returned None: end it with "
                    "`return workers`, the list of the six Thread and Process objects",
                    f"start_six() 启动了 {len(started)} 个工作进程，却返回了 None：请在结尾写 "
                    "`return workers`，即那六个 Thread 和 Process 对象组成的列表"),
                "not-returned",
            )
        return not_yet(say("start_six() returned None: it should return a list of six workers",
                           "start_six() 返回了 None：它应当返回由六个工作进程组成的列表"),
                       "not-returned")
    if isinstance(outcome_value, str | bytes) or not isinstance(outcome_value, Sequence):
        return not_yet(
            say(f"start_six() returned a {type(outcome_value).__name__}: return a list of the six "
                "Thread and Process objects",
                f"start_six() 返回了一个 {type(outcome_value).__name__}：请返回由六个 Thread 和 "
                "Process 对象组成的列表"),
            "wrong-type",
        )
    workers = list(outcome_value)
    if not workers:
        return not_yet(
            say("start_six() returned an empty list: create three threads and three processes, "
                "start them, join them, and return them",
                "start_six() 返回了一个空列表：请创建三个线程和三个进程，启动它们，join 它们，"
                "然后返回它们"),
            "empty",
        )
    if all(_number(item) is not None for item in workers) and not started:
        return not_yet(
            say("start_six() returned numbers and started no worker: it computed the results in "
                "the notebook itself. Create Thread and Process objects and let them do the work",
                "start_six() 返回了数字，却没有启动任何工作进程：结果是在笔记本里直接算出来的。"
                "请创建 Thread 和 Process 对象，让它们去做这些工作"),
            "work-in-parent",
        )
    strangers = [w for w in workers if not isinstance(w, threading.Thread | mp.process.BaseProcess)]
    if strangers:
        return not_yet(
            say(f"start_six() returned {type(strangers[0]).__name__} {strangers[0]!r} among the "
                "workers: return only threading.Thread and multiprocessing.Process objects",
                f"start_six() 返回的工作进程中有 {type(strangers[0]).__name__} {strangers[0]!r}："
                "请只返回 threading.Thread 和 multiprocessing.Process 对象"),
            "wrong-type",
        )
    threads = [w for w in workers if isinstance(w, threading.Thread)]
    processes = [w for w in workers if not isinstance(w, threading.Thread)]
    if not threads and len(processes) == 6:
        return not_yet(
            say("six processes and no thread: the exercise asks for three threads (slow_square) "
                "and three processes (add)",
                "六个进程，没有线程：练习要求三个线程（slow_square）和三个进程（add）"),
            "six-processes",
        )
    if not processes and len(threads) == 6:
        return not_yet(
            say("six threads and no process: the exercise asks for three threads (slow_square) "
                "and three processes (add)",
                "六个线程，没有进程：练习要求三个线程（slow_square）和三个进程（add）"),
            "six-threads",
        )
    if (len(threads), len(processes)) != (3, 3):
        return not_yet(
            say(f"found {len(threads)} threads and {len(processes)} processes in the list; the "
                "exercise asks for three of each",
                f"列表中有 {len(threads)} 个线程和 {len(processes)} 个进程；练习要求各三个"),
            "wrong-count",
        )
    started_ids = {id(e.worker) for e in started}
    never = [w for w in workers if id(w) not in started_ids]
    if never:
        return not_yet(
            say(f"{len(never)} of the six workers were never started: call .start() on each",
                f"六个工作进程中有 {len(never)} 个从未启动：请对每一个调用 .start()"),
            "not-started",
        )
    for group, function in ((threads, slow_square), (processes, add)):
        problem = _judge_calls(group, function, log)
        if problem is not None:
            return problem
    late = log.first_join_before_a_start(workers)
    if late is not None:
        events = log.events_of(workers)
        alternating = all(
            first.action == "start" and second.action == "join" and first.worker is second.worker
            for first, second in zip(events[::2], events[1::2], strict=False)
        )
        if alternating:
            return not_yet(
                say("each worker was started and joined before the next one started, so they ran "
                    "one at a time: start all six first, then join all six",
                    "每个工作进程都在下一个启动之前就被启动并 join 了，"
                    "所以它们是一个接一个运行的：请先启动全部六个，再 join 全部六个"),
                "one-at-a-time",
            )
        kind = _kind_word(late.kind)
        return not_yet(
            say(f"a {kind} ({late.target_name}) was started after another worker had been "
                "joined: start all six before joining any",
                f"一个{kind}（{late.target_name}）在另一个工作进程被 join 之后才启动：请在 join "
                "任何一个之前启动全部六个"),
            "joined-too-early",
        )
    last_joins = {id(e.worker): e for e in log.events_of(workers) if e.action == "join"}
    hurried = [
        w for w in threads
        if id(w) in last_joins and isinstance(last_joins[id(w)].timeout, int | float)
        and last_joins[id(w)].timeout < THREAD_DELAY
    ]
    if hurried:
        return not_yet(
            say(f"a thread was joined with timeout={last_joins[id(hurried[0])].timeout}: shorter "
                f"than its slow_square's {THREAD_DELAY} s, so join() returns before the thread "
                "can have finished. Give join a timeout longer than the work (e.g. 10)",
                f"有一个线程以 timeout={last_joins[id(hurried[0])].timeout} 被 join：这比它的 "
                f"slow_square 所需的 {THREAD_DELAY} 秒还短，所以 join() "
                "在线程可能完成之前就返回了。请给 join 一个比工作时间更长的超时（例如 10）"),
            "not-joined",
        )
    unjoined = [
        w for w in workers
        if id(w) not in last_joins or last_joins[id(w)].still_running or w.is_alive()
    ]
    if unjoined:
        return not_yet(
            say(f"{len(unjoined)} of the six workers were not joined (or were still running after "
                "join): call .join(timeout=...) on each, with a timeout long enough",
                f"六个工作进程中有 {len(unjoined)} 个没有被 join（或者 join 之后仍在运行）："
                "请对每一个调用 .join(timeout=...)，超时要足够长"),
            "not-joined",
        )
    failed = [p for p in processes if p.exitcode != 0]
    if failed:
        return not_yet(
            say(f"a process ended with exit code {failed[0].exitcode}: its add(...) failed",
                f"一个进程以退出码 {failed[0].exitcode} 结束：它的 add(...) 失败了"),
            "exit-code",
        )
    return correct(
        say("three threads and three processes, all six started before any was joined, all joined.",
            "三个线程和三个进程，六个都在任何一个被 join 之前启动，并且全部被 join 了。")
    )


def check_started_and_joined(start_six: Callable[[], Sequence[Any]]) -> Verdict:
    """01, exercise 1: call ``start_six()`` and judge how it started and joined its workers.

    ``start_six`` must start three threads running ``slow_square(x, delay=0.2)`` and three
    processes running ``add(x, 10)`` for ``x`` in 1, 2, 3, start all six before joining any,
    join them all, and return the six. The check runs it while recording every ``start()`` and
    ``join()`` (:func:`helpers.checks.recording.recorded_workers`), gives up after 20 s, and
    stops any process it left running.
    """
    if isinstance(start_six, threading.Thread | mp.process.BaseProcess | Sequence):
        return not_yet(
            say("pass the function itself, check_started_and_joined(start_six): the check calls "
                "it and watches what it does",
                "请传入函数本身，check_started_and_joined(start_six)：检查会调用它，"
                "并观察它做了什么"),
            "not-a-function",
        )
    if not callable(start_six):
        return not_yet(
            say(f"pass the function start_six (not {type(start_six).__name__})",
                f"请传入函数 start_six（而不是 {type(start_six).__name__}）"), "not-a-function"
        )
    before = children_now()
    outcome = None
    try:
        with recorded_workers() as log:
            outcome = call_with_timeout(start_six, (), _CHECK_TIMEOUT)
        if not outcome.finished:
            return not_yet(
                say(f"start_six() had not returned after {_CHECK_TIMEOUT:.0f} s: does a join wait "
                    "for a worker that never ends? Give every join a timeout",
                    f"start_six() 在 {_CHECK_TIMEOUT:.0f} 秒后仍未返回：是不是有一个 join "
                    "在等待一个永远不会结束的工作进程？请给每个 join 设置超时"),
                "hangs",
            )
        if outcome.error is not None:
            error = outcome.error
            return not_yet(
                say(f"start_six() raised {type(error).__name__}: {error}",
                    f"start_six() 抛出了 {type(error).__name__}：{error}"), "raised"
            )
        return _judge_six(outcome.value, log)
    finally:
        stop_children_until_ended(before, outcome.thread if outcome else None)


# --- chapter 01, exercise 2: class or not? --------------------------------------------------

#: The names the learner sorts into classes and functions in exercise 2.
NAMES_TO_CLASSIFY = (
    "threading.Thread",
    "threading.current_thread",
    "threading.Lock",
    "multiprocessing.Process",
    "multiprocessing.current_process",
    "multiprocessing.Queue",
    "multiprocessing.Pool",
    "multiprocessing.cpu_count",
)

#: The one name whose answer depends on the Python version (a class from Python 3.13).
VERSION_DEPENDENT = "threading.Lock"


def _resolve(dotted: str) -> object:
    module, _, attribute = dotted.rpartition(".")
    return getattr(importlib.import_module(module), attribute)


def is_class(dotted: str) -> bool:
    """True if the object named ``dotted`` (``"module.name"``) is a class.

    >>> is_class("threading.Thread"), is_class("threading.current_thread")
    (True, False)
    """
    return inspect.isclass(_resolve(require_text("dotted", dotted)))


def _capitalised(dotted: str) -> bool:
    return dotted.rpartition(".")[2][:1].isupper()


def check_classified(answers: Mapping[str, bool]) -> Verdict:
    """01, exercise 2: ``answers`` maps each name in :data:`NAMES_TO_CLASSIFY` to "a class?".

    The right answers are what Python says on the running version (``inspect.isclass``).
    """
    if not isinstance(answers, Mapping):
        return not_yet(
            say(f"answers should be a dict of name -> True/False, not {type(answers).__name__}",
                f"answers 应当是一个 名字 -> True/False 的 dict，而不是 {type(answers).__name__}"),
            "wrong-type",
        )
    missing = _unanswered(answers, NAMES_TO_CLASSIFY)
    if missing:
        return not_yet(say(f"answer for every name; missing: {', '.join(missing)}",
                           f"请回答每一个名字；缺少：{', '.join(missing)}"), "missing")
    not_bools = [name for name in NAMES_TO_CLASSIFY if not _is_bool(answers[name])]
    if not_bools:
        name = not_bools[0]
        return not_yet(
            say(f"answers[{name!r}] is {answers[name]!r}: answer True (a class) or False. A string "
                "such as 'function' is not False: any non-empty string counts as true",
                f"answers[{name!r}] 是 {answers[name]!r}：请回答 True（是类）或 False。像 "
                "'function' 这样的字符串不是 False：任何非空字符串都算作真"),
            "not-a-bool",
        )
    wrong = [name for name in NAMES_TO_CLASSIFY if bool(answers[name]) != is_class(name)]
    if not wrong:
        return correct(
            say("a capital letter is a naming convention for classes, not a rule; "
                "multiprocessing.Queue, Pool and Lock are functions that return objects, and "
                "threading.Lock changed from a function to a class in Python 3.13.",
                "首字母大写只是类的命名惯例，而不是规则；multiprocessing.Queue、Pool 和 Lock "
                "都是返回对象的函数，而 threading.Lock 在 Python 3.13 中从函数变成了类。")
        )
    if all(bool(answers[name]) for name in NAMES_TO_CLASSIFY):
        return not_yet(
            say(f"you said every name is a class; {len(wrong)} are not. Ask Python: "
                "inspect.isclass(threading.current_thread)",
                f"你说每个名字都是类；其中 {len(wrong)} 个不是。问问 Python："
                "inspect.isclass(threading.current_thread)"),
            "all-true",
        )
    if not any(bool(answers[name]) for name in NAMES_TO_CLASSIFY):
        return not_yet(
            say(f"you said no name is a class; {len(wrong)} are. Ask Python: "
                "inspect.isclass(threading.Thread)",
                f"你说没有一个名字是类；其中 {len(wrong)} 个是。问问 Python："
                "inspect.isclass(threading.Thread)"),
            "all-false",
        )
    if wrong == [VERSION_DEPENDENT]:
        here = (say("a class", "类") if is_class(VERSION_DEPENDENT)
                else say("a function, not a class", "函数，不是类"))
        return not_yet(
            say(f"all right but threading.Lock, whose answer depends on the Python version: it "
                f"was a function up to Python 3.12 and is a class from 3.13. On this Python "
                f"({sys.version_info.major}.{sys.version_info.minor}) it is {here}: ask Python, "
                "inspect.isclass(threading.Lock)",
                "除了 threading.Lock 全都对了，而它的答案取决于 Python 版本：它在 Python 3.12 "
                "及以前是函数，从 3.13 起是类。在这个 Python"
                f"（{sys.version_info.major}.{sys.version_info.minor}）上它是{here}：问问 Python，"
                "inspect.isclass(threading.Lock)"),
            "lock-version",
        )
    if all(_capitalised(name) and answers[name] for name in wrong):
        return not_yet(
            say(f"{', '.join(wrong)}: a capital letter does not make a class. Ask Python with "
                "inspect.isclass(...)",
                f"{', '.join(wrong)}：首字母大写并不能让它成为类。请用 inspect.isclass(...) 问问 "
                "Python"),
            "capital-letters",
        )
    return not_yet(
        say(f"{len(wrong)} of {len(NAMES_TO_CLASSIFY)} are wrong, e.g. {wrong[0]}: "
            "ask Python with inspect.isclass(...)",
            f"{len(NAMES_TO_CLASSIFY)} 个中有 {len(wrong)} 个答错了，例如 {wrong[0]}：请用 "
            "inspect.isclass(...) 问问 Python"),
        "some-wrong",
    )
