"""One translation of a failed job's exception into sentences (app.text.errors.failure_message), worded
for where it is shown: the Retrain dialog has a Data box and a download choice, the evaluation window
has neither, so it never offers what only the menu can do as if it were there."""

from __future__ import annotations

import signal

import pytest

from app.text.errors import EVALUATE, RETRAIN, failure_message
from training.child_process import ChildProcessFailed
from training.data import MnistDataError, MnistNotFoundError
from training.progress import Cancelled


def test_missing_mnist_in_the_evaluation_window_points_at_its_buttons() -> None:
    message = failure_message(MnistNotFoundError("MNIST was not found; looked in: /nowhere."), EVALUATE)
    assert "/nowhere" in message
    assert "The buttons in this window download MNIST" in message
    assert "Data" not in message.split("/nowhere")[1]  # no Data box in this window
    assert message.count("..") == 0 and message.endswith(".")


def test_missing_mnist_in_the_retrain_dialog_points_at_its_data_box(tmp_path) -> None:
    message = failure_message(MnistNotFoundError("x"), RETRAIN, data_dir=tmp_path)
    assert str(tmp_path) in message and "has none of the four MNIST files" in message
    assert "under Data" in message and "Download from the internet" in message
    assert "Model > Evaluate" not in message


def test_a_damaged_file_is_worded_for_each_place(tmp_path) -> None:
    exc = MnistDataError("The MNIST file t10k-images is damaged.", tmp_path)
    assert "Model > Retrain" in failure_message(exc, EVALUATE)
    assert "download a fresh copy" in failure_message(exc, RETRAIN)


@pytest.mark.parametrize(
    ("where", "expected"),
    [(EVALUATE, "The evaluation was cancelled"), (RETRAIN, "Training was cancelled")],
)
def test_cancel(where, expected) -> None:
    assert failure_message(Cancelled(), where).startswith(expected)


def test_the_rest() -> None:
    killed = ChildProcessFailed("killed", -signal.SIGKILL)
    assert "memory ran out" in failure_message(killed, RETRAIN)
    assert "evaluate again" in failure_message(MemoryError(), EVALUATE)
    assert failure_message(ValueError("alpha must be positive"), RETRAIN).startswith(
        "The settings were rejected"
    )
    odd = failure_message(KeyError("boom"), EVALUATE)
    assert odd.startswith("The evaluation failed unexpectedly (KeyError") and odd.endswith(
        "Please report this."
    )
    with pytest.raises(ValueError, match="unknown place"):
        failure_message(KeyError(), "nowhere")
