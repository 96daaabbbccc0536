"""Pictures that are no digit, made from MNIST's digits, so the model can learn to say so.

A person who draws a letter or a scribble should hear "not a digit", but a classifier that only ever saw
digits names one anyway. Turned or mirrored, most digits stop being digits while keeping the strokes,
curves and corners of handwriting: a mirrored 3 is an E-like shape, a 7 upside down an L, a 3 turned
on its side an m or a w; two digits drawn over each other (one of them turned, perhaps) are a
scribble. Digits that stay digits under a transformation are left out of it (0, 1 and 8 mirrored; 6
and 9 upside down, which swap; 0 and 1 turned on their side).
"""

from __future__ import annotations

import numpy as np

SIDE = 28

__all__ = ["not_digits"]

# (which digits, how to change them): each row makes an equal share of the pictures.
_TRANSFORMS = (
    ((2, 3, 4, 5, 6, 7, 9), "mirror"),
    ((2, 3, 4, 5, 7), "upside down"),
    ((2, 3, 4, 5, 6, 7, 8, 9), "quarter turn left"),
    ((2, 3, 4, 5, 6, 7, 8, 9), "quarter turn right"),
    (tuple(range(10)), "two at once"),
    (tuple(range(10)), "one over a turned one"),
)


def not_digits(X: np.ndarray, y: np.ndarray, count: int, *, seed: int = 0) -> np.ndarray:
    """``count`` pictures (count, 784) made from the digits ``X`` with labels ``y`` that are no digit."""
    images = np.asarray(X, dtype=np.float32).reshape(-1, SIDE, SIDE)
    y = np.asarray(y)
    rng = np.random.default_rng(seed)
    shares = np.diff(np.linspace(0, count, len(_TRANSFORMS) + 1).round().astype(int))
    out = []
    for (digits, how), k in zip(_TRANSFORMS, shares, strict=True):
        pool = np.flatnonzero(np.isin(y, digits))
        if not len(pool) or k == 0:
            continue
        chosen = rng.choice(pool, k, replace=k > len(pool))
        picked = images[chosen]
        if how == "mirror":
            made = picked[:, :, ::-1]
        elif how == "upside down":
            made = picked[:, ::-1, ::-1]
        elif how == "quarter turn left":
            made = np.rot90(picked, 1, axes=(1, 2))
        elif how == "quarter turn right":
            made = np.rot90(picked, 3, axes=(1, 2))
        else:  # over another digit, always of another class: two of a kind can be one digit again
            partner = _partners(y, chosen, pool, rng)
            if partner is None:
                continue
            other = images[partner]
            if how == "one over a turned one":
                other = np.rot90(other, 1, axes=(1, 2))
            made = np.maximum(picked, other)
        out.append(made.reshape(len(made), SIDE * SIDE))
    if not out:
        return np.zeros((0, SIDE * SIDE), np.float32)
    return np.ascontiguousarray(np.concatenate(out))


def _partners(
    y: np.ndarray, chosen: np.ndarray, pool: np.ndarray, rng: np.random.Generator
) -> np.ndarray | None:
    """For each chosen image, another from ``pool`` with a different label (``None`` if there is none)."""
    if len(np.unique(y[pool])) < 2:
        return None
    partner = rng.choice(pool, len(chosen))
    same = y[partner] == y[chosen]
    while same.any():  # a few rounds: each redraw hits the same class with probability about 1/10
        partner[same] = rng.choice(pool, int(same.sum()))
        same = y[partner] == y[chosen]
    return partner
