"""How opaque the explanation layer paints each of its pixels, read from what it composes.

Both the overlay's own tests and the window's explanation tests ask "is there colour here?"; this
reads the answer the same way for both, in widget pixels, whatever the device pixel ratio. The
layer composes only within its own rect, so its area always fits.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage

from app.widgets.explanation_layer import ExplanationLayer
from app.widgets.qimages import qimage_to_gray


def painted_alpha(layer: ExplanationLayer) -> np.ndarray:
    """The opacity (0-255) at each widget pixel of ``layer``: 0 wherever it composes nothing."""
    out = np.zeros((layer.height(), layer.width()), np.uint8)
    found = layer.composed()
    if found is None:
        return out
    image, area = found
    alpha = image.convertToFormat(QImage.Format.Format_Alpha8)
    alpha.reinterpretAsFormat(QImage.Format.Format_Grayscale8)  # same bytes, read as grey
    alpha = qimage_to_gray(alpha)
    ratio = image.devicePixelRatio()
    rows = np.minimum((np.arange(area.height()) * ratio).round().astype(int), alpha.shape[0] - 1)
    cols = np.minimum((np.arange(area.width()) * ratio).round().astype(int), alpha.shape[1] - 1)
    out[area.top() : area.bottom() + 1, area.left() : area.right() + 1] = alpha[np.ix_(rows, cols)]
    return out
