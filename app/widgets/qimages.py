"""Pictures between Qt, numpy and Pillow: the one place QImage pixels are copied in or out.

Every conversion copies, so the QImage owns its pixels and the array or Pillow image it came from can
go away (and the other way round); :func:`gray_view` alone lends them, for drawing in place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtGui import QImage

if TYPE_CHECKING:
    from PIL import Image


def gray_to_qimage(gray: np.ndarray) -> QImage:
    """An (h, w) uint8 array as a grey QImage."""
    gray = np.ascontiguousarray(gray, dtype=np.uint8)
    if gray.ndim != 2:
        raise ValueError(f"expected an (h, w) array, got shape {gray.shape}")
    h, w = gray.shape
    return QImage(gray.data, w, h, w, QImage.Format.Format_Grayscale8).copy()


def rgb_to_qimage(rgb: np.ndarray) -> QImage:
    """An (h, w, 3) uint8 array as an RGB QImage."""
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"expected an (h, w, 3) array, got shape {rgb.shape}")
    h, w, _ = rgb.shape
    return QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


def gray_view(image: QImage, writable: bool = False) -> np.ndarray:
    """A grey QImage's pixels as an (h, w) uint8 view, no copy: valid while the image lives unchanged
    in size, and writable (the image detaches first if it shares its pixels) when asked."""
    if image.format() != QImage.Format.Format_Grayscale8:
        raise ValueError(f"expected a Format_Grayscale8 image, got {image.format()}")
    w, h, stride = image.width(), image.height(), image.bytesPerLine()
    data = image.bits() if writable else image.constBits()
    return np.frombuffer(data, dtype=np.uint8, count=stride * h).reshape(h, stride)[:, :w]


def qimage_to_gray(image: QImage) -> np.ndarray:
    """A QImage's pixels as an (h, w) uint8 grey array (converted to grey first if need be)."""
    if image.format() != QImage.Format.Format_Grayscale8:
        image = image.convertToFormat(QImage.Format.Format_Grayscale8)
    return gray_view(image).copy()


def pil_to_qimage(picture: Image.Image) -> QImage:
    """A Pillow image as a grey QImage."""
    return gray_to_qimage(np.asarray(picture.convert("L"), dtype=np.uint8))


def qimage_to_pil(image: QImage) -> Image.Image:
    """A QImage as a Pillow ``L`` image."""
    from PIL import Image  # on first use: Pillow is not needed to show the window

    return Image.fromarray(qimage_to_gray(image), mode="L")
