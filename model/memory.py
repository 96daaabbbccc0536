"""Giving a large array's memory back a slice at a time, so a window in the same process never waits.

numpy frees an array's memory in one call, holding the interpreter lock. With the ordinary memory pages
the window's process uses (see ``app.boot.numpy_pages``), handing back the 600 MB feature matrix of a
retrain took 50-60 ms on this machine, and the GUI thread waited all that time for the lock. Shrinking
the array in steps first (each step a ``realloc`` that returns the tail to the system) lets the lock
change hands between steps.
"""

from __future__ import annotations

import sys

import numpy as np

STEP_BYTES = 32 * 2**20  # returned per step: about 3 ms of the kernel's work


def release(array: np.ndarray) -> None:
    """Shrink ``array`` to nothing in steps; the caller must drop its own reference afterwards.

    Nothing happens unless the array owns its memory, is C-contiguous and larger than one step, and
    nobody else refers to it (no view, no other name): then it is safe to shrink.
    """
    if not isinstance(array, np.ndarray) or array.nbytes <= STEP_BYTES or array.ndim == 0:
        return
    if not (array.flags.owndata and array.flags.c_contiguous):
        return
    # References: the caller's name, this parameter, and getrefcount's own argument.
    if sys.getrefcount(array) > 3:
        return
    rows = array.shape[0]
    per_row = max(1, array.nbytes // max(rows, 1))
    step = max(1, STEP_BYTES // per_row)
    rest = array.shape[1:]
    while rows > 0:
        rows = max(0, rows - step)
        array.resize((rows, *rest), refcheck=False)
