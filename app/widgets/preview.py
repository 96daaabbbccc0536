"""A small picture of the 28x28 image the model actually sees.

Learners see that the model gets a tiny, centred, white-on-black digit, not their drawing; when a
prediction surprises them, this usually shows why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.widgets.qimages import gray_to_qimage

if TYPE_CHECKING:
    from PySide6.QtGui import QImage, QPaintEvent

SIDE = 28


class PreviewView(QWidget):
    """Draws a 28x28 image with square pixels (no smoothing), or an empty frame."""

    def __init__(self, parent: QWidget | None = None, scale: int = 4) -> None:
        super().__init__(parent)
        self.setObjectName("preview")
        self.setAccessibleName("What the model sees")
        self.setToolTip("The 28x28 image the model sees: cropped, scaled, centred, white on black")
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self._scale = scale
        self.setFixedSize(SIDE * scale + 2, SIDE * scale + 2)
        self._pixels: np.ndarray | None = None
        self._image: QImage | None = None

    def pixels(self) -> np.ndarray | None:
        """The image shown, (28, 28) floats in [0, 1], or ``None``."""
        return None if self._pixels is None else self._pixels.copy()

    def set_pixels(self, pixels: np.ndarray | None) -> None:
        if pixels is None:
            self._pixels = None
            self._image = None
        else:
            self._pixels = np.asarray(pixels, dtype=np.float32).reshape(SIDE, SIDE)
            self._image = gray_to_qimage(np.round(np.clip(self._pixels, 0, 1) * 255).astype(np.uint8))
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(SIDE * self._scale + 2, SIDE * self._scale + 2)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        inner = QRectF(1, 1, SIDE * self._scale, SIDE * self._scale)
        painter.setBackground(Qt.GlobalColor.black)
        painter.eraseRect(inner)  # not fillRect: see DrawingCanvas.paintEvent
        if self._image is not None:
            # Square pixels at any screen density: scale in device pixels without smoothing.
            ratio = self.devicePixelRatioF()
            side = round(inner.width() * ratio)
            big = self._image.scaled(
                side, side, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.FastTransformation
            )
            big.setDevicePixelRatio(ratio)
            painter.drawImage(inner.topLeft(), big)
        painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Mid), 1))
        painter.drawRect(QRectF(0.5, 0.5, SIDE * self._scale + 1, SIDE * self._scale + 1))
        painter.end()
