"""Start one child process WITH the ``if __name__ == "__main__":`` guard.

Run: python -u with_guard.py [fork|spawn|forkserver]

The child still imports this file (the first print runs again there), but in the child the
module is named ``__mp_main__``, not ``__main__``, so the guarded block does not run again.
"""

import multiprocessing as mp
import sys

from helpers.workers import add

print(f"module code runs in {mp.current_process().name}")

if __name__ == "__main__":
    method = sys.argv[1] if len(sys.argv) > 1 else "spawn"
    context = mp.get_context(method)
    child = context.Process(target=add, args=(10, -3))
    child.start()
    child.join()
    print(f"child exit code: {child.exitcode}")
