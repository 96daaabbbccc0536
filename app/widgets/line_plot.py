"""A live line plot: one curve per series, drawn with pyqtgraph as the points arrive.

A retrain sends a point per class many times a second, on the GUI thread, which must stay free for the
person drawing. Each point goes into arrays that grow by doubling, and the curves are handed their data
at most ten times a second, by one single-shot timer, however fast the points come (a fast descent
sends dozens a second): a burst of points costs one redraw, and none is made while the plot is hidden.
pyqtgraph builds each curve's path from the arrays with numpy. The ranges move in round steps and the
grid is an item of its own, so most redraws leave the axes' ticks and labels as they were laid out.

pyqtgraph is imported when the first plot is made (:mod:`app.widgets.plotting`), not with this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QSizePolicy

from app.widgets import colours, plotting

if TYPE_CHECKING:
    from types import ModuleType

    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QPaintEvent, QPalette, QResizeEvent, QShowEvent
    from PySide6.QtWidgets import QWidget

# Ten distinguishable colours (Tableau 10, which stays apart for the common colour-vision deficiencies
# better than a rainbow) and a dark grey for an eleventh ("no digit"), then repeated. On a dark scheme
# the grey is a light one (series_colour).
SERIES_COLOURS = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#333333",
)  # fmt: skip
REDRAW_INTERVAL_MS = 100  # points appended within this long are drawn together: at most 10 redraws/s
INITIAL_CAPACITY = 64  # points per series before the arrays first double
PEN_WIDTH = 1.6
GRID_ALPHA = 40  # of 255: the grid lines recede behind the curves
LEGEND_MARGIN = 60  # of the plot's width, what the legend leaves for the axis beside it
LEGEND_SPACING = 4  # pixels between a legend entry's line and its name, and between entries
SHORT_RANGE = 10  # an x axis of whole numbers this short or shorter labels every one of them
WAITING = "Waiting for the first iteration…"


def series_colour(index: int, palette: QPalette | None = None) -> QColor:
    """The pen of series ``index`` on ``palette`` (the grey one lightened on a dark scheme)."""
    position = index % len(SERIES_COLOURS)
    if position == len(SERIES_COLOURS) - 1:
        return colours.colour("series_extra", palette)
    return QColor(SERIES_COLOURS[position])


class LinePlot(plotting.PlotHost):
    """Curves of ``y`` against ``x`` for named series; ``log_y`` draws y on a logarithmic axis."""

    redrawn = Signal()  # the curves now show every point appended so far

    def __init__(
        self, x_label: str = "", y_label: str = "", log_y: bool = False, parent: QWidget | None = None
    ):
        super().__init__(y_label or "plot", parent)
        self.x_label, self.y_label, self.log_y = x_label, y_label, log_y
        self._names: list[str] = []
        self._x = np.empty(INITIAL_CAPACITY)
        self._y = np.empty((0, INITIAL_CAPACITY))  # a row per series: each curve reads a contiguous row
        self._count = 0
        self._pending = False  # points (or a clear) the curves have not been handed yet
        self._curves: list[Any] = []  # the series' curves, in order
        self._made: dict[tuple[int, str], Any] = {}  # every curve made so far, by position and name
        self._legend_names: list[str] | None = None  # the names the legend lists
        self.plot_item: Any = None  # the pyqtgraph PlotItem the curves are drawn in
        self.legend: Any = None  # the pyqtgraph LegendItem above them (hidden for a single series)
        self._waiting: Any = None
        self._empty: bool | None = None
        self._ranges: tuple[float, float, float, float] | None = None
        self._grid: Any = None
        self._redraw = QTimer(self)
        self._redraw.setSingleShot(True)
        self._redraw.setInterval(REDRAW_INTERVAL_MS)
        self._redraw.timeout.connect(self.flush)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(220, 140)
        self.make_view()

    def set_series(self, names: Sequence[str]) -> None:
        """Start again with these series (no points)."""
        self._names = [str(n) for n in names]
        self._y = np.empty((len(self._names), len(self._x)))
        self._make_curves()
        self.clear()

    def prepare(self, names: Sequence[str]) -> None:
        """Make the curves and legend for ``names`` now, shown when :meth:`set_series` asks for them.

        For a plot that knows the series to come: the work is done while its window opens, not while
        the points arrive and someone may be drawing.
        """
        current = self._names
        self._names = [str(n) for n in names]
        self._make_curves()
        self._names = current
        self._make_curves()

    def series(self) -> list[str]:
        """The names of the series, in order."""
        return list(self._names)

    def clear(self) -> None:
        """Drop every point; the series stay."""
        self._count = 0
        self._schedule()

    def append(self, x: float, values: Sequence[float] | np.ndarray) -> None:
        """Add one point to every series (``values`` in the order of the series)."""
        values = np.atleast_1d(np.asarray(values, dtype=np.float64))
        if len(values) != len(self._names):
            raise ValueError(f"expected {len(self._names)} values, one per series, got {len(values)}")
        if self._count == len(self._x):
            self._grow()
        self._x[self._count] = float(x)
        self._y[:, self._count] = values
        self._count += 1
        self._schedule()

    def points(self) -> tuple[np.ndarray, np.ndarray]:
        """The x values (n,) and the y values (n, series) appended so far."""
        n = self._count
        return self._x[:n].copy(), self._y[:, :n].T.copy()

    def curves(self) -> list[Any]:
        """The pyqtgraph curves (``PlotDataItem``), one per series, in the order of the series."""
        return list(self._curves)

    def plot_rect(self) -> QRectF:
        """Where the curves are drawn, in this widget's coordinates."""
        return plotting.data_rect(self, self.view, self.plot_item)

    def flush(self) -> None:
        """Hand the curves every point appended so far (the timer does this at most ten times a second)."""
        self._redraw.stop()
        self._pending = False
        n = self._count
        x = self._x[:n]  # views, not copies: points below n never change, and growing makes new arrays
        dots = n == 1  # one point makes no line: it is drawn as a dot until the next one comes
        for s, curve in enumerate(self._curves):
            if dots != (curve.opts.get("symbol") is not None):
                curve.setSymbol("o" if dots else None)
                curve.setSymbolSize(6)
                curve.setSymbolPen(None)
                curve.setSymbolBrush(curve.opts["pen"].color() if dots else None)
            curve.setData(x, self._y[s, :n])
        self._show_emptiness()
        self._follow_the_data()
        self.redrawn.emit()

    def build(self, pg: ModuleType, view: Any) -> None:
        # The legend has a row of its own above the curves, so it never hides one.
        self.legend = pg.LegendItem(horSpacing=LEGEND_SPACING, labelTextSize="8pt", frame=False)
        view.addItem(self.legend, row=0, col=0)
        # As wide as its entries, at the right (not spread over the row): one row fits more often.
        self.legend.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Maximum)
        view.ci.layout.setAlignment(self.legend, Qt.AlignmentFlag.AlignRight)
        item = self.plot_item = plotting.add_plot(view, row=1)
        item.setLabel("bottom", self.x_label)
        item.setLabel("left", self.y_label)
        item.setLogMode(x=False, y=self.log_y)
        # The ranges are set here, not by pyqtgraph's auto-range: they move in round steps, so most
        # redraws leave the axes' ticks and labels as they are.
        item.enableAutoRange(enable=False)
        view_box = item.getViewBox()
        view_box.sigResized.connect(self._draw_grid)
        # A grid of its own rather than the axes': the axes' grid is part of the axes, which are then
        # painted again (every tick and label) whenever a curve changes under it.
        self._grid = pg.PlotCurveItem(connect="pairs", antialias=False)
        self._grid.setZValue(-1)
        view_box.addItem(self._grid, ignoreBounds=True)
        self._waiting = pg.LabelItem(WAITING)
        self._waiting.setParentItem(view_box)
        self._waiting.anchor(itemPos=(0.5, 0.5), parentPos=(0.5, 0.5))
        self._make_curves()

    def restyle(self) -> None:
        pg = plotting.pyqtgraph()
        palette = self.palette()
        plotting.style_plot(self.view, self.plot_item, palette, plotting.tick_font(self))
        self._grid.setPen(pg.mkPen(plotting.faint(palette, GRID_ALPHA), width=1))
        for (s, _), curve in self._made.items():
            curve.setPen(self._pen(s, palette))
        text = plotting.text_colour(palette)
        self.legend.setLabelTextColor(text)  # for entries to come; those there are written again
        for _, label in self.legend.items:
            label.setText(label.text, color=text)
        self._waiting.setText(WAITING, color=text)
        self._fit_legend()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_legend()

    def paintEvent(self, event: QPaintEvent) -> None:
        # A grab or render paints now, hidden or not: the curves get what is waiting first.
        if self._pending:
            self.flush()
        super().paintEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._pending:  # what came while hidden
            self._redraw.start()

    def _schedule(self) -> None:
        self._pending = True
        if not self._redraw.isActive() and self.isVisible():
            self._redraw.start()

    def _grow(self) -> None:
        capacity = 2 * len(self._x)
        x, y = np.empty(capacity), np.empty((len(self._names), capacity))
        x[: self._count], y[:, : self._count] = self._x[: self._count], self._y[:, : self._count]
        self._x, self._y = x, y

    def _make_curves(self) -> None:
        """Show a curve per series, reusing those made before (for the same position and name).

        Making a curve and its legend entry is the slowest thing a plot does (a few milliseconds each,
        on the GUI thread), so curves are kept once made, hidden while unused, and the legend is built
        again only when it would list other names.
        """
        wanted = self._made_for(self._names)
        for curve in self._curves:
            if curve not in wanted:
                curve.setVisible(False)
                curve.setData([], [])
        self._curves = wanted
        for curve in self._curves:
            curve.setVisible(True)
        shown = len(self._names) >= 2
        if shown and self._legend_names != self._names:
            self.legend.clear()
            for curve, name in zip(self._curves, self._names, strict=True):
                self.legend.addItem(curve, name)
                label = self.legend.items[-1][1]
                label.item.document().setDocumentMargin(1)  # Qt's 4 pixels a side spread the row out
                label.setText(name)  # laid out again with the narrower margins
            self._legend_names = list(self._names)
        self.legend.setVisible(shown)
        self._fit_legend()

    def _made_for(self, names: Sequence[str]) -> list[Any]:
        """The curves for ``names``, each made now if it was not made before."""
        curves = []
        for s, name in enumerate(names):
            curve = self._made.get((s, name))
            if curve is None:
                curve = plotting.pyqtgraph().PlotDataItem(
                    pen=self._pen(s, self.palette()), name=name, connect="finite"
                )
                # More points than pixels (a long run) are drawn as each pixel column's extremes.
                curve.setDownsampling(auto=True, method="peak")
                curve.setVisible(False)
                self.plot_item.addItem(curve)
                self._made[(s, name)] = curve
            curves.append(curve)
        return curves

    def _show_emptiness(self) -> None:
        empty = self._count == 0
        if empty == self._empty:
            return
        self._empty = empty
        self._waiting.setVisible(empty)
        for name in ("left", "bottom"):  # no ticks or grid before there is anything to read
            self.plot_item.getAxis(name).setTicks([[], []] if empty else None)
        self._ranges = None  # set again, from nothing to round or from the points
        if empty:
            self._set_range((0.0, 1.0, 0.0, 1.0))

    def _follow_the_data(self) -> None:
        """Ranges that hold every finite point, their ends rounded out to round steps."""
        n = self._count
        y = self._y[:, :n]
        finite = y[np.isfinite(y) & (y > 0)] if self.log_y else y[np.isfinite(y)]
        if not len(finite):
            return
        x0, x1 = float(self._x[:n].min()), float(self._x[:n].max())
        low, high = float(finite.min()), float(finite.max())
        if self.log_y:
            low, high = np.log10(low), np.log10(high)
        y_range = _round_out(low, high, self.log_y)
        if n == 1:  # a lone point (a dot) in the middle, not on the axis
            self._set_range((x0 - 1, x0 + 1, *y_range))
            return
        self._set_range((x0, _round_up(max(x1, x0 + 1) - x0) + x0, *y_range))

    def _set_range(self, ranges: tuple[float, float, float, float]) -> None:
        if ranges == self._ranges:
            return
        self._ranges = ranges
        x0, x1, y0, y1 = ranges
        self.plot_item.getViewBox().setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        self._label_whole_steps(x0, x1)
        self._draw_grid()

    def _label_whole_steps(self, x0: float, x1: float) -> None:
        """Iterations and steps are whole numbers: over a short range the x axis labels each of them,
        not 1.5 or 2.25; over a longer one its own round ticks are whole anyway."""
        axis = self.plot_item.getAxis("bottom")
        n = self._count
        whole = n > 0 and bool(np.all(self._x[:n] == np.round(self._x[:n])))
        if whole and x1 - x0 <= SHORT_RANGE:
            axis.setTicks([[(float(v), str(v)) for v in range(int(np.ceil(x0)), int(np.floor(x1)) + 1)], []])
        elif not self._empty:
            axis.setTicks(None)

    def _draw_grid(self) -> None:
        """A faint line across the plot at each labelled value of the y axis (set here on a log axis:
        decades, with 2 and 5 between them on a short one, as one reads a loss)."""
        height = self.plot_item.getViewBox().height()
        if self._ranges is None or self._empty or height <= 0:  # nothing to read, or not laid out yet
            self._grid.setData([], [])
            return
        x0, x1, y0, y1 = self._ranges
        axis = self.plot_item.getAxis("left")
        if self.log_y:
            values = np.asarray(_log_ticks(y0, y1))
            axis.setTicks([[(v, _format(10.0**v)) for v in values], []])
        else:
            levels = axis.tickValues(y0, y1, height)
            values = np.asarray(levels[0][1] if levels else [], dtype=np.float64)
        self._grid.setData(np.tile([x0, x1], len(values)), np.repeat(values, 2))

    def _fit_legend(self) -> None:
        """As few rows as fit the plot's width (eleven series: one row when wide, two or three else)."""
        entries = self.legend.items
        if not entries:
            return
        room = self.width() - LEGEND_MARGIN
        widths = [sample.width() + label.itemRect().width() + 2 * LEGEND_SPACING for sample, label in entries]
        for rows in range(1, len(entries) + 1):
            columns = -(-len(entries) // rows)
            if sum(max(widths[c::columns]) for c in range(columns)) <= room:
                break
        self.legend.setColumnCount(columns)

    def _pen(self, index: int, palette: QPalette) -> Any:
        return plotting.pyqtgraph().mkPen(series_colour(index, palette), width=PEN_WIDTH)


def _round_up(span: float) -> float:
    """``span`` rounded up to a multiple of half its order of magnitude (31 -> 35, 101 -> 150)."""
    step = 10.0 ** np.floor(np.log10(span)) / 2
    return float(np.ceil(span / step) * step)


def _round_out(low: float, high: float, log: bool) -> tuple[float, float]:
    """``low`` and ``high`` moved out to round values: quarter decades on a log axis, else steps of a
    tenth of the span's order of magnitude; never an empty range."""
    if log:
        step = 0.25
    else:
        span = high - low
        step = 10.0 ** np.floor(np.log10(span)) / 10 if span > 0 else max(abs(high), 1.0) / 10
    bottom, top = float(np.floor(low / step) * step), float(np.ceil(high / step) * step)
    if top <= bottom:
        top = bottom + step
    return bottom, top


def _log_ticks(low: float, high: float, most: int = 6) -> list[float]:
    """The logarithms of round values between ``10**low`` and ``10**high``: every decade (every second
    or third when there are many), or 1, 2 and 5 of each when there are fewer than three."""
    decades = range(int(np.floor(low)), int(np.ceil(high)) + 1)
    values = [float(d) for d in decades if low <= d <= high]
    if len(values) < 3:
        values = [d + np.log10(m) for d in decades for m in (1, 2, 5)]
        values = [float(v) for v in values if low - 1e-9 <= v <= high + 1e-9]
    step = -(-len(values) // most)
    return values[::step]


def _format(value: float) -> str:
    """A tick's value as few characters as read right: 0.5, 0.02, 1, 20, 1e-05."""
    if value >= 1000 or value < 0.001:
        return f"{value:.0e}"
    return f"{value:.3g}"
