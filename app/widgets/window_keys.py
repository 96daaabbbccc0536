"""Lets the window's Ctrl shortcuts through a small text field that would otherwise keep them.

A spin box's line edit claims Ctrl+Z (its own undo) and other Ctrl keys before the window sees
them, so with the focus in the brush-width box Ctrl+Z or Ctrl+E did nothing to the drawing. In a
field that holds one number the window's meaning of those keys is the one a person expects; the
clipboard keys stay the field's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

_FIELD_KEYS = (
    QKeySequence.StandardKey.Copy,
    QKeySequence.StandardKey.Cut,
    QKeySequence.StandardKey.Paste,
    QKeySequence.StandardKey.SelectAll,
)


class WindowKeysFirst(QObject):
    """Installed on ``field``: a Ctrl key that is the shortcut of one of ``window``'s actions
    (``window.actions()``, where the main window keeps them all) goes to that action."""

    def __init__(self, window: QWidget, field: QWidget) -> None:
        super().__init__(field)
        self._window = window
        field.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.ShortcutOverride or not isinstance(event, QKeyEvent):
            return False
        if not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            return False
        if any(event.matches(key) for key in _FIELD_KEYS):
            return False
        pressed = QKeySequence(event.keyCombination())
        if any(pressed in act.shortcuts() for act in self._window.actions() if act.isEnabled()):
            event.ignore()  # the field does not claim it, so the shortcut goes to the window's action
            return True
        return False
