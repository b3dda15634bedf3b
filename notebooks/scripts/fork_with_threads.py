"""Start a child while another thread runs, and report the DeprecationWarning, if any.

Run: python -u fork_with_threads.py [spawn|forkserver|fork]

Python 3.12 and later warn when a process that runs more than one thread calls ``fork()``:
the child gets a copy of memory in which other threads may have held locks (of the allocator,
of logging, of I/O) that no thread in the child will ever release. A Jupyter kernel always
runs several threads, so the warning concerns every ``fork`` pool started from a notebook.
Python 3.11 does not warn; ``spawn`` and ``forkserver`` never call ``fork()`` in this process.
The last line compares what happened with what this Python's documentation says, so it reads
the same on every version.
"""

import multiprocessing as mp
import sys
import threading
import warnings

from helpers.workers import add

if __name__ == "__main__":
    method = sys.argv[1] if len(sys.argv) > 1 else "spawn"
    stop = threading.Event()
    helper = threading.Thread(target=stop.wait, args=(30,))
    helper.start()
    running = threading.active_count()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            child = mp.get_context(method).Process(target=add, args=(1, 2))
            child.start()
            child.join(timeout=30)
    finally:
        stop.set()
        helper.join(timeout=30)
    warned = any(w.category is DeprecationWarning and "fork()" in str(w.message) for w in caught)
    expected = method == "fork" and sys.version_info >= (3, 12)
    print(f"start method {method}: threads running when the child started: {running}")
    print("child exit code:", child.exitcode)
    print("warned exactly as this Python's documentation says:", warned == expected)
