"""Where the evaluation's MNIST test digits come from when the person picks: a download, or a folder.

Both the "MNIST is needed" question and the evaluation window's buttons after a failure hand the
window one of these loaders (see :mod:`training.loaders`), so a retry runs exactly as the first try.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from training.loaders import TestData, mnist_test_set

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from training.progress import CancelFlag, ProgressCallback


def downloaded_test_set() -> Callable[..., TestData]:
    """A loader that downloads MNIST into the cache, then loads its test set from there.

    Files already in the cache and intact are kept and damaged ones fetched again, so this also
    repairs a damaged cache, which a plain "download if missing" would find and fail on every time.
    """

    def load(progress: ProgressCallback | None = None, cancel: CancelFlag | None = None) -> TestData:
        from model.paths import user_cache_dir
        from training import download  # looked up at call time: tests serve it from a local mirror

        folder = download.download_mnist(user_cache_dir() / "mnist", progress=progress, cancel=cancel)
        return mnist_test_set(folder)(progress=progress, cancel=cancel)

    load.reports_progress = True  # type: ignore[attr-defined]
    load.downloads = True  # type: ignore[attr-defined]  # a failure of it is a failed download
    return load


def loader_for(folder: Path | None, download: bool) -> Callable[..., TestData]:
    """The loader for the person's answer: downloaded (``download``) or read from ``folder``."""
    return downloaded_test_set() if download else mnist_test_set(folder)
