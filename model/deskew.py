"""Deskewing: straighten slanted handwriting before a linear model sees it.

Slant is the largest source of variation in handwritten digits that a linear model cannot undo by
itself. Each image is sheared horizontally so that its principal axis is vertical and shifted so its
centre of mass sits in the middle (the classic moment-based deskew of LeCun et al.), with bilinear
interpolation, vectorised over a whole batch.
"""

from __future__ import annotations

import numpy as np

SIDE = 28
_CHUNK = 512
# Zero margins wide enough for the largest shifts: the centre of mass moves the image by at most 14
# rows, and shear plus centring move a row by at most 27 columns.
_PAD_ROWS = 15
_PAD_COLS = 28
_ROW_WEIGHTS = np.stack([np.ones(SIDE), np.arange(SIDE)], axis=1).astype(np.float32)  # (28, 2)


def deskew(images: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Deskew MNIST-format images, shape ``(n, 784)``, returning float32 of the same shape.

    ``out``, if given, is the float32 array of that shape to write them into; it may be ``images``
    itself (each chunk is read before its rows are written).
    """
    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 2 or images.shape[1] != SIDE * SIDE:
        raise ValueError(f"deskew expects shape (n, {SIDE * SIDE}), got {images.shape}")
    if out is None:
        out = np.empty_like(images)
    elif out.shape != images.shape or out.dtype != np.float32:
        raise ValueError(f"out must be float32 of shape {images.shape}, got {out.dtype} {out.shape}")
    for start in range(0, len(images), _CHUNK):
        out[start : start + _CHUNK] = _deskew_chunk(images[start : start + _CHUNK])
    return out


def _deskew_chunk(flat: np.ndarray) -> np.ndarray:
    return _resample(flat, *_parameters(flat))


def deskew_parameters(images: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each image's shear and centre of mass ``(alpha, cy, cx)``: what :func:`deskew` applies.

    With these fixed, deskewing is linear in the pixels (see :func:`deskew_transpose`); they do not
    change when an image is scaled by a positive factor, so ``deskew(t * x) == t * deskew(x)``.
    """
    flat = np.asarray(images, dtype=np.float32).reshape(-1, SIDE * SIDE)
    return _parameters(flat)


def _parameters(flat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = len(flat)
    grid = np.arange(SIDE, dtype=np.float64)
    # Moments in float64 from per-row sums: one small matrix product gives each row's mass and its
    # column-weighted mass, so the image is read once instead of once per moment.
    row_sums = (flat.reshape(n * SIDE, SIDE) @ _ROW_WEIGHTS).reshape(n, SIDE, 2).astype(np.float64)
    row_mass, row_x = row_sums[:, :, 0], row_sums[:, :, 1]  # (n, 28): sum_j I[i, j], sum_j j I[i, j]
    mass = row_mass.sum(axis=1)
    safe = np.where(mass > 0, mass, 1.0)
    cy = row_mass @ grid / safe
    cx = row_x.sum(axis=1) / safe
    dy = grid[None, :] - cy[:, None]
    var_y = (row_mass * dy**2).sum(axis=1) / safe
    cov_xy = (dy * (row_x - cx[:, None] * row_mass)).sum(axis=1) / safe
    alpha = np.where(var_y > 1e-6, cov_xy / np.where(var_y > 1e-6, var_y, 1.0), 0.0)
    alpha = np.clip(alpha, -1.0, 1.0)
    blank = mass <= 0
    alpha[blank] = 0.0
    centre = (SIDE - 1) / 2.0
    cy = np.where(blank, centre, cy)
    cx = np.where(blank, centre, cx)
    return alpha, cy, cx


def _resample(flat: np.ndarray, alpha: np.ndarray, cy: np.ndarray, cx: np.ndarray) -> np.ndarray:
    n = len(flat)
    imgs = flat.reshape(n, SIDE, SIDE)
    grid = np.arange(SIDE, dtype=np.float64)
    centre = (SIDE - 1) / 2.0

    # Output pixel (r, c) samples the input at (r + cy - centre, c + alpha * (r - centre) + cx - centre)
    # bilinearly, reading zero outside the image. The row offset is the same for the whole image and the
    # column offset the same along each output row, so the bilinear sample splits into a vertical blend
    # of two whole rows (one fraction per image) followed by a horizontal blend of two neighbouring
    # columns (one fraction per row): two gathers of contiguous runs instead of four of single pixels.
    oy = cy - centre
    ky = np.floor(oy)
    fy = (oy - ky).astype(np.float32)[:, None, None]
    rows = np.zeros((n, SIDE + 2 * _PAD_ROWS, SIDE), dtype=np.float32)
    rows[:, _PAD_ROWS : _PAD_ROWS + SIDE] = imgs
    # Pixels in [0, 1] keep the offsets inside the margins; the clips only keep other input from
    # indexing outside them.
    first = np.clip(ky.astype(np.intp), -_PAD_ROWS, _PAD_ROWS - 1) + _PAD_ROWS  # top source row, in rows
    window = rows[np.arange(n)[:, None], first[:, None] + np.arange(SIDE + 1)]  # (n, 29, 28)
    vertical = window[:, :-1] * (1 - fy)
    vertical += window[:, 1:] * fy
    cols = np.zeros((n, SIDE, SIDE + 2 * _PAD_COLS), dtype=np.float32)
    cols[:, :, _PAD_COLS : _PAD_COLS + SIDE] = vertical

    ox = alpha[:, None] * (grid[None, :] - centre) + (cx - centre)[:, None]  # (n, 28): per output row
    kx = np.floor(ox)
    fx = (ox - kx).astype(np.float32)[:, :, None]
    runs = np.lib.stride_tricks.sliding_window_view(cols, SIDE + 1, axis=2)  # (n, 28, 57, 29), a view
    start = np.clip(kx.astype(np.intp), -_PAD_COLS, _PAD_COLS - 1) + _PAD_COLS
    picked = runs[np.arange(n)[:, None], np.arange(SIDE)[None, :], start]  # (n, 28, 29)
    out = picked[:, :, :-1] * (1 - fx)
    out += picked[:, :, 1:] * fx
    return out.reshape(n, SIDE * SIDE)


class DeskewMap:
    """The deskew of one image, its parameters ``(alpha, cy, cx)`` fixed, as the linear map ``D`` it is.

    Each deskewed pixel reads up to four drawn pixels bilinearly; the map keeps those taps, so one
    image's deskew and its transpose (carrying a gradient or an attribution back to the drawn pixels)
    are sums over the same few thousand taps, worked out once.
    """

    def __init__(self, alpha: float, cy: float, cx: float) -> None:
        centre = (SIDE - 1) / 2.0
        r = np.arange(SIDE)
        oy = cy - centre
        ky = int(np.floor(oy))
        fy = oy - ky
        ox = alpha * (r - centre) + (cx - centre)  # per output row
        kx = np.floor(ox).astype(np.intp)
        fx = ox - kx
        # The four taps (dy, dx) of every output pixel at once, shape (4, 28, 28).
        dy = np.array([0, 0, 1, 1])[:, None, None]
        dx = np.array([0, 1, 0, 1])[:, None, None]
        src_r = r[None, :, None] + ky + dy
        src_c = r[None, None, :] + kx[None, :, None] + dx
        inside = (src_r >= 0) & (src_r < SIDE) & (src_c >= 0) & (src_c < SIDE)
        row_fx = fx[None, :, None]
        weight = np.where(dy == 0, 1.0 - fy, fy) * np.where(dx == 0, 1.0 - row_fx, row_fx)
        out_index = np.broadcast_to(np.arange(SIDE * SIDE).reshape(1, SIDE, SIDE), inside.shape)
        self._out = out_index[inside]
        self._src = (src_r * SIDE + src_c)[inside]
        self._weight = np.broadcast_to(weight, inside.shape)[inside]

    def apply(self, image: np.ndarray) -> np.ndarray:
        """``D @ image``: the deskewed image (784,), in float64."""
        x = np.asarray(image, dtype=np.float64).ravel()
        return np.bincount(self._out, self._weight * x[self._src], minlength=SIDE * SIDE)

    def transpose(self, gradient: np.ndarray) -> np.ndarray:
        """``D.T @ gradient``: each drawn pixel gets back its share of the deskewed pixels it fed."""
        g = np.asarray(gradient, dtype=np.float64).ravel()
        return np.bincount(self._src, self._weight * g[self._out], minlength=SIDE * SIDE)


def deskew_transpose(gradient: np.ndarray, alpha: float, cy: float, cx: float) -> np.ndarray:
    """``D.T @ gradient`` for the linear map ``D`` that deskews one image with parameters ``(alpha,
    cy, cx)``: carries a gradient (or an attribution weight) on the deskewed pixels back to the
    pixels that were drawn."""
    return DeskewMap(alpha, cy, cx).transpose(gradient)
