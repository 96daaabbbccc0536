"""How opaque the explanation layer paints each of its pixels, read from what it composes.

Both the overlay's own tests and the window's explanation tests ask "is there colour here?"; this
reads the answer the same way for both, in widget pixels, whatever the device pixel ratio.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage

from app.widgets.explanation_layer import ExplanationLayer


def painted_alpha(layer: ExplanationLayer) -> np.ndarray:
    """The opacity (0-255) at each widget pixel of ``layer``: 0 wherever it composes nothing."""
    out = np.zeros((layer.height(), layer.width()), np.uint8)
    found = layer.composed()
    if found is None:
        return out
    image, area = found
    image = image.convertToFormat(QImage.Format.Format_ARGB32)
    pixels = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    alpha = pixels[:, : 4 * image.width()].reshape(image.height(), image.width(), 4)[:, :, 3]
    ratio = image.devicePixelRatio()
    rows = np.minimum((np.arange(area.height()) * ratio).round().astype(int), alpha.shape[0] - 1)
    cols = np.minimum((np.arange(area.width()) * ratio).round().astype(int), alpha.shape[1] - 1)
    piece = alpha[np.ix_(rows, cols)]
    top, left = area.top(), area.left()
    height = min(piece.shape[0], out.shape[0] - top)
    width = min(piece.shape[1], out.shape[1] - left)
    out[top : top + height, left : left + width] = piece[:height, :width]
    return out
