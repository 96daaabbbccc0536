"""The explanation laid over the drawing: which parts of it counted for the answer, and which against.

A transparent layer on top of the canvas, so the canvas keeps owning its strokes and input. It is
given each pixel's part of the score on the model's 28x28 input and where that input lies on the
canvas's document; it paints the parts there, one colour for and another against (blue and orange,
which stay apart for the common colour-vision deficiencies), as opaque as the part is strong. It lies
on the canvas's paper, which stays white in a dark scheme too, so its colours have no dark variant.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QEvent, QRectF, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from PySide6.QtCore import QObject, QPointF
    from PySide6.QtGui import QPaintEvent

FOR_RGB = (230, 97, 1)  # orange (PuOr's end): counted for
AGAINST_RGB = (35, 118, 181)  # blue: counted against
MAX_ALPHA = 0.8  # the strongest part still lets the stroke show through


class ExplanationLayer(QWidget):
    """Paints 28x28 parts over a widget, placed by ``to_widget`` (MNIST-frame point -> widget point)."""

    def __init__(self, over: QWidget) -> None:
        super().__init__(over)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAccessibleName("Why this digit, over the drawing")
        self.setAccessibleDescription(
            "Orange where the ink counted for the answer, blue where it counted against; "
            "the caption under the bars says it in words"
        )
        self._image: QImage | None = None
        self._parts: np.ndarray | None = None
        self._to_widget: Callable[[float, float], QPointF] | None = None
        over.installEventFilter(self)
        self.setGeometry(over.rect())
        self.hide()

    def show_parts(
        self, parts: np.ndarray | None, to_widget: Callable[[float, float], QPointF] | None
    ) -> None:
        """Show ``parts`` (28, 28), or nothing for ``None``; ``to_widget`` maps frame points to the widget."""
        if parts is None or to_widget is None:
            self._parts = self._image = self._to_widget = None
            self.update()
            return
        self._parts = np.asarray(parts, dtype=np.float64).reshape(28, 28)
        self._image = parts_image(self._parts)
        self._to_widget = to_widget
        self.update()

    def parts(self) -> np.ndarray | None:
        return self._parts

    def target_rect(self) -> QRectF | None:
        """Where the 28x28 frame lies on the widget."""
        if self._to_widget is None:
            return None
        return QRectF(self._to_widget(0.0, 0.0), self._to_widget(28.0, 28.0)).normalized()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parent() and event.type() == QEvent.Type.Resize:
            self.setGeometry(self.parentWidget().rect())
        return False

    def paintEvent(self, event: QPaintEvent) -> None:
        target = self.target_rect()
        if self._image is None or target is None:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(target, self._image)


def parts_image(parts: np.ndarray, vmax: float | None = None) -> QImage:
    """The parts as a 28x28 ARGB picture: orange for, blue against, alpha by strength."""
    values = np.asarray(parts, dtype=np.float64).reshape(28, 28)
    top = float(np.abs(values).max()) if vmax is None else float(vmax)
    strength = np.clip(np.abs(values) / top, 0.0, 1.0) if top > 0 else np.zeros_like(values)
    rgba = np.zeros((28, 28, 4), dtype=np.uint8)
    rgba[..., :3] = np.where(values[..., None] >= 0, FOR_RGB, AGAINST_RGB)
    rgba[..., 3] = np.round(255 * MAX_ALPHA * np.sqrt(strength))  # sqrt: weak parts stay visible
    image = QImage(rgba.data, 28, 28, 4 * 28, QImage.Format.Format_RGBA8888)
    return image.copy()  # owns its pixels
