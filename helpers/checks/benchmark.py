"""Checks for the exercises of chapter 03 (the benchmark).

Each check knows the wrong answers learners really give and names each with a ``hint`` id:

* :func:`check_split` (exercise 1, ``my_split(n, parts)``): ``"empty"``, ``"not-a-list"``,
  ``"arrays-not-pairs"`` (``np.array_split`` returns the numbers, not their bounds),
  ``"wrong-count"``, ``"not-pairs"``, ``"floats"`` (``n / parts``), ``"not-integers"``,
  ``"overlap"``, ``"gap"`` (inclusive stops), ``"stop-before-start"``, ``"drops-remainder"``,
  ``"wrong-ends"``, ``"remainder-in-last-chunk"``, ``"uneven"``, ``"raises"``,
  ``"not-callable"``. Bounds may be any integers, NumPy's included.
* :func:`check_workloads` (exercise 2): ``"all-processes"`` (the notes' conclusion that
  multiprocessing is always fastest), ``"all-threads"``, ``"swapped"``, ``"some-wrong"``,
  ``"invalid-answer"``, ``"missing"``, ``"wrong-type"``.
* :func:`check_amdahl` (exercise 3): ``"percent-not-fraction"`` (f = 5), ``"ignores-serial-part"``
  (S = n), ``"multiplied-not-divided"`` (``1 / (f + (1 - f) * n)``), ``"time-not-speedup"``
  (``f + (1 - f) / n``), ``"efficiency-not-speedup"`` (S / n), ``"limit-inverted"``
  (``1 / (1 - f)``), ``"limit-infinite"``, ``"wrong-on-2"``, ``"wrong-on-8"``, ``"wrong-limit"``,
  ``"missing"``, ``"wrong-type"``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from numbers import Integral, Real
from typing import Any

from helpers.checks import Verdict, correct, not_yet
from helpers.checks.recording import call_with_timeout
from helpers.language import say
from helpers.timing import amdahl_speedup

#: The (n, parts) cases a learner's split function must handle in exercise 1.
SPLIT_CASES = ((10, 3), (12, 4), (10, 4), (5_000_000, 2), (7, 7), (3, 5), (0, 2))

#: Seconds ``check_split`` waits for the learner's function on all cases together (a right
#: answer needs microseconds; a ``range``-sized list for the largest case, under a second).
SPLIT_TIMEOUT = 10.0

#: Exercise 2: jobs to sort into "threads" (they mostly wait) or "processes" (pure-Python CPU).
WORKLOADS = {
    "download 200 web pages": "threads",
    "sum i + i**2 over 10**8 numbers in a Python loop": "processes",
    "wait for 50 answers from a database server": "threads",
    "run a pure-Python simulation for 8 parameter sets": "processes",
    "read 100 small files from a network drive": "threads",
    "find the primes below 10**7 with a Python loop": "processes",
}

#: Exercise 3: the serial fraction of the program in the question.
AMDAHL_FRACTION = 0.05


def _describe(value: object) -> str:
    return f"{type(value).__name__} {value!r}"[:80]


# --- exercise 1: my_split ------------------------------------------------------------------------


def _is_ndarray(value: object) -> bool:
    return type(value).__module__ == "numpy" and type(value).__name__ == "ndarray"


def _as_chunks(case: str, parts: int, chunks: object) -> list[Any] | Verdict:
    """The learner's return value as a list of chunks, or the verdict on why it is not one."""
    if chunks is None:
        return not_yet(say(f"{case} returned None: did the function forget its return?",
                           f"{case} 返回了 None：这个函数是不是忘了 return？"), "empty")
    if _is_ndarray(chunks):  # e.g. np.array([(0, 4), (4, 7), (7, 10)]): rows are the pairs
        if chunks.ndim == 2 and chunks.shape[1:] == (2,):  # type: ignore[attr-defined]
            return [tuple(row) for row in chunks]  # type: ignore[attr-defined]
        return not_yet(
            say(f"{case} returned an array of shape {chunks.shape}; "  # type: ignore[attr-defined]
                "return a list of (start, stop) pairs",
                f"{case} 返回了一个形状为 {chunks.shape} 的数组；"  # type: ignore[attr-defined]
                "请返回由 (start, stop) 对组成的列表"),
            "not-pairs",
        )
    if not isinstance(chunks, list | tuple):
        return not_yet(
            say(f"{case} should return a list of (start, stop) pairs, got {_describe(chunks)}"
                " (a generator or map object? wrap it in list(...))",
                f"{case} 应当返回由 (start, stop) 对组成的列表，实际得到 {_describe(chunks)}（是生"
                "成器或 map 对象吗？用 list(...) 把它包起来）"),
            "not-a-list",
        )
    if not chunks and parts > 0:
        return not_yet(
            say(f"{case} returned an empty list; it should hold {parts} (start, stop) pairs",
                f"{case} 返回了一个空列表；它应当包含 {parts} 个 (start, stop) 对"), "empty"
        )
    if any(_is_ndarray(c) and c.shape != (2,) for c in chunks):  # type: ignore[attr-defined]
        return not_yet(
            say(f"{case} returned arrays of the numbers themselves (as np.array_split does). A "
                "worker needs only the bounds of its chunk, (start, stop): two numbers to send "
                "instead of millions. Return (chunk[0], chunk[-1] + 1)-style pairs.",
                f"{case} 返回的是由数字本身组成的数组（就像 np.array_split 那样）。"
                "工作进程只需要它那一块的边界 (start, stop)：要传送的是两个数，而不是几百万个。"
                "请返回 (chunk[0], chunk[-1] + 1) 这样的数对。"),
            "arrays-not-pairs",
        )
    return list(chunks)


def _bound_problem(case: str, chunks: list[Any]) -> Verdict | None:
    for bound in (x for c in chunks for x in c):
        if isinstance(bound, Real) and not isinstance(bound, Integral):
            return not_yet(
                say(f"{case}: a bound is {_describe(bound)}, not an integer. n / parts gives "
                    "floats; n // parts (or divmod) gives the integers that range() needs",
                    f"{case}：有一个边界是 {_describe(bound)}，不是整数。n / parts 得到的是浮点数；"
                    "n // parts（或 divmod）才给出 range() 需要的整数"),
                "floats",
            )
        if isinstance(bound, bool) or not isinstance(bound, Integral):
            return not_yet(
                say(f"{case}: starts and stops should be integers, got {_describe(bound)}",
                    f"{case}：start 和 stop 应当是整数，实际得到 {_describe(bound)}"),
                "not-integers",
            )
    return None


def _split_problem(n: int, parts: int, chunks: list[tuple[int, int]]) -> Verdict | None:
    """What is wrong with ``chunks`` as a split of ``range(n)`` into ``parts``, if anything."""
    case = f"my_split({n}, {parts})"
    if any(stop < start for start, stop in chunks):
        return not_yet(
            say(f"{case}: a chunk has stop < start; a chunk is (start, stop), as in "
                "range(start, stop)",
                f"{case}：有一块的 stop < start；一块就是 (start, stop)，和 range(start, stop) "
                "中的一样"),
            "stop-before-start",
        )
    for (_, stop), (start, _) in zip(chunks, chunks[1:], strict=False):
        if start < stop:
            return not_yet(
                say(f"{case}: chunks overlap ({list(chunks)}"[:150] + "): a number in two chunks "
                    "is summed twice; each chunk starts where the previous one stopped",
                    f"{case}：分块有重叠（{list(chunks)}"[:150] + "）：同一个数落在两块中就会被"
                    "加两次；"
                    "每一块都应当从上一块停下的地方开始"),
                "overlap",
            )
        if start > stop:
            return not_yet(
                say(f"{case}: numbers fall between chunks ({list(chunks)}"[:150] + "). stop is "
                    "excluded, as in range(start, stop): the next chunk starts at the previous "
                    "stop",
                    f"{case}：有些数落在了分块之间（{list(chunks)}"[:150] + "）。和 range(start, "
                    "stop) "
                    "一样，stop 不包含在内：下一块从上一块的 stop 开始"),
                "gap",
            )
    if chunks[0][0] != 0 or chunks[-1][1] != n:
        if chunks[0][0] == 0 and chunks[-1][1] < n:
            return not_yet(
                say(f"{case} stops at {chunks[-1][1]}, not {n}: the last n % parts numbers are "
                    "lost. Give the remainder to some of the chunks, one number each",
                    f"{case} 停在 {chunks[-1][1]}，而不是 {n}：最后 n % parts 个数丢了。"
                    "请把余数分给其中几块，每块一个数"),
                "drops-remainder",
            )
        return not_yet(
            say(f"{case} should start at 0 and end at {n}, got {list(chunks)}"[:160],
                f"{case} 应当从 0 开始、到 {n} 结束，实际得到 {list(chunks)}"[:160]), "wrong-ends"
        )
    lengths = [stop - start for start, stop in chunks]
    if max(lengths) - min(lengths) > 1:
        size, extra = divmod(n, parts)
        if lengths == [size] * (parts - 1) + [size + extra]:
            return not_yet(
                say(f"{case} gives the last chunk the whole remainder (lengths {lengths}): the "
                    "slowest worker decides the time. Spread the remainder n % parts one by one "
                    "over the first chunks",
                    f"{case} 把全部余数都给了最后一块（长度为 {lengths}）："
                    "最慢的工作进程决定了总时间。请把余数 n % parts 一个一个地分给前面的几块"),
                "remainder-in-last-chunk",
            )
        return not_yet(
            say(f"{case} gives chunk lengths {lengths}: they should differ by at most one, since "
                "the slowest worker decides the time",
                f"{case} 给出的块长度是 {lengths}：它们之间最多只能相差 1，"
                "因为最慢的工作进程决定了总时间"),
            "uneven",
        )
    return None


def _judge_every_case(split: Callable[[int, int], object]) -> Verdict | None:
    """Call and judge ``split(n, parts)`` case by case; the first failing verdict, or None.

    Each case is judged before the next is called, so a wrong answer is named on a small case
    and never has to build the chunks of a large one.
    """
    for n, parts in SPLIT_CASES:
        case = f"my_split({n}, {parts})"
        try:
            returned = split(n, parts)
        except Exception as error:  # the learner's code may fail in any way
            return not_yet(say(f"{case} raised {type(error).__name__}: {error}",
                               f"{case} 抛出了 {type(error).__name__}：{error}"), "raises")
        problem = _case_problem(case, n, parts, returned)
        if problem is not None:
            return problem
    return None


def _case_problem(case: str, n: int, parts: int, returned: object) -> Verdict | None:
    """What is wrong with ``returned`` for ``split(n, parts)``, or None."""
    chunks = _as_chunks(case, parts, returned)
    if isinstance(chunks, Verdict):
        return chunks
    if len(chunks) != parts:
        return not_yet(
            say(f"{case} returned {len(chunks)} chunks; one per worker means {parts}",
                f"{case} 返回了 {len(chunks)} 块；每个工作进程一块，应当是 {parts} 块"),
            "wrong-count",
        )
    if not all((isinstance(c, tuple | list) or _is_ndarray(c)) and len(c) == 2 for c in chunks):
        return not_yet(say(f"{case}: every chunk should be a (start, stop) pair",
                           f"{case}：每一块都应当是一个 (start, stop) 对"), "not-pairs")
    problem = _bound_problem(case, chunks)
    if problem is None:
        problem = _split_problem(n, parts, [(int(a), int(b)) for a, b in chunks])
    return problem


def check_split(split: Callable[[int, int], object]) -> Verdict:
    """Exercise 1: ``split(n, parts)`` must cut ``range(n)`` into ``parts`` fair chunks.

    Fair: ``parts`` consecutive ``(start, stop)`` pairs from 0 to ``n``, every number in exactly
    one chunk, and chunk lengths that differ by at most one. The bounds may be any integers
    (Python's or NumPy's), in tuples or lists, or the rows of a 2-D NumPy array.

    >>> check_split(lambda n, parts: [(i * n // parts, (i + 1) * n // parts)
    ...                               for i in range(parts)]).hint
    'ok'
    """
    if not callable(split):
        return not_yet(
            say(f"pass your function itself, e.g. check_split(my_split), not {_describe(split)}",
                f"请传入你的函数本身，例如 check_split(my_split)，而不是 {_describe(split)}"),
            "not-callable",
        )
    outcome = call_with_timeout(_judge_every_case, (split,), SPLIT_TIMEOUT)
    if not outcome.finished:
        return not_yet(
            say(f"my_split did not return within {SPLIT_TIMEOUT:g} s for the cases {SPLIT_CASES}: "
                "is a loop waiting for something that never changes? (It may still be running in "
                "the background: restart the kernel if the notebook gets slow.)",
                f"my_split 在 {SPLIT_TIMEOUT:g} 秒内没有为这些情况 {SPLIT_CASES} 返回："
                "是不是有一个循环在等待一件永远不会改变的事？（它可能仍在后台运行："
                "如果笔记本变慢了，请重启内核。）"),
            "hangs",
        )
    if outcome.error is not None:  # not an Exception: e.g. SystemExit or KeyboardInterrupt
        error = outcome.error
        return not_yet(say(f"my_split raised {type(error).__name__}: {error}",
                           f"my_split 抛出了 {type(error).__name__}：{error}"), "raises")
    if outcome.value is not None:
        return outcome.value
    return correct(
        say(f"all {len(SPLIT_CASES)} cases are fair: every number in exactly one chunk, "
            "lengths within one of each other.",
            f"全部 {len(SPLIT_CASES)} 种情况都是公平的：每个数恰好在一块中，各块长度相差不超过 1。")
    )


# --- exercise 2: threads or processes ------------------------------------------------------------


def _word(answer: object) -> str | None:
    """``"threads"`` or ``"processes"`` for an answer meaning one of them, else None."""
    if not isinstance(answer, str):
        return None
    word = answer.strip().lower()
    word = {"thread": "threads", "process": "processes"}.get(word, word)
    return word if word in ("threads", "processes") else None


def check_workloads(answers: Mapping[str, str]) -> Verdict:
    """Exercise 2: ``answers`` maps each job in :data:`WORKLOADS` to "threads" or "processes".

    >>> check_workloads(dict.fromkeys(WORKLOADS, "processes")).hint
    'all-processes'
    """
    if not isinstance(answers, Mapping):
        return not_yet(
            say("answers should be a dict of job -> 'threads' or 'processes', "
                f"not {_describe(answers)}",
                "answers 应当是一个 任务 -> 'threads' 或 'processes' 的 dict，而不是 "
                f"{_describe(answers)}"),
            "wrong-type",
        )
    missing = [job for job in WORKLOADS if job not in answers]
    if missing:
        more = (say(f" and {len(missing) - 1} more", f" 等另外 {len(missing) - 1} 项")
                if len(missing) > 1 else "")
        return not_yet(
            say(f"answer every job (copy its name exactly); missing: {missing[0]!r}{more}",
                f"请回答每一项任务（准确复制它的名字）；缺少：{missing[0]!r}{more}"), "missing"
        )
    words = {job: _word(answers[job]) for job in WORKLOADS}
    invalid = [job for job, word in words.items() if word is None]
    if invalid:
        return not_yet(
            say(f"answer 'threads' or 'processes' for {invalid[0]!r}, "
                f"not {_describe(answers[invalid[0]])}",
                f"请为 {invalid[0]!r} 回答 'threads' 或 'processes'，而不是 "
                f"{_describe(answers[invalid[0]])}"),
            "invalid-answer",
        )
    if set(words.values()) == {"processes"}:
        return not_yet(
            say("processes for everything, as the notes conclude ('multiprocessing is always "
                "fastest'). For the jobs that wait, threads overlap the waits just as well: the "
                "GIL is released while a thread waits, and a thread costs far less to start "
                "than a process. Which jobs spend their time waiting?",
                "全都选了进程，正如学习笔记的结论（“多进程总是最快”）。对于需要等待的任务，"
                "线程同样能让等待重叠起来：线程等待时会释放 GIL，而且启动一个线程的开销比启动一个"
                "进程小得多。哪些任务的时间花在等待上？"),
            "all-processes",
        )
    if set(words.values()) == {"threads"}:
        return not_yet(
            say("threads for everything: a job that computes in a Python loop holds the GIL, so "
                "its threads take turns and it runs no faster. Which jobs compute in Python?",
                "全都选了线程：在 Python 循环中计算的任务会一直持有 GIL，"
                "所以它的线程只能轮流运行，并不会更快。哪些任务是在 Python 中计算的？"),
            "all-threads",
        )
    wrong = [job for job in WORKLOADS if words[job] != WORKLOADS[job]]
    if len(wrong) == len(WORKLOADS):
        return not_yet(
            say("every answer is the other way round: threads help jobs that wait (the GIL is "
                "released while waiting); processes help jobs that compute in Python",
                "每个答案都正好反了：线程帮助的是需要等待的任务（等待时 GIL 会被释放）；"
                "进程帮助的是在 Python 中计算的任务"),
            "swapped",
        )
    if wrong:
        return not_yet(
            say(f"{len(wrong)} of {len(WORKLOADS)} are not the best choice, e.g. {wrong[0]!r}: "
                "does that job spend its time computing in Python, or waiting for something?",
                f"{len(WORKLOADS)} 个中有 {len(wrong)} 个不是最佳选择，例如 {wrong[0]!r}："
                "这项任务的时间是花在 Python 计算上，还是花在等待某件事上？"),
            "some-wrong",
        )
    return correct(
        say("waiting jobs release the GIL, so threads overlap them cheaply; pure-Python "
            "computing holds the GIL, so only processes (or a free-threaded Python) run it in "
            "parallel.",
            "等待的任务会释放 GIL，所以线程能以很小的开销让它们重叠；纯 Python 计算会持有 GIL，"
            "所以只有进程（或自由线程版的 Python）才能让它并行运行。")
    )


# --- exercise 3: Amdahl's limit ------------------------------------------------------------------


def _close(value: object, truth: float, tolerance: float = 0.01) -> bool:
    if not isinstance(value, Real) or isinstance(value, bool):
        return False
    value = float(value)
    if math.isinf(truth) or math.isinf(value):
        return value == truth
    return math.isclose(value, truth, rel_tol=tolerance)


def _amdahl_mistake(on_2: float, on_8: float, limit: float) -> Verdict | None:
    """A known wrong way to compute the three numbers, recognised from the answers."""
    f = AMDAHL_FRACTION
    percent = 100 * f  # the fraction typed as a percentage: 5 instead of 0.05
    if _close(on_2, 1 / (percent + (1 - percent) / 2)) or _close(limit, 1 / percent):
        return not_yet(
            say(f"f is a fraction of the run time: 5 % is {f}, not {percent:g}. (With f = 5 the "
                "serial part would be five times the whole run.)",
                f"f 是运行时间中的一个比例：5 % 就是 {f}，而不是 {percent:g}。（如果 f = 5，"
                "串行部分就是整个运行时间的五倍了。）"),
            "percent-not-fraction",
        )
    if _close(on_2, 2) and _close(on_8, 8):
        return not_yet(
            say("2x and 8x are the ideal speed-ups, as if all of the program ran in parallel. "
                "The serial part f still takes f of the serial time, with any number of workers",
                "2x 和 8x 是理想的加速比，就好像整个程序都在并行运行。无论有多少个工作进程，"
                "串行部分 f 仍然要占用串行时间的 f"),
            "ignores-serial-part",
        )
    if _close(on_2, 1 / (f + (1 - f) * 2)) or _close(on_8, 1 / (f + (1 - f) * 8)):
        return not_yet(
            say("with n workers the parallel part takes (1 - f) / n of the serial time: divide "
                "by n, do not multiply",
                "有 n 个工作进程时，并行部分占用串行时间的 (1 - f) / n：要除以 n，而不是乘以 n"),
            "multiplied-not-divided",
        )
    if _close(on_2, f + (1 - f) / 2) or _close(on_8, f + (1 - f) / 8):
        return not_yet(
            say("f + (1 - f) / n is the share of the serial time the run takes with n workers; "
                "the speed-up is its inverse, 1 / (f + (1 - f) / n)",
                "f + (1 - f) / n 是有 n 个工作进程时运行所占串行时间的比例；加速比是它的倒数，1 / "
                "(f + (1 - f) / n)"),
            "time-not-speedup",
        )
    if _close(on_2, amdahl_speedup(f, 2) / 2) or _close(on_8, amdahl_speedup(f, 8) / 8):
        return not_yet(
            say("that is the efficiency (speed-up / n); the question asks for the speed-up itself",
                "这是效率（加速比 / n）；题目问的是加速比本身"),
            "efficiency-not-speedup",
        )
    return None


def check_amdahl(on_2: float, on_8: float, limit: float) -> Verdict:
    """Exercise 3: speed-ups for :data:`AMDAHL_FRACTION` on 2 and 8 cores, and the limit.

    Any real numbers within 1 % of the truth pass (``1.9``, ``5.93`` and ``20`` do).

    >>> check_amdahl(2, 8, float("inf")).hint
    'ignores-serial-part'
    """
    f = AMDAHL_FRACTION
    for name, value in (("on_2", on_2), ("on_8", on_8), ("limit", limit)):
        if value is None:
            return not_yet(say(f"{name} is still None: compute it",
                               f"{name} 仍然是 None：请把它算出来"), "missing")
        if not isinstance(value, Real) or isinstance(value, bool):
            return not_yet(say(f"{name} should be a number, got {_describe(value)}",
                               f"{name} 应当是一个数，实际得到 {_describe(value)}"), "wrong-type")
        try:
            float(value)
        except OverflowError:  # an int with hundreds of digits
            return not_yet(say(f"{name} is far too large to be a speed-up: {_describe(value)}",
                               f"{name} 太大了，不可能是加速比：{_describe(value)}"),
                           "too-large")
    right = (
        _close(on_2, amdahl_speedup(f, 2)),
        _close(on_8, amdahl_speedup(f, 8)),
        _close(limit, 1 / f),
    )
    if all(right):
        return correct(
            say(f"{on_2:.2f}x, {on_8:.2f}x and at most {limit:.0f}x: 8 cores give only "
                f"{on_8 / 8:.0%} efficiency when {f:.0%} of the work is serial.",
                f"{on_2:.2f}x、{on_8:.2f}x，最多 {limit:.0f}x：当 {f:.0%} 的工作是串行的，8 "
                f"个核心只能达到 {on_8 / 8:.0%} 的效率。")
        )
    mistake = _amdahl_mistake(on_2, on_8, limit)
    if mistake is not None:
        return mistake
    if not right[0]:
        return not_yet(
            say("on_2 is off: with n workers the parallel part takes (1 - f) / n of the serial "
                "time, the serial part still takes f; the speed-up is 1 / (f + (1 - f) / n)",
                "on_2 不对：有 n 个工作进程时，并行部分占用串行时间的 (1 - f) / n，"
                "串行部分仍然占用 f；加速比是 1 / (f + (1 - f) / n)"),
            "wrong-on-2",
        )
    if not right[1]:
        return not_yet(say("on_2 is right but on_8 is off: the same formula, with n = 8",
                           "on_2 对了，但 on_8 不对：用同一个公式，取 n = 8"), "wrong-on-8")
    if _close(limit, 1 / (1 - f)):
        return not_yet(
            say("1 / (1 - f) would be the limit if the parallel part could not be split. With very "
                "many workers (1 - f) / n goes to 0: what is left of f + (1 - f) / n?",
                "如果并行部分不能再拆分，1 / (1 - f) 才会是极限。工作进程非常多时，(1 - f) / n "
                "趋于 0：f + (1 - f) / n 还剩下什么？"),
            "limit-inverted",
        )
    if math.isinf(float(limit)):
        return not_yet(
            say("the limit is finite: however many workers, the serial part f still takes f of "
                "the serial time",
                "极限是有限的：无论有多少个工作进程，串行部分 f 仍然要占用串行时间的 f"),
            "limit-infinite",
        )
    return not_yet(
        say("the limit is off: with very many workers (1 - f) / n goes to 0; what is left?",
            "极限不对：工作进程非常多时，(1 - f) / n 趋于 0；还剩下什么？"),
        "wrong-limit",
    )
