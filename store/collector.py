"""Pausing Python's cycle collector while a lot of small, acyclic objects are made at once.

An import makes a million small dicts and an everyone's board thousands of rows,
all kept until the work ends: the collector would walk them, and everything else
alive, again and again with nothing to free (at 5,000 agents, a third of a
board's time). Objects without cycles are freed by reference counting all the
same; the collector runs again as soon as the last pause ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """The collector off for the block; pauses nest and may overlap across threads, and the
    collector is back as it was before the first of them once the last one ends."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
