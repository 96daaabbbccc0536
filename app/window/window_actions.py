"""The main window's own actions, menus and toolbar, declared as data; the window builds them.

Controllers add theirs through the window's extension points (:mod:`app.window.assembly`).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from app.widgets import icons


class ActionSpec(NamedTuple):
    name: str  # the window's action(name)
    text: str
    slot: str  # the window's method it runs
    shortcuts: tuple[Any, ...] = ()
    icon: str | None = None  # a function of app.widgets.icons, drawn when the action is made
    tip: str | None = None
    icon_text: str | None = None  # a shorter label for the toolbar


ACTIONS = (
    ActionSpec(
        "open",
        "&Open image…",
        "_open_dialog",
        (QKeySequence.StandardKey.Open,),
        "open_icon",
        "Classify a picture of a digit (you can also drop an image file on the window)",
        "Open",
    ),
    ActionSpec(
        "save",
        "&Save drawing as PNG…",
        "_save_dialog",
        (QKeySequence.StandardKey.Save,),
        "save_icon",
        "Save the drawing as a PNG image",
        "Save",
    ),
    ActionSpec("quit", "&Quit", "close", (QKeySequence.StandardKey.Quit,)),
    ActionSpec(
        "undo",
        "&Undo",
        "_undo",
        (QKeySequence.StandardKey.Undo,),
        "undo_icon",
        "Take back the last stroke (Ctrl+Z)",
    ),
    ActionSpec(
        "redo",
        "&Redo",
        "_redo",
        ("Ctrl+Shift+Z", "Ctrl+Y"),
        "redo_icon",
        "Put the stroke back (Ctrl+Shift+Z)",
    ),
    ActionSpec(
        "clear",
        "&Clear",
        "_clear",
        (Qt.Key.Key_Escape, Qt.Key.Key_Delete),
        "clear_icon",
        "Clear the canvas (Esc or Delete)",
    ),
    ActionSpec("about", "&About {app}", "_about"),
)

# Menus in the menu bar: (name, title, actions; None is a separator). "models" stands for the model
# switch's actions, one per kind.
MENUS = (
    ("file", "&File", ("open", "save", None, "quit")),
    ("edit", "&Edit", ("undo", "redo", None, "clear")),
    ("view", "&View", ()),
    ("model", "&Model", ("models",)),
    ("help", "&Help", ("about",)),
)
TOOLBAR = ("open", "save", None, "undo", "redo", "clear", None)  # then the brush and the model switch


def icon_for(spec: ActionSpec) -> Any:
    return None if spec.icon is None else getattr(icons, spec.icon)()
