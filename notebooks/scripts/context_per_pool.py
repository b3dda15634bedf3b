"""Take a context per pool with get_context(): library code that leaves the default alone.

Run: python -u context_per_pool.py METHOD [METHOD ...]

``multiprocessing.get_context(method)`` returns an object with the same functions as the
``multiprocessing`` module (``Pool``, ``Process``, ``Queue``, ``Lock``, ...) bound to one start
method. A function that takes a context, or makes one, works the same in any program: it
neither depends on nor changes the program's default, and it can be called any number of
times, with different methods, in one program.
"""

import multiprocessing as mp
import sys

from helpers.workers import square


def squares(context, numbers):
    """Square ``numbers`` in a pool of two workers started by ``context``."""
    with context.Pool(processes=2) as pool:
        return pool.map(square, numbers)


if __name__ == "__main__":
    for method in sys.argv[1:]:
        context = mp.get_context(method)
        print(f"{context.get_start_method()} pool:", squares(context, range(6)))
