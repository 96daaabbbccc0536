"""Model menu of the real window: retrain through the menu and dialog, reset, evaluate, weights."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from windows import use_worse_models

from app.window.main_window import MainWindow
from model import bundled_model_path, load_model, user_model_path
from model.paths import user_model_dir

pytestmark = pytest.mark.gui


def _menu_action(win: MainWindow, name: str):
    found = [a for a in win.menus["model"].actions() if a.objectName() == f"action:{name}"]
    assert len(found) == 1, name
    return found[0]


@pytest.mark.mnist
def test_retrain_from_the_menu_swaps_the_new_model_in_live(qtbot, window, mnist_dir: Path):
    assert window.predictor.model().metadata_["path"] == str(bundled_model_path("ovr"))
    assert not _menu_action(window, "reset").isEnabled()  # nothing to reset yet
    _menu_action(window, "retrain").trigger()
    dialog = window.model_menu.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.model_ovr.isChecked()  # offers the model in use
    dialog.data_box.set_folder(mnist_dir)
    dialog.data_box.max_train.setValue(3000)
    dialog.ovr_box.max_iter.setValue(20)
    use_worse_models(dialog)  # a few thousand images make a model more than a point worse
    with qtbot.waitSignal(dialog.trainingStopped, timeout=120000) as stopped:
        QTest.mouseClick(dialog.train_button, Qt.MouseButton.LeftButton)
    assert stopped.args == ["finished"], dialog.panel.result.text()
    new_path = user_model_path("ovr")
    assert new_path is not None and new_path.parent == user_model_dir()
    live = window.predictor.model()
    assert live.metadata_["path"] == str(new_path)
    assert live.metadata_["n_train"] == 3000
    assert "your model" in window.model_status.text()
    message = window.statusBar().currentMessage()
    assert "new" in message and "vs previous" in message
    assert _menu_action(window, "reset").isEnabled()

    # Reset to bundled models: asks first, then deletes the user's model and swaps the bundled one in.
    window.model_menu.confirm_reset = lambda: False
    assert not window.model_menu.reset()
    assert user_model_path("ovr") == new_path
    window.model_menu.confirm_reset = lambda: True
    _menu_action(window, "reset").trigger()
    assert user_model_path("ovr") is None
    assert not new_path.exists()
    assert window.predictor.model().metadata_["path"] == str(bundled_model_path("ovr"))
    assert "bundled model" in window.model_status.text()
    assert not _menu_action(window, "reset").isEnabled()


@pytest.mark.mnist
def test_evaluate_from_the_menu_matches_the_models_test_accuracy(qtbot, window, mnist_dir, monkeypatch):
    monkeypatch.setenv("DIGIT_CANVAS_DATA", str(mnist_dir))
    _menu_action(window, "evaluate").trigger()
    view = window.model_menu.windows[-1]
    with qtbot.waitSignal(view.evaluated, timeout=60000):
        pass
    expected = load_model("ovr").metadata_["test_accuracy"]
    assert view.evaluation.accuracy == pytest.approx(expected)
    assert view.isVisible()


def test_show_weights_draws_the_feature_maps_linear_part_and_pixel_weights(qtbot, window):
    _menu_action(window, "weights").trigger()
    view = window.model_menu.windows[-1]
    assert len(view.result.maps) == 10 and "principal components" in view.result.note
    window.set_model_kind("binary")
    _menu_action(window, "weights").trigger()
    view = window.model_menu.windows[-1]
    assert view.result.labels == ["0", "1"] and len(view.result.maps) == 2
    assert all(np.shape(m) == (28, 28) for m in view.result.maps)
