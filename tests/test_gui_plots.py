"""The small drawn views: the live line plot, the reliability diagram and the explanation layer.

The plots are checked by the numbers behind what pyqtgraph draws (each curve's data, the bars' heights,
the legend's entries), and by a grab that the colours are there."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from painted_alpha import painted_alpha
from PIL import Image, ImageDraw
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from app.widgets.explanation_layer import AGAINST_RGB, FOR_RGB, ExplanationLayer
from app.widgets.line_plot import SERIES_COLOURS, LinePlot, series_colour
from app.widgets.reliability_diagram import ReliabilityDiagram


def _colours(widget) -> set[tuple[int, int, int]]:
    image = widget.grab().toImage()
    step = 3
    return {
        QColor(image.pixel(x, y)).getRgb()[:3]
        for x in range(0, image.width(), step)
        for y in range(0, image.height(), step)
    }


def _near(colours, rgb, tolerance=40) -> bool:
    return any(sum(abs(a - b) for a, b in zip(c, rgb, strict=True)) < tolerance for c in colours)


def test_the_line_plot_draws_each_series_as_points_arrive(qtbot):
    plot = LinePlot("iteration", "loss", log_y=True)
    qtbot.addWidget(plot)
    plot.resize(400, 240)
    plot.set_series(["0", "1", "2"])
    for i in range(1, 30):
        plot.append(i, [1 / i, 2 / i, 0.5 / i**0.5])
    x, y = plot.points()
    assert x.tolist() == list(range(1, 30)) and y.shape == (29, 3)
    colours = _colours(plot)
    for hex_colour in SERIES_COLOURS[:3]:
        assert _near(colours, QColor(hex_colour).getRgb()[:3])
    with pytest.raises(ValueError, match="one per series"):
        plot.append(30, [1.0])
    plot.clear()
    assert plot.points()[0].size == 0


def test_the_reliability_diagram_says_which_way_the_model_leans(qtbot):
    from training.calibration import reliability

    diagram = ReliabilityDiagram()
    qtbot.addWidget(diagram)
    diagram.resize(300, 300)
    assert diagram.summary() == "No evaluation yet."
    rng = np.random.default_rng(0)
    p = rng.uniform(0.5, 1.0, 3000)
    r = reliability(p, rng.random(3000) < p**2)
    diagram.set_reliability(*r)
    assert "surer than it is right" in diagram.summary()
    assert f"{r.ece:.2%}" in diagram.summary() and diagram.toolTip() == diagram.summary()
    assert diagram.summary().endswith("by that much.")  # surer at every level: one figure, said once
    assert len(_colours(diagram)) > 3  # bars, gaps, the diagonal
    # Surer at low confidence and less sure at high: two figures, and what each one is.
    right = np.where(p < 0.75, rng.random(3000) < p - 0.2, rng.random(3000) < np.minimum(p + 0.1, 1.0))
    r = reliability(p, right)
    diagram.set_reliability(*r)
    said = diagram.summary()
    assert f"Calibration error {r.ece:.2%}, the average gap" in said and "lean both ways" in said, said


def _layer_over(qtbot, side: int) -> tuple[QWidget, ExplanationLayer]:
    """An explanation layer shown over a plain ``side`` x ``side`` widget."""
    host = QWidget()
    qtbot.addWidget(host)
    host.resize(side, side)
    layer = ExplanationLayer(host)
    layer.show()
    host.show()
    return host, layer


def test_the_explanation_layer_paints_for_and_against_where_the_frame_lies(qtbot):
    host, layer = _layer_over(qtbot, 280)
    parts = np.zeros((28, 28))
    parts[:, :14] = 1.0  # left half for
    parts[:, 14:] = -1.0  # right half against

    def to_widget(x: float, y: float) -> QPointF:
        return QPointF(x * 10, y * 10)

    layer.show_parts(parts, to_widget)
    assert layer.target_rect().width() == pytest.approx(280)
    image = layer.grab().toImage()
    left, right = QColor(image.pixel(40, 140)), QColor(image.pixel(240, 140))
    # The grab composes the layer over nothing: the colours come out scaled by their opacity.
    assert left.red() > 2 * left.blue() and left.red() > 0.6 * FOR_RGB[0]
    assert right.blue() > 2 * right.red() and right.blue() > 0.6 * AGAINST_RGB[2]
    assert layer.testAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    host.resize(400, 300)
    assert layer.size() == host.size()  # follows the widget it lies on
    layer.show_parts(None, None)
    assert layer.parts() is None and layer.target_rect() is None


NAMES = [str(d) for d in range(10)] + ["no digit"]


def _loss_curves(plot: LinePlot, n: int) -> np.ndarray:
    """Append ``n`` iterations of eleven falling losses, with a gap (NaN) and a zero in series 0."""
    losses = np.exp(-np.arange(1, n + 1)[:, None] / np.linspace(5, 40, len(NAMES))) + 0.01
    losses[3, 0] = np.nan
    losses[5, 0] = 0.0  # no logarithm: the line breaks there too
    for i, row in enumerate(losses, start=1):
        plot.append(i, row)
    return losses


def test_the_curves_hold_the_points_appended_on_a_log_axis(qtbot):
    plot = LinePlot("iteration", "loss", log_y=True)
    qtbot.addWidget(plot)
    plot.set_series(NAMES)
    losses = _loss_curves(plot, 300)  # past the first doublings of the arrays
    x, y = plot.points()
    assert x.tolist() == list(range(1, 301))
    np.testing.assert_array_equal(y, losses)
    plot.flush()
    curves = plot.curves()
    assert len(curves) == len(NAMES)
    for s, curve in enumerate(curves):
        np.testing.assert_array_equal(curve.xData, x)
        np.testing.assert_array_equal(curve.yData, losses[:, s])  # the values as given
        _, shown_y = curve.getData()  # what is drawn: log10 of them
        with np.errstate(divide="ignore"):
            expected = np.log10(losses[:, s])
        expected[~np.isfinite(expected)] = np.nan
        np.testing.assert_allclose(shown_y, expected, equal_nan=True)
        assert curve.opts["connect"] == "finite"  # a NaN or a zero breaks the line instead of ending it
        assert curve.opts["pen"].color() == series_colour(s, plot.palette())
    assert plot.plot_item.getAxis("left").logMode


def test_a_short_run_has_whole_iterations_on_its_axis_and_one_point_shows_as_a_dot(qtbot):
    plot = LinePlot("iteration", "loss", log_y=True)
    qtbot.addWidget(plot)
    plot.resize(400, 240)
    plot.show()
    plot.set_series(["0"])
    plot.append(1, [0.7])
    plot.flush()
    (curve,) = plot.curves()
    assert curve.opts["symbol"] == "o"  # a single point draws no line: before, the plot stayed empty
    assert plot.plot_item.getViewBox().viewRange()[0] == [0.0, 2.0]  # the dot in the middle
    assert _near(_colours(plot), QColor(SERIES_COLOURS[0]).getRgb()[:3])
    plot.append(2, [0.5])
    plot.flush()
    assert curve.opts["symbol"] is None
    bottom = plot.plot_item.getAxis("bottom")
    labels = bottom._tickLevels[0] if bottom._tickLevels else []
    assert [text for _, text in labels] == ["1", "2"], labels  # not 1.2, 1.4, ... 2.0
    for i in range(3, 40):
        plot.append(i, [1 / i])
    plot.flush()
    assert bottom._tickLevels is None  # a long run: the axis's own round ticks


def test_a_linear_plot_draws_the_values_themselves(qtbot):
    plot = LinePlot("step", "accuracy")
    qtbot.addWidget(plot)
    plot.set_series(["accuracy"])
    for i in range(1, 11):
        plot.append(i, [0.5 + i / 40])
    plot.flush()
    (curve,) = plot.curves()
    np.testing.assert_allclose(curve.getData()[1], 0.5 + np.arange(1, 11) / 40)


def test_the_legend_names_every_series_only_when_there_are_two_or_more(qtbot):
    plot = LinePlot("iteration", "loss", log_y=True)
    qtbot.addWidget(plot)
    plot.resize(700, 260)
    plot.show()
    plot.set_series(NAMES)
    entries = plot.legend.items
    assert [label.text for _, label in entries] == NAMES
    assert [sample.item for sample, _ in entries] == plot.curves()
    assert plot.legend.isVisible()
    assert plot.legend.columnCount == len(NAMES)  # one row when the plot is wide enough
    plot.resize(300, 260)
    assert plot.legend.columnCount < len(NAMES)  # more rows when it is not
    plot.set_series(["loss"])
    assert not plot.legend.isVisible()


def test_curves_once_made_are_shown_again_not_made_again(qtbot):
    """Making a curve and its legend entry is a plot's slowest step on the GUI thread: a run that goes
    back to series it had before reuses their curves, with the legend naming exactly what is shown."""
    plot = LinePlot("iteration", "loss", log_y=True)
    qtbot.addWidget(plot)
    plot.resize(700, 260)
    plot.show()
    plot.set_series(NAMES)
    first = plot.curves()
    plot.set_series(["loss"])
    (single,) = plot.curves()
    assert single.isVisible() and not any(c.isVisible() for c in first[1:])
    assert not plot.legend.isVisible()
    plot.set_series(NAMES)
    assert plot.curves() == first and all(c.isVisible() for c in first)
    assert [sample.item for sample, _ in plot.legend.items] == first and plot.legend.isVisible()
    assert len(plot.plot_item.listDataItems()) == len(NAMES) + 1  # the eleven and "loss", no more


def test_the_retrain_dialog_makes_the_one_vs_rest_curves_before_training_starts(qtbot):
    from app.retrain.curves_panel import CurvesPanel

    panel = CurvesPanel()
    qtbot.addWidget(panel)
    made = set(panel.plot.plot_item.listDataItems())
    assert len(made) == 11 and panel.plot.curves() == []  # made, none shown before a run
    panel.add_point("binary", 1, [0.5])
    panel.add_point("ovr", 1, np.full(11, 0.5))
    assert set(panel.plot.curves()) <= made and len(panel.plot.curves()) == 11
    assert [label.text for _, label in panel.plot.legend.items][-1] == "no digit"


def test_the_legend_sits_above_the_curves_not_over_them(qtbot):
    plot = LinePlot("iteration", "loss", log_y=True)
    qtbot.addWidget(plot)
    plot.resize(500, 260)
    plot.show()
    qtbot.waitExposed(plot)
    plot.set_series(NAMES)
    _loss_curves(plot, 40)
    qtbot.waitSignal(plot.redrawn).wait()
    legend = plot.legend.mapRectToScene(plot.legend.boundingRect())
    curves = plot.plot_item.getViewBox().sceneBoundingRect()
    assert legend.bottom() <= curves.top() + 1


def test_points_arriving_in_a_burst_are_drawn_in_one_redraw(qtbot):
    from app.widgets.line_plot import REDRAW_INTERVAL_MS

    plot = LinePlot("iteration", "loss", log_y=True)
    qtbot.addWidget(plot)
    plot.show()
    qtbot.waitExposed(plot)
    plot.set_series(NAMES)
    plot.flush()
    redraws: list[int] = []
    plot.redrawn.connect(lambda: redraws.append(len(plot.curves()[0].xData)))
    _loss_curves(plot, 100)  # a hundred points with no turn of the event loop in between
    assert redraws == [] and plot.curves()[0].xData is None  # nothing drawn yet
    with qtbot.waitSignal(plot.redrawn):
        pass
    qtbot.wait(3 * REDRAW_INTERVAL_MS)  # a later turn of the timer would show here
    assert redraws == [100]  # one redraw, with every point
    plot.append(101, np.full(len(NAMES), 0.01))
    plot.append(102, np.full(len(NAMES), 0.01))
    with qtbot.waitSignal(plot.redrawn):
        pass
    assert redraws == [100, 102]


def test_a_hidden_plot_draws_what_came_when_it_shows(qtbot):
    plot = LinePlot("iteration", "loss", log_y=True)
    qtbot.addWidget(plot)
    plot.set_series(NAMES)
    redraws: list[int] = []
    plot.redrawn.connect(lambda: redraws.append(plot.points()[0].size))
    _loss_curves(plot, 20)
    qtbot.wait(300)
    assert redraws == []  # hidden: no redraw, however long
    with qtbot.waitSignal(plot.redrawn):
        plot.show()
    assert redraws == [20] and len(plot.curves()[0].xData) == 20


def test_the_empty_plot_says_it_waits_and_shows_no_numbers(qtbot):
    plot = LinePlot("iteration", "loss", log_y=True)
    qtbot.addWidget(plot)
    plot.set_series(NAMES)
    plot.flush()
    assert plot._waiting.isVisible() and "Waiting for the first iteration" in plot._waiting.text
    assert plot.plot_item.getAxis("left")._tickLevels == [[], []]  # no ticks, so no grid either
    plot.append(1, np.full(len(NAMES), 0.69))
    plot.flush()
    assert not plot._waiting.isVisible() and plot.plot_item.getAxis("left")._tickLevels is None
    plot.clear()
    plot.flush()
    assert plot._waiting.isVisible() and plot.curves()[0].xData is None


def test_pyqtgraph_comes_with_the_first_plot_not_with_the_modules():
    """In a fresh process: importing the plots and the windows that hold them leaves pyqtgraph out;
    making the first plot brings it in, with its objects left out of later garbage collections."""
    code = (
        "import gc, sys\n"
        "import app.widgets.line_plot, app.widgets.reliability_diagram\n"
        "import app.retrain.dialog, app.retrain.step_through, app.evaluation.window\n"
        "print('IMPORTED', 'pyqtgraph' in sys.modules)\n"
        "from PySide6.QtWidgets import QApplication\n"
        "qapp = QApplication([])\n"
        "frozen = gc.get_freeze_count()\n"
        "plot = app.widgets.line_plot.LinePlot('step', 'loss')\n"
        "print('MADE', 'pyqtgraph' in sys.modules, gc.get_freeze_count() > frozen + 10000)\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "IMPORTED False" in result.stdout and "MADE True True" in result.stdout, result.stdout


def test_the_plots_follow_a_switch_to_the_dark_scheme(qtbot):
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QApplication

    from app.widgets import colours

    original = QPalette(QApplication.palette())
    plot = LinePlot("iteration", "loss", log_y=True)
    diagram = ReliabilityDiagram()
    for widget in (plot, diagram):
        qtbot.addWidget(widget)
    plot.set_series(NAMES)
    try:
        QApplication.setPalette(colours.dark_palette())
        QApplication.processEvents()
        for widget in (plot, diagram):
            palette = widget.palette()
            assert colours.is_dark(palette)
            background = widget.view.backgroundBrush().color()
            assert background == palette.color(QPalette.ColorRole.Window)
            axis = widget.plot_item.getAxis("bottom")
            assert axis.textPen().color() == palette.color(QPalette.ColorRole.WindowText)
        assert plot.curves()[-1].opts["pen"].color().lightness() > 150  # the grey "no digit" lightened
        assert diagram.gaps.opts["brush"].color().rgb() == colours.colour("calibration_gap", palette).rgb()
    finally:
        QApplication.setPalette(original)
        QApplication.processEvents()
    assert plot.curves()[-1].opts["pen"].color() == QColor(SERIES_COLOURS[-1])


def test_the_bars_are_the_accuracy_of_each_bin_and_the_corner_says_the_ece(qtbot):
    from training.calibration import reliability

    diagram = ReliabilityDiagram()
    qtbot.addWidget(diagram)
    diagram.clear("Evaluating…")
    assert not diagram.bars.isVisible() and diagram._empty_label.text == "Evaluating…"
    rng = np.random.default_rng(3)
    p = rng.uniform(0.35, 1.0, 4000)
    r = reliability(p, rng.random(4000) < p**1.5)
    diagram.set_reliability(*r)
    filled = r.counts > 0
    assert not filled.all()  # bins below 30% hold nothing, and get no bar
    bars, gaps = diagram.bars.opts, diagram.gaps.opts
    np.testing.assert_allclose(bars["height"], r.accuracy[filled])
    np.testing.assert_allclose(bars["y0"], 0.0)
    centres = (np.asarray(bars["x0"]) + np.asarray(bars["x1"])) / 2
    np.testing.assert_allclose(centres, ((r.edges[:-1] + r.edges[1:]) / 2)[filled])
    np.testing.assert_allclose(gaps["y0"], np.minimum(r.accuracy, r.confidence)[filled])
    np.testing.assert_allclose(
        np.asarray(gaps["y0"]) + np.asarray(gaps["height"]), np.maximum(r.accuracy, r.confidence)[filled]
    )
    assert diagram.ece_text() == f"ECE {r.ece:.2%}" and diagram._ece_label.text == diagram.ece_text()
    assert diagram.bars.isVisible() and not diagram._empty_label.isVisible()
    ticks = diagram.plot_item.getAxis("bottom")._tickLevels[0]
    assert [label for _, label in ticks] == ["0%", "50%", "100%"]
    diagram.clear("")
    assert diagram.ece_text() == "" and not diagram.bars.isVisible()


def test_a_plot_left_open_when_a_script_ends_does_not_crash_it():
    """PySide6 deletes what is left at exit after Python began to shut down; pyqtgraph's items then
    called into Python and crashed the process most times (app.widgets.plotting deletes them first)."""
    code = (
        "from PySide6.QtWidgets import QApplication\n"
        "from PySide6.QtTest import QTest\n"
        "import app.widgets\n"
        "from app.widgets.line_plot import LinePlot\n"
        "qapp = QApplication([])\n"
        "plot = LinePlot('iteration', 'loss', log_y=True)\n"
        "plot.resize(560, 220)\n"
        "plot.show()\n"
        "QTest.qWaitForWindowExposed(plot)\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    root = Path(__file__).resolve().parents[1]
    for _ in range(3):  # without the fix this crashed every time here
        run = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True)
        assert run.returncode == 0, (run.returncode, run.stderr)


def test_a_log_axis_is_labelled_at_decades_or_at_1_2_5_on_a_short_one(qtbot):
    from app.widgets.line_plot import _log_ticks

    assert _log_ticks(-3.25, 0.25) == [-3.0, -2.0, -1.0, 0.0]
    assert np.allclose(10 ** np.array(_log_ticks(-1.75, -0.25)), [0.02, 0.05, 0.1, 0.2, 0.5])
    assert len(_log_ticks(-12.0, 0.0)) <= 6  # thinned out, every second or third decade
    plot = LinePlot("step", "loss", log_y=True)
    qtbot.addWidget(plot)
    plot.resize(400, 240)
    plot.show()
    qtbot.waitExposed(plot)
    plot.set_series(["loss"])
    for i in range(1, 21):
        plot.append(i, [0.69 * 0.7**i])  # 0.48 down to 0.00055
    with qtbot.waitSignal(plot.redrawn):
        pass
    ticks = plot.plot_item.getAxis("left")._tickLevels[0]
    assert [label for _, label in ticks] == ["0.001", "0.01", "0.1"]
    grid_y = plot._grid.getData()[1]
    np.testing.assert_allclose(sorted(set(grid_y)), [v for v, _ in ticks])  # a grid line at each label


def test_the_explanation_layer_colours_only_the_ink_of_the_picture_it_is_given(qtbot):
    """Over a picture, the colours lie on its ink: none on the paper beside a stroke, nothing past it."""
    _, layer = _layer_over(qtbot, 400)
    picture = Image.new("L", (200, 200), 255)
    ImageDraw.Draw(picture).line([(100, 20), (100, 180)], fill=0, width=16)  # a 1, 32 widget pixels wide
    parts = np.ones((28, 28))  # every pixel for: unmasked, the whole frame would be orange

    def to_widget(x: float, y: float) -> QPointF:
        return QPointF(x * 400 / 28, y * 400 / 28)

    layer.show_parts(parts, to_widget, picture, lambda: QRectF(0, 0, 400, 400))
    alpha = painted_alpha(layer)
    assert alpha[40:360, 196:204].min() > 100  # on the stroke, strong
    assert alpha[:, :170].max() == 0 and alpha[:, 230:].max() == 0  # the paper beside it, none
    assert alpha[380:, :].max() == 0  # past the stroke's end, none
    layer.show_parts(parts, to_widget)  # without a picture: the whole frame, as before
    assert painted_alpha(layer)[:, :170].min() > 100
