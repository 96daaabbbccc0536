"""How the evaluation window words a failure: one sentence in its own words, the facts under Details."""

from __future__ import annotations

import re

import pytest

from app.evaluation.failure import describe_failure, facts
from training.data import MnistDataError, MnistNotFoundError, not_found_error
from training.progress import Cancelled


def _one_sentence(text: str) -> bool:
    return text.endswith(".") and not re.search(r"[.!?]\s+[A-Z]", text)


def _download_error() -> MnistNotFoundError:
    """What loading raises when the download failed: the downloader's error as its cause."""
    try:
        try:
            raise MnistNotFoundError(
                "Could not download t10k-labels-idx1-ubyte.gz into /c/mnist: http://x/t: HTTP 404 Not Found. "
                "Check the network, or download the four MNIST files by hand and pass --data-dir DIR or "
                "set the environment variable DIGIT_CANVAS_DATA to their folder."
            )
        except MnistNotFoundError as exc:
            raise not_found_error([], f"Downloading it failed: {exc}") from exc
    except MnistNotFoundError as exc:
        return exc


def test_facts_keep_what_happened_and_drop_the_command_line_advice() -> None:
    exc = _download_error()
    assert str(exc).count("--data-dir") == 2  # said twice, as the review saw
    what = "Could not download t10k-labels-idx1-ubyte.gz into /c/mnist: http://x/t: HTTP 404 Not Found."
    assert facts(str(exc.__cause__)) == what
    assert "looked in" in facts(str(exc)) and "--data-dir" not in facts(str(exc))


@pytest.mark.parametrize(
    ("exc", "downloading", "says", "offers", "after_download"),
    [
        (_download_error(), False, "could not be downloaded", True, True),
        (MnistNotFoundError("Could not download x."), True, "could not be downloaded", True, True),
        (Cancelled("cancelled by the user"), True, "cancelled", True, True),
        (MnistNotFoundError("MNIST was not found; looked in: /x."), False, "were not found", True, False),
        (MnistDataError("The MNIST file /m/a.gz is truncated.", None), False, "damaged", True, False),
        (MemoryError(), False, "out of memory", False, False),
        (KeyError("boom"), False, "please report this", False, False),
    ],
)
def test_every_failure_is_one_sentence_in_the_windows_words(exc, downloading, says, offers, after_download):
    failure = describe_failure(exc, downloading)
    assert says in failure.sentence and _one_sentence(failure.sentence), failure.sentence
    assert "--data-dir" not in failure.sentence + failure.details
    assert "DIGIT_CANVAS_DATA" not in failure.sentence + failure.details
    assert "Model > Evaluate" not in failure.sentence  # the way on is a button in the same window
    assert (failure.offers_data, failure.after_download) == (offers, after_download)


def test_a_damaged_file_names_its_folder_so_a_remembered_one_can_be_forgotten(tmp_path) -> None:
    damaged = tmp_path / "t10k-images-idx3-ubyte.gz"
    damaged.write_bytes(b"\x1f\x8b")
    failure = describe_failure(MnistDataError(f"The MNIST file {damaged} is truncated.", damaged))
    assert failure.folder == tmp_path and str(tmp_path) in failure.sentence
    assert failure.details == f"The MNIST file {damaged} is truncated."
    unreadable = describe_failure(MnistDataError(f"The MNIST files in {tmp_path} cannot be read.", tmp_path))
    assert unreadable.folder == tmp_path


@pytest.mark.parametrize(
    ("exc", "says"),
    [
        (PermissionError(13, "Permission denied", "/home/x/samples/3-a.png"), "Permission denied (/home/x"),
        (MemoryError(), "ran out of memory"),
        (ValueError("a sample is 27x28"), "ValueError: a sample is 27x28"),
    ],
)
def test_the_persons_samples_failing_is_one_sentence_of_its_own(exc, says) -> None:
    from app.evaluation.failure import samples_failure

    sentence = samples_failure(exc)
    assert says in sentence and _one_sentence(sentence), sentence
    assert "evaluation failed" not in sentence  # the test set's evaluation may well have worked


def test_an_evaluation_without_mnist_is_logged_in_one_line_and_a_broken_one_with_its_traceback(caplog):
    """The window words a missing MNIST itself: the log gets one line; anything else, a traceback."""
    from training.evaluate import evaluate_everything

    def no_mnist():
        raise _download_error()

    def broken():
        raise RuntimeError("a bug")

    for test_data, traced in ((no_mnist, False), (broken, True)):
        reports: list = []
        caplog.clear()
        with caplog.at_level("WARNING", logger="training.evaluate"):
            evaluate_everything(object(), test_data, None, reports.append)
        assert [kind for kind, _ in reports] == ["failed"]
        (record,) = [r for r in caplog.records if r.name == "training.evaluate"]
        assert (record.exc_info is not None) == traced, record.getMessage()
