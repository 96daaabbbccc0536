"""Row blocks of one big array worked on by our own threads, with BLAS held to one thread meanwhile.

numpy's element-wise work runs on one core, and OpenBLAS's own threads busy-wait: on a shared machine
a product that should take milliseconds then waits on a core another program holds. Splitting the rows
over a few threads, each running single-threaded numpy and BLAS (both release the interpreter lock),
uses every core when the machine is idle and degrades gracefully when it is busy. Small inputs (a
drawing being read live) run in the calling thread.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # imported when a pool is made: the window's start-up never needs one
    from concurrent.futures import ThreadPoolExecutor

    from threadpoolctl import ThreadpoolController

MIN_ROWS_PER_THREAD = 8192  # below this a thread's share is too small to pay for the thread
MAX_THREADS = 8

__all__ = ["available_cpus", "for_each_row_block", "one_blas_thread", "row_blocks", "row_parallel"]


def available_cpus() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


@functools.cache
def _blas_controller() -> ThreadpoolController:
    """threadpoolctl's view of the loaded BLAS libraries, made once.

    Making it walks every shared library in the process (Qt's included) while holding the interpreter
    lock, a few milliseconds each time; limiting through a kept one costs microseconds.
    """
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def one_blas_thread() -> contextlib.AbstractContextManager[object]:
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


def row_blocks(n_rows: int, n_blocks: int, align: int = 1) -> list[slice]:
    """``n_blocks`` contiguous slices of nearly equal size covering ``range(n_rows)``.

    Inner edges fall on multiples of ``align`` (some slices may then be empty).
    """
    edges = np.linspace(0, n_rows, max(1, n_blocks) + 1)
    edges = np.minimum(np.round(edges / align).astype(int) * align, n_rows)
    edges[0], edges[-1] = 0, n_rows
    return [slice(int(a), int(b)) for a, b in itertools.pairwise(edges)]


def for_each_row_block(
    n_rows: int,
    work: Callable[[slice], None],
    *,
    step: int | None = None,
    between: Callable[[], None] | None = None,
    align: int = 1,
) -> None:
    """Run ``work(rows)`` over ``range(n_rows)`` in parallel row blocks.

    With ``step``, the rows go ``step`` at a time (split over the threads) and ``between()`` runs in
    the calling thread after each step, so a caller can report progress or abort there. Every block
    starts at a multiple of ``align``: work that goes through its rows in chunks of ``align`` then
    makes the same chunks, and so the same numbers, on any number of threads.
    """
    if n_rows <= 0:
        return
    if step is not None and step % align:
        raise ValueError(f"step ({step}) must be a multiple of align ({align})")
    with row_parallel(n_rows) as (pool, workers):
        span = n_rows if step is None else max(1, int(step))
        for start in range(0, n_rows, span):
            stop = min(start + span, n_rows)
            blocks = [
                slice(start + b.start, start + b.stop)
                for b in row_blocks(stop - start, workers, align)
                if b.stop > b.start
            ]
            if pool is None or len(blocks) < 2:
                for rows in blocks:
                    work(rows)
            else:
                for _ in pool.map(work, blocks):  # re-raises the first failure here
                    pass
            if between is not None:
                between()
