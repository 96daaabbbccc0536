"""Model > Step through gradient descent…: the 0-vs-1 model trained one click at a time."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtTest import QTest
from windows import close_what_it_opened, new_window

from model.binary import BinaryLogisticRegression

pytestmark = [pytest.mark.mnist, pytest.mark.gui]


def test_each_click_is_one_step_of_the_real_descent(qtbot, mnist, mnist_dir, monkeypatch):
    monkeypatch.setenv("DIGIT_CANVAS_DATA", str(mnist_dir))
    window = new_window(qtbot)
    window.action("step_through").trigger()
    view = window.model_menu.windows[-1]
    qtbot.waitUntil(view.is_ready, timeout=30000)
    assert view.values["step"].text() == "–" and "Ready" in view.headline.text()
    for _ in range(3):
        qtbot.mouseClick(view.step_button, Qt.MouseButton.LeftButton)
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow, timeout=2000)
    QTest.keyClick(view, Qt.Key.Key_N)  # the Next step button's shortcut (it clicks after a flash)
    qtbot.waitUntil(lambda: len(view.history) == 4, timeout=2000)
    assert view.values["step"].text() == "4"
    # The same steps as fit: four steps of the descent give fit's model with max_iter=4.
    X, y = mnist[0], mnist[1]
    keep = np.isin(y, (0, 1))
    fitted = BinaryLogisticRegression(max_iter=4, tol=0.0).fit(X[keep], y[keep])
    step, accuracy = view.history[-1]
    np.testing.assert_allclose(step.coef, fitted.coef_[0], rtol=1e-12, atol=1e-15)
    assert step.loss == pytest.approx(fitted.loss_curve_[-1])
    assert view.values["loss"].text() == f"{step.loss:.5f}"
    assert view.values["gradient"].text() == f"{step.gradient_norm:.2e}"  # the L2 norm
    assert view.values["gradient_max"].text() == f"{step.gradient_max:.2e}"
    test = np.isin(mnist[3], (0, 1))
    assert accuracy == pytest.approx(fitted.score(mnist[2][test], mnist[3][test]))
    assert view.values["accuracy"].text() == f"{accuracy:.2%}"
    assert len(view.plot.points()[0]) == 4
    # The x-axis title "step" sits clear of the tick values above it (the window at its own size).
    axis = view.plot.plot_item.getAxis("bottom")
    values_bottom = (
        max(0, axis.style["tickLength"])
        + axis.style["tickTextOffset"][1]
        + QFontMetrics(axis.style["tickFont"]).height()
    )
    title_top = axis.label.pos().y() + axis.label.document().documentMargin()
    assert view.height() == 480 and title_top - values_bottom >= 5, (title_top, values_bottom)
    # Play takes steps on its own until paused; Start again goes back to zero weights.
    qtbot.mouseClick(view.play_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(view.history) >= 7, timeout=10000)
    qtbot.mouseClick(view.play_button, Qt.MouseButton.LeftButton)
    paused_at = len(view.history)
    QTest.qWait(400)
    assert len(view.history) == paused_at and view.play_button.text() == "Play"
    qtbot.mouseClick(view.reset_button, Qt.MouseButton.LeftButton)
    assert view.history == [] and view.descent.iteration == 0
    view.close()
    close_what_it_opened(window)
