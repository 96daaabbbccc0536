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
        padded = np.zeros((m, SIDE + 2, SIDE + 2), dtype=np.float32)  # np.pad's result, more cheaply
        padded[:, 1:-1, 1:-1] = chunk
        gx = padded[:, 1:-1, 2:] - padded[:, 1:-1, :-2]
        gy = padded[:, 2:, 1:-1] - padded[:, :-2, 1:-1]
        # Most of an MNIST picture is flat background: only pixels with an edge are binned.
        edge = ((gx != 0) | (gy != 0)).reshape(m, SIDE * SIDE)
        image, pixel = np.nonzero(edge)  # row by row, as flatnonzero would, with no division after
        ex, ey = gx.reshape(m, -1)[edge], gy.reshape(m, -1)[edge]
        magnitude = np.sqrt(ex * ex + ey * ey)
        position = np.arctan2(ey, ex) * (orientations / (2 * np.pi))
        # In [0, orientations): the direction in units of bins. The angle is at least -pi, so adding
        # one turn to the negative ones is what ``%`` does, without its division.
        position += (position < 0) * np.float32(orientations)
        low = np.floor(position)
        upper_share = position - low
        low = low.astype(np.intp)
        low[low == orientations] = 0  # a tiny negative angle plus one turn can round up to a full turn
        high = low + 1
        high[high == orientations] = 0
        # The histogram index of (image, cell, direction) for each edge pixel.
        base = image * n_bins + cell_start[pixel]
        size = m * n_bins
        hist = np.bincount(base + low, magnitude * (1 - upper_share), minlength=size)
        hist += np.bincount(base + high, magnitude * upper_share, minlength=size)
        np.sqrt(hist.reshape(m, n_bins), out=out[start : start + m], casting="same_kind")
    return out


def orientation_shares(
    image: np.ndarray, weights: np.ndarray, orientations: int = 8, cell: int = 4
) -> np.ndarray:
    """``weights . orientation_histograms(image)`` split over the 784 pixels of one image.

    Each cell-direction feature's term is shared among the edge pixels that fill its count, in
    proportion to what each adds to it, and each edge pixel's share goes on to the ink that makes its
    edge: its four neighbours (the gradient is their differences), in proportion to their ink. So the
    shares sum to the whole exactly, lie on inked pixels only (an edge pixel is often the blank paper
    beside a stroke, which a person cannot have drawn "for" anything), and a pixel's share has the
    sign of the weights of the directions of the edges it makes. (Integrated gradients add
    up too, but through the square roots they swing between neighbouring pixels too fast to be read
    as a picture.)
    """
    image = np.asarray(image, dtype=np.float64).reshape(SIDE, SIDE)
    weights = np.asarray(weights, dtype=np.float64)
    cells = SIDE // cell
    n_bins = cells * cells * orientations
    if weights.shape != (n_bins,):
        raise ValueError(f"weights must have shape ({n_bins},), got {weights.shape}")
    padded = np.zeros((SIDE + 2, SIDE + 2))
    padded[1:-1, 1:-1] = image
    gx = (padded[1:-1, 2:] - padded[1:-1, :-2]).ravel()
    gy = (padded[2:, 1:-1] - padded[:-2, 1:-1]).ravel()
    rows, cols = np.divmod(np.arange(SIDE * SIDE), SIDE)
    cell_start = ((rows // cell) * cells + cols // cell) * orientations
    magnitude = np.sqrt(gx * gx + gy * gy)
    position = (np.arctan2(gy, gx) * (orientations / (2 * np.pi))) % orientations
    low = np.floor(position)
    upper_share = position - low
    low = low.astype(np.intp) % orientations
    low_bin, up_bin = cell_start + low, cell_start + (low + 1) % orientations
    to_low, to_up = magnitude * (1 - upper_share), magnitude * upper_share
    hist = np.bincount(low_bin, to_low, minlength=n_bins) + np.bincount(up_bin, to_up, minlength=n_bins)
    per_count = np.zeros(n_bins)  # a bin's term per unit of its count: w sqrt(h) / h
    counted = hist > 0
    per_count[counted] = weights[counted] / np.sqrt(hist[counted])
    edge_share = (to_low * per_count[low_bin] + to_up * per_count[up_bin]).reshape(SIDE, SIDE)
    # Each edge pixel's share goes to its four neighbours (whose ink makes its gradient) in proportion
    # to their ink: all of it lands on ink, with the share's sign, never more than the share itself.
    neighbours = padded[1:-1, 2:] + padded[1:-1, :-2] + padded[2:, 1:-1] + padded[:-2, 1:-1]
    per_ink = np.divide(edge_share, neighbours, out=np.zeros_like(edge_share), where=neighbours > 0)
    to_ink = np.zeros((SIDE + 2, SIDE + 2))  # the padded frame: the neighbours of every edge pixel
    to_ink[1:-1, 2:] += per_ink
    to_ink[1:-1, :-2] += per_ink
    to_ink[2:, 1:-1] += per_ink
    to_ink[:-2, 1:-1] += per_ink
    return (to_ink * padded)[1:-1, 1:-1].ravel()
