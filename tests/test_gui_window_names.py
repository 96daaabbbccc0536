"""Show weights and Evaluate opened from the menu bar with mouse clicks name the model once.

The menu passed "Weights: <name>" and "Evaluate: <name>" as the name and each window added its own
prefix again ("Weights: Weights: One-vs-rest…", "154 mistakes · Evaluate: One-vs-rest…"): the windows
own their prefix, so the title, the heading and the details line must each say the model's name once.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.text.labels import label
from app.window.main_window import MainWindow

pytestmark = pytest.mark.gui

KINDS = ("ovr", "binary")


def _click_menu_item(qtbot, win: MainWindow, menu_name: str, action_name: str) -> None:
    """Click ``menu_name`` in the menu bar, then ``action_name`` in the menu it drops, as a person does."""
    menu = win.menus[menu_name]
    bar = win.menuBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.actionGeometry(menu.menuAction()).center())
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is menu)
    (action,) = [a for a in menu.actions() if a.objectName() == f"action:{action_name}"]
    assert action.isEnabled()
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())
    qtbot.waitUntil(lambda: not menu.isVisible())


def _once(text: str, name: str) -> None:
    assert text.count(name) == 1, text
    for prefix in ("Weights:", "Evaluate:", "Evaluation:"):
        assert text.count(prefix) <= 1, text
        assert f"{prefix} {prefix}" not in text, text


@pytest.mark.parametrize("kind", KINDS)
def test_show_weights_from_the_menu_names_the_model_once(qtbot, window, kind: str) -> None:
    window.set_model_kind(kind)
    _click_menu_item(qtbot, window, "model", "weights")
    view = window.model_menu.windows[-1]
    assert view.objectName() == "weightsWindow" and view.isVisible()
    name = label(kind)
    assert view.windowTitle() == f"Weights: {name}"
    assert view.heading.text() == f"What {name} looks for"
    _once(view.windowTitle(), name)
    _once(view.heading.text(), name)


@pytest.mark.mnist
@pytest.mark.parametrize("kind", KINDS)
def test_evaluate_from_the_menu_names_the_model_once(
    qtbot, window, mnist_dir, monkeypatch, kind: str
) -> None:
    monkeypatch.setenv("DIGIT_CANVAS_DATA", str(mnist_dir))
    window.set_model_kind(kind)
    _click_menu_item(qtbot, window, "model", "evaluate")
    view = window.model_menu.evaluations[-1]
    assert view.isVisible()
    name = label(kind)
    assert view.windowTitle() == f"Evaluation: {name}"
    _once(view.windowTitle(), name)
    qtbot.waitUntil(lambda: view.evaluation is not None, timeout=60000)
    details = view.details.text()
    _once(details, name)
    assert f" mistakes · {name} · features:" in details, details
