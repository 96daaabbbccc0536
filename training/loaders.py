"""Loaders of MNIST's parts the app's windows evaluate and train on, handed to them unopened.

Each loader is a function to call later, in a worker thread: the evaluation and weights windows load
the 10,000 test digits, the step-through its zeros and ones. Each takes ``progress`` and ``cancel``
as :func:`training.data.load_mnist` does, so loading (or downloading) shows and stops when asked.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np

from training.progress import CancelFlag, ProgressCallback

TestData = tuple[np.ndarray, np.ndarray]  # X_test, y_test
ZeroOneData = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # X_train, y_train, X_test, y_test
Loader = Callable[..., Any]


def mnist_test_set(
    data_dir: str | os.PathLike[str] | None = None, download: bool = False
) -> Callable[..., TestData]:
    """A loader of the MNIST test images and labels.

    With ``download`` it fetches MNIST when it is not on the computer. The loader carries
    ``reports_progress = True``: callers pass it ``progress`` and ``cancel``.
    """

    def load(progress: ProgressCallback | None = None, cancel: CancelFlag | None = None) -> TestData:
        from training.data import load_mnist

        _, _, X_test, y_test = load_mnist(data_dir, download=download, progress=progress, cancel=cancel)
        return X_test, y_test

    load.reports_progress = True  # type: ignore[attr-defined]
    return load


def mnist_zeros_and_ones(
    data_dir: str | os.PathLike[str] | None = None, download: bool = False
) -> Callable[..., ZeroOneData]:
    """A loader of MNIST's zeros and ones, training and test, for the 0-vs-1 model's descent."""

    def load(progress: ProgressCallback | None = None, cancel: CancelFlag | None = None) -> ZeroOneData:
        from training.data import load_mnist
        from training.train import select_kind_data

        X_train, y_train, X_test, y_test = load_mnist(
            data_dir, download=download, progress=progress, cancel=cancel
        )
        return (*select_kind_data("binary", X_train, y_train), *select_kind_data("binary", X_test, y_test))

    load.reports_progress = True  # type: ignore[attr-defined]
    return load
