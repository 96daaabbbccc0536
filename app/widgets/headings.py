"""Bold labels a step or more above the body text: window headlines, section titles, stages."""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel


def heading(text: str, name: str = "", scale: float = 1.0) -> QLabel:
    """A bold label ``scale`` times the usual size, called ``name`` (for tests and style sheets)."""
    label = QLabel(text)
    if name:
        label.setObjectName(name)
    font = QFont(label.font())
    if scale != 1.0:
        font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(True)
    label.setFont(font)
    return label
