"""The small drawn views: the live line plot, the reliability diagram and the explanation layer."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from app.widgets.explanation_layer import AGAINST_RGB, FOR_RGB, ExplanationLayer
from app.widgets.line_plot import SERIES_COLOURS, LinePlot
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
    assert len(_colours(diagram)) > 3  # bars, gaps, the diagonal


def test_the_explanation_layer_paints_for_and_against_where_the_frame_lies(qtbot):
    host = QWidget()
    qtbot.addWidget(host)
    host.resize(280, 280)
    layer = ExplanationLayer(host)
    layer.show()
    host.show()
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
