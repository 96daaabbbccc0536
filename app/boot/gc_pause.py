"""The cyclic garbage collector is paused while the app starts, and start-up objects are frozen.

Start-up makes tens of thousands of objects that live as long as the app (numpy, the Qt bindings,
the window), and the collector ran dozens of times over them, a visible share of start-up. It is
paused until the window's first paint. Then everything made so far is frozen (``gc.freeze``), so
later collections, which run on the GUI thread while the person draws, skip those objects and a full
collection stays short.

This module imports nothing but :mod:`gc`, so ``app/__init__.py`` can use it before numpy and Qt.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


def pause() -> None:
    """Stop cyclic garbage collection until :func:`resume`."""
    gc.disable()


def resume() -> None:
    """Collect again, leaving every object made until now out of later collections (once)."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block; afterwards collection is on or off as before.

    On the way out everything alive is frozen (left out of later collections). The block imports
    numpy and the Qt bindings, whose objects live as long as the process; left unfrozen, the first
    collection after the block would look at every one of them during start-up.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
