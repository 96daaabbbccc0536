"""Deskewing: straighten slanted handwriting before a linear model sees it.

Slant is the largest source of variation in handwritten digits that a linear model cannot undo by
itself. Each image is sheared horizontally so that its principal axis is vertical and shifted so its
centre of mass sits in the middle (the classic moment-based deskew of LeCun et al.), with bilinear
interpolation, vectorised over a whole batch.
"""

from __future__ import annotations

import numpy as np

SIDE = 28
_CHUNK = 8192


def deskew(images: np.ndarray) -> np.ndarray:
    """Deskew MNIST-format images, shape ``(n, 784)``, returning float32 of the same shape."""
    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 2 or images.shape[1] != SIDE * SIDE:
        raise ValueError(f"deskew expects shape (n, {SIDE * SIDE}), got {images.shape}")
    out = np.empty_like(images)
    for start in range(0, len(images), _CHUNK):
        out[start : start + _CHUNK] = _deskew_chunk(images[start : start + _CHUNK])
    return out


def _deskew_chunk(flat: np.ndarray) -> np.ndarray:
    n = len(flat)
    imgs = flat.reshape(n, SIDE, SIDE)
    grid = np.arange(SIDE, dtype=np.float32)
    mass = imgs.sum(axis=(1, 2))
    safe = np.where(mass > 0, mass, 1.0)
    row_mass = imgs.sum(axis=2)  # (n, 28): mass per row
    col_mass = imgs.sum(axis=1)  # (n, 28): mass per column
    cy = row_mass @ grid / safe
    cx = col_mass @ grid / safe
    dy = grid[None, :] - cy[:, None]
    dx = grid[None, :] - cx[:, None]
    var_y = (row_mass * dy**2).sum(axis=1) / safe
    cov_xy = np.einsum("nij,ni,nj->n", imgs, dy, dx) / safe
    alpha = np.where(var_y > 1e-6, cov_xy / np.where(var_y > 1e-6, var_y, 1.0), 0.0)
    alpha = np.clip(alpha, -1.0, 1.0)
    blank = mass <= 0
    alpha[blank] = 0.0
    centre = (SIDE - 1) / 2.0
    cy = np.where(blank, centre, cy)
    cx = np.where(blank, centre, cx)

    # Output pixel (r, c) samples the input at (r + cy - centre, c + alpha * (r - centre) + cx - centre).
    src_r = grid[None, :] + (cy - centre)[:, None]  # (n, 28), depends on the output row only
    src_c = (
        grid[None, None, :]
        + (alpha[:, None] * (grid[None, :] - centre))[:, :, None]
        + (cx - centre)[:, None, None]
    )  # (n, 28, 28)
    r0 = np.floor(src_r)
    c0 = np.floor(src_c)
    fr = (src_r - r0)[:, :, None]
    fc = src_c - c0
    r0 = r0.astype(np.int64)[:, :, None]
    c0 = c0.astype(np.int64)

    padded = np.zeros((n, SIDE + 2, SIDE + 2), dtype=np.float32)
    padded[:, 1:-1, 1:-1] = imgs
    idx_n = np.arange(n)[:, None, None]

    def sample(r: np.ndarray, c: np.ndarray) -> np.ndarray:
        r = np.clip(r + 1, 0, SIDE + 1)
        c = np.clip(c + 1, 0, SIDE + 1)
        return padded[idx_n, r, c]

    top = sample(r0, c0) * (1 - fc) + sample(r0, c0 + 1) * fc
    bottom = sample(r0 + 1, c0) * (1 - fc) + sample(r0 + 1, c0 + 1) * fc
    out = top * (1 - fr) + bottom * fr
    return out.reshape(n, SIDE * SIDE).astype(np.float32, copy=False)
