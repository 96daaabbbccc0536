"""The explanation laid over the drawing: which parts of it counted for the answer, and which against.

A transparent layer on top of the canvas, so the canvas keeps owning its strokes and input. It is
given each pixel's part of the score on the model's 28x28 input and where that input lies on the
canvas's document; it paints the parts there, one colour for and another against (blue and orange,
which stay apart for the common colour-vision deficiencies), as opaque as the part is strong. Given
the picture the model read, it paints them only where that picture has ink: a 28x28 pixel is a
dozen of the canvas's wide, and smoothed out over the paper the colours would glow past the strokes
and end at the frame's straight edge. It lies on the canvas's paper, which stays white in a dark
scheme too, so its colours have no dark variant.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QEvent, QRectF, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from PIL import Image
    from PySide6.QtCore import QObject, QPointF, QRect
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
        self._ink: Image.Image | None = None  # the picture read (dark ink on white), for the mask
        self._ink_rect: Callable[[], QRectF] | None = None  # where that picture lies on the widget now
        self._mask: tuple[Image.Image, QImage] | None = None  # the picture and its ink as alpha
        self._composed: tuple[tuple, QImage] | None = None  # the last composition and what it was of
        over.installEventFilter(self)
        self.setGeometry(over.rect())
        self.hide()

    def show_parts(
        self,
        parts: np.ndarray | None,
        to_widget: Callable[[float, float], QPointF] | None,
        ink: Image.Image | None = None,
        ink_rect: Callable[[], QRectF] | None = None,
    ) -> None:
        """Show ``parts`` (28, 28), or nothing for ``None``; ``to_widget`` maps frame points to the widget.

        ``ink``, a grey picture of dark ink on white lying at ``ink_rect()`` on the widget, limits the
        colours to its ink. Like ``to_widget``, ``ink_rect`` is asked at every paint, so the mask
        follows the canvas when it is resized; the mask is made when the layer paints.
        """
        if parts is None or to_widget is None:
            self._parts = self._image = self._to_widget = self._ink = self._ink_rect = None
            self.update()
            return
        self._parts = np.asarray(parts, dtype=np.float64).reshape(28, 28)
        self._image = parts_image(self._parts)
        self._to_widget = to_widget
        self._ink, self._ink_rect = (
            (ink, ink_rect) if ink is not None and ink_rect is not None else (None, None)
        )
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

    def composed(self) -> tuple[QImage, QRect] | None:
        """What the layer paints and where: the parts over the frame, on the ink only.

        Only the part of the widget the frame covers (within the picture, when there is one) is
        composed, at the screen's resolution.
        """
        target = self.target_rect()
        if self._image is None or target is None:
            return None
        ink_rect = None if self._ink is None or self._ink_rect is None else self._ink_rect()
        area = (target if ink_rect is None else target.intersected(ink_rect)).toAlignedRect()
        area = area.intersected(self.rect())
        if area.isEmpty():
            return None
        ratio = self.devicePixelRatioF()
        key = (self._image, self._ink, area.getRect(), target.getRect(), ratio)
        if self._composed is not None and _same(self._composed[0], key):  # a repaint of the same
            return self._composed[1], area
        out = QImage(
            round(area.width() * ratio),
            round(area.height() * ratio),
            QImage.Format.Format_ARGB32_Premultiplied,
        )
        out.setDevicePixelRatio(ratio)
        out.fill(Qt.GlobalColor.transparent)
        painter = QPainter(out)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.translate(-area.topLeft())
        painter.drawImage(target, self._image)
        if ink_rect is not None and self._ink is not None:
            painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_DestinationIn)
            painter.drawImage(ink_rect, self._ink_mask(self._ink))
        painter.end()
        self._composed = (key, out)
        return out, area

    def _ink_mask(self, picture: Image.Image) -> QImage:
        """The picture's ink as an alpha-only image (kept while the same picture is shown)."""
        if self._mask is None or self._mask[0] is not picture:
            grey = picture if picture.mode == "L" else picture.convert("L")
            width, height = grey.size
            mask = QImage(grey.tobytes(), width, height, width, QImage.Format.Format_Grayscale8).copy()
            mask.invertPixels()  # ink is dark: its darkness is the mask's opacity
            mask.reinterpretAsFormat(QImage.Format.Format_Alpha8)
            self._mask = (picture, mask)
        return self._mask[1]

    def paintEvent(self, event: QPaintEvent) -> None:
        found = self.composed()
        if found is None:
            return
        image, area = found
        QPainter(self).drawImage(area.topLeft(), image)


def _same(a: tuple, b: tuple) -> bool:
    """The same pictures (the very objects: comparing their pixels would cost what reusing saves)
    at the same places."""
    return a[0] is b[0] and a[1] is b[1] and a[2:] == b[2:]


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
