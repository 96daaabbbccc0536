"""Accessibility: every control a person can operate has a name and a description a screen reader says.

The tests walk Qt's accessibility tree (``QAccessible``), as a screen reader does, from the main window
and from each of its windows and dialogs (the message boxes too, and the retrain dialog's curves, which
show only while a model trains), and fail on any visible element a person can operate without a name,
or any such control without a description. What counts as operable is not a list of roles: hand-painted
widgets report the generic "Client" role whatever they do. An element is operable when it can take
focus (its state, or its widget's focus policy), has an accessibility action (press, toggle, ...), or is
a widget of this app that handles the mouse or keys itself (a clickable heat map, say). A picture (a
"Graphic", or a widget of this app that paints itself and holds no other widgets) must be named too.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QAbstractButton, QMessageBox, QWidget
from windows import close_what_it_opened, new_window, open_every_view

pytestmark = pytest.mark.gui

Role = QAccessible.Role
HANDLERS = (
    "mousePressEvent",
    "mouseReleaseEvent",
    "mouseDoubleClickEvent",
    "mouseMoveEvent",
    "keyPressEvent",
    "tabletEvent",
)


def _app_defines(obj: object, names: tuple[str, ...]) -> bool:
    """True if a class of this project (not Qt's own) above ``obj`` defines any of ``names``."""
    for klass in type(obj).__mro__:
        if klass.__module__.startswith(("PySide6", "shiboken6", "builtins")):
            continue
        if any(name in vars(klass) for name in names):
            return True
    return False


def _operable(iface, obj) -> bool:
    if iface.state().focusable:
        return True
    actions = iface.actionInterface()
    if actions is not None and actions.actionNames():
        return True
    if isinstance(obj, QWidget):
        if obj.focusPolicy() != Qt.FocusPolicy.NoFocus:
            return True
        return _app_defines(obj, HANDLERS)
    return False


def _picture(iface, obj) -> bool:
    if iface.role() == Role.Graphic:
        return True
    if not isinstance(obj, QWidget) or not _app_defines(obj, ("paintEvent",)):
        return False
    return not obj.findChildren(QWidget)  # a card or banner holds other widgets; they speak for it


def _in_message_box(obj) -> bool:
    return isinstance(obj, QWidget) and isinstance(obj.window(), QMessageBox)


def _needs_description(iface, obj) -> bool:
    """Controls must say what they do. Not a text (its text is its name), not a message box's own
    parts (Qt's OK, Yes, Cancel... and its labels), not a tab bar (Qt reports no description for it:
    each of its tabs must have one instead)."""
    role = iface.role()
    if role == Role.PageTab:
        return True
    if not isinstance(obj, QWidget) or role in (Role.StaticText, Role.PageTabList):
        return False
    if _in_message_box(obj):
        return isinstance(obj, QAbstractButton) and not _standard_button(obj)
    return True


def _standard_button(obj) -> bool:
    if not isinstance(obj, QAbstractButton) or not isinstance(obj.window(), QMessageBox):
        return False
    return obj.window().standardButton(obj) != QMessageBox.StandardButton.NoButton


def problems(widget) -> list[str]:
    """Every visible operable element below ``widget`` without a name, or (a widget) without a
    description, and every picture without a name, each described for the failure message."""
    found: list[str] = []
    seen: set[int] = set()
    alive: list[object] = []  # keeps the wrappers alive, so no id is used twice

    def walk(iface, path: str, depth: int) -> None:
        if iface is None or not iface.isValid() or depth > 40:
            return
        obj = iface.object()
        key = id(obj) if obj is not None else id(iface)
        if key in seen:
            return
        seen.add(key)
        alive.append(obj if obj is not None else iface)
        where = f"{path}/{iface.role().name}"
        if obj is not None and obj.objectName():
            where += f"#{obj.objectName()}"
        if not iface.state().invisible:
            name = iface.text(QAccessible.Text.Name).strip()
            description = iface.text(QAccessible.Text.Description).strip()
            operable = _operable(iface, obj)
            if (operable or _picture(iface, obj)) and not name:
                if not (_in_message_box(obj) and not isinstance(obj, QAbstractButton)):
                    found.append(f"{where}: no name")
            elif operable and not description and _needs_description(iface, obj):
                found.append(f"{where} ({name!r}): no description")
        for i in range(iface.childCount()):
            walk(iface.child(i), where, depth + 1)

    walk(QAccessible.queryAccessibleInterface(widget), "", 0)
    return found


def test_the_main_window_names_and_describes_every_control(qtbot):
    window = new_window(qtbot)
    assert problems(window) == []
    window.explainer.set_on(True)  # the layer over the canvas and its caption show
    assert problems(window) == []


def test_the_check_sees_hand_painted_controls():
    """A widget of the app that takes clicks but reports the generic role is still checked."""
    from app.evaluation.confusion_matrix import ConfusionMatrixView

    view = ConfusionMatrixView()
    view.show()
    view.setAccessibleName("")
    view.setAccessibleDescription("")
    assert problems(view) == ["/Client#confusionMatrix: no name"]
    view.setAccessibleName("Confusion matrix")
    assert problems(view) == ["/Client#confusionMatrix ('Confusion matrix'): no description"]
    view.close()


def test_every_window_and_dialog_names_and_describes_every_control(qtbot, mnist_dir, monkeypatch):
    import numpy as np

    monkeypatch.setenv("DIGIT_CANVAS_DATA", str(mnist_dir))
    window = new_window(qtbot, kind="ovr")
    opened = open_every_view(qtbot, window)
    weights = opened["weights"]
    if weights.mean_maps is not None and weights._job is not None:
        qtbot.waitUntil(lambda: len(weights.mean_maps) == 10, timeout=60000)
    problems_of = {name: problems(view) for name, view in opened.items()}

    # The curves show only while a model trains: show them as the first iteration does.
    dialog = opened["retrain"]
    dialog.curves.add_point("binary", 1, [0.69], np.linspace(-1, 1, 784))
    dialog.curves.setVisible(True)
    problems_of["retrain, watch it learn"] = problems(dialog)
    close_what_it_opened(window)
    for view in opened.values():
        view.close()
    assert {name: found for name, found in problems_of.items() if found} == {}


def _as_box(shown: list, *, buttons=QMessageBox.StandardButton.Ok, answer=None):
    """Stand-in for QMessageBox's static functions: the box they build, shown without blocking."""

    def show(parent, title, text, *args):
        box = QMessageBox(QMessageBox.Icon.NoIcon, title, text, args[0] if args else buttons, parent)
        box.show()
        shown.append(box)
        return answer

    return staticmethod(show)


def test_the_message_boxes_name_every_button(qtbot, monkeypatch):
    window = new_window(qtbot)
    boxes: list[QMessageBox] = []
    monkeypatch.setattr(QMessageBox, "about", _as_box(boxes))
    monkeypatch.setattr(QMessageBox, "question", _as_box(boxes, answer=QMessageBox.StandardButton.No))
    window.action("about").trigger()
    window.model_menu.confirm_reset()  # what Model > Reset to bundled models asks
    menu = window.model_menu
    monkeypatch.setattr(menu, "mnist_dir", lambda: None)
    menu.evaluate()  # without MNIST: "MNIST is needed"
    boxes.append(menu.mnist_question)
    assert [box.windowTitle() for box in boxes] == [
        "About Digit Canvas",
        "Reset to bundled models?",
        "MNIST is needed",
    ]
    found = {box.windowTitle(): problems(box) for box in boxes}
    for box in boxes:
        assert box.buttons() and all(button.text() for button in box.buttons())
        box.close()
    assert {title: f for title, f in found.items() if f} == {}


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
