"""A failed retrain in the Retrain dialog's words (app.retrain.failure.retrain_failure): it points at
the dialog's Data box and download choice, never at another window's buttons."""

from __future__ import annotations

import signal

from app.retrain.failure import retrain_failure
from training.child_process import ChildProcessFailed
from training.data import MnistDataError, MnistNotFoundError
from training.progress import Cancelled


def test_missing_mnist_points_at_the_data_box(tmp_path) -> None:
    message = retrain_failure(MnistNotFoundError("x"), data_dir=tmp_path)
    assert str(tmp_path) in message and "has none of the four MNIST files" in message
    assert "under Data" in message and "Download from the internet" in message
    assert "Model > Evaluate" not in message


def test_a_damaged_file_offers_another_folder_or_a_fresh_copy(tmp_path) -> None:
    message = retrain_failure(MnistDataError("The MNIST file t10k-images is damaged.", tmp_path))
    assert message.startswith("The MNIST file t10k-images is damaged.")
    assert "download a fresh copy" in message


def test_the_rest() -> None:
    assert retrain_failure(Cancelled()).startswith("Training was cancelled")
    assert "memory ran out" in retrain_failure(ChildProcessFailed("killed", -signal.SIGKILL))
    assert retrain_failure(MemoryError()).startswith("Training ran out of memory")
    assert retrain_failure(ValueError("alpha must be positive")).startswith("The settings were rejected")
    assert retrain_failure(PermissionError(13, "Permission denied")).startswith(
        "The model could not be saved"
    )
    odd = retrain_failure(KeyError("boom"))
    assert odd.startswith("Training failed unexpectedly (KeyError") and odd.endswith("Please report this.")
