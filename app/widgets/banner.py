"""A dismissible message strip at the top of the window, for things the person should know now.

Used instead of a modal dialog for problems the app recovered from (a damaged model replaced by the
bundled one, a file that could not be opened): the drawing never waits for an OK button.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QToolButton

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

_STYLES = {
    "info": ("#e8f0fe", "#1a3d7c", "#9bb8ee"),
    "warning": ("#fff4d6", "#5c4300", "#e8c765"),
    "error": ("#fde7e7", "#7c1a1a", "#ee9b9b"),
}


class MessageBanner(QFrame):
    """One message at a time; ``show_message(text, level)`` with level info, warning or error."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBanner")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._label = QLabel(self)
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

    def show_message(self, text: str, level: str = "info") -> None:
        background, foreground, border = _STYLES.get(level, _STYLES["info"])
        self.setStyleSheet(
            f"QFrame#messageBanner {{ background: {background}; border: 1px solid {border};"
            f" border-radius: 6px; }} QLabel#messageText {{ color: {foreground}; }}"
        )
        self._label.setText(text)
        self.setAccessibleDescription(text)
        self.show()
