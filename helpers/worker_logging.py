"""Logging from worker processes, for chapter 08: the course's alternative to ``print``.

A child's ``print`` may never reach the notebook. A log record can: each worker's logger gets
a :class:`logging.handlers.QueueHandler` that puts its records on a ``multiprocessing``
queue, and one :class:`logging.handlers.QueueListener` in the parent takes them off and hands
them to the parent's handlers. Every record carries ``processName`` and ``process`` (the pid):
who wrote it.

* :func:`send_logs_to` is a pool *initializer*: it points :data:`LOGGER_NAME` at the queue in
  every worker;
* :func:`logged_square` is a task that logs what it does;
* :class:`RecordList` is a handler for the parent that keeps the records it receives;
* :func:`describe_record` prints a record without what changes between runs.
"""

from __future__ import annotations

import logging
import logging.handlers
import threading

from helpers._validate import require_has, require_int, require_number
from helpers.failures import stable_name

#: The logger the course's workers write to.
LOGGER_NAME = "course.workers"


def send_logs_to(queue: object, level: int = logging.INFO) -> None:
    """Pool initializer: send this process's :data:`LOGGER_NAME` records to ``queue``.

    Use it as ``Pool(initializer=send_logs_to, initargs=(log_queue,))`` (or the same two
    arguments of ``ProcessPoolExecutor``). Handlers the worker inherited (under ``fork``) are
    replaced, so each record is sent once.
    """
    require_has("queue", queue, "put_nowait", example="a multiprocessing.Queue")
    require_int("level", level, minimum=logging.NOTSET, maximum=logging.CRITICAL)
    logger = logging.getLogger(LOGGER_NAME)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    logger.addHandler(logging.handlers.QueueHandler(queue))  # type: ignore[arg-type]
    logger.setLevel(level)
    logger.propagate = False  # only the queue: not the root logger's handlers too


def logged_square(x: float) -> float:
    """Return ``x * x``, and log it (at INFO) on :data:`LOGGER_NAME`.

    Without :func:`send_logs_to` in this process, the record goes nowhere visible: a logger
    with no handler shows only warnings and errors, on stderr.
    """
    require_number("x", x)
    result = x * x
    logging.getLogger(LOGGER_NAME).info("squared %r: %r", x, result)
    return result


class RecordList(logging.Handler):
    """A handler that keeps every record it receives, for the parent to read.

    >>> keeper = RecordList()
    >>> _ = keeper.handle(logging.makeLogRecord({"msg": "hello"}))  # True, or the record (3.12+)
    >>> [record.getMessage() for record in keeper.records]
    ['hello']
    """

    def __init__(self) -> None:
        super().__init__()
        self._kept: list[logging.LogRecord] = []
        self._guard = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        with self._guard:
            self._kept.append(record)

    @property
    def records(self) -> list[logging.LogRecord]:
        """The records received so far, in the order they arrived."""
        with self._guard:
            return list(self._kept)


def describe_record(record: logging.LogRecord) -> str:
    """``"PoolWorker INFO squared 3: 9"``: who (without the run's numbers), level, message.

    >>> describe_record(logging.makeLogRecord(
    ...     {"msg": "hi", "levelname": "INFO", "processName": "ForkPoolWorker-3"}))
    'PoolWorker INFO hi'
    """
    if not isinstance(record, logging.LogRecord):
        raise TypeError(f"record must be a logging.LogRecord, got {type(record).__name__}")
    return f"{stable_name(record.processName or '?')} {record.levelname} {record.getMessage()}"

