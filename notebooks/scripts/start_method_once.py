"""Choose the start method ONCE, at the top of the guarded block, then use plain Pool().

Run: python -u start_method_once.py [spawn|forkserver|fork]

``set_start_method`` changes the default for the whole program, so it belongs to the program's
entry point, not to a library function, and it may be called only once: a second call raises
``RuntimeError: context has already been set`` (unless ``force=True``, which hides the bug).
``freeze_support()`` comes first under the guard: it does something only in a program frozen
into a Windows executable (PyInstaller, cx_Freeze), where it runs the child's code instead of
the program; everywhere else it does nothing.
"""

import multiprocessing as mp
import sys

from helpers.workers import square


def main() -> None:
    with mp.Pool(processes=2) as pool:
        print("squares:", pool.map(square, range(6)))
    print("this program's start method:", mp.get_start_method())


if __name__ == "__main__":
    mp.freeze_support()
    mp.set_start_method(sys.argv[1] if len(sys.argv) > 1 else "spawn")
    try:
        mp.set_start_method("spawn")  # a second call, e.g. from a library
    except RuntimeError as error:
        print("a second set_start_method() raised RuntimeError:", error)
    main()
