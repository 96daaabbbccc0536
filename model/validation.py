"""Input checks at the model boundary, with messages that say what was wrong and what to do."""

from __future__ import annotations

import numpy as np

N_PIXELS = 28 * 28


def check_images(X: object, *, name: str = "X") -> np.ndarray:
    """Return ``X`` as float32 of shape ``(n, 784)``, or raise ``ValueError`` explaining the problem.

    A single image (784 values or 28x28) is accepted and becomes one row.
    """
    arr = np.asarray(X)
    if arr.dtype.kind == "c":  # a cast to float would silently drop the imaginary part
        raise ValueError(f"{name} must hold real pixel values, got complex dtype {arr.dtype}")
    if arr.dtype.kind not in "biuf":  # objects, strings, bytes, dates
        raise ValueError(f"{name} must be numeric pixel values, got dtype {arr.dtype}")
    if (arr.ndim == 2 and arr.shape == (28, 28)) or (arr.ndim == 1 and arr.size == N_PIXELS):
        arr = arr.reshape(1, N_PIXELS)
    elif arr.ndim == 3 and arr.shape[1:] == (28, 28):
        arr = arr.reshape(len(arr), N_PIXELS)
    if arr.ndim != 2 or arr.shape[1] != N_PIXELS:
        raise ValueError(
            f"{name} must have shape (n_samples, {N_PIXELS}) (28x28 MNIST images, one per row), "
            f"got shape {np.shape(X)}"
        )
    if len(arr) == 0:
        raise ValueError(f"{name} has no samples; pass at least one image")
    arr = arr.astype(np.float32, copy=False)
    # Two passes instead of three: a NaN makes min and max NaN, and an infinity is out of range.
    low, high = arr.min(), arr.max()
    if not (np.isfinite(low) and np.isfinite(high)):
        raise ValueError(f"{name} contains NaN or infinite values; pixels must be finite")
    if low < 0.0 or high > 1.0:
        raise ValueError(
            f"{name} must hold pixel intensities in [0, 1] (white ink on black, as MNIST), got "
            f"values from {low:g} to {high:g}; divide uint8 images by 255"
        )
    return arr


def check_labels(y: object, n_samples: int) -> np.ndarray:
    """Return ``y`` as a 1-D integer array of length ``n_samples``."""
    arr = np.asarray(y)
    if arr.ndim != 1 or len(arr) != n_samples:
        raise ValueError(
            f"y must be a 1-D array with one label per image ({n_samples}), got shape {arr.shape}"
        )
    if not np.issubdtype(arr.dtype, np.integer):
        if np.issubdtype(arr.dtype, np.floating) and np.all(np.mod(arr, 1) == 0):
            arr = arr.astype(np.int64)
        else:
            raise ValueError(f"y must hold integer digit labels, got dtype {arr.dtype}")
    return arr.astype(np.int64, copy=False)


def check_sample_weight(sample_weight: object, n_samples: int) -> np.ndarray | None:
    if sample_weight is None:
        return None
    w = np.asarray(sample_weight, dtype=np.float64)
    if w.shape != (n_samples,):
        raise ValueError(f"sample_weight must have one weight per image ({n_samples}), got shape {w.shape}")
    if not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
        raise ValueError("sample_weight must be finite, non-negative and not all zero")
    return w
