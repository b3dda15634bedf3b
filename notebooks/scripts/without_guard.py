"""Start one child process WITHOUT the ``if __name__ == "__main__":`` guard.

Run: python -u without_guard.py [fork|spawn|forkserver]

Under spawn (and forkserver) the child imports this file again to find what it needs, so the
module-level code below runs again in the child, which then tries to start a process of its
own before it has finished starting itself. multiprocessing stops it with a RuntimeError.
"""

import multiprocessing as mp
import sys

from helpers.workers import add

method = sys.argv[1] if len(sys.argv) > 1 else "spawn"
context = mp.get_context(method)
print(f"module code runs in {mp.current_process().name}")
child = context.Process(target=add, args=(10, -3))
child.start()
child.join()
print(f"child exit code: {child.exitcode}")
