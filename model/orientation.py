"""Histograms of stroke direction: the features that tell a hooked tail or a crossbar from a plain one.

Principal components describe where the ink is; a crossbar on a 7 or a flag on a 1 moves little ink but
adds edges of a new direction in one part of the picture. So the image is cut into square cells, and
each cell counts its edge strength by direction (the gradient's angle, over the full circle, soft-binned
between the two nearest of ``orientations`` directions). The square root of each count, as in Hellinger
kernels, keeps a few strong edges from drowning the rest. This is the core of HOG (Dalal and Triggs)
without its block normalisation, which MNIST's fixed size and contrast make unnecessary.
"""

from __future__ import annotations

import numpy as np

SIDE = 28
_CHUNK = 2048  # images at a time: their gradients (a few MB) stay in the CPU cache


def orientation_histograms(
    images: np.ndarray, orientations: int = 8, cell: int = 4, out: np.ndarray | None = None
) -> np.ndarray:
    """``(n, 784)`` images -> ``(n, (28 // cell) ** 2 * orientations)`` float32 features.

    ``out``, if given, is the float32 array (or column block of one) to write them into.
    """
    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 2 or images.shape[1] != SIDE * SIDE:
        raise ValueError(f"orientation_histograms expects shape (n, {SIDE * SIDE}), got {images.shape}")
    if orientations < 1 or cell < 1 or SIDE % cell:
        raise ValueError(
            f"need orientations >= 1 and a cell size dividing {SIDE}, got {orientations}, {cell}"
        )
    cells = SIDE // cell
    n_bins = cells * cells * orientations
    # Which cell each pixel falls in, times the number of directions: the start of its histogram.
    rows, cols = np.divmod(np.arange(SIDE * SIDE), SIDE)
    cell_start = ((rows // cell) * cells + cols // cell) * orientations
    if out is None:
        out = np.empty((len(images), n_bins), dtype=np.float32)
    elif out.shape != (len(images), n_bins):
        raise ValueError(f"out must have shape {(len(images), n_bins)}, got {out.shape}")
    for start in range(0, len(images), _CHUNK):
        chunk = images[start : start + _CHUNK].reshape(-1, SIDE, SIDE)
        m = len(chunk)
        padded = np.pad(chunk, ((0, 0), (1, 1), (1, 1)))
        gx = padded[:, 1:-1, 2:] - padded[:, 1:-1, :-2]
        gy = padded[:, 2:, 1:-1] - padded[:, :-2, 1:-1]
        # Most of an MNIST picture is flat background: only pixels with an edge are binned.
        edge = np.flatnonzero((gx != 0) | (gy != 0))
        ex, ey = gx.ravel()[edge], gy.ravel()[edge]
        magnitude = np.sqrt(ex * ex + ey * ey)
        position = np.arctan2(ey, ex) * (orientations / (2 * np.pi))
        position %= orientations  # in [0, orientations): the direction in units of bins
        low = np.floor(position)
        upper_share = position - low
        low = low.astype(np.intp) % orientations
        # The histogram index of (image, cell, direction) for each edge pixel.
        image, pixel = np.divmod(edge, SIDE * SIDE)
        base = image * n_bins + cell_start[pixel]
        size = m * n_bins
        hist = np.bincount(base + low, magnitude * (1 - upper_share), minlength=size)
        hist += np.bincount(base + (low + 1) % orientations, magnitude * upper_share, minlength=size)
        np.sqrt(hist.reshape(m, n_bins), out=out[start : start + m], casting="same_kind")
    return out


def orientation_gradient(
    image: np.ndarray, weights: np.ndarray, orientations: int = 8, cell: int = 4
) -> np.ndarray:
    """The gradient, over the 784 pixels of one image, of ``weights . orientation_histograms(image)``.

    Each feature is the square root of a sum of edge strengths, so the weighted sum is positively
    homogeneous of degree one half in the pixels; :mod:`model.explain` uses that to turn this gradient
    into exact attributions. Pixels with no edge (and cells with no count) contribute nothing.
    """
    image = np.asarray(image, dtype=np.float64).reshape(SIDE, SIDE)
    weights = np.asarray(weights, dtype=np.float64)
    cells = SIDE // cell
    n_bins = cells * cells * orientations
    if weights.shape != (n_bins,):
        raise ValueError(f"weights must have shape ({n_bins},), got {weights.shape}")
    padded = np.pad(image, 1)
    gx = padded[1:-1, 2:] - padded[1:-1, :-2]
    gy = padded[2:, 1:-1] - padded[:-2, 1:-1]
    rows, cols = np.divmod(np.arange(SIDE * SIDE), SIDE)
    cell_start = ((rows // cell) * cells + cols // cell) * orientations
    gx, gy = gx.ravel(), gy.ravel()
    magnitude = np.sqrt(gx * gx + gy * gy)
    edge = magnitude > 0
    per_bin = 2 * np.pi / orientations
    position = (np.arctan2(gy, gx) / per_bin) % orientations
    low = np.floor(position)
    upper_share = position - low
    low = low.astype(np.intp) % orientations
    low_bin = cell_start + low
    up_bin = cell_start + (low + 1) % orientations
    hist = np.bincount(low_bin[edge], (magnitude * (1 - upper_share))[edge], minlength=n_bins)
    hist += np.bincount(up_bin[edge], (magnitude * upper_share)[edge], minlength=n_bins)
    counted = hist > 0
    d_hist = np.zeros(n_bins)
    d_hist[counted] = weights[counted] / (2 * np.sqrt(hist[counted]))  # d sqrt(h) / dh
    d_low, d_up = d_hist[low_bin], d_hist[up_bin]
    safe = np.where(edge, magnitude, 1.0)
    d_magnitude = d_low * (1 - upper_share) + d_up * upper_share
    d_angle = magnitude * (d_up - d_low) / per_bin  # through the share of the upper direction
    d_gx = np.where(edge, d_magnitude * gx / safe - d_angle * gy / safe**2, 0.0).reshape(SIDE, SIDE)
    d_gy = np.where(edge, d_magnitude * gy / safe + d_angle * gx / safe**2, 0.0).reshape(SIDE, SIDE)
    grad = np.zeros((SIDE + 2, SIDE + 2))
    grad[1:-1, 2:] += d_gx  # gx at (r, c) is I[r, c + 1] - I[r, c - 1]
    grad[1:-1, :-2] -= d_gx
    grad[2:, 1:-1] += d_gy
    grad[:-2, 1:-1] -= d_gy
    return grad[1:-1, 1:-1].ravel()
