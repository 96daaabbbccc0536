"""Model > Evaluate… on a fresh install, with no MNIST on the computer: offered, downloaded, remembered."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from windows import close_what_it_opened, new_window

from model.paths import user_cache_dir
from training import download
from training.mnist_files import MNIST_FILES

pytestmark = [pytest.mark.mnist, pytest.mark.gui]


@pytest.fixture
def no_mnist(monkeypatch):
    monkeypatch.delenv("DIGIT_CANVAS_DATA", raising=False)  # the test home's cache is empty too


@pytest.fixture
def local_mirror(mnist_dir, monkeypatch):
    """Downloads come from a local server holding the real files (tests never touch the network)."""
    from test_download import MirrorServer

    server = MirrorServer(mnist_dir)
    real = download.download_mnist

    def local_only(dest_dir=None, **kwargs):
        kwargs.pop("mirrors", None)
        return real(dest_dir, mirrors=[server.url("good")], **kwargs)

    monkeypatch.setattr(download, "download_mnist", local_only)
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
    original = view._on_progress

    def cancel_at_once(progress):
        original(progress)
        if view.cancel_button.isVisible() and view.cancel_button.isEnabled():
            qtbot.mouseClick(view.cancel_button, Qt.MouseButton.LeftButton)

    view._on_progress = cancel_at_once
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
