"""Accessibility: every control a person can operate has a name a screen reader can say.

The test walks Qt's accessibility tree (``QAccessible``), as a screen reader does, from the main window
and from each of its windows and dialogs, and fails on any interactive element without a name.
"""

from __future__ import annotations

import pytest
from PySide6.QtGui import QAccessible
from windows import close_what_it_opened, new_window

pytestmark = pytest.mark.gui

Role = QAccessible.Role
# What a person can operate or read as a value: these must say what they are.
INTERACTIVE = {
    Role.Button,
    Role.ButtonMenu,
    Role.ButtonDropDown,
    Role.CheckBox,
    Role.RadioButton,
    Role.ComboBox,
    Role.SpinBox,
    Role.EditableText,
    Role.Slider,
    Role.ProgressBar,
    Role.PageTab,
    Role.List,
    Role.Table,
    Role.Canvas,
    Role.Graphic,
    Role.MenuItem,
}


def _unnamed(widget) -> list[str]:
    """Every interactive element below ``widget`` without a name, described for the failure message."""
    missing: list[str] = []
    seen: set[int] = set()

    def walk(iface, path: str, depth: int) -> None:
        if iface is None or not iface.isValid() or depth > 40:
            return
        key = id(iface.object()) if iface.object() is not None else id(iface)
        if key in seen:
            return
        seen.add(key)
        role = iface.role()
        state = iface.state()
        name = iface.text(QAccessible.Text.Name).strip()
        where = f"{path}/{role.name}"
        obj = iface.object()
        if obj is not None and obj.objectName():
            where += f"#{obj.objectName()}"
        if role in INTERACTIVE and not state.invisible and not name:
            missing.append(where)
        for i in range(iface.childCount()):
            walk(iface.child(i), where, depth + 1)

    walk(QAccessible.queryAccessibleInterface(widget), "", 0)
    return missing


def test_the_main_window_names_every_control(qtbot):
    window = new_window(qtbot)
    assert _unnamed(window) == []


def test_every_window_and_dialog_names_every_control(qtbot, mnist_dir, monkeypatch):
    monkeypatch.setenv("DIGIT_CANVAS_DATA", str(mnist_dir))
    window = new_window(qtbot)
    menu = window.model_menu
    opened = {
        "retrain": menu.open_retrain(),
        "evaluation": menu.evaluate(),
        "weights": menu.show_weights(),
        "step through": menu.step_through(),
        "what the model sees": window.input_viewer.open(),
    }
    opened["samples"] = window.teacher.show_samples()
    qtbot.waitUntil(lambda: opened["evaluation"].evaluation is not None, timeout=30000)
    qtbot.waitUntil(opened["step through"].is_ready, timeout=30000)
    problems = {name: _unnamed(view) for name, view in opened.items()}
    close_what_it_opened(window)
    for view in opened.values():
        view.close()
    assert {name: missing for name, missing in problems.items() if missing} == {}


def test_a_new_answer_is_announced_to_screen_readers_once(qtbot, monkeypatch):
    import numpy as np

    from app.testing.replay import draw_placed

    sent = []
    monkeypatch.setattr(QAccessible, "isActive", staticmethod(lambda: True))
    monkeypatch.setattr(QAccessible, "updateAccessibility", staticmethod(sent.append))
    window = new_window(qtbot, kind="ovr")
    view = window.prediction_view
    draw_placed(window.canvas, [np.array([[200, 60], [200, 340]], float)])  # a 1, read many times
    window.predictor.flush()
    for _ in range(3):  # read again, as while the pen moves: the same answer is not told again
        window.predictor.predict_now()
    assert window.predictor.count >= 4 and len(view.announced) == 1
    assert view.announced[-1].startswith(f"{view.digit()}, ") and view.announced[-1].endswith("sure")
    assert len(sent) == len(view.announced) and sent[-1].message() == view.announced[-1]
    iface = QAccessible.queryAccessibleInterface(view)
    assert "sure" in iface.text(QAccessible.Text.Description)
