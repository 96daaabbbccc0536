"""Training you can watch: each class's loss as the solver iterates, and the 0-vs-1 model's weights.

The loss curves come one point per iteration (log scale: the loss falls by orders of magnitude); the
binary model's 784 weights are drawn as a 28x28 picture after each gradient step, red where ink makes
it say 1 and blue where ink makes it say 0, so the digit it learns to tell apart appears as it trains.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QVBoxLayout

from app.text.labels import label
from app.widgets.heatmap import WeightsPicture
from app.widgets.line_plot import LinePlot

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

WEIGHTS_SIDE = 140  # pixels for the 28x28 weight picture
OVR_SERIES = 11  # the one-vs-rest model's losses: a digit each, and "no digit"


class CurvesPanel(QGroupBox):
    """Loss per class against the iteration, and the binary model's weights, live."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Watch it learn", parent)
        self.setObjectName("curvesPanel")
        self.plot = LinePlot("iteration", "loss", log_y=True)
        self.plot.setObjectName("lossPlot")
        self.plot.setMinimumHeight(170)
        self.weights = WeightsPicture(WEIGHTS_SIDE)
        self.weights.setObjectName("binaryWeights")
        self.weights.setFixedSize(WEIGHTS_SIDE, WEIGHTS_SIDE)
        self.weights.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.weights.setAccessibleName("The 0-vs-1 model's weights")
        self.weights_caption = QLabel("0-vs-1 weights: red says 1, blue says 0")
        self.weights_caption.setWordWrap(True)
        self.weights_caption.setMaximumWidth(WEIGHTS_SIDE)
        side = QVBoxLayout()
        side.addWidget(self.weights)
        side.addWidget(self.weights_caption)
        side.addStretch(1)
        row = QHBoxLayout(self)
        row.addWidget(self.plot, 1)
        row.addLayout(side)
        self._kind: str | None = None
        self._last_weights: np.ndarray | None = None
        # The one-vs-rest model's eleven curves are made as the dialog opens, not when its first
        # iteration arrives mid-training, while someone may be drawing.
        self.plot.prepare(_series_names("ovr", OVR_SERIES))
        self.clear()

    def clear(self) -> None:
        """Forget the last run (a new one is starting)."""
        self._kind = None
        self._last_weights = None
        self.plot.set_series([])
        self.weights.set_weights(None)
        self.weights.setVisible(False)
        self.weights_caption.setVisible(False)

    def kind(self) -> str | None:
        """The model whose curves are shown."""
        return self._kind

    def last_weights(self) -> np.ndarray | None:
        return self._last_weights

    def add_point(self, kind: str, iteration: int, losses: Any, weights: Any = None) -> None:
        """One iteration of ``kind``'s training; a new kind starts new curves."""
        losses = tuple(float(v) for v in losses)
        if kind != self._kind:
            self._kind = kind
            names = _series_names(kind, len(losses))
            self.plot.set_series(names)
            self.setTitle(f"Watch it learn: {label(kind)}, loss per {'class' if len(names) > 1 else 'step'}")
        if len(losses) == len(self.plot.series()):
            self.plot.append(iteration, losses)
        if weights is not None:
            self._last_weights = np.asarray(weights, dtype=np.float64).reshape(28, 28)
            self.weights.set_weights(self._last_weights)
            self.weights.setVisible(True)
            self.weights_caption.setVisible(True)


def _series_names(kind: str, count: int) -> list[str]:
    if kind == "binary" or count == 1:
        return ["loss"]
    names = [str(d) for d in range(min(count, 10))]
    if count > 10:
        names.append("no digit")
    return names + [f"#{i}" for i in range(len(names), count)]
