"""Row blocks of one big matrix product done by our own threads, with BLAS held to one thread meanwhile.

OpenBLAS's own threads busy-wait: on a shared machine a product that should take milliseconds then
waits on a core another program holds. Splitting the rows over a few threads, each running
single-threaded BLAS (which releases the interpreter lock for the whole product), uses every core when
the machine is idle and degrades gracefully when it is busy. Only BLAS-bound work goes here: threads
doing numpy's element-wise work hold the lock in many short calls, and two of them starved a window's
thread of it for 100-230 ms.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # imported when a pool is made: the window's start-up never needs one
    from concurrent.futures import ThreadPoolExecutor

MIN_ROWS_PER_THREAD = 8192  # below this a thread's share is too small to pay for the thread
MAX_THREADS = 8

__all__ = ["available_cpus", "one_blas_thread", "row_blocks", "row_parallel"]


def available_cpus() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


@functools.cache
def _blas_controller():
    """threadpoolctl's view of the loaded BLAS libraries, made once.

    Making it walks every shared library in the process (Qt's included) while holding the interpreter
    lock, a few milliseconds each time; limiting through a kept one costs microseconds.
    """
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def one_blas_thread():
    """A context in which BLAS runs on the calling thread alone."""
    return _blas_controller().limit(limits=1, user_api="blas")


@contextlib.contextmanager
def row_parallel(n_rows: int) -> Iterator[tuple[ThreadPoolExecutor | None, int]]:
    """A pool and its number of workers for ``n_rows`` rows (``None, 1`` when one thread does it)."""
    workers = min(available_cpus(), MAX_THREADS, n_rows // MIN_ROWS_PER_THREAD)
    with one_blas_thread():
        if workers < 2:  # small data: one thread does it (BLAS threads would only wait on each other)
            yield None, 1
            return
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(workers) as pool:
            yield pool, workers


def row_blocks(n_rows: int, n_blocks: int) -> list[slice]:
    """``n_blocks`` contiguous slices of nearly equal size covering ``range(n_rows)``."""
    edges = np.linspace(0, n_rows, max(1, n_blocks) + 1).astype(int)
    return [slice(int(a), int(b)) for a, b in itertools.pairwise(edges)]
