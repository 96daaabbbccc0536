"""The keyboard focus ring of the hand-painted widgets: a 3-pixel line in the palette's highlight colour.

Qt's own widgets show focus through the style; a widget that paints itself must draw it. A frame that
merely changes colour, one pixel wide, is too easy to miss (WCAG 2.2's "focus appearance" asks for at
least a 2-pixel outline that contrasts with what is around it), so every painted widget that takes focus
draws this one, around itself or around the part of it the keys act on (a bar, a cell).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter, QPalette, QPen

if TYPE_CHECKING:
    from PySide6.QtCore import QRect

WIDTH = 3.0  # pixels


def paint_focus_ring(painter: QPainter, rect: QRectF | QRect, palette: QPalette, radius: float = 4.0) -> None:
    """Draw the focus ring just inside ``rect`` (so it is never clipped by the widget's edge)."""
    inset = WIDTH / 2
    ring = QRectF(rect).adjusted(inset, inset, -inset, -inset)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(palette.color(QPalette.ColorRole.Highlight), WIDTH))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRoundedRect(ring, radius, radius)
    painter.restore()
