"""Importable helpers for the parallel-Python course.

Every function that a child process or a worker thread runs in the notebooks lives in this
package, never in a notebook cell: under the ``spawn`` and ``forkserver`` start methods a child
process receives its target by *name* (module + function) and imports it, and a function
defined in a notebook cell has no module a child could import.

One module per idea:

* :mod:`helpers.workers`   - small, pure worker functions for the first chapters
* :mod:`helpers.system`    - what this machine offers: cores, start methods
* :mod:`helpers.gil`       - measure when threads and processes really run
* :mod:`helpers.plotting`  - timelines and other shared plots
* :mod:`helpers.checks`    - plain-words verdicts on the exercises
"""

__all__ = ["__version__"]
__version__ = "0.1.0"
