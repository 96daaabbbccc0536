"""Rounded cards and tinted notes that paint themselves from the palette and ``colours``.

They replace style sheets: a style sheet's ``palette(...)`` colours are fixed when it is applied, and a
widget with a style sheet (or under one) is not told when the palette changes, so a switch to the dark
scheme left such widgets light. These follow every palette change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainter, QPalette, QPen
from PySide6.QtWidgets import QFrame, QLabel

from app.widgets import colours

if TYPE_CHECKING:
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QColor, QPaintEvent
    from PySide6.QtWidgets import QWidget


def paint_rounded(widget: QWidget, background: QColor, border: QColor, radius: float) -> None:
    """Fill ``widget`` with a rounded rectangle with a one-pixel border."""
    painter = QPainter(widget)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(border, 1))
    painter.setBrush(background)
    painter.drawRoundedRect(QRectF(widget.rect()).adjusted(0.5, 0.5, -0.5, -0.5), radius, radius)
    painter.end()


class Card(QFrame):
    """A rounded panel on the palette's base colour, framed in its midlight colour."""

    def __init__(self, radius: float = 10, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.radius = radius

    def paintEvent(self, event: QPaintEvent) -> None:
        palette = self.palette()
        paint_rounded(
            self,
            palette.color(QPalette.ColorRole.Base),
            palette.color(QPalette.ColorRole.Midlight),
            self.radius,
        )


class Note(QLabel):
    """A label in the colours of a message level (info, warning, error, success), or ``"plain"``.

    ``filled`` paints the level's background and border behind the text (a note); otherwise only the
    text takes the level's colour (a status line on the window's background).
    """

    def __init__(
        self, text: str = "", level: str = "info", *, filled: bool = True, parent: QWidget | None = None
    ) -> None:
        super().__init__(text, parent)
        self.filled = filled
        self.radius = 6.0
        self._level = level
        self._apply()

    def level(self) -> str:
        return self._level

    def set_level(self, level: str) -> None:
        self._level = level
        self._apply()
        self.update()

    def text_colour(self) -> QColor:
        return self.palette().color(QPalette.ColorRole.WindowText)

    def _apply(self) -> None:
        """Give the text the level's colour for the current scheme (or the palette's own, for plain)."""
        if self._level == "plain":
            if self.palette().resolveMask():
                self.setPalette(QPalette())  # back to inheriting every role
            return
        _, text, _ = colours.tone(self._level, self.palette())
        if self.palette().color(QPalette.ColorRole.WindowText) != text:
            palette = QPalette(self.palette())
            palette.setColor(QPalette.ColorRole.WindowText, text)
            palette.setColor(QPalette.ColorRole.Text, text)
            self.setPalette(palette)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if colours.is_palette_event(event):
            self._apply()

    def paintEvent(self, event: QPaintEvent) -> None:
        if self.filled and self._level != "plain":
            background, _, border = colours.tone(self._level, self.palette())
            paint_rounded(self, background, border, self.radius)
        super().paintEvent(event)


class ThemedLabel(QLabel):
    """A rich-text label whose text is made from the palette, made again when the palette changes.

    ``set_html(render)`` takes ``render(palette) -> str``, so colours written into the HTML (a change
    coloured green or red, an error in red) get their dark variants when the scheme turns dark.
    ``setText`` still sets plain, fixed text.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self._render: Callable[[QPalette], str] | None = None

    def set_html(self, render: Callable[[QPalette], str]) -> None:
        self._render = render
        super().setText(render(self.palette()))

    def setText(self, text: str) -> None:
        self._render = None
        super().setText(text)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if self._render is not None and colours.is_palette_event(event):
            text = self._render(self.palette())
            if text != self.text():
                super().setText(text)
