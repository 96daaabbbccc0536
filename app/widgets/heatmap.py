"""Digit thumbnails and the colour scales of the weight and confusion views.

Kept in one place so every window draws digits and colours the same way, and so the colour maths can be
tested without widgets. The diverging scale has a dark variant (its centre the near-black of a dark
background, its ends lighter) from :mod:`app.widgets.colours`; digit thumbnails stay ink on paper.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPixmap
from PySide6.QtWidgets import QLabel

from app.widgets import colours
from app.widgets.qimages import gray_to_qimage, rgb_to_qimage

if TYPE_CHECKING:
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QImage, QPalette
    from PySide6.QtWidgets import QWidget

SIDE = 28

# Diverging scale for weights: negative -> blue, zero -> white, positive -> red (ColorBrewer RdBu ends,
# which stay apart for the common colour-vision deficiencies). The light scheme's; heat_ends() gives
# the one that suits a palette.
NEGATIVE_RGB = np.array([33, 102, 172], dtype=np.float64)
ZERO_RGB = np.array([255, 255, 255], dtype=np.float64)
POSITIVE_RGB = np.array([178, 24, 43], dtype=np.float64)

Ends = tuple[tuple[int, int, int], tuple[int, int, int], tuple[int, int, int]]


def heat_ends(palette: QPalette | None = None) -> Ends:
    """The diverging scale's (negative, zero, positive) RGB for ``palette``'s scheme (light or dark)."""
    return colours.heat_rgb(palette)  # type: ignore[return-value]


def diverging_rgb(values: np.ndarray, vmax: float | None = None, ends: Ends | None = None) -> np.ndarray:
    """Map ``values`` to RGB uint8 on a symmetric blue-white-red scale from ``-vmax`` to ``+vmax``.

    A symmetric scale keeps white meaning "no evidence either way", so the eye reads sign and strength
    directly. ``vmax`` defaults to the largest absolute value. ``ends`` (negative, zero, positive) default
    to the light scheme's; :func:`heat_ends` gives the dark one's, whose zero is near-black.
    """
    if ends is None:
        negative, zero, positive = NEGATIVE_RGB, ZERO_RGB, POSITIVE_RGB
    else:
        negative, zero, positive = (np.asarray(e, dtype=np.float64) for e in ends)
    values = np.asarray(values, dtype=np.float64)
    if vmax is None:
        vmax = float(np.nanmax(np.abs(values))) if values.size else 0.0
    scale = values / vmax if vmax > 0 else np.zeros_like(values)
    scale = np.clip(np.nan_to_num(scale), -1.0, 1.0)[..., None]
    pos = zero + (positive - zero) * np.clip(scale, 0.0, 1.0)
    neg = zero + (negative - zero) * np.clip(-scale, 0.0, 1.0)
    rgb = np.where(scale >= 0, pos, neg)
    return np.rint(rgb).astype(np.uint8)


def blend(start: QColor, end: QColor, t: float) -> QColor:
    """The colour ``t`` of the way from ``start`` to ``end`` (``t`` clipped to 0..1)."""
    t = min(max(float(t), 0.0), 1.0)
    return QColor(
        round(start.red() + (end.red() - start.red()) * t),
        round(start.green() + (end.green() - start.green()) * t),
        round(start.blue() + (end.blue() - start.blue()) * t),
    )


def readable_text_colour(background: QColor) -> QColor:
    """Black or white, whichever stays legible on ``background`` (by perceived luminance)."""
    luminance = 0.299 * background.red() + 0.587 * background.green() + 0.114 * background.blue()
    return QColor(Qt.GlobalColor.black) if luminance > 140 else QColor(Qt.GlobalColor.white)


def digit_qimage(pixels: np.ndarray) -> QImage:
    """One MNIST-format digit (784 values in [0, 1], white ink on black) as dark ink on white paper.

    Inverted so the thumbnails look like what the person drew on the canvas.
    """
    grey = np.asarray(pixels, dtype=np.float32).reshape(SIDE, SIDE)
    ink = np.rint(255.0 * (1.0 - np.clip(grey, 0.0, 1.0))).astype(np.uint8)
    return gray_to_qimage(ink)


def digit_pixmap(pixels: np.ndarray, size: int = 56) -> QPixmap:
    """A digit thumbnail upscaled without smoothing, so each MNIST pixel stays a crisp square."""
    image = digit_qimage(pixels).scaled(
        size, size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation
    )
    return QPixmap.fromImage(image)


def weights_pixmap(weights: np.ndarray, side: int, palette: QPalette | None = None) -> QPixmap:
    """28x28 weights on the diverging scale of ``palette``'s scheme, upscaled to ``side`` pixels."""
    rgb = diverging_rgb(np.asarray(weights, dtype=np.float64).reshape(SIDE, SIDE), ends=heat_ends(palette))
    return QPixmap.fromImage(rgb_to_qimage(rgb)).scaled(
        side, side, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation
    )


class WeightsPicture(QLabel):
    """A label showing 28x28 weights on the diverging scale, drawn again when the scheme changes."""

    def __init__(self, side: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.side = side
        self._weights: np.ndarray | None = None
        self._dark: bool | None = None

    def set_weights(self, weights: np.ndarray | None) -> None:
        self._weights = None if weights is None else np.asarray(weights, dtype=np.float64)
        self._dark = None
        self._draw()

    def weights(self) -> np.ndarray | None:
        return self._weights

    def _draw(self) -> None:
        if self._weights is None:
            self.clear()
            return
        dark = colours.is_dark(self.palette())
        if dark != self._dark:
            self._dark = dark
            self.setPixmap(weights_pixmap(self._weights, self.side, self.palette()))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if colours.is_palette_event(event):
            self._draw()
