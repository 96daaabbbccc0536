"""Menu and toolbar actions, made one way: named, with their shortcuts, icon and tip."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence

if TYPE_CHECKING:
    from PySide6.QtCore import QObject
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QWidget


def make_action(
    parent: QObject,
    name: str,
    text: str,
    slot: Callable[..., Any],
    shortcuts: Sequence[Any] = (),
    *,
    icon: QIcon | None = None,
    tip: str | None = None,
) -> QAction:
    """An action called ``action:<name>`` (so tests and the window find it) that runs ``slot``.

    Its shortcuts work anywhere in the window once the window has it (``QWidget.addAction``).
    """
    act = QAction(text, parent)
    act.setObjectName(f"action:{name}")
    if shortcuts:
        act.setShortcuts([QKeySequence(s) for s in shortcuts])
        act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    if icon is not None:
        act.setIcon(icon)
    if tip:
        act.setToolTip(tip)
        act.setStatusTip(tip)
    act.triggered.connect(slot)
    return act


def action_name(action: QAction) -> str:
    """The name :func:`make_action` gave ``action`` (its object name without ``action:``)."""
    return action.objectName().removeprefix("action:")


def add_close_keys(window: QWidget) -> QAction:
    """Esc and Ctrl+W close ``window``, as Esc closes a dialog (Ctrl+W is Cmd+W on a Mac).

    For the app's secondary windows, which are plain widgets: a dialog gets Esc from Qt itself.
    """
    act = make_action(window, "close", "&Close", window.close, [Qt.Key.Key_Escape, "Ctrl+W"])
    window.addAction(act)
    return act
