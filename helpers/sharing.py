"""Shared memory between processes: typecodes, workers that write into shared objects, and
NumPy arrays in :class:`multiprocessing.shared_memory.SharedMemory`.

Every function here that a child process runs takes the shared object (or the *name* of a
shared memory segment) as an argument and returns a small result; none of them prints.

Three families:

* typecodes: what the one-letter codes of ``Value('i', 0)`` and ``Array('d', ...)`` mean, how
  many bytes they take here and on Windows, and which values fit
  (:func:`typecode_info`, :func:`integer_range`, :func:`fits_everywhere`);
* workers for ``multiprocessing.Value`` / ``Array`` / ``Manager`` objects
  (:func:`store_number`, :func:`write_square`, :func:`fill_squares`, :func:`record_square`);
* workers for NumPy arrays in a ``SharedMemory`` segment (:func:`sum_shared`,
  :func:`scale_shared_rows`), what happens to a view at ``close()``
  (:func:`memory_behind`, :func:`is_unmapped`), and a measurement that compares sharing with
  pickling (:func:`transfer_times`).

The NumPy workers follow one pattern: attach, lay a view over ``segment.buf``, work, **delete
the view**, then ``close()``. After ``close()`` the segment's memory is unmapped from the
process; a view built with ``np.ndarray(shape, dtype, buffer=segment.buf)`` does not stop
``close()``, and reading or writing it afterwards can crash the interpreter.
"""

from __future__ import annotations

import ctypes
import mmap
import multiprocessing as mp
import operator
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing import shared_memory as _shared_memory
from multiprocessing.sharedctypes import typecode_to_type
from typing import Any

import numpy as np

from helpers._validate import require_int, require_items, require_number, require_order
from helpers.language import say
from helpers.timing import Timing, timed

#: The widest integer a typecode can name, in bytes (C's widest is 8).
MAX_NBYTES = 16
#: The most updates :func:`update_value` and :func:`update_mapping` time in one call.
MAX_UPDATES = 10_000_000
#: The largest array :func:`transfer_times` sends, in MB (the course sends at most 50).
MAX_TRANSFER_MB = 2_000.0

# --------------------------------------------------------------------------------------------
# Typecodes
# --------------------------------------------------------------------------------------------

#: The C type behind each typecode ('u', a wide character, is left out).
C_TYPES: dict[str, str] = {
    "c": "char",
    "b": "signed char",
    "B": "unsigned char",
    "h": "short",
    "H": "unsigned short",
    "i": "int",
    "I": "unsigned int",
    "l": "long",
    "L": "unsigned long",
    "q": "long long",
    "Q": "unsigned long long",
    "f": "float",
    "d": "double",
}

#: Bytes per item on 64-bit Windows. The one difference from 64-bit Linux and macOS:
#: a C ``long`` has 32 bits on Windows and 64 bits elsewhere.
WINDOWS_BYTES: dict[str, int] = {
    "c": 1, "b": 1, "B": 1, "h": 2, "H": 2, "i": 4, "I": 4,
    "l": 4, "L": 4, "q": 8, "Q": 8, "f": 4, "d": 8,
}  # fmt: skip

#: Integer typecodes, signed (lower case) and unsigned (upper case).
INTEGER_TYPECODES = ("b", "B", "h", "H", "i", "I", "l", "L", "q", "Q")


@dataclass(frozen=True)
class TypecodeInfo:
    """What one typecode stands for, here and on Windows."""

    typecode: str
    c_type: str
    ctypes_name: str
    bytes_here: int
    bytes_on_windows: int


def _require_typecode(typecode: object) -> str:
    if not isinstance(typecode, str):
        raise TypeError(f"typecode must be a one-letter str, got {type(typecode).__name__}")
    if typecode not in C_TYPES:
        raise ValueError(f"typecode must be one of {''.join(C_TYPES)!r}, got {typecode!r}")
    return typecode


def typecode_info(typecode: str) -> TypecodeInfo:
    """Describe ``typecode``: its C type, the ctypes class multiprocessing uses, its sizes.

    >>> info = typecode_info("b")
    >>> info.c_type, info.ctypes_name, info.bytes_here
    ('signed char', 'c_byte', 1)
    """
    _require_typecode(typecode)
    ctype = typecode_to_type[typecode]
    return TypecodeInfo(
        typecode=typecode,
        c_type=C_TYPES[typecode],
        ctypes_name=ctype.__name__,
        bytes_here=ctypes.sizeof(ctype),
        bytes_on_windows=WINDOWS_BYTES[typecode],
    )


def integer_range(typecode: str, nbytes: int | None = None) -> tuple[int, int]:
    """The smallest and largest value an integer typecode holds in ``nbytes`` bytes.

    ``nbytes`` defaults to the size on this machine.

    >>> integer_range("b"), integer_range("B")
    ((-128, 127), (0, 255))
    >>> integer_range("L", nbytes=4)
    (0, 4294967295)
    """
    _require_typecode(typecode)
    if typecode not in INTEGER_TYPECODES:
        raise ValueError(f"typecode must be an integer typecode, got {typecode!r}")
    if nbytes is None:
        nbytes = typecode_info(typecode).bytes_here
    bits = 8 * require_int("nbytes", nbytes, minimum=1, maximum=MAX_NBYTES)
    if typecode.islower():
        return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    return 0, 2**bits - 1


def portable_bytes(typecode: str) -> tuple[int, int]:
    """The fewest and the most bytes ``typecode`` takes on 64-bit Linux, macOS and Windows.

    >>> portable_bytes("i"), portable_bytes("L")
    ((4, 4), (4, 8))
    """
    info = typecode_info(typecode)
    sizes = (info.bytes_here, info.bytes_on_windows)
    return min(sizes), max(sizes)


def fits_everywhere(typecode: str, values: Sequence[int]) -> bool:
    """True if every value in ``values`` fits ``typecode`` on every 64-bit platform.

    >>> fits_everywhere("L", [45645465456])
    False
    >>> fits_everywhere("Q", [45645465456])
    True
    """
    low, high = integer_range(typecode, portable_bytes(typecode)[0])
    values = require_items("values", values)  # type: ignore[assignment]
    for value in values:
        require_int("values[...]", value)
    return all(low <= value <= high for value in values)


def wrap_like_ctypes(value: int, typecode: str, nbytes: int | None = None) -> int:
    """What a ctypes integer of ``typecode`` stores when assigned ``value``: the low bits only.

    ctypes does not check the range; it keeps ``value`` modulo ``2**bits``.

    >>> wrap_like_ctypes(200, "b"), wrap_like_ctypes(45645465456, "L", nbytes=4)
    (-56, 2695792496)
    """
    require_int("value", value)
    low, high = integer_range(typecode, nbytes)
    span = high - low + 1
    return (value - low) % span + low


# --------------------------------------------------------------------------------------------
# Workers for Value, Array and Manager objects
# --------------------------------------------------------------------------------------------


def _require_index(name: str, value: object, minimum: int = 0) -> int:
    """``value`` as an int: an ``int`` or a NumPy integer (not a bool), at least ``minimum``."""
    if isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    try:
        index = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}") from None
    return require_int(name, index, minimum=minimum)


class Point(ctypes.Structure):
    """A C struct of two doubles: ``Value(Point, 1.0, 2.0)`` shares it between processes."""

    _fields_ = [("x", ctypes.c_double), ("y", ctypes.c_double)]


def _require_value_holder(name: str, shared: object) -> None:
    if not hasattr(shared, "value"):
        raise TypeError(
            f"{name} must be a shared Value (an object with a .value), got {type(shared).__name__}"
        )


def _require_writable_sequence(name: str, shared: object) -> int:
    if not (hasattr(shared, "__setitem__") and hasattr(shared, "__len__")):
        raise TypeError(
            f"{name} must be a shared Array (or another sequence you can assign into), "
            f"got {type(shared).__name__}"
        )
    return len(shared)  # type: ignore[arg-type]


def store_number(shared_value: Any, number: float) -> None:
    """Write ``number`` into ``shared_value.value`` (a ``multiprocessing.Value``).

    >>> import multiprocessing as mp
    >>> box = mp.Value("d", 0.0)
    >>> store_number(box, 2.5); box.value
    2.5
    """
    _require_value_holder("shared_value", shared_value)
    shared_value.value = require_number("number", number)


def move_point(shared_point: Any, dx: float, dy: float) -> None:
    """Add ``(dx, dy)`` to a shared :class:`Point` (``Value(Point, x, y)``)."""
    if not (hasattr(shared_point, "x") and hasattr(shared_point, "y")):
        raise TypeError(
            "shared_point must be a shared Point (Value(Point, x, y)), "
            f"got {type(shared_point).__name__}"
        )
    dx, dy = require_number("dx", dx), require_number("dy", dy)  # both before moving either
    shared_point.x += dx
    shared_point.y += dy


def write_square(shared: Any, index: int) -> None:
    """Store ``index * index`` at ``shared[index]``.

    >>> squares = [0] * 4
    >>> write_square(squares, 3); squares
    [0, 0, 0, 9]
    """
    length = _require_writable_sequence("shared", shared)
    index = _require_index("index", index)
    if index >= length:
        raise ValueError(f"index must be < len(shared) = {length}, got {index}")
    shared[index] = index * index


def fill_squares(shared: Any, start: int, stop: int) -> int:
    """Store ``i * i`` at ``shared[i]`` for ``start <= i < stop``; return how many were written.

    Workers that fill disjoint ranges never touch the same item, so they need no lock.

    >>> squares = [0] * 5
    >>> fill_squares(squares, 1, 4), squares
    (3, [0, 1, 4, 9, 0])
    """
    length = _require_writable_sequence("shared", shared)
    start = _require_index("start", start)
    stop = _require_index("stop", stop)
    require_order("start", start, "stop", stop)
    if stop > length:
        raise ValueError(f"stop must be <= len(shared) = {length}, got {stop}")
    for i in range(start, stop):
        shared[i] = i * i
    return stop - start


def record_square(shared_dict: Any, key: int) -> None:
    """Store ``key * key`` under ``key`` in a dict (a ``Manager().dict()`` proxy, say).

    >>> d = {}
    >>> record_square(d, 4); d
    {4: 16}
    """
    if not hasattr(shared_dict, "__setitem__"):
        raise TypeError(
            f"shared_dict must be a dict or a dict proxy, got {type(shared_dict).__name__}"
        )
    require_int("key", key)
    shared_dict[key] = key * key


def update_mapping(mapping: Any, count: int) -> None:
    """Assign ``count`` times into ``mapping`` (16 keys, in turn): to time one update."""
    if not hasattr(mapping, "__setitem__"):
        raise TypeError(f"mapping must be a dict or a dict proxy, got {type(mapping).__name__}")
    for i in range(require_int("count", count, minimum=0, maximum=MAX_UPDATES)):
        mapping[i % 16] = i


def update_value(shared_value: Any, count: int) -> None:
    """Assign ``count`` times into ``shared_value.value``: to time one update."""
    _require_value_holder("shared_value", shared_value)
    for i in range(require_int("count", count, minimum=0, maximum=MAX_UPDATES)):
        shared_value.value = i


# The "global variable" demonstration: a module-level slot a worker reads.
#: Set in a process by :func:`set_global_value`; a freshly started process sees ``None``.
global_value: Any = None


def set_global_value(shared_value: Any) -> None:
    """Put ``shared_value`` in this module's global slot (use it as a Pool ``initializer``)."""
    global global_value
    _require_value_holder("shared_value", shared_value)
    global_value = shared_value


def write_to_global_value(number: float) -> str:
    """Write ``number`` into the module's global shared Value, if this process has one.

    Returns what happened, in words: a child started by ``spawn`` or ``forkserver`` imports
    this module afresh, so its global slot is ``None`` whatever the parent put there.
    """
    require_number("number", number)
    if global_value is None:
        return say("found no shared Value: global_value is None in this process",
                   "没有找到共享的 Value：在这个进程里 global_value 是 None")
    global_value.value = number
    return say(f"wrote {number} into the shared Value", f"已把 {number} 写入共享的 Value")


# --------------------------------------------------------------------------------------------
# NumPy arrays in SharedMemory
# --------------------------------------------------------------------------------------------


def _require_name(name: object) -> str:
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be the segment's name (a non-empty str), got {name!r}")
    return name


def _require_shape(shape: object) -> tuple[int, ...]:
    if not isinstance(shape, tuple):
        raise TypeError(f"shape must be a tuple of ints, got {type(shape).__name__} {shape!r}")
    for size in shape:
        require_int("shape[...]", size, minimum=0)
    return shape


def _require_dtype(dtype: object) -> np.dtype:
    """``dtype`` as a NumPy dtype of plain numbers (bool, integers, floats, complex numbers).

    Any other kind is refused *before* a segment is attached: reading shared bytes as
    ``object`` would take them for pointers and crash the interpreter, and strings, records
    and dates are not what these workers sum or scale.
    """
    if dtype is None:  # np.dtype(None) is float64: too easy a slip to accept silently
        raise TypeError("dtype must name a NumPy dtype such as 'float64', got None")
    try:
        kind = np.dtype(dtype)  # type: ignore[call-overload]
    except (TypeError, ValueError) as error:
        message = f"dtype must name a NumPy dtype such as 'float64', got {dtype!r}"
        raise TypeError(message) from error
    if kind.kind not in "biufc" or kind.fields is not None or kind.subdtype is not None:
        raise ValueError(
            f"dtype must be a numeric NumPy dtype (bool, int, uint, float or complex) such as "
            f"'float64', got {kind} from {dtype!r}"
        )
    return kind


def _attach(name: str) -> _shared_memory.SharedMemory:
    """Open an existing segment, without registering it with a resource tracker if possible.

    By default, every process that creates *or attaches to* a segment registers it with the
    resource tracker, which unlinks it when that process's tracker shuts down; that is still
    the default from Python 3.13 on. Python 3.13 adds the opt-out, ``track=False``, which this
    function uses there: the creator alone is responsible for ``unlink()``.
    """
    try:
        if sys.version_info >= (3, 13):
            return _shared_memory.SharedMemory(name=name, track=False)
        return _shared_memory.SharedMemory(name=name)
    except FileNotFoundError as error:
        raise FileNotFoundError(
            f"no shared memory segment named {name!r}: was it unlinked already?"
        ) from error


def _view(
    segment: _shared_memory.SharedMemory, shape: tuple[int, ...], dtype: np.dtype
) -> np.ndarray:
    needed = int(np.prod(shape)) * dtype.itemsize
    if needed > segment.size:
        raise ValueError(
            f"shape {shape} of {dtype} needs {needed} bytes, but the segment holds {segment.size}"
        )
    return np.ndarray(shape, dtype=dtype, buffer=segment.buf)


def memory_behind(array: np.ndarray) -> object:
    """The object whose memory ``array`` uses, or ``None`` if ``array`` owns its data.

    It follows ``array.base`` through views of views. For a view of a ``SharedMemory`` segment
    it is the segment's ``mmap`` (``np.ndarray(..., buffer=segment.buf)``) or a
    ``memoryview`` of it (``np.frombuffer(segment.buf)``). Nothing is read from ``array``.

    >>> data = np.arange(6.0)
    >>> memory_behind(data) is None, memory_behind(data.reshape(2, 3)) is data
    (True, True)
    """
    if not isinstance(array, np.ndarray):
        raise TypeError(f"array must be a NumPy array, got {type(array).__name__}")
    base: object = array.base
    while isinstance(base, np.ndarray) and base.base is not None:
        base = base.base
    return base


def is_unmapped(array: np.ndarray) -> bool:
    """True if ``array`` views memory that has been unmapped: do **not** touch such an array.

    After ``segment.close()``, a view made with ``np.ndarray(..., buffer=segment.buf)`` still
    exists, but the ``mmap`` behind it is closed: reading or writing it can crash the process.
    This function only looks at the ``mmap`` or ``memoryview`` behind the array.

    >>> is_unmapped(np.arange(3.0))
    False
    """
    base = memory_behind(array)
    if isinstance(base, mmap.mmap):
        return base.closed
    if isinstance(base, memoryview):
        try:
            owner = base.obj
        except ValueError:  # "operation forbidden on released memoryview object"
            return True
        return isinstance(owner, mmap.mmap) and owner.closed
    return False


def sum_shared(name: str, shape: tuple[int, ...], dtype: str) -> float:
    """Attach to segment ``name``, read it as an array of ``shape`` and ``dtype``; return its sum.

    Nothing is copied: the array *is* the shared memory. The view is deleted before
    ``close()``: after ``close()`` the memory is unmapped, and a view still pointing there
    must never be touched.
    """
    name, shape, kind = _require_name(name), _require_shape(shape), _require_dtype(dtype)
    segment = _attach(name)
    try:
        view = _view(segment, shape, kind)
        try:
            return float(view.sum())
        finally:
            del view
    finally:
        segment.close()


@dataclass(frozen=True)
class ScaledRows:
    """What :func:`scale_shared_rows` did: rows ``start`` to ``stop - 1``, in process ``pid``."""

    start: int
    stop: int
    pid: int

    @property
    def rows(self) -> range:
        """The rows scaled."""
        return range(self.start, self.stop)


def scale_shared_rows(
    name: str, shape: tuple[int, ...], dtype: str, start: int, stop: int, factor: float
) -> ScaledRows:
    """Multiply rows ``start:stop`` of the shared array by ``factor``, in place.

    Returns a :class:`ScaledRows`: which rows, and the id of the process that scaled them (so
    the caller can see that a worker, not itself, did the work). Workers given disjoint row
    ranges need no lock.
    """
    name, shape, kind = _require_name(name), _require_shape(shape), _require_dtype(dtype)
    if not shape:
        raise ValueError("shape must have at least one dimension")
    start = _require_index("start", start)
    stop = _require_index("stop", stop)
    require_order("start", start, "stop", stop)
    if stop > shape[0]:
        raise ValueError(f"stop must be <= shape[0] = {shape[0]}, got {stop}")
    factor = require_number("factor", factor)
    segment = _attach(name)
    try:
        view = _view(segment, shape, kind)
        try:
            view[start:stop] *= factor
        finally:
            del view
    finally:
        segment.close()
    return ScaledRows(start, stop, os.getpid())


def sum_array(array: np.ndarray) -> float:
    """Return the sum of ``array`` (it arrives pickled: a copy of the parent's).

    >>> sum_array(np.arange(4.0))
    6.0
    """
    if not isinstance(array, np.ndarray):
        raise TypeError(f"array must be a NumPy array, got {type(array).__name__}")
    return float(array.sum())


@dataclass(frozen=True)
class TransferTiming:
    """How long a worker took to sum an array of ``megabytes``, sent two ways, over several rounds.

    ``same_sum``: the worker's sum of the shared array equals this process's sum of the original.
    """

    megabytes: float
    pickled: Timing
    shared: Timing
    same_sum: bool

    @property
    def ratio(self) -> float:
        """Best pickled time / best shared time: above 1, sharing was faster."""
        return self.pickled.best / self.shared.best


def _call(pool: Any, func: Any, args: tuple[Any, ...], timeout: float = 60) -> Any:
    """Run ``func(*args)`` in ``pool`` and wait at most ``timeout`` seconds for the result."""
    return pool.apply_async(func, args).get(timeout=timeout)


def transfer_times(sizes_mb: Sequence[float], rounds: int = 7) -> list[TransferTiming]:
    """For each size (in MB, 10**6 bytes), time a pool worker summing a float64 array that is

    * sent as an argument (pickled, piped to the worker, unpickled), or
    * already in a ``SharedMemory`` segment (only its name, shape and dtype are sent).

    The measurement is built for a noisy, shared machine: one untimed warm-up round, then
    ``rounds`` rounds, each timing every size both ways, interleaved (the order of the two
    alternates from round to round), so that a slow moment hits both alike. Report
    ``Timing.best`` (the least disturbed run) and :attr:`TransferTiming.ratio`.

    One segment of the largest size is created first (before the pool starts, so that the pool's
    workers share this process's resource tracker), and every size uses its first part. The
    segment is closed and unlinked at the end, whatever happens.
    """
    sizes_mb = require_items("sizes_mb", sizes_mb)  # type: ignore[assignment]
    if not sizes_mb:
        raise ValueError("sizes_mb must hold at least one size")
    sizes = [
        require_number("sizes_mb[...]", size, minimum=0.001, maximum=MAX_TRANSFER_MB)
        for size in sizes_mb
    ]
    require_int("rounds", rounds, minimum=1, maximum=1_000)
    counts = [int(size * 1e6) // 8 for size in sizes]
    source = np.arange(max(counts), dtype=np.float64) % 1000
    segment = _shared_memory.SharedMemory(create=True, size=source.nbytes)
    view = np.ndarray(source.shape, dtype=source.dtype, buffer=segment.buf)
    try:
        view[:] = source  # the one copy into shared memory
        pickled: list[list[float]] = [[] for _ in sizes]
        shared: list[list[float]] = [[] for _ in sizes]
        same: list[bool] = []
        with mp.Pool(processes=1) as pool:
            for n in counts:  # warm-up: the worker has started, imported us, touched each size
                shared_args = (segment.name, (n,), "float64")
                same.append(_call(pool, sum_shared, shared_args) == float(source[:n].sum()))
                _call(pool, sum_array, (source[:n],))
            for round_number in range(rounds):
                for k, n in enumerate(counts):
                    ways = [
                        (pickled[k], sum_array, (source[:n],)),
                        (shared[k], sum_shared, (segment.name, (n,), "float64")),
                    ]
                    if round_number % 2:
                        ways.reverse()
                    for samples, func, args in ways:
                        samples.append(timed(_call, pool, func, args)[1])
        results = [
            TransferTiming(size, Timing(tuple(p)), Timing(tuple(q)), ok)
            for size, p, q, ok in zip(sizes, pickled, shared, same, strict=True)
        ]
    finally:
        del view  # no view may outlive close(): the memory behind it is unmapped
        segment.close()
        segment.unlink()
    return results


def segment_exists(name: str) -> bool:
    """True if a shared memory segment called ``name`` exists (has not been unlinked)."""
    try:
        segment = _attach(_require_name(name))
    except FileNotFoundError:
        return False
    segment.close()
    return True
