"""Stroke-direction histograms: each edge lands in its cell and its direction, and nothing else moves."""

from __future__ import annotations

import numpy as np
import pytest

from model.orientation import orientation_histograms


def _naive(images: np.ndarray, orientations: int, cell: int) -> np.ndarray:
    """The definition, pixel by pixel: central differences, soft binning of the angle, per cell."""
    cells = 28 // cell
    out = np.zeros((len(images), cells, cells, orientations))
    for n, img in enumerate(images.reshape(-1, 28, 28).astype(np.float64)):
        p = np.pad(img, 1)
        for r in range(28):
            for c in range(28):
                gx, gy = p[r + 1, c + 2] - p[r + 1, c], p[r + 2, c + 1] - p[r, c + 1]
                if gx == 0 and gy == 0:
                    continue
                t = (np.arctan2(gy, gx) * orientations / (2 * np.pi)) % orientations
                low = int(np.floor(t))
                share = t - low
                out[n, r // cell, c // cell, low % orientations] += np.hypot(gx, gy) * (1 - share)
                out[n, r // cell, c // cell, (low + 1) % orientations] += np.hypot(gx, gy) * share
    return np.sqrt(out.reshape(len(images), -1))


def test_matches_the_definition_on_random_and_digit_like_images():
    rng = np.random.default_rng(0)
    images = rng.random((3, 784)).astype(np.float32) * (rng.random((3, 784)) < 0.3)
    np.testing.assert_allclose(orientation_histograms(images, 8, 4), _naive(images, 8, 4), atol=1e-5)
    np.testing.assert_allclose(orientation_histograms(images, 6, 7), _naive(images, 6, 7), atol=1e-5)


def test_each_edge_counts_in_its_own_cell_and_direction():
    img = np.zeros((28, 28), np.float32)
    img[4:24, 14:26] = 1.0  # a bright block: edges to its left, right, top and bottom
    h = orientation_histograms(img.reshape(1, 784), 8, 4).reshape(7, 7, 8)
    only = np.eye(8, dtype=bool)
    assert h[2, 3, 0] > 0 and not h[2, 3, ~only[0]].any()  # left edge: brighter to the right (+x)
    assert h[2, 6, 4] > 0 and not h[2, 6, ~only[4]].any()  # right edge: brighter to the left (-x)
    assert h[0, 4, 2] > 0 and not h[0, 4, ~only[2]].any()  # top edge: brighter below (+y, rows grow down)
    assert not h[2, 4].any() and not h[2, 0].any()  # inside the block and far from it: flat
    blank = orientation_histograms(np.zeros((2, 784), np.float32))
    assert blank.shape == (2, 392) and not blank.any()


def test_bad_arguments_are_explained():
    with pytest.raises(ValueError, match="shape"):
        orientation_histograms(np.zeros((2, 100)))
    with pytest.raises(ValueError, match="cell"):
        orientation_histograms(np.zeros((1, 784)), 8, 5)
