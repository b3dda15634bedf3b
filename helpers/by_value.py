"""Sending a function by value: cloudpickle, and joblib's loky workers that use it.

``pickle`` sends a function *by reference*: its module and its name. The child imports the
module and looks the name up, which fails for a function defined in a notebook cell (module
``__main__``) under ``spawn`` and ``forkserver``. ``cloudpickle`` sends such a function *by
value*: its code, and the globals and closure variables it uses, copied. joblib (with its
default ``loky`` backend) and Dask send functions with cloudpickle, so a function from a cell
works there, at a price: whatever the function drags along is pickled again for every batch of
tasks, and each task works on a *copy* of it.

* :func:`round_trip` sends an object through ``pickle`` or ``cloudpickle`` and back, in this
  process, to show which of the two sends a reference and which a copy;
* :func:`pickled_bytes` is the size of what cloudpickle sends for an object;
* :func:`stop_joblib_workers` shuts down the workers joblib keeps for later calls.

``make bench`` measures joblib against ``Pool`` with :mod:`helpers.joblib_compare`.

>>> from helpers.workers import square
>>> round_trip(square, "pickle") is square, round_trip(square, "cloudpickle") is square
(True, True)
"""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

try:
    import cloudpickle  # installed with joblib (recent versions depend on it)
except ImportError:  # pragma: no cover (an older joblib ships its own copy)
    from joblib.externals import cloudpickle

from helpers._validate import require_text

PICKLERS = ("pickle", "cloudpickle")


def round_trip(obj: object, pickler: str) -> Any:
    """``obj`` pickled with ``pickler`` (``"pickle"`` or ``"cloudpickle"``) and unpickled here.

    A function sent by reference comes back as the very same object (``is``); one sent by value
    comes back as a new function built from the copied code.
    """
    pickler = require_text("pickler", pickler)
    if pickler not in PICKLERS:
        raise ValueError(f"pickler must be one of {PICKLERS}, got {pickler!r}")
    if pickler == "pickle":
        return pickle.loads(pickle.dumps(obj))
    return cloudpickle.loads(cloudpickle.dumps(obj))


def pickled_bytes(obj: object) -> int:
    """How many bytes cloudpickle sends for ``obj`` (what joblib sends with every batch).

    >>> pickled_bytes(list(range(1000))) > pickled_bytes([])
    True
    """
    return len(cloudpickle.dumps(obj))


def stop_joblib_workers() -> int:
    """Shut down the worker processes joblib keeps for later calls; return how many there were.

    joblib's loky backend keeps one pool of workers alive (for 300 s of idleness) so that the
    next ``Parallel`` call starts faster. Leaving them is fine in your own work; the course
    stops them at the end of each cell, as its test harness requires. This shuts down the
    executor joblib made (loky keeps a single one); the documented call in your own code is
    ``joblib.externals.loky.get_reusable_executor().shutdown(wait=True)``. Loky's own
    resource tracker stays, as multiprocessing's does, until the kernel stops.

    joblib also makes a temporary folder for each call (for large arrays it would memory-map;
    :func:`joblib_temp_folders`), and when a call reuses the workers the folder outlives the
    call, to be removed only when Python exits. This removes this process's empty ones too.
    """
    from joblib.externals.loky import reusable_executor

    executor = getattr(reusable_executor, "_executor", None)
    workers = 0
    if executor is not None:
        workers = len(getattr(executor, "_processes", None) or {})
        terminate = getattr(executor, "terminate", None)  # joblib's executor: its temp files
        if callable(terminate):
            terminate(kill_workers=False)  # waits for the workers to finish and exit
        else:
            executor.shutdown(wait=True)
        reusable_executor._executor = None
    for folder in joblib_temp_folders():
        try:
            folder.rmdir()  # only if empty: joblib's exit handler finds nothing left to do
        except OSError:
            pass
    return workers


def joblib_temp_folders() -> list[Path]:
    """The temporary folders joblib has made for this process and not yet removed.

    joblib names them ``joblib_memmapping_folder_<pid>_...`` in ``JOBLIB_TEMP_FOLDER``, in
    ``/dev/shm`` where it exists, or in the system's temporary folder.

    >>> all(f"_{os.getpid()}_" in folder.name for folder in joblib_temp_folders())
    True
    """
    roots = {Path(tempfile.gettempdir()), Path("/dev/shm")}
    if os.environ.get("JOBLIB_TEMP_FOLDER"):
        roots.add(Path(os.environ["JOBLIB_TEMP_FOLDER"]))
    pattern = f"joblib_memmapping_folder_{os.getpid()}_*"
    return sorted(folder for root in roots if root.is_dir() for folder in root.glob(pattern)
                  if folder.is_dir())
