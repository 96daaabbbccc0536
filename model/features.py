"""The feature map in front of the one-vs-rest model: deskew, PCA, degree-2 products, stroke directions.

A linear model on raw pixels tops out near 92% on MNIST. Deskewing removes slant; projecting onto the
leading principal components keeps the shape information in a few dozen numbers; their pairwise
products let a *linear* classifier draw curved boundaries (a quadratic model), which lifts accuracy
to about 98.5% while the whole map stays a few hundred kilobytes. Histograms of stroke direction per
cell (:mod:`model.orientation`) add what the components blur: a crossbar, a flag, a hooked tail.
Everything is stored in the fitted transformer, so the saved model takes raw MNIST-format pixels.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

from model.base import BaseEstimator, NotFittedError, TransformerMixin
from model.deskew import deskew as deskew_images
from model.orientation import orientation_histograms
from model.threads import MIN_ROWS_PER_THREAD, for_each_row_block, one_blas_thread
from model.validation import N_PIXELS, check_images

MAX_QUADRATIC_COMPONENTS = 100
MAX_ORIENTATIONS = 16
SIDE = 28
CELL = 4  # pixels per side of a stroke-direction cell: 7x7 cells on the 28x28 frame
_ROWS_PER_CHUNK = 4096  # rows projected and expanded at a time: their products stay in the CPU cache
_STATS_ROWS = 256  # rows per chunk when computing column statistics (a float64 copy that fits in cache)


def feature_count(n_components: int | None, degree: int, orientations: int = 0) -> int:
    """How many features a map with these parameters makes (what each digit's model weighs)."""
    k = N_PIXELS if n_components is None else int(n_components)
    count = k + k * (k + 1) // 2 if degree == 2 else k
    return count + (SIDE // CELL) ** 2 * int(orientations)


class MnistFeatureMap(TransformerMixin, BaseEstimator):
    """Raw pixels (n, 784) in [0, 1] -> standardised features for a linear classifier.

    Parameters
    ----------
    deskew : straighten slanted digits first.
    n_components : keep this many principal components (``None`` keeps all 784 pixels).
    degree : 1 for the (projected) pixels alone, 2 to add all pairwise products.
    orientations : append histograms of this many stroke directions in 4x4-pixel cells (0: none).
    """

    def __init__(
        self, deskew: bool = True, n_components: int | None = 40, degree: int = 2, orientations: int = 0
    ) -> None:
        self.deskew = deskew
        self.n_components = n_components
        self.degree = degree
        self.orientations = orientations

    def fit(self, X: object, y: object = None) -> MnistFeatureMap:
        self.fit_transform(X)
        return self

    def fit_transform(
        self,
        X: object,
        y: object = None,
        callback: Callable[[], None] | None = None,
        *,
        copy: bool = True,
    ) -> np.ndarray:
        """Fit the map and return the transformed training data, computing each stage only once.

        ``callback()`` runs between chunks of work so a caller can report progress or abort.
        ``copy=False`` lets the deskew write over ``X`` (an array the caller no longer needs), which
        spares a copy of the whole training set: for a retrain, half a gigabyte the system must first
        hand over.
        """
        self._check_params()
        base = self._base(check_images(X), callback, overwrite=not copy)
        self.mean_ = base.mean(axis=0)
        if self.n_components is None:
            self.components_ = None
        else:
            centred = base[:: max(1, len(base) // 20000)] - self.mean_  # 20k rows pin PCA down
            cov = (centred.T @ centred) / max(len(centred) - 1, 1)
            vectors = _leading_eigenvectors(cov.astype(np.float64), int(self.n_components))
            self.components_ = np.ascontiguousarray(vectors.astype(np.float32))
        raw = self._features(base)
        del base
        mean, std = _column_mean_std(raw)
        self.scale_mean_ = mean.astype(np.float32)
        self.scale_ = (std + 1e-3).astype(np.float32)
        self.n_features_in_ = N_PIXELS
        self.n_features_out_ = raw.shape[1]
        raw -= self.scale_mean_
        raw /= self.scale_
        return raw

    def transform(self, X: object) -> np.ndarray:
        if not hasattr(self, "mean_"):
            raise NotFittedError("This MnistFeatureMap is not fitted yet; call fit first")
        raw = self._features(self._base(check_images(X)))
        raw -= self.scale_mean_
        raw /= self.scale_
        return raw

    @property
    def in_pixel_space(self) -> bool:
        """True when each output feature is one pixel, so learned weights can be drawn as images."""
        return self.n_components is None and self.degree == 1 and not self.orientations

    def describe(self) -> str:
        """A short human description, for the status bar and the weights view."""
        parts = ["deskew"] if self.deskew else []
        parts.append("pixels" if self.n_components is None else f"PCA {self.n_components}")
        if self.degree == 2:
            parts.append("pairwise products")
        if self.orientations:
            parts.append(f"{self.orientations} stroke directions")
        return " + ".join(parts)

    def _check_params(self) -> None:
        if self.degree not in (1, 2):
            raise ValueError(f"degree must be 1 or 2, got {self.degree!r}")
        if not 0 <= int(self.orientations) <= MAX_ORIENTATIONS:
            raise ValueError(
                f"orientations must be between 0 and {MAX_ORIENTATIONS}, got {self.orientations}"
            )
        if self.n_components is not None and not 1 <= int(self.n_components) <= N_PIXELS:
            raise ValueError(f"n_components must be between 1 and {N_PIXELS}, got {self.n_components}")
        limit = MAX_QUADRATIC_COMPONENTS
        if self.degree == 2 and (self.n_components is None or self.n_components > limit):
            raise ValueError(
                f"degree=2 needs n_components of at most {limit} (the products grow with its square); "
                f"got {self.n_components}"
            )

    def _base(
        self, X: np.ndarray, callback: Callable[[], None] | None = None, overwrite: bool = False
    ) -> np.ndarray:
        if not self.deskew:
            return X
        if len(X) < MIN_ROWS_PER_THREAD and callback is None:  # a drawing read live: no threads
            return deskew_images(X)
        out = X if overwrite and X.flags.writeable else np.empty_like(X)

        def work(rows: slice) -> None:
            deskew_images(X[rows], out=out[rows])

        for_each_row_block(len(X), work, step=5 * _ROWS_PER_CHUNK, between=callback, align=_ROWS_PER_CHUNK)
        return out

    def _features(self, base: np.ndarray) -> np.ndarray:
        """The unscaled features of (deskewed) images: components and products, then directions.

        All of them are written into one array, a block of rows per thread when there are many (a
        retrain, which runs in a process of its own): gluing the directions on afterwards copied the
        whole feature matrix (600 MB for a full retrain).
        """
        n_directions = (SIDE // CELL) ** 2 * int(self.orientations)
        k = N_PIXELS if self.components_ is None else self.components_.shape[1]
        n_polynomial = k + (k * (k + 1) // 2 if self.degree == 2 else 0)
        out = np.empty((len(base), n_polynomial + n_directions), dtype=np.float32)

        def work(rows: slice) -> None:
            self._expand(self._project(base[rows]), out[rows, :n_polynomial])
            if n_directions:
                orientation_histograms(base[rows], int(self.orientations), CELL, out=out[rows, n_polynomial:])

        if len(base) < MIN_ROWS_PER_THREAD:
            work(slice(0, len(base)))
        else:
            for_each_row_block(len(base), work, align=_ROWS_PER_CHUNK)  # the same chunks as one thread
        return out

    def _project(self, base: np.ndarray) -> np.ndarray:
        if self.components_ is None:
            return base - self.mean_
        # Chunk by chunk: the same numbers as ``(base - mean_) @ components_`` without a centred copy
        # of the whole data set.
        out = np.empty((len(base), self.components_.shape[1]), dtype=np.float32)
        for start in range(0, len(base), _ROWS_PER_CHUNK):
            chunk = base[start : start + _ROWS_PER_CHUNK] - self.mean_
            np.matmul(chunk, self.components_, out=out[start : start + _ROWS_PER_CHUNK])
        return out

    def _expand(self, P: np.ndarray, out: np.ndarray) -> None:
        """``P`` and (degree 2) its pairwise products, written into ``out``."""
        k = P.shape[1]
        out[:, :k] = P
        if self.degree == 1:
            return
        rows, cols = _pairs(k)
        if len(P) <= 64:  # a few images (live prediction): two gathers beat a loop of k calls
            out[:, k : k + len(rows)] = P[:, rows] * P[:, cols]
            return
        # Products x_i * x_j (j >= i) in the order of ``np.triu_indices``, one column block per i and a
        # chunk of rows at a time: the same numbers as the gathers above, several times faster on the
        # whole of MNIST because no (n, k^2 / 2) temporaries are made.
        for start in range(0, len(P), _ROWS_PER_CHUNK):
            p = P[start : start + _ROWS_PER_CHUNK]
            o = out[start : start + _ROWS_PER_CHUNK]
            pos = k
            for i in range(k):
                np.multiply(p[:, i : i + 1], p[:, i:], out=o[:, pos : pos + k - i])
                pos += k - i


def _column_mean_std(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each column's mean and standard deviation, in float64, a chunk of rows at a time.

    ``X.std(axis=0)`` would first make a centred copy of the whole matrix (206 MB on MNIST). Chunks
    are combined with Chan et al.'s pairwise update, which stays accurate for any number of rows.
    """
    count = 0
    mean = np.zeros(X.shape[1])
    m2 = np.zeros(X.shape[1])  # sum of squared deviations from the mean
    for start in range(0, len(X), _STATS_ROWS):
        chunk = X[start : start + _STATS_ROWS].astype(np.float64)
        n = len(chunk)
        chunk_mean = chunk.mean(axis=0)
        chunk -= chunk_mean
        chunk_m2 = np.einsum("ij,ij->j", chunk, chunk)
        delta = chunk_mean - mean
        total = count + n
        mean += delta * (n / total)
        m2 += chunk_m2 + delta**2 * (count * n / total)
        count = total
    return mean, np.sqrt(m2 / max(count, 1))


@functools.lru_cache(maxsize=4)  # bounded: a few feature-map sizes are in use at a time
def _pairs(k: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.triu_indices(k)``, kept: building it costs more than expanding one image."""
    rows, cols = np.triu_indices(k)
    rows.flags.writeable = cols.flags.writeable = False
    return rows, cols


def _leading_eigenvectors(cov: np.ndarray, count: int) -> np.ndarray:
    """The ``count`` leading eigenvectors of a covariance matrix, largest first, with fixed signs.

    LAPACK's eigensolver makes many small, synchronised BLAS calls; with two threads on a busy
    machine it was seen to take seconds instead of a quarter of one, so it runs on one thread. Each
    vector's sign is fixed (largest entry positive), because the solver's sign depends on the thread
    count and the features should not.
    """
    with one_blas_thread():
        _, vectors = np.linalg.eigh(cov)
    vectors = vectors[:, ::-1][:, :count]
    biggest = np.abs(vectors).argmax(axis=0)
    signs = np.sign(vectors[biggest, np.arange(vectors.shape[1])])
    return vectors * np.where(signs == 0, 1.0, signs)
