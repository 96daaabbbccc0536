"""A dismissible message strip at the top of the window, for things the person should know now.

Used instead of a modal dialog for problems the app recovered from (a damaged model replaced by the
bundled one, a file that could not be opened): the drawing never waits for an OK button.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QSizePolicy, QToolButton

from app.widgets import colours
from app.widgets.cards import Note, paint_rounded

if TYPE_CHECKING:
    from PySide6.QtGui import QPaintEvent
    from PySide6.QtWidgets import QWidget

LEVELS = ("info", "warning", "error")


class MessageBanner(QFrame):
    """One message at a time; ``show_message(text, level)`` with level info, warning or error.

    It paints its own background in the level's colours for the current scheme (light or dark).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBanner")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._level = "info"
        self._label = Note(level=self._level, filled=False, parent=self)
        self._label.setObjectName("messageText")
        self._label.setWordWrap(True)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton(self)
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip("Dismiss")
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 6, 6)
        layout.addWidget(self._label, 1)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def text(self) -> str:
        return "" if self.isHidden() else self._label.text()

    def level(self) -> str:
        return self._level

    def show_message(self, text: str, level: str = "info") -> None:
        self._level = level if level in LEVELS else "info"
        self._label.set_level(self._level)
        self._label.setText(text)
        self.setAccessibleDescription(text)
        self.show()
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        background, _, border = colours.tone(self._level, self.palette())
        paint_rounded(self, background, border, 6)
