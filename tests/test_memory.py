"""Large arrays are handed back a slice at a time, and only when nothing else refers to them."""

from __future__ import annotations

import numpy as np

from model.memory import STEP_BYTES, release


def test_an_array_nobody_else_holds_is_shrunk_to_nothing():
    big = np.ones((4 * STEP_BYTES // (784 * 4), 784), dtype=np.float32)
    release(big)
    assert big.shape == (0, 784) and big.nbytes == 0


def test_arrays_someone_else_holds_are_left_alone():
    big = np.ones((3 * STEP_BYTES // (784 * 4), 784), dtype=np.float32)
    view = big[:10]
    release(big)
    assert big.shape[0] > 10 and float(view.sum()) == 10 * 784  # a view keeps its memory
    other = big
    del view
    release(big)
    assert other.shape == big.shape and big.shape[0] > 10  # a second name keeps it too
    small = np.ones(100)
    release(small)
    assert small.shape == (100,)
    columns = np.ones((784, 3 * STEP_BYTES // (784 * 4)), dtype=np.float32).T  # not C-contiguous
    release(columns)
    assert columns.shape[1] == 784 and columns.shape[0] > 0
