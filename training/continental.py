"""Continental forms of 1, 7 and 9, drawn onto MNIST's own digits.

MNIST's writers were American: their 1s are a bare stroke, their 7s have no crossbar and their 9s end in
a straight tail. Much of the world writes a 1 with a long flag, crosses its 7s and hooks the tail of its
9s, and a model that never saw those forms reads them as 7, 2 and 3. So each MNIST 1, 7 and 9 is given
that mark, drawn with the digit's own stroke width where its geometry says it goes (the top of the 1,
the 7's stem anywhere from its middle down, the end of the 9's tail), and the result is brought back
into MNIST's frame as MNIST itself did: the longer side scaled to 20 pixels and the centre of mass put
at the centre. Every other hooked 9 also has its tail swept to the left along its whole length, the
small-headed, curved 9 that otherwise reads as a 3.

Everything is vectorised over the batch; marks are drawn as anti-aliased capsules by their distance to
each pixel, so no picture goes through Pillow one at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from model.threads import MIN_ROWS_PER_THREAD, row_parallel
from training.mnist_frame import BOX, CENTRE, SIDE, centre_by_mass, resample, sample

INK = 0.5  # what counts as ink when measuring a digit's geometry
_CHUNK = 2048

__all__ = ["CONTINENTAL_DIGITS", "continental_forms"]

CONTINENTAL_DIGITS = (1, 7, 9)


def continental_forms(
    X: np.ndarray, y: np.ndarray, *, per_digit: int = 2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """``per_digit`` marked copies of every 1, 7 and 9 in ``X`` (n, 784), with their labels.

    The marks vary at random (seeded): flag length and angle, with a foot now and then; crossbar height,
    length and tilt; hook size and turn, or a tail that runs off to the left, and in every second copy
    of a 9 a tail curved to the left (:func:`_swept`). Digits whose geometry cannot carry the mark (no
    ink where it would attach) are left out.
    """
    X = np.asarray(X, dtype=np.float32).reshape(-1, SIDE * SIDE)
    y = np.asarray(y)
    rng = np.random.default_rng(seed)
    marks = ((1, _flag), (7, _crossbar), (9, _hook))
    pieces = [
        (digit, X[source[at : at + _CHUNK]].reshape(-1, SIDE, SIDE))
        for digit, _ in marks
        for source in [np.flatnonzero(y == digit)]
        for at in range(0, len(source), _CHUNK)
    ]
    # The geometry (measured once for all the copies) and the drawing are the heavy parts and run on
    # threads; the marks draw their random numbers in between, in one fixed order, so the pictures do
    # not depend on the number of threads.
    measured = list(zip(pieces, _in_parallel(lambda piece: _Geometry(piece[1]), pieces), strict=True))
    jobs = [
        (chunk, g, mark(g, rng), digit, rng.random((len(chunk), 3)) if digit == 9 and copy % 2 else None)
        for digit, mark in marks
        for copy in range(per_digit)
        for (of, chunk), g in measured
        if of == digit
    ]
    if not jobs:
        return np.zeros((0, SIDE * SIDE), np.float32), np.zeros(0, dtype=y.dtype)
    images = _in_parallel(lambda job: _swept(_drawn(*job[:3]), job[4]), jobs)
    labels = [np.full(len(image), job[3], dtype=y.dtype) for image, job in zip(images, jobs, strict=True)]
    return np.concatenate(images).reshape(-1, SIDE * SIDE), np.concatenate(labels)


def _in_parallel(work: Callable[[Any], Any], items: list) -> list:
    """``[work(item) for item in items]``, the items shared out over threads one at a time.

    Each item is a chunk of 2,048 pictures, as much as a thread's share of rows elsewhere.
    """
    with row_parallel(len(items) * MIN_ROWS_PER_THREAD) as (pool, _):
        return list(map(work, items) if pool is None else pool.map(work, items))


# ------------------------------------------------------------------------------------- geometry


class _Geometry:
    """What the marks attach to, per image: the ink's box, stroke width and principal direction."""

    def __init__(self, imgs: np.ndarray) -> None:
        self.imgs = imgs
        ink = imgs > INK
        rows, cols = ink.any(axis=2), ink.any(axis=1)
        self.ok = rows.any(axis=1)
        self.top = rows.argmax(axis=1)
        self.bottom = SIDE - 1 - rows[:, ::-1].argmax(axis=1)
        self.left = cols.argmax(axis=1)
        self.right = SIDE - 1 - cols[:, ::-1].argmax(axis=1)
        self.height = (self.bottom - self.top).astype(np.float64)
        self.width = (self.right - self.left).astype(np.float64)
        self.stroke = _stroke_width(imgs)
        self.ink = ink

    def ink_centre_in_row(self, row: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The middle of the ink in one row per image (``row`` rounded and clipped), and whether any."""
        r = np.clip(np.round(row).astype(np.intp), 0, SIDE - 1)
        line = self.ink[np.arange(len(r)), r].astype(np.float64)
        count = line.sum(axis=1)
        x = line @ np.arange(SIDE, dtype=np.float64) / np.maximum(count, 1)
        return x, count > 0

    def axis_angle(self) -> np.ndarray:
        """The principal axis's angle below the horizontal, going down and to the left (degrees)."""
        w = self.ink.astype(np.float64)
        grid = np.arange(SIDE, dtype=np.float64)
        mass = np.maximum(w.sum(axis=(1, 2)), 1)
        my = (w.sum(axis=2) @ grid) / mass
        mx = (w.sum(axis=1) @ grid) / mass
        dy = grid[None, :, None] - my[:, None, None]
        dx = grid[None, None, :] - mx[:, None, None]
        cxx = (w * dx * dx).sum(axis=(1, 2))
        cyy = (w * dy * dy).sum(axis=(1, 2))
        cxy = (w * dx * dy).sum(axis=(1, 2))
        theta = 0.5 * np.arctan2(2 * cxy, cxx - cyy)  # the major axis, in image coordinates
        vx, vy = np.cos(theta), np.sin(theta)
        flip = vy < 0
        vx, vy = np.where(flip, -vx, vx), np.where(flip, -vy, vy)
        return np.degrees(np.arctan2(vy, -vx))


def _stroke_width(imgs: np.ndarray) -> np.ndarray:
    """Ink area over half the outline length (see :func:`model.preprocess.estimate_stroke_width`)."""
    padded = np.pad(imgs.astype(np.float64), ((0, 0), (1, 1), (1, 1)))
    gy, gx = np.gradient(padded, axis=(1, 2))
    outline = np.sqrt(gx * gx + gy * gy).sum(axis=(1, 2))
    area = padded.sum(axis=(1, 2))
    return np.where(outline > 0, 2 * area / np.maximum(outline, 1e-9), 1.0)


# ----------------------------------------------------------------------------------------- marks
# Each returns polylines of shape (n, points, 2) in (x, y) pixels, and which images can carry them.


def _flag(g: _Geometry, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    n = len(g.imgs)
    y_top = g.top + g.stroke / 2
    x_top, ok = g.ink_centre_in_row(y_top)
    length = g.height * rng.uniform(0.2, 0.7, n)
    angle = np.radians(np.clip(g.axis_angle() - rng.uniform(30, 85, n), -5, 60))
    end = np.stack([x_top - length * np.cos(angle), y_top + length * np.sin(angle)], axis=1)
    start = np.stack([x_top, y_top], axis=1)
    path = np.stack([end, start, start], axis=1)  # a flag, then (below) perhaps a foot
    y_foot = g.bottom - g.stroke / 2
    x_foot, has_foot = g.ink_centre_in_row(y_foot)
    foot = (rng.random(n) < 0.25) & has_foot
    half = g.height * rng.uniform(0.15, 0.3, n)
    feet = np.stack(
        [np.stack([x_foot - half, y_foot], axis=1), np.stack([x_foot + half, y_foot], axis=1)], axis=1
    )
    # A foot is a second polyline; without one it collapses onto the flag's start (draws nothing new).
    second = np.where(foot[:, None, None], feet, np.stack([start, start], axis=1))
    return np.concatenate([path, second], axis=1), ok, np.array([3, 5])


def _crossbar(g: _Geometry, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    n = len(g.imgs)
    y = g.top + g.height * rng.uniform(0.45, 0.8, n)  # many cross low on the stem
    x, ok = g.ink_centre_in_row(y)
    left = g.width * rng.uniform(0.18, 0.38, n)
    right = g.width * rng.uniform(0.18, 0.38, n)
    tilt = np.tan(np.radians(rng.uniform(-8, 8, n)))
    ends = [np.stack([x - left, y + left * tilt], axis=1), np.stack([x + right, y - right * tilt], axis=1)]
    path = np.stack(ends, axis=1)
    return path, ok, np.array([2])


_HOOK_POINTS = 8


def _hook(g: _Geometry, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    n = len(g.imgs)
    y0 = g.bottom - g.stroke / 2
    x0, ok = g.ink_centre_in_row(y0)
    # A round hook: an arc that leaves the tail going down and turns left (and up) ...
    radius = g.height * rng.uniform(0.14, 0.35, n)
    turn = np.radians(rng.uniform(110, 210, n))
    phase = np.linspace(0.0, 1.0, _HOOK_POINTS)[None, :] * turn[:, None]
    arc = np.stack(
        [x0[:, None] - radius[:, None] * (1 - np.cos(phase)), y0[:, None] + radius[:, None] * np.sin(phase)],
        axis=2,
    )
    # ... or, three times in ten, a tail that turns and runs off to the left.
    length = g.height * rng.uniform(0.25, 0.5, n)
    drop = g.height * rng.uniform(0.03, 0.12, n)
    bend = np.stack(
        [
            np.stack([x0, y0], axis=1),
            np.stack([x0 - 0.3 * length, y0 + drop], axis=1),
            np.stack([x0 - length, y0 + 0.5 * drop], axis=1),
        ],
        axis=1,
    )
    bend = np.concatenate([bend, np.repeat(bend[:, -1:], _HOOK_POINTS - 3, axis=1)], axis=1)
    straight = rng.random(n) < 0.3
    return np.where(straight[:, None, None], bend, arc), ok, np.array([_HOOK_POINTS])


# ------------------------------------------------------------------------------------- drawing


def _drawn(imgs: np.ndarray, g: _Geometry, marked: tuple[np.ndarray, np.ndarray, np.ndarray]) -> np.ndarray:
    """The images with their mark, rescaled into MNIST's box and centred by mass; unfit ones dropped."""
    path, ok, ends = marked
    keep = ok & g.ok
    imgs, path, stroke = imgs[keep], path[keep], g.stroke[keep]
    if not len(imgs):
        return np.zeros((0, SIDE, SIDE), np.float32)
    lo = np.minimum(np.stack([g.left[keep], g.top[keep]], axis=1), path.min(axis=1) - stroke[:, None] / 2)
    hi = np.maximum(np.stack([g.right[keep], g.bottom[keep]], axis=1), path.max(axis=1) + stroke[:, None] / 2)
    scale = BOX / np.maximum((hi - lo).max(axis=1) + 1, 1)  # + 1: a box of pixels, not of centres
    centre = (lo + hi) / 2
    # Output pixel p shows source point centre + (p - CENTRE) / scale.
    drawn = resample(imgs, centre, scale)
    strokes = (path - centre[:, None, :]) * scale[:, None, None] + CENTRE
    drawn = np.maximum(drawn, _capsules(strokes, ends, stroke * scale))
    return centre_by_mass(drawn)


def _swept(imgs: np.ndarray, u: np.ndarray | None) -> np.ndarray:
    """The 9s ``imgs`` (n, 28, 28) with the tail curved to the left along its length, in MNIST's frame.

    Below a point between a third and a half of the way down (under the loop), each row moves left by
    ``amount * depth ** power``, where depth runs from 0 there to 1 at the bottom: the tail sweeps left
    more and more, as a pen that starts the tail straight down and ends it in a curve. ``u`` holds
    three uniform numbers per image (where the sweep starts, how far, how curved); ``None`` leaves the
    images as they are.
    """
    if u is None or not len(imgs):
        return imgs
    u = u[: len(imgs)]
    g = _Geometry(imgs)
    height = np.maximum(g.height, 1.0)
    start = g.top + height * (0.35 + 0.2 * u[:, 0])
    depth = np.maximum(g.bottom - start, 1.0)
    amount = height * (0.3 + 0.5 * u[:, 1])
    power = 1.5 + 1.5 * u[:, 2]

    def shift(rows: np.ndarray) -> np.ndarray:  # rows (n, ...) -> how far left each moves
        at = (slice(None),) + (None,) * (rows.ndim - 1)
        down = np.clip((rows - start[at]) / depth[at], 0.0, None)
        return amount[at] * down ** power[at]

    grid = np.arange(SIDE, dtype=np.float64)
    moved = grid[None, None, :] - shift(np.broadcast_to(grid, (len(imgs), SIDE)))[:, :, None]
    edge = imgs > 0.1  # the box is measured on the faint edge too: sheared strokes spread sideways
    left = np.where(edge, moved, np.inf).min(axis=(1, 2), initial=np.inf)
    right = np.where(edge, moved, -np.inf).max(axis=(1, 2), initial=-np.inf)
    faint = ~np.isfinite(left)  # no pixel above INK: nothing to measure, the picture stays put
    left, right = np.where(faint, g.left, left), np.where(faint, g.right, right)
    amount[faint] = 0.0
    lo = np.stack([left, g.top], axis=1)
    hi = np.stack([right, g.bottom.astype(np.float64)], axis=1)
    scale = BOX / np.maximum((hi - lo).max(axis=1) + 1, 1)
    centre = (lo + hi) / 2
    # Output pixel p shows the swept picture's point centre + (p - CENTRE) / scale, which is the
    # source point moved back right by the shift of its row.
    qx = centre[:, 0, None, None] + (grid[None, None, :] - CENTRE) / scale[:, None, None]
    qy = centre[:, 1, None, None] + (grid[None, :, None] - CENTRE) / scale[:, None, None]
    qx, qy = np.broadcast_arrays(qx, qy)
    return centre_by_mass(np.clip(sample(imgs, qx + shift(qy), qy), 0.0, 1.0))


def _capsules(points: np.ndarray, ends: np.ndarray, width: np.ndarray) -> np.ndarray:
    """Anti-aliased round-capped polylines: ink = coverage of each pixel by a line ``width`` wide.

    ``points`` is (n, k, 2); ``ends`` says where each polyline ends (exclusive indices into k), so a
    second polyline can follow the first without a segment joining them.
    """
    n = len(points)
    grid = np.arange(SIDE, dtype=np.float32)
    px = grid[None, None, :]
    py = grid[None, :, None]
    best = np.full((n, SIDE, SIDE), np.inf, dtype=np.float32)
    begin = 0
    for end in ends:
        for i in range(begin, end - 1):
            a = points[:, i].astype(np.float32)
            b = points[:, i + 1].astype(np.float32)
            d = b - a
            length2 = np.maximum((d * d).sum(axis=1), 1e-9)[:, None, None]
            ax, ay = a[:, 0, None, None], a[:, 1, None, None]
            t = ((px - ax) * d[:, 0, None, None] + (py - ay) * d[:, 1, None, None]) / length2
            np.clip(t, 0.0, 1.0, out=t)
            ex = px - (ax + t * d[:, 0, None, None])
            ey = py - (ay + t * d[:, 1, None, None])
            np.minimum(best, np.sqrt(ex * ex + ey * ey), out=best)
        begin = end
    half = (width / 2).astype(np.float32)[:, None, None]
    return np.clip(half - best + 0.5, 0.0, 1.0)
