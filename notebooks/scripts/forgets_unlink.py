"""Create a shared-memory segment and end without unlinking it: the resource tracker's warning.

Run: python -u forgets_unlink.py

The segment is closed but never unlinked. When the script ends, its resource tracker (a
helper process multiprocessing started for it) finds the segment still registered, removes it,
and warns on stderr.
"""

from multiprocessing import shared_memory

if __name__ == "__main__":
    segment = shared_memory.SharedMemory(create=True, size=1024)
    segment.buf[0] = 42
    print("created a segment; closing it, but not unlinking it")
    segment.close()  # and no segment.unlink(): the segment outlives this script
