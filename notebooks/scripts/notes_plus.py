"""The study notes' second example, as the notes wrote it: ``plus(10, -3)`` in a child process.

Run: python -u notes_plus.py [fork|spawn|forkserver]

The notes say "no output is normal; in a terminal there is output" (没有输出属于正常现象,
在terminal下会有输出). Run as a terminal runs it, the child's ``print(a + b)`` shows 7, under
every start method: the child inherits the terminal as its standard output. With the guard,
a spawned child can import this file (as ``__mp_main__``) to find ``plus`` without starting a
process of its own. The only lines the course adds choose the start method.
"""

import multiprocessing as mp
import sys


def plus(a, b):
    print(a + b)


if __name__ == "__main__":
    if len(sys.argv) > 1:  # added by the course: the start method to use
        mp.set_start_method(sys.argv[1])
    mp2 = mp.Process(target=plus, args=(10, -3))
    mp2.start()
    mp2.join()
