"""The row-block threads behind training: every row worked on once, failures and aborts passed on."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from model.threads import MIN_ROWS_PER_THREAD, for_each_row_block, row_blocks


def test_row_blocks_cover_every_row_once():
    for n, k in [(0, 1), (1, 3), (10, 3), (100_001, 2)]:
        blocks = row_blocks(n, k)
        assert len(blocks) == max(1, k)
        covered = np.concatenate([np.arange(n)[b] for b in blocks])
        assert np.array_equal(covered, np.arange(n))


def test_each_row_is_worked_on_once_in_steps_with_a_call_between():
    n = 5 * MIN_ROWS_PER_THREAD + 17
    hits = np.zeros(n, dtype=int)
    lock = threading.Lock()
    steps = []

    def work(rows: slice) -> None:
        with lock:
            hits[rows] += 1

    for_each_row_block(n, work, step=2 * MIN_ROWS_PER_THREAD, between=lambda: steps.append(hits.sum()))
    assert (hits == 1).all()
    assert steps == [2 * MIN_ROWS_PER_THREAD, 4 * MIN_ROWS_PER_THREAD, n]


def test_a_failure_in_a_worker_reaches_the_caller_and_between_can_abort():
    def fail(rows: slice) -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        for_each_row_block(4 * MIN_ROWS_PER_THREAD, fail)

    class Stop(Exception):
        pass

    seen = []

    def stop() -> None:
        raise Stop

    with pytest.raises(Stop):
        for_each_row_block(4 * MIN_ROWS_PER_THREAD, seen.append, step=MIN_ROWS_PER_THREAD, between=stop)
    assert sum(b.stop - b.start for b in seen) == MIN_ROWS_PER_THREAD  # stopped after the first step


def test_the_feature_map_gives_the_same_features_on_one_thread_and_on_several(monkeypatch):
    import model.threads
    from model.features import MnistFeatureMap

    rng = np.random.default_rng(0)
    X = (rng.random((3 * MIN_ROWS_PER_THREAD, 784)) < 0.15).astype(np.float32)
    threaded = MnistFeatureMap(n_components=12, orientations=8).fit(X)
    monkeypatch.setattr(model.threads, "MAX_THREADS", 1)
    alone = MnistFeatureMap(n_components=12, orientations=8).fit(X)
    # Bit for bit: the blocks start where one thread's chunks do, so the products are the same calls.
    np.testing.assert_array_equal(threaded.fit_transform(X), alone.fit_transform(X))
    np.testing.assert_array_equal(threaded.transform(X[:500]), alone.transform(X[:500]))


def test_aligned_row_blocks_start_on_multiples_and_still_cover_every_row():
    for n_rows, n_blocks, align in [(10000, 2, 4096), (50000, 3, 4096), (100, 4, 64), (5000, 2, 4096)]:
        blocks = row_blocks(n_rows, n_blocks, align)
        assert blocks[0].start == 0 and blocks[-1].stop == n_rows
        assert all(b.start % align == 0 for b in blocks)
        assert np.array_equal(np.concatenate([np.arange(n_rows)[b] for b in blocks]), np.arange(n_rows))
