"""A reliability diagram: how often the model was right against how sure it said it was.

One bar per confidence bin, as high as the share of answers in that bin that were right; the diagonal
is where a calibrated model's bars would end. Gaps above the diagonal mean the model was surer than it
was right. The expected calibration error is written in the corner. Drawn with pyqtgraph, imported
when the first plot is made (:mod:`app.widgets.plotting`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QSizePolicy

from app.text.numbers import RESULT_DIGITS, percent
from app.widgets import colours, plotting

if TYPE_CHECKING:
    from types import ModuleType

    from PySide6.QtCore import QRectF
    from PySide6.QtWidgets import QWidget

BAR_GAP = 0.006  # confidence units left between neighbouring bars
AXIS_TICKS = (0.0, 0.5, 1.0)


class ReliabilityDiagram(plotting.PlotHost):
    """Bars of accuracy per confidence bin, the diagonal, and the calibration error."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Reliability diagram", parent)
        self._edges: np.ndarray | None = None
        self._accuracy = self._confidence = self._counts = None
        self._ece: float | None = None
        self._empty_text = ""
        self.plot_item: Any = None  # the pyqtgraph PlotItem the diagram is drawn in
        self.bars: Any = None  # accuracy per bin (a pyqtgraph BarGraphItem)
        self.gaps: Any = None  # from each bar's top to the bin's mean confidence
        self._diagonal: Any = None
        self._ece_label: Any = None
        self._empty_label: Any = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(200, 200)
        self.make_view()

    def set_reliability(
        self, edges: np.ndarray, confidence: np.ndarray, accuracy: np.ndarray, counts: np.ndarray, ece: float
    ) -> None:
        """Show one reliability (see :class:`training.calibration.Reliability`)."""
        self._edges = np.asarray(edges, dtype=np.float64)
        self._accuracy = np.asarray(accuracy, dtype=np.float64)
        self._confidence = np.asarray(confidence, dtype=np.float64)
        self._counts = np.asarray(counts)
        self._ece = float(ece)
        self.setAccessibleDescription(self.summary())
        self.setToolTip(self.summary())
        self._show()

    def clear(self, text: str = "") -> None:
        """Show no diagram, with ``text`` in its place (say, "Evaluating…" while work is going on)."""
        self._edges = None
        self._ece = None
        self._empty_text = text
        self.setToolTip("")
        self._show()

    def summary(self) -> str:
        """One sentence saying what the diagram shows."""
        if self._ece is None:
            return "No evaluation yet."
        filled = self._counts > 0
        gap = float((self._counts[filled] / self._counts.sum()) @ (self._confidence - self._accuracy)[filled])
        leaning = "surer than it is right" if gap > 0 else "less sure than it is right"
        ece, by = percent(self._ece, RESULT_DIGITS), percent(abs(gap), RESULT_DIGITS)
        if by == ece:  # every confidence level leans the same way
            return f"Calibration error {ece}: on average the model is {leaning} by that much."
        return (
            f"Calibration error {ece}, the average gap between how sure the model is and how often it "
            f"is right at each confidence level; they lean both ways, and all together it is {leaning} "
            f"by {by}."
        )

    def ece_text(self) -> str:
        """What the corner says: the calibration error, or nothing before an evaluation."""
        return "" if self._ece is None else f"ECE {percent(self._ece, RESULT_DIGITS)}"

    def sizeHint(self) -> QSize:
        return QSize(280, 280)

    def plot_rect(self) -> QRectF:
        """Where the bars are drawn, in this widget's coordinates."""
        return plotting.data_rect(self, self.view, self.plot_item)

    def build(self, pg: ModuleType, view: Any) -> None:
        view.ci.setContentsMargins(2, 10, 18, 2)  # room for the half of "100%" past the axes' ends
        item = self.plot_item = plotting.add_plot(view, row=0)
        item.setLabel("bottom", "confidence")
        item.setLabel("left", "share right")
        ticks = [[(share, percent(share, 0)) for share in AXIS_TICKS], []]
        for name in ("left", "bottom"):
            axis = item.getAxis(name)
            axis.setTicks(ticks)
            axis.setStyle(hideOverlappingLabels=False)  # 0% and 100% sit at the ends of the axes
        view_box = item.getViewBox()
        item.enableAutoRange(enable=False)
        view_box.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
        view_box.setAspectLocked(True)  # square: the diagonal at 45 degrees
        empty = {"x0": [], "x1": [], "y0": [], "height": []}
        self.bars = pg.BarGraphItem(**empty, pen=None)
        self.gaps = pg.BarGraphItem(**empty, pen=None)
        self._diagonal = pg.PlotDataItem([0.0, 1.0], [0.0, 1.0])
        for part in (self.bars, self.gaps, self._diagonal):
            item.addItem(part)
        self._ece_label = pg.LabelItem("", justify="left")
        self._ece_label.setParentItem(view_box)
        self._ece_label.anchor(itemPos=(0, 0), parentPos=(0, 0), offset=(4, 2))
        self._empty_label = pg.LabelItem("")
        self._empty_label.setParentItem(view_box)
        self._empty_label.anchor(itemPos=(0.5, 0.5), parentPos=(0.5, 0.5))

    def restyle(self) -> None:
        palette = self.palette()
        plotting.style_plot(self.view, self.plot_item, palette, plotting.tick_font(self))
        pg = plotting.pyqtgraph()
        bar = QColor(palette.color(QPalette.ColorRole.Highlight))
        bar.setAlpha(170)
        gap = colours.colour("calibration_gap", palette)
        gap.setAlpha(110)
        self.bars.setOpts(brush=pg.mkBrush(bar))
        self.gaps.setOpts(brush=pg.mkBrush(gap))
        self._diagonal.setPen(pg.mkPen(plotting.text_colour(palette), width=1, style=Qt.PenStyle.DashLine))
        self._show()

    def _show(self) -> None:
        shown = self._edges is not None
        for part in (self.bars, self.gaps, self._diagonal):
            part.setVisible(shown)
        text = plotting.text_colour(self.palette())
        self._empty_label.setVisible(not shown)
        self._empty_label.setText(self._empty_text, color=text)
        self._ece_label.setText(self.ece_text(), color=text)
        if not shown:
            return
        filled = self._counts > 0
        left, right = self._edges[:-1][filled] + BAR_GAP / 2, self._edges[1:][filled] - BAR_GAP / 2
        accuracy, confidence = self._accuracy[filled], self._confidence[filled]
        self.bars.setOpts(x0=left, x1=right, y0=np.zeros_like(accuracy), height=accuracy)
        self.gaps.setOpts(
            x0=left, x1=right, y0=np.minimum(accuracy, confidence), height=np.abs(confidence - accuracy)
        )
