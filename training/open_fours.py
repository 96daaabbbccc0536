"""Open 4s whose right stem starts at the crossbar, made from MNIST's own 4s.

Many people write a 4 in one movement: down, across, and then a short stem down from the crossbar,
with nothing of the stem above it. MNIST's 4s nearly all carry the stem up past the crossbar, and a
model that never saw the short-stemmed form reads it as a 6 (it was the second most common mistake on
the pen writers of ``pendigits``). Each picked MNIST 4 loses the part of its right stem above the
crossbar: in every row above the crossbar that holds two separate runs of ink (the left stroke and the
stem), the right-hand run is erased, and so is a lone run above those that starts where the stem was.
The picture is then centred by mass again, as MNIST's are. A 4 with too few such rows, or closed at the
top (a run of ink there joins the left stroke to the stem), is left out.
"""

from __future__ import annotations

import numpy as np

from training.mnist_frame import SIDE, centre_by_mass

INK = 0.35  # what counts as ink when finding the runs of a row
MIN_ROWS = 3  # rows with a separate stem above the crossbar, for a 4 to count as open
_CHUNK = 4096

__all__ = ["open_fours"]


def open_fours(X: np.ndarray, y: np.ndarray, *, share: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Short-stemmed copies of at most a ``share`` of the 4s in ``X`` (n, 784): every 4 for 1, every
    second for 0.5, and so on, picked evenly in order so the result is the same on every run, less the
    picked 4s that are closed or have no stem to take away. Returns the pictures (m, 784) float32 and
    their labels."""
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"share must be between 0 and 1, got {share}")
    X = np.asarray(X, dtype=np.float32).reshape(-1, SIDE * SIDE)
    y = np.asarray(y)
    fours = np.flatnonzero(y == 4)
    picked = fours[np.floor(np.arange(round(share * len(fours))) / max(share, 1e-12)).astype(np.intp)]
    out = [
        _without_upper_stem(X[picked[at : at + _CHUNK]].reshape(-1, SIDE, SIDE))
        for at in range(0, len(picked), _CHUNK)
    ]
    images = np.concatenate(out) if out else np.zeros((0, SIDE, SIDE), np.float32)
    return images.reshape(-1, SIDE * SIDE), np.full(len(images), 4, dtype=y.dtype)


def _without_upper_stem(imgs: np.ndarray) -> np.ndarray:
    """The open 4s among ``imgs`` (n, 28, 28) with the stem above the crossbar erased."""
    n = len(imgs)
    if not n:
        return np.zeros((0, SIDE, SIDE), np.float32)
    ink = imgs > INK
    any_row = ink.any(axis=2)
    top = any_row.argmax(axis=1)
    bottom = SIDE - 1 - any_row[:, ::-1].argmax(axis=1)
    height = bottom - top
    r = np.arange(SIDE)[None, :]
    # The crossbar: the inkiest row between 30% and 80% of the way down the digit.
    band = (r >= (top + 0.3 * height)[:, None]) & (r <= (top + 0.8 * height)[:, None])
    bar = np.where(band, imgs.sum(axis=2), -1.0).argmax(axis=1)
    above = r < (bar - 1)[:, None]
    # Runs of ink along each row: where they start, how many, and which run each pixel is in.
    starts = ink & ~np.concatenate([np.zeros((n, SIDE, 1), bool), ink[:, :, :-1]], axis=2)
    runs = starts.sum(axis=2)
    run_of = np.cumsum(starts, axis=2) * ink
    last_start = SIDE - 1 - starts[:, :, ::-1].argmax(axis=2)
    before_last = run_of == (runs - 1)[:, :, None]
    before_end = SIDE - 1 - before_last[:, :, ::-1].argmax(axis=2)
    two = (runs >= 2) & above
    cut = np.ceil((before_end + last_start) / 2).astype(np.intp)  # halfway across the gap
    # Above the highest two-run row the stem may go on alone: carry the nearest cut below upwards and
    # erase a lone run that starts right of it.
    carried = np.where(two, cut, -1)
    for row in range(SIDE - 2, -1, -1):
        carried[:, row] = np.where(carried[:, row] >= 0, carried[:, row], carried[:, row + 1])
    first_start = starts.argmax(axis=2)
    alone = (runs == 1) & above & (carried >= 0) & (first_start >= carried)
    # A lone run that reaches across the cut joins the left stroke to the stem: the top is closed.
    last_ink = SIDE - 1 - ink[:, :, ::-1].argmax(axis=2)
    closed = ((runs == 1) & above & (carried >= 0) & (first_start < carried) & (last_ink >= carried)).any(
        axis=1
    )
    cut = np.where(two, cut, carried)
    wipe = (two | alone)[:, :, None] & (np.arange(SIDE)[None, None, :] >= cut[:, :, None])
    opened = np.where(wipe, np.float32(0), imgs).astype(np.float32)
    keep = (two.sum(axis=1) >= MIN_ROWS) & ~closed
    return centre_by_mass(opened[keep])
