"""Model > Evaluate… on a fresh install, with no MNIST on the computer: offered, downloaded, remembered.

And when it fails (the download fails or is cancelled, a folder's files are damaged): the window says so
in one sentence and its Try again / Choose folder… buttons evaluate again; a damaged remembered folder
is forgotten, so the next Evaluate asks again.
"""

from __future__ import annotations

import re
import shutil

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QWidget
from windows import close_what_it_opened, new_window

from app.testing.local_mirror import LocalMirror, downloads_from
from app.window.settings import AppSettings
from model.paths import user_cache_dir
from training.mnist_files import MNIST_FILES

pytestmark = [pytest.mark.mnist, pytest.mark.gui]


@pytest.fixture
def no_mnist(monkeypatch):
    monkeypatch.delenv("DIGIT_CANVAS_DATA", raising=False)  # the test home's cache is empty too


@pytest.fixture
def local_mirror(mnist_dir):
    """Downloads come from a local server holding the real files (tests never touch the network).

    Set ``server.mode`` to ``"missing"`` to make every download fail (the server answers 404).
    """
    server = LocalMirror(mnist_dir)
    with downloads_from(server):
        yield server
    server.close()


def _spy_progress(view) -> list:
    seen = []
    original = view._on_progress

    def spy(progress):
        seen.append(progress)
        original(progress)

    view._on_progress = spy
    return seen


def _cancel_at_first_progress(qtbot, view):
    """Click the window's Cancel as soon as the download shows it; the window's own progress slot,
    to put back."""
    original = view._on_progress

    def cancel_at_once(progress):
        original(progress)
        if view.cancel_button.isVisible() and view.cancel_button.isEnabled():
            qtbot.mouseClick(view.cancel_button, Qt.MouseButton.LeftButton)

    view._on_progress = cancel_at_once
    return original


def _question(window):
    box = window.model_menu.mnist_question
    assert box is not None and box.isVisible()
    assert "MNIST" in box.text()
    return box


def test_evaluate_offers_the_download_shows_its_progress_and_evaluates(qtbot, no_mnist, local_mirror):
    window = new_window(qtbot)
    window.model_menu.evaluate_action.trigger()
    box = _question(window)
    assert window.model_menu.evaluations == []  # no window claims to be evaluating yet
    qtbot.mouseClick(box.findChild(QPushButton, "downloadMnist"), Qt.MouseButton.LeftButton)
    view = window.model_menu.evaluations[-1]
    seen = _spy_progress(view)
    qtbot.waitUntil(lambda: view.evaluation is not None or not view.busy.isVisible(), timeout=120000)
    assert view.evaluation is not None, view.details.text()
    assert view.evaluation.accuracy > 0.98
    assert any(p.stage == "downloading" for p in seen)
    assert view.cancel_button.isHidden() and view.busy.isHidden()
    assert sorted(p.name for p in (user_cache_dir() / "mnist").iterdir()) == sorted(MNIST_FILES)
    # Next time MNIST is found: no question.
    again = window.model_menu.evaluate()
    assert again is not None
    close_what_it_opened(window)


def test_a_cancelled_download_says_so_and_nothing_claims_to_be_working(qtbot, no_mnist, local_mirror):
    window = new_window(qtbot)
    window.model_menu.evaluate_action.trigger()
    qtbot.mouseClick(_question(window).findChild(QPushButton, "downloadMnist"), Qt.MouseButton.LeftButton)
    view = window.model_menu.evaluations[-1]
    _cancel_at_first_progress(qtbot, view)
    with qtbot.waitSignal(view.failed, timeout=60000) as failed:
        pass
    assert "cancelled" in failed.args[0]
    assert view.headline.text() == "Could not evaluate the model"
    assert view.matrix.placeholder == "" and view.busy.isHidden() and view.cancel_button.isHidden()
    assert view.reliability.summary() == "No evaluation yet."
    cache = user_cache_dir() / "mnist"
    assert not cache.exists() or all(p.name in MNIST_FILES for p in cache.iterdir())  # no partial files
    close_what_it_opened(window)


def test_a_chosen_folder_is_used_and_remembered_by_evaluate_and_retrain(
    qtbot, no_mnist, mnist_dir, monkeypatch
):
    from PySide6.QtWidgets import QFileDialog

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(mnist_dir))
    window = new_window(qtbot)
    window.model_menu.evaluate_action.trigger()
    qtbot.mouseClick(_question(window).findChild(QPushButton, "chooseMnist"), Qt.MouseButton.LeftButton)
    view = window.model_menu.evaluations[-1]
    qtbot.waitUntil(lambda: view.evaluation is not None, timeout=60000)
    window.model_menu.mnist_question = None
    window.model_menu.evaluate_action.trigger()  # remembered: straight to the evaluation
    assert window.model_menu.mnist_question is None and len(window.model_menu.evaluations) == 2
    dialog = window.model_menu.open_retrain()
    assert dialog.data_box.folder.isChecked() and dialog.data_box.data_dir() == mnist_dir
    close_what_it_opened(window)


def test_a_folder_without_mnist_is_refused_in_one_sentence(qtbot, no_mnist, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(tmp_path))
    window = new_window(qtbot)
    window.model_menu.evaluate_action.trigger()
    qtbot.mouseClick(_question(window).findChild(QPushButton, "chooseMnist"), Qt.MouseButton.LeftButton)
    assert window.model_menu.evaluations == []
    assert "lacks" in window.banner.text() and "MNIST" in window.banner.text()


def test_a_folder_chosen_in_retrain_is_remembered_without_training(qtbot, no_mnist, mnist_dir, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(mnist_dir))
    window = new_window(qtbot)
    dialog = window.model_menu.open_retrain()
    assert dialog.data_box.found_dir is None and not dialog.data_box.folder.isChecked()
    qtbot.mouseClick(dialog.data_box.browse, Qt.MouseButton.LeftButton)
    assert dialog.data_box.data_dir() == mnist_dir
    dialog.close()  # nothing trained
    view = window.model_menu.evaluate()
    assert view is not None and window.model_menu.mnist_question is None  # no question: the folder is known
    qtbot.waitUntil(lambda: view.evaluation is not None, timeout=60000)
    assert view.evaluation.accuracy > 0.98
    close_what_it_opened(window)


# ------------------------------------------------------------------------------ after a failure


@pytest.fixture
def broken_mnist(mnist_dir, tmp_path):
    """A folder with all four MNIST files, one of them cut off half-way (as a broken copy would be)."""
    folder = tmp_path / "broken-mnist"
    folder.mkdir()
    for name in MNIST_FILES:
        shutil.copy(mnist_dir / name, folder / name)
    images = folder / "t10k-images-idx3-ubyte.gz"
    images.write_bytes(images.read_bytes()[: images.stat().st_size // 2])
    return folder


def _click(qtbot, button) -> None:
    assert button is not None and button.isVisible() and button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


FAILED = "Could not evaluate the model"


def _sentence(view) -> str:
    label = view.findChild(QLabel, "failureSentence")
    assert label is not None and label.isVisible(), "the failure has no sentence of its own"
    return label.text()


def _details(view) -> QLabel:
    return view.findChild(QLabel, "failureDetails")


def _failed(qtbot, view) -> str:
    qtbot.waitUntil(lambda: view.headline.text() == FAILED, timeout=60000)
    return _sentence(view)


def _evaluated(qtbot, view, timeout: int = 120000) -> None:
    qtbot.waitUntil(lambda: view.evaluation is not None or view.headline.text() == FAILED, timeout=timeout)
    assert view.evaluation is not None, _sentence(view)


def _one_sentence(text: str) -> bool:
    return text.endswith(".") and not re.search(r"[.!?]\s+[A-Z]", text) and len(text) < 200


def _says_it_in_one_sentence_with_the_ways_on(qtbot, view, try_again: str) -> None:
    """The failure state: headline, one sentence, the two buttons, nothing still working."""
    assert view.headline.text() == FAILED
    sentence = _sentence(view)
    assert sentence and _one_sentence(sentence), sentence
    assert view.findChild(QPushButton, "retryDownload").text() == try_again
    assert view.findChild(QPushButton, "retryDownload").isVisible()
    assert view.findChild(QPushButton, "chooseMnistFolder").isVisible()
    shown = [w.text() for w in view.findChildren(QLabel) if w.isVisible()]
    assert not any("--data-dir" in text or "DIGIT_CANVAS_DATA" in text for text in shown), shown
    assert not _details(view).isVisible()  # the facts are folded away
    assert view.busy.isHidden() and view.cancel_button.isHidden() and view.matrix.placeholder == ""
    strip = view.user_strip  # read just after the failure (or skipped after a cancel), then says so
    qtbot.waitUntil(lambda: "reading your samples" not in strip.headline.text() or strip.isHidden())
    assert not view.is_running()


def test_a_failed_download_says_so_in_one_sentence_and_try_again_evaluates(qtbot, no_mnist, local_mirror):
    local_mirror.mode = "missing"  # the server answers 404: the download fails
    window = new_window(qtbot)
    window.model_menu.evaluate_action.trigger()
    _click(qtbot, _question(window).findChild(QPushButton, "downloadMnist"))
    view = window.model_menu.evaluations[-1]
    sentence = _failed(qtbot, view)
    assert "could not be downloaded" in sentence and "try again" in sentence
    _says_it_in_one_sentence_with_the_ways_on(qtbot, view, "Try again")
    _click(qtbot, view.findChild(QWidget, "failureDetailsToggle"))
    details = _details(view)
    assert details.isVisible() and "404" in details.text() and "--data-dir" not in details.text()

    local_mirror.mode = "good"
    seen = _spy_progress(view)
    _click(qtbot, view.findChild(QPushButton, "retryDownload"))
    assert view.headline.text().startswith("Evaluating") and not _details(view).isVisible()
    _evaluated(qtbot, view)
    assert view.evaluation.accuracy > 0.98 and "read correctly" in view.headline.text()
    assert any(p.stage == "downloading" for p in seen)
    assert not view.findChild(QPushButton, "retryDownload").isVisible() and view.busy.isHidden()
    assert window.model_menu.evaluations == [view]  # evaluated again in the same window
    close_what_it_opened(window)


def test_try_again_after_cancel_downloads(qtbot, no_mnist, local_mirror):
    window = new_window(qtbot)
    window.model_menu.evaluate_action.trigger()
    _click(qtbot, _question(window).findChild(QPushButton, "downloadMnist"))
    view = window.model_menu.evaluations[-1]
    original = _cancel_at_first_progress(qtbot, view)
    assert "cancelled" in _failed(qtbot, view)
    _says_it_in_one_sentence_with_the_ways_on(qtbot, view, "Try again")
    view._on_progress = original
    _click(qtbot, view.findChild(QPushButton, "retryDownload"))
    _evaluated(qtbot, view)
    assert view.user_strip.isVisible()  # the person's samples are read this time
    close_what_it_opened(window)


def test_choose_folder_after_a_failure_evaluates_and_refuses_a_folder_without_mnist(
    qtbot, no_mnist, local_mirror, mnist_dir, tmp_path, monkeypatch
):
    from PySide6.QtWidgets import QFileDialog

    local_mirror.mode = "missing"
    window = new_window(qtbot)
    window.model_menu.evaluate_action.trigger()
    _click(qtbot, _question(window).findChild(QPushButton, "downloadMnist"))
    view = window.model_menu.evaluations[-1]
    _failed(qtbot, view)

    empty = tmp_path / "empty"
    empty.mkdir()
    chosen = [empty]
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(chosen[0]))
    _click(qtbot, view.findChild(QPushButton, "chooseMnistFolder"))
    sentence = _sentence(view)
    assert str(empty) in sentence and "lacks" in sentence and _one_sentence(sentence), sentence
    _says_it_in_one_sentence_with_the_ways_on(qtbot, view, "Try again")  # refused, and nothing lost

    chosen[0] = mnist_dir
    _click(qtbot, view.findChild(QPushButton, "chooseMnistFolder"))
    _evaluated(qtbot, view, 60000)
    assert view.evaluation.accuracy > 0.98
    assert AppSettings().mnist_dir() == mnist_dir  # chosen, so remembered
    close_what_it_opened(window)


def test_a_chosen_folder_with_damaged_files_says_so_and_is_not_remembered(
    qtbot, no_mnist, local_mirror, broken_mnist, mnist_dir, monkeypatch
):
    from PySide6.QtWidgets import QFileDialog

    chosen = [broken_mnist]
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(chosen[0]))
    window = new_window(qtbot)
    window.model_menu.evaluate_action.trigger()
    _click(qtbot, _question(window).findChild(QPushButton, "chooseMnist"))
    view = window.model_menu.evaluations[-1]
    sentence = _failed(qtbot, view)
    assert str(broken_mnist) in sentence and "damaged" in sentence, sentence
    _says_it_in_one_sentence_with_the_ways_on(qtbot, view, "Download")  # nothing to try again: a fresh copy
    assert AppSettings().mnist_dir() is None  # not remembered as good
    _click(qtbot, view.findChild(QWidget, "failureDetailsToggle"))
    assert "truncated" in _details(view).text()

    chosen[0] = mnist_dir
    _click(qtbot, view.findChild(QPushButton, "chooseMnistFolder"))
    _evaluated(qtbot, view, 60000)
    close_what_it_opened(window)


def test_a_damaged_remembered_folder_brings_the_question_back(qtbot, no_mnist, local_mirror, broken_mnist):
    AppSettings().set_mnist_dir(broken_mnist)  # chosen in an earlier session, damaged since
    window = new_window(qtbot)
    window.model_menu.evaluate_action.trigger()  # remembered: no question, and it fails
    assert window.model_menu.mnist_question is None
    view = window.model_menu.evaluations[-1]
    qtbot.waitUntil(lambda: view.headline.text() == FAILED, timeout=60000)
    view.close()

    window.model_menu.evaluate_action.trigger()  # forgotten: the question again, naming the folder
    box = _question(window)
    assert str(broken_mnist) in box.text() and "damaged" in box.text()
    assert len(window.model_menu.evaluations) == 1
    _click(qtbot, box.findChild(QPushButton, "downloadMnist"))
    view = window.model_menu.evaluations[-1]
    _evaluated(qtbot, view)
    assert view.evaluation.accuracy > 0.98
    close_what_it_opened(window)


def test_the_window_download_button_repairs_a_damaged_remembered_folder(
    qtbot, no_mnist, local_mirror, broken_mnist
):
    AppSettings().set_mnist_dir(broken_mnist)
    window = new_window(qtbot)
    window.model_menu.evaluate_action.trigger()
    view = window.model_menu.evaluations[-1]
    sentence = _failed(qtbot, view)
    assert str(broken_mnist) in sentence and "damaged" in sentence, sentence
    _says_it_in_one_sentence_with_the_ways_on(qtbot, view, "Download")
    assert AppSettings().mnist_dir() is None  # forgotten: it failed its checks
    _click(qtbot, view.findChild(QPushButton, "retryDownload"))
    _evaluated(qtbot, view)
    assert sorted(p.name for p in (user_cache_dir() / "mnist").iterdir()) == sorted(MNIST_FILES)
    close_what_it_opened(window)


def test_show_weights_downloads_mnist_for_its_second_maps_and_tries_again_after_a_failure(
    qtbot, no_mnist, local_mirror
):
    """Without MNIST, Show weights offers the download in its own window (not a trip to Evaluate): a
    failed download says so and offers it again; the next one fills the ten mean maps."""
    from app.weights.window import WeightsWindow

    window = new_window(qtbot)
    window.model_menu.weights_action.trigger()
    (view,) = window.findChildren(WeightsWindow)  # the window the menu opened, owned by this window
    qtbot.waitUntil(view.isVisible, timeout=5000)
    assert view.mean_ways.isVisible() and view.mean_maps == []
    local_mirror.mode = "missing"
    qtbot.mouseClick(view.findChild(QPushButton, "downloadMeans"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.mean_ways.isVisible(), timeout=60000)
    assert view.mean_note.text().startswith("MNIST could not be downloaded")
    assert not view.mean_cancel.isVisible()
    local_mirror.mode = "good"
    qtbot.mouseClick(view.findChild(QPushButton, "downloadMeans"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(view.mean_maps) == 10, timeout=120000)
    assert not view.mean_ways.isVisible() and not view.mean_cancel.isVisible()
    assert "on average over" in view.mean_note.text()
    assert sorted(p.name for p in (user_cache_dir() / "mnist").iterdir()) == sorted(MNIST_FILES)
    close_what_it_opened(window)


def test_show_weights_download_can_be_cancelled(qtbot, no_mnist, local_mirror):
    from app.weights.window import WeightsWindow

    window = new_window(qtbot)
    window.model_menu.weights_action.trigger()
    (view,) = window.findChildren(WeightsWindow)  # the window the menu opened, owned by this window
    qtbot.waitUntil(view.isVisible, timeout=5000)
    local_mirror.mode = "held"  # the download stays part-way until released
    qtbot.mouseClick(view.findChild(QPushButton, "downloadMeans"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(view.mean_cancel.isVisible, timeout=30000)
    assert not view.mean_ways.isVisible() and view.mean_note.text().startswith("Downloading MNIST")
    qtbot.mouseClick(view.mean_cancel, Qt.MouseButton.LeftButton)
    local_mirror.release()  # the next chunk arrives and the download sees Cancel
    qtbot.waitUntil(view.mean_ways.isVisible, timeout=30000)
    assert view.mean_note.text().startswith("The download was cancelled")
    assert not view.mean_cancel.isVisible() and view.mean_maps == []
    cache = user_cache_dir() / "mnist"
    assert not cache.exists() or all(p.name in MNIST_FILES for p in cache.iterdir())  # no partial files
    close_what_it_opened(window)


def test_show_weights_forgets_a_damaged_remembered_folder(qtbot, no_mnist, local_mirror, broken_mnist):
    """Show weights reads a remembered folder whose files broke since: it says so in one sentence,
    offers the ways on, and forgets the folder, so the next window offers the download instead."""
    from app.weights.window import WeightsWindow

    AppSettings().set_mnist_dir(broken_mnist)
    window = new_window(qtbot)
    window.model_menu.weights_action.trigger()
    (view,) = window.findChildren(WeightsWindow)
    qtbot.waitUntil(view.mean_ways.isVisible, timeout=60000)
    assert "damaged" in view.mean_note.text() and str(broken_mnist) in view.mean_note.text()
    assert view.failure is not None and view.failure.folder == broken_mnist
    assert AppSettings().mnist_dir() is None  # forgotten
    view.close()
    window.model_menu.weights_action.trigger()
    again = [w for w in window.findChildren(WeightsWindow) if w is not view and w.isVisible()]
    assert len(again) == 1 and "not on this computer yet" in again[0].mean_note.text()
    close_what_it_opened(window)
