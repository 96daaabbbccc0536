"""Digit thumbnails and the colour scales of the weight and confusion views.

Kept in one place so every window draws digits and colours the same way, and so the colour maths can be
tested without widgets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPixmap

from app.widgets.qimages import gray_to_qimage, rgb_to_qimage

if TYPE_CHECKING:
    from PySide6.QtGui import QImage

SIDE = 28

# Diverging scale for weights: negative -> blue, zero -> white, positive -> red (ColorBrewer RdBu ends).
NEGATIVE_RGB = np.array([33, 102, 172], dtype=np.float64)
ZERO_RGB = np.array([255, 255, 255], dtype=np.float64)
POSITIVE_RGB = np.array([178, 24, 43], dtype=np.float64)


def diverging_rgb(values: np.ndarray, vmax: float | None = None) -> np.ndarray:
    """Map ``values`` to RGB uint8 on a symmetric blue-white-red scale from ``-vmax`` to ``+vmax``.

    A symmetric scale keeps white meaning "no evidence either way", so the eye reads sign and strength
    directly. ``vmax`` defaults to the largest absolute value.
    """
    values = np.asarray(values, dtype=np.float64)
    if vmax is None:
        vmax = float(np.nanmax(np.abs(values))) if values.size else 0.0
    scale = values / vmax if vmax > 0 else np.zeros_like(values)
    scale = np.clip(np.nan_to_num(scale), -1.0, 1.0)[..., None]
    pos = ZERO_RGB + (POSITIVE_RGB - ZERO_RGB) * np.clip(scale, 0.0, 1.0)
    neg = ZERO_RGB + (NEGATIVE_RGB - ZERO_RGB) * np.clip(-scale, 0.0, 1.0)
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


def weights_pixmap(weights: np.ndarray, side: int) -> QPixmap:
    """28x28 weights on the blue-white-red scale, upscaled to ``side`` pixels with crisp squares."""
    picture = rgb_to_qimage(diverging_rgb(np.asarray(weights, dtype=np.float64).reshape(SIDE, SIDE)))
    return QPixmap.fromImage(picture).scaled(
        side, side, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation
    )
