"""The made-up digits of the last retrain, kept in the cache folder so the next retrain need not draw them.

Drawing the continental forms and the open 4s is a few seconds of every retrain, and what it draws
depends only on MNIST's training digits and on the code that draws them. So the pictures are stored
(as 8-bit greys, the precision MNIST itself has: :func:`training.train.made_up_digits` rounds them so
whether they came from here or were just drawn makes no difference) under a key made of both. One file
is kept; a missing, stale, damaged or oversized one is simply drawn again. It holds numbers only and is
read without pickle, so a file put there by someone else can at worst cost a redraw.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import inspect
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from model.atomic import atomic_path
from model.paths import user_cache_dir

FILE_NAME = "made-up-digits.npz"
MAX_BYTES = 256 * 2**20  # the file for all of MNIST is about 35 MB
# The code whose source goes into the key: a change to any of it draws different pictures.
DRAWING_MODULES = ("training.continental", "training.open_fours", "training.mnist_frame")

Drawing = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def cached_made_up_digits(
    X: np.ndarray, y: np.ndarray, draw: Drawing, *, settings: object = (), folder: Path | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """``draw(X, y)``, from the cache file when it holds the pictures of this ``X``, ``y``, ``draw`` and
    ``settings`` (anything else that changes them, such as how many copies to make), else drawn and
    stored. ``draw`` must return pictures in [0, 1] that are whole multiples of 1/255."""
    key = _key(X, y, draw, settings)
    if key is None:  # the code cannot be read (a frozen bundle): no key to trust, so no cache
        return draw(X, y)
    path = (user_cache_dir() if folder is None else folder) / FILE_NAME
    found = _read(path, key)
    if found is not None:
        return found[0], found[1].astype(np.asarray(y).dtype, copy=False)
    images, labels = draw(X, y)
    with contextlib.suppress(OSError):  # a full or read-only disk costs the next retrain a redraw
        _write(path, key, images, labels)
    return images, labels


def _key(X: np.ndarray, y: np.ndarray, draw: Drawing, settings: object) -> str | None:
    digest = hashlib.sha256()
    try:
        for name in DRAWING_MODULES:
            digest.update(inspect.getsource(importlib.import_module(name)).encode())
        digest.update(inspect.getsource(draw).encode())
    except (OSError, TypeError):
        return None
    X = np.ascontiguousarray(X, dtype=np.float32)
    y = np.ascontiguousarray(y, dtype=np.int64)
    digest.update(repr((X.shape, y.shape, settings, np.__version__)).encode())
    digest.update(memoryview(X).cast("B"))
    digest.update(memoryview(y).cast("B"))
    return digest.hexdigest()


def _read(path: Path, key: str) -> tuple[np.ndarray, np.ndarray] | None:
    try:
        if path.stat().st_size > MAX_BYTES:
            return None
        with np.load(path, allow_pickle=False) as npz:
            if str(npz["key"]) != key:
                return None
            images, labels = npz["images"], npz["labels"]
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):  # missing, truncated, not ours
        return None
    if (
        images.dtype != np.uint8
        or labels.dtype != np.int64
        or images.ndim != 2
        or images.shape[1] != 784
        or labels.shape != (len(images),)
    ):
        return None
    return images.astype(np.float32) / np.float32(255), labels


def _write(path: Path, key: str, images: np.ndarray, labels: np.ndarray) -> None:
    grey = np.round(np.asarray(images, dtype=np.float32) * 255)
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        np.savez(fh, key=np.array(key), images=grey.astype(np.uint8), labels=labels.astype(np.int64))
