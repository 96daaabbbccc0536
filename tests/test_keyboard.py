"""Keyboard: every control of every window is reached with Tab, and what the mouse does the keys do too.

The Tab walks send real key events (``QTest.keyClick``) to whatever has the focus, as a person pressing
Tab does, and fail on any visible, enabled control that takes Tab focus yet is never reached. The menus
are reached with Alt and a letter (each title has a mnemonic) and every action has a mnemonic or a
shortcut. The hand-painted controls that used to need the mouse are driven by keys alone: the
probability bars (teach a digit; with "Why this digit?" on, "why this rather than that") and the
confusion matrix's cells.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QWidget
from windows import close_what_it_opened, new_window, open_every_view

pytestmark = pytest.mark.gui


def _tab_stops(top: QWidget) -> set[QWidget]:
    """The widgets of ``top`` a Tab should land on: shown, enabled, taking Tab focus."""
    stops = set()
    for widget in [top, *top.findChildren(QWidget)]:
        if widget.window() is not top or not widget.isVisible() or not widget.isEnabled():
            continue
        if widget.focusProxy() is not None or not widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            continue
        stops.add(widget)
    return stops


def _name(widget: QWidget) -> str:
    return f"{type(widget).__name__}#{widget.objectName() or widget.accessibleName()}"


def tab_walk(qtbot, top: QWidget, limit: int = 200) -> tuple[list[QWidget], set[QWidget]]:
    """Press Tab until the focus comes back where it started; the widgets it visited, and those missed."""
    top.show()
    top.raise_()
    top.activateWindow()
    qtbot.waitUntil(top.isActiveWindow)
    first = top.focusWidget()
    if first is None:
        top.focusNextChild()
        first = top.focusWidget()
    if first is None:  # a window of pictures only: nothing for Tab to do
        assert not _tab_stops(top)
        return [], set()
    visited = [first]
    for _ in range(limit):
        QTest.keyClick(top.focusWidget(), Qt.Key.Key_Tab)
        now = top.focusWidget()
        if now is first:
            break
        visited.append(now)
    trapped = sorted({_name(w) for w in visited if visited.count(w) > 1})
    assert not trapped, f"Tab never leaves {trapped} in {top.windowTitle()}"
    missed = _tab_stops(top) - set(visited)
    return visited, missed


def test_tab_reaches_every_control_of_the_main_window(qtbot):
    window = new_window(qtbot)
    visited, missed = tab_walk(qtbot, window)
    assert sorted(map(_name, missed)) == []
    for widget in (window.canvas, window.bars, window.brush_width, window.model_selector):
        assert widget in visited, _name(widget)


def test_tab_reaches_every_control_of_every_window_and_dialog(qtbot, mnist_dir, monkeypatch):
    monkeypatch.setenv("DIGIT_CANVAS_DATA", str(mnist_dir))
    window = new_window(qtbot, kind="ovr")
    opened = open_every_view(qtbot, window)
    missed = {}
    for name, view in opened.items():
        visited, left_out = tab_walk(qtbot, view)
        missed[name] = sorted(map(_name, left_out))
        if name == "evaluation":
            assert view.matrix in visited and view.gallery in visited
    close_what_it_opened(window)
    for view in opened.values():
        view.close()
    assert {name: m for name, m in missed.items() if m} == {}


def test_esc_closes_every_window_and_dialog_and_ctrl_w_the_windows(qtbot, mnist_dir, monkeypatch):
    """Esc closes each secondary window from whatever has its focus, as it closes a dialog; the plain
    windows (not dialogs) close with Ctrl+W too."""
    monkeypatch.setenv("DIGIT_CANVAS_DATA", str(mnist_dir))
    window = new_window(qtbot, kind="ovr")
    opened = open_every_view(qtbot, window)
    still_open = {}
    for key, modifier in (
        (Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier),
    ):
        for name, view in opened.items():
            if key == Qt.Key.Key_W and isinstance(view, QDialog):
                continue
            view.show()
            view.activateWindow()
            qtbot.waitUntil(view.isActiveWindow)
            QTest.keyClick(view.focusWidget() or view, key, modifier)
            qtbot.wait(20)
            if view.isVisible():
                still_open[(name, QKeySequence(key | modifier).toString())] = view.focusWidget()
    close_what_it_opened(window)
    assert still_open == {}


def test_every_menu_and_action_is_reachable_from_the_keyboard(qtbot):
    window = new_window(qtbot)
    titles = [menu.title() for menu in window.menus.values()]
    letters = [title[title.index("&") + 1].lower() for title in titles if "&" in title]
    assert len(letters) == len(titles), f"a menu without a mnemonic: {titles}"
    assert len(set(letters)) == len(letters), f"two menus share a mnemonic: {titles}"
    for menu in window.menus.values():
        for act in menu.actions():
            if act.isSeparator() or act.menu() is not None:
                continue
            assert "&" in act.text() or not act.shortcut().isEmpty(), f"{menu.title()} > {act.text()}"


def _draw_a_seven(window) -> None:
    window.canvas.add_stroke(np.array([[150, 80], [250, 80], [180, 330]], float))
    window.predictor.flush()


def test_the_bars_teach_from_the_keyboard(qtbot):
    window = new_window(qtbot, kind="ovr")
    _draw_a_seven(window)
    asked = []
    window.labelRequested.connect(asked.append)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.canvas.setFocus()
    for _ in range(30):  # Tab from the canvas to the bars
        if window.focusWidget() is window.bars:
            break
        QTest.keyClick(window.focusWidget(), Qt.Key.Key_Tab)
    assert window.focusWidget() is window.bars
    assert window.bars.cursor_class() == window.prediction_view.digit()  # the ring starts on the answer
    QTest.keyClick(window.bars, Qt.Key.Key_Home)
    QTest.keyClick(window.bars, Qt.Key.Key_Down)
    assert window.bars.cursor_class() == 1
    assert window.bars.accessibleDescription().startswith("Row 1: ")
    QTest.keyClick(window.bars, Qt.Key.Key_Return)
    QTest.keyClick(window.bars, Qt.Key.Key_3)  # a digit key on the bars moves the ring there
    QTest.keyClick(window.bars, Qt.Key.Key_Space)
    assert asked == [1, 3]


def test_why_this_rather_than_that_from_the_keyboard(qtbot):
    window = new_window(qtbot, kind="ovr")
    window.explainer.set_on(True)
    _draw_a_seven(window)
    answer = window.prediction_view.digit()
    other = 1 if answer != 1 else 2
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.bars.setFocus(Qt.FocusReason.TabFocusReason)
    QTest.keyClick(window.bars, Qt.Key(Qt.Key.Key_0 + other))
    QTest.keyClick(window.bars, Qt.Key.Key_Return)
    assert window.explainer.versus() == other
    assert window.explainer.last().versus == other
    QTest.keyClick(window.bars, Qt.Key.Key_Return)  # the same bar again: back to the answer alone
    assert window.explainer.versus() is None


def test_the_confusion_matrix_cells_open_from_the_keyboard(qtbot):
    from app.evaluation.confusion_matrix import ConfusionMatrixView

    view = ConfusionMatrixView()
    qtbot.addWidget(view)
    view.set_matrix(np.array([[5, 1, 0], [2, 7, 0], [0, 3, 9]]), [0, 1, 2])
    view.show()
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow)
    view.setFocus(Qt.FocusReason.TabFocusReason)
    picked = []
    view.cellClicked.connect(lambda t, p: picked.append((t, p)))
    for key in (Qt.Key.Key_Down, Qt.Key.Key_Down, Qt.Key.Key_Down, Qt.Key.Key_Right):  # clamped at 2
        QTest.keyClick(view, key)
    assert view.cursor_cell == (2, 1)
    assert view.accessibleDescription().startswith("true 2 read as 1: 3 test digits")
    QTest.keyClick(view, Qt.Key.Key_Return)
    QTest.keyClick(view, Qt.Key.Key_Home)
    QTest.keyClick(view, Qt.Key.Key_PageUp)
    QTest.keyClick(view, Qt.Key.Key_Space)
    assert picked == [(2, 1), (0, 0)] and view.selected == (0, 0)
