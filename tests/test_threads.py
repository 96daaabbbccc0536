"""The row-block threads behind the solver's matrix products: every row once, small inputs unthreaded."""

from __future__ import annotations

import numpy as np

from model.threads import MIN_ROWS_PER_THREAD, available_cpus, row_blocks, row_parallel


def test_row_blocks_cover_every_row_once():
    for n, k in [(0, 1), (1, 3), (10, 3), (100_001, 2)]:
        blocks = row_blocks(n, k)
        assert len(blocks) == max(1, k)
        covered = np.concatenate([np.arange(n)[b] for b in blocks])
        assert np.array_equal(covered, np.arange(n))


def test_small_inputs_run_in_the_calling_thread_and_large_ones_on_a_pool():
    with row_parallel(MIN_ROWS_PER_THREAD) as (pool, workers):
        assert pool is None and workers == 1
    with row_parallel(64 * MIN_ROWS_PER_THREAD) as (pool, workers):
        if available_cpus() >= 2:
            assert pool is not None and 2 <= workers <= available_cpus()
            assert sorted(pool.map(lambda i: i * i, range(5))) == [0, 1, 4, 9, 16]
        else:
            assert pool is None
