"""Importable helpers for the parallel-Python course.

Every function that a child process or a worker thread runs in the notebooks lives in this
package, never in a notebook cell: under the ``spawn`` and ``forkserver`` start methods a child
process receives its target by *name* (module + function) and imports it, and a function
defined in a notebook cell has no module a child could import.

One module per idea:

* :mod:`helpers.workers`    - small, pure worker functions for the first chapters (00, 01)
* :mod:`helpers.system`     - what this machine offers: cores, start methods, the GIL
* :mod:`helpers.gil`        - measure when threads and processes really run (00)
* :mod:`helpers.scripts`    - run a course script as a terminal would (01)
* :mod:`helpers.queues`     - workers that send results through queues and pipes (02)
* :mod:`helpers.benchmark`  - the fair race between serial, threads and processes (03)
* :mod:`helpers.overheads`  - what starting, sending and sharing cost (03, ``make bench``)
* :mod:`helpers.pools`      - pool workers and timelines (04)
* :mod:`helpers.sharing`    - shared Values, Arrays and SharedMemory (05)
* :mod:`helpers.locks`      - races, locks and deadlocks (06)
* :mod:`helpers.timing`     - fair timing: repeats, medians, speed-up, efficiency, Amdahl
* :mod:`helpers.plotting`   - timelines shared by several chapters
* :mod:`helpers.checks`     - plain-words verdicts on the exercises, one module per chapter
"""

__all__ = ["__version__"]
__version__ = "0.1.0"
