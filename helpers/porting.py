"""Fork-era code and its port: what changes when the start method is no longer ``fork``.

Python 3.14 made ``forkserver`` the default start method on Linux and the other POSIX systems
but macOS (which has used ``spawn`` since 3.8; Windows always had). Code written when ``fork``
was the default often relied, without saying so, on what a forked child *inherits*: every
global the parent had set. A spawned child, or one forked from the forkserver, imports the
modules afresh and sees their initial values.

:func:`configure` plays the fork-era program's set-up: it sets a module global in the process
that calls it. :func:`scaled` reads that global, as a fork-era worker did. The portable ways
pass what the worker needs: as an argument (:func:`scaled_by`), or once per worker through a
pool's initializer (``Pool(initializer=configure, initargs=(10,))``).

>>> configure(3); scaled(2), scaled_by(2, 5)
(6, 10)
>>> configure(1)
"""

from __future__ import annotations

import os

from helpers._validate import require_int

#: The fork-era program's settings; :func:`configure` changes them in the calling process.
SETTINGS: dict[str, int] = {"scale": 1}


def configure(scale: int) -> None:
    """Set ``SETTINGS["scale"]`` in this process (a fork-era program does it in ``main()``)."""
    SETTINGS["scale"] = require_int("scale", scale, minimum=0, maximum=10**6)


def scaled(x: int) -> int:
    """``x`` times the scale *this* process was configured with: a worker that trusts a global."""
    return require_int("x", x) * SETTINGS["scale"]


def scaled_by(x: int, scale: int) -> int:
    """``x * scale``: the same work, with everything it needs passed in."""
    return require_int("x", x) * require_int("scale", scale, minimum=0, maximum=10**6)


def current_scale(_: object = None) -> int:
    """The scale this process sees (a task for ``pool.map``: the argument is ignored)."""
    return SETTINGS["scale"]


def scaled_report(x: int) -> tuple[int, int]:
    """``(pid, scaled(x))``: which process did the work, and with which scale.

    >>> pid, value = scaled_report(4)
    >>> pid == os.getpid(), value == 4 * SETTINGS["scale"]
    (True, True)
    """
    return os.getpid(), scaled(x)
