"""The evaluation window: its numbers match scikit-learn's, its cells open the right digits, and it
never blocks the event loop while it evaluates."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np
import pytest
from event_loop import EventLoopClock
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

from app.evaluation.window import EvaluationWindow
from app.text.numbers import percent
from app.widgets import plotting
from model.store import bundled_model_path, load_model
from training.data import MnistNotFoundError

if TYPE_CHECKING:
    from event_loop import Gaps

pytestmark = pytest.mark.gui


def open_window(qtbot, request, model, test_data) -> tuple[EvaluationWindow, float, Gaps]:
    """Open the window, wait for the numbers; returns it, the wait and the event loop's gaps meanwhile.

    The first plot a process makes imports pyqtgraph, once (app.widgets.plotting): that is done before
    the clock starts, so what is timed is the window and its evaluation, whichever test runs first.
    """
    plotting.pyqtgraph()
    clock = EventLoopClock(request)
    clock.start()  # building and showing the window counts as a gap, as it holds up the loop
    started = time.perf_counter()
    window = EvaluationWindow(model, test_data)
    qtbot.addWidget(window)
    window.show()
    assert window.evaluation is None and "Evaluating" in window.headline.text()  # opens at once
    with qtbot.waitSignal(window.evaluated, timeout=30000):
        pass
    finished = time.perf_counter()
    return window, finished - started, clock.stop()


@pytest.mark.mnist
def test_numbers_match_sklearn_and_cells_open_their_digits(qtbot, request, mnist) -> None:
    model = load_model("ovr", bundled_model_path("ovr"))
    X_test, y_test = mnist[2], mnist[3]
    window, seconds, gaps = open_window(qtbot, request, model, lambda: (X_test, y_test))
    assert seconds < 5.0  # the full test set in a few seconds
    # Less the time the machine kept the GUI thread waiting for a CPU (tests/event_loop.py).
    assert gaps.own.max() < 0.100, f"the event loop stalled: {gaps.describe()}"
    assert gaps.raw.max() < 1.0, f"the event loop stalled: {gaps.describe()}"

    y_pred = model.predict(X_test)
    accuracy = accuracy_score(y_test, y_pred)
    precision, recall, f1, support = precision_recall_fscore_support(y_test, y_pred, labels=list(range(10)))
    cm = confusion_matrix(y_test, y_pred, labels=list(range(10)))

    ev = window.evaluation
    assert ev is not None
    assert ev.accuracy == pytest.approx(accuracy, abs=1e-12)
    assert f"{accuracy:.2%} of 10,000" in window.headline.text()
    assert f"{int((y_pred != y_test).sum())} mistakes" in window.details.text()

    # The reliability diagram is the model's own confidences against its hits.
    from sklearn.calibration import calibration_curve

    confidence = model.predict_proba(X_test).max(axis=1)
    hits, mean_conf = calibration_curve(y_pred == y_test, confidence, n_bins=10, strategy="uniform")
    counts = np.histogram(confidence, bins=np.linspace(0, 1, 11))[0]
    ece = float((counts[counts > 0] / len(y_test)) @ np.abs(hits - mean_conf))
    assert f"Calibration error {ece:.2%}" in window.reliability.summary()
    assert window.calibration_note.text().startswith(window.reliability.summary())

    table = window.findChild(type(window.table), "perClassTable")
    assert table is window.table and table.rowCount() == 10
    for i in range(10):
        assert table.item(i, 0).text() == str(i)
        for column, expected in ((1, precision[i]), (2, recall[i]), (3, f1[i])):
            item = table.item(i, column)
            assert item.data(Qt.ItemDataRole.UserRole) == pytest.approx(expected, abs=1e-12)
            assert item.text() == f"{expected:.2%}"
        assert table.item(i, 4).data(Qt.ItemDataRole.UserRole) == support[i]

    matrix = window.matrix
    assert matrix.objectName() == "confusionMatrix"
    np.testing.assert_array_equal(matrix.matrix, cm)

    gallery = window.gallery
    assert gallery.objectName() == "misclassifiedGallery"
    model_rows = gallery.model()
    assert model_rows.rowCount() == int((y_pred != y_test).sum())
    first = model_rows.data(model_rows.index(0, 0))
    assert first.startswith("true ") and " · read " in first
    assert not model_rows.data(model_rows.index(0, 0), Qt.ItemDataRole.DecorationRole).isNull()

    # Click the most frequent confusion: the gallery shows exactly those test digits.
    off = cm.copy()
    np.fill_diagonal(off, 0)
    t, p = np.unravel_index(off.argmax(), off.shape)
    clicked = []
    matrix.cellClicked.connect(lambda a, b: clicked.append((a, b)))
    QTest.mouseClick(
        matrix,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        matrix.cell_rect(int(t), int(p)).center(),
    )
    assert clicked == [(t, p)]
    assert model_rows.rowCount() == cm[t, p]
    for row in range(model_rows.rowCount()):
        assert model_rows.data(model_rows.index(row, 0)).startswith(f"true {t} · read {p} · ")
    assert f"True {t} read as {p}: {cm[t, p]} test digits" == window.gallery_title.text()

    # A diagonal cell: every correctly read 3 (lazy thumbnails keep this instant).
    QTest.mouseClick(
        matrix, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, matrix.cell_rect(3, 3).center()
    )
    assert model_rows.rowCount() == cm[3, 3]
    assert window.show_all.isVisible()
    QTest.mouseClick(window.show_all, Qt.MouseButton.LeftButton)
    assert model_rows.rowCount() == int((y_pred != y_test).sum())


@pytest.mark.mnist
def test_binary_model_is_evaluated_on_zeros_and_ones(qtbot, request, mnist) -> None:
    model = load_model("binary", bundled_model_path("binary"))
    X_test, y_test = mnist[2], mnist[3]
    window, _, _ = open_window(qtbot, request, model, lambda: (X_test, y_test))
    mask = np.isin(y_test, [0, 1])
    cm = confusion_matrix(y_test[mask], model.predict(X_test[mask]), labels=[0, 1])
    np.testing.assert_array_equal(window.matrix.matrix, cm)
    assert window.table.rowCount() == 2
    assert "of 2,115 MNIST test 0s and 1s" in window.headline.text()
    # The gallery's thumbnails are the right images: the mapping back into the full test set holds.
    ev = window.evaluation
    for row in range(window.gallery.model().rowCount()):
        k = window.gallery.model().data(window.gallery.model().index(row, 0), Qt.ItemDataRole.UserRole + 1)
        assert y_test[ev.index[k]] == ev.labels[k]


def test_missing_data_is_reported_in_the_window(qtbot) -> None:
    def no_data():
        raise MnistNotFoundError("MNIST was not found; looked in: /nowhere.")

    window = EvaluationWindow(load_model("ovr", bundled_model_path("ovr")), no_data)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.failed, timeout=10000) as failed:
        pass
    assert failed.args[0] == window.failure.sentence
    assert "were not found; download them, or choose the folder that holds them" in failed.args[0]
    assert "/nowhere" in window.failure.details
    assert window.headline.text() == "Could not evaluate the model"
    assert window.evaluation is None
    assert window.reliability.summary() == "No evaluation yet." and window.calibration_note.text() == ""


def test_confidence_never_rounds_up_to_certainty() -> None:
    assert percent(0.99996, 2) == ">99.99%"
    assert percent(0.97, 2) == "97.00%"
    assert percent(0.5049, 2) == "50.49%"


def test_samples_that_cannot_be_read_are_said_under_the_test_sets_figures(qtbot) -> None:
    """The test set evaluates; the person's samples failing says so in the strip, in its own words."""
    rng = np.random.default_rng(2)
    X = (rng.random((100, 784)) * (rng.random((100, 784)) > 0.8)).astype(np.float32)
    y = rng.integers(0, 10, 100)

    def unreadable():
        raise PermissionError(13, "Permission denied", "/home/x/samples")

    window = EvaluationWindow(
        load_model("ovr", bundled_model_path("ovr")), lambda: (X, y), user_samples=unreadable
    )
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.evaluated, timeout=30000):
        pass
    strip = window.user_strip
    qtbot.waitUntil(lambda: "could not be read" in strip.headline.text(), timeout=10000)
    assert strip.detail.text() == "Reading them failed: Permission denied (/home/x/samples)."
    assert window.failure is None and window.headline.text().endswith("read correctly")


def test_the_reliability_diagram_has_room_beside_its_note(qtbot) -> None:
    from app.evaluation.window import RELIABILITY_MINIMUM

    rng = np.random.default_rng(1)
    X = (rng.random((300, 784)) * (rng.random((300, 784)) > 0.8)).astype(np.float32)
    y = rng.integers(0, 10, 300)
    window = EvaluationWindow(load_model("ovr", bundled_model_path("ovr")), lambda: (X, y), user_samples=None)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.evaluated, timeout=30000):
        pass
    diagram, note = window.reliability, window.calibration_note
    assert diagram.height() >= RELIABILITY_MINIMUM and diagram.width() >= RELIABILITY_MINIMUM
    assert not diagram.geometry().intersects(note.geometry())  # the axis labels stay clear of the note
    # Every percentage in the window has the same two decimals: captions, table, headline, calibration.
    import re

    two = re.compile(r"[<>]?\d+\.\d\d%")
    model = window.gallery.gallery_model
    captions = [model.caption(row) for row in range(model.rowCount())]
    texts = [*captions, window.headline.text(), window.calibration_note.text()]
    texts += [window.table.item(r, c).text() for r in range(window.table.rowCount()) for c in (1, 2, 3)]
    for text in texts:
        shares = re.findall(r"[<>]?[\d.]+%", text)
        assert shares and all(two.fullmatch(share) for share in shares), text
    # and the note, once laid out with its text, is not cut short
    qtbot.waitUntil(lambda: note.height() >= note.heightForWidth(note.width()), timeout=5000)


def test_a_broken_worker_keeps_the_exceptions_facts_in_its_sentence() -> None:
    """Work that broke outside the evaluation itself still names what broke (it is logged too)."""
    from app.evaluation.window import _sentence

    odd = _sentence(KeyError("boom"))
    assert odd.startswith("The evaluation failed unexpectedly") and "KeyError: 'boom'" in odd
    assert odd.endswith(".") and ".." not in odd
    missing = _sentence(MnistNotFoundError("MNIST was not found; looked in: /nowhere."))
    assert (
        missing == "MNIST's four files were not found; download them, or choose the folder that holds them."
    )
