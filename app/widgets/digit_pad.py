"""Ten digit buttons, for saying which digit a drawing really is in one click."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QGridLayout, QLabel, QToolButton, QVBoxLayout, QWidget


class DigitPad(QWidget):
    """Ten digit buttons, 0-4 over 5-9: "this drawing is a …" in one click."""

    digitChosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("digitPad")
        title = QLabel("This drawing is a…")
        title.setObjectName("digitPadTitle")
        grid = QGridLayout()
        grid.setSpacing(4)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.buttons: list[QToolButton] = []
        for digit in range(10):
            button = QToolButton()
            button.setObjectName(f"teachDigit{digit}")
            button.setText(str(digit))
            button.setFont(font)
            button.setFixedSize(40, 36)
            button.setAutoRaise(False)
            button.setToolTip(f"Save the drawing as a {digit} (or press {digit} on the canvas)")
            button.clicked.connect(lambda _=False, d=digit: self.digitChosen.emit(d))
            grid.addWidget(button, digit // 5, digit % 5)
            self.buttons.append(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 10)
        layout.setSpacing(6)
        layout.addWidget(title)
        layout.addLayout(grid)
