"""MNIST's frame, done to whole batches of 28x28 images as MNIST did it to each digit.

MNIST scaled every digit so its longer side spans 20 pixels and shifted it so its centre of mass sits
on pixel (14, 14). Pictures made from MNIST's digits are put back into that frame with these, so the
model sees them as it sees every digit. Vectorised: no per-image loop.
"""

from __future__ import annotations

import numpy as np

SIDE = 28
BOX = 20.0  # MNIST scales a digit's longer side to this
CENTRE = 14.0  # and puts its centre of mass on this pixel (row and column)

__all__ = ["BOX", "CENTRE", "SIDE", "centre_by_mass", "resample", "sample"]


def resample(imgs: np.ndarray, centre: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Bilinear resampling of each image around ``centre`` (x, y) by ``scale``, into the 28x28 frame."""
    grid = np.arange(SIDE, dtype=np.float64)
    sx = centre[:, 0, None] + (grid[None, :] - CENTRE) / scale[:, None]  # (n, 28) source columns
    sy = centre[:, 1, None] + (grid[None, :] - CENTRE) / scale[:, None]  # (n, 28) source rows
    return sample(imgs, *np.broadcast_arrays(sx[:, None, :], sy[:, :, None]))


def sample(imgs: np.ndarray, sx: np.ndarray, sy: np.ndarray) -> np.ndarray:
    """Bilinear reads of each image at source points ``(sx, sy)`` (n, 28, 28); outside is background.

    The levels stay those of ``imgs``, up to rounding (which can step a hair past 1).
    """
    n = len(imgs)
    x0, y0 = np.floor(sx).astype(np.intp), np.floor(sy).astype(np.intp)
    fx, fy = (sx - x0).astype(np.float32), (sy - y0).astype(np.float32)
    wide = SIDE + 3  # one column of background before the image and two after, and so for rows
    padded = np.zeros((n, wide, wide), dtype=np.asarray(imgs).dtype)
    padded[:, 1 : SIDE + 1, 1 : SIDE + 1] = imgs
    x0, y0 = np.clip(x0 + 1, 0, SIDE + 1), np.clip(y0 + 1, 0, SIDE + 1)
    # Flat indices into the padded batch: one gather per tap instead of three-way fancy indexing.
    at = (np.arange(n)[:, None, None] * wide + y0) * wide + x0
    flat = padded.ravel()
    top = flat[at] * (1 - fx) + flat[at + 1] * fx
    bottom = flat[at + wide] * (1 - fx) + flat[at + wide + 1] * fx
    return (top * (1 - fy) + bottom * fy).astype(np.float32)


def centre_by_mass(imgs: np.ndarray) -> np.ndarray:
    """Shift each image by whole pixels so its centre of mass lands on (14, 14), as MNIST's were."""
    n = len(imgs)
    grid = np.arange(SIDE, dtype=np.float64)
    mass = np.maximum(imgs.sum(axis=(1, 2)), 1e-9)
    cy = (imgs.sum(axis=2) @ grid) / mass
    cx = (imgs.sum(axis=1) @ grid) / mass
    dy = np.round(CENTRE - cy).astype(np.intp)
    dx = np.round(CENTRE - cx).astype(np.intp)
    rows = grid.astype(np.intp)[None, :] - dy[:, None]  # output row r shows source row r - dy
    cols = grid.astype(np.intp)[None, :] - dx[:, None]
    valid = ((rows >= 0) & (rows < SIDE))[:, :, None] & ((cols >= 0) & (cols < SIDE))[:, None, :]
    rows, cols = np.clip(rows, 0, SIDE - 1), np.clip(cols, 0, SIDE - 1)
    out = imgs[np.arange(n)[:, None, None], rows[:, :, None], cols[:, None, :]]
    return np.where(valid, out, 0.0).astype(np.float32)
