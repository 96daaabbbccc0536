"""Teaching the model the user's handwriting, through the real window with real mouse and key events.

Drawings are taught by a digit key on the canvas, a click on a class bar, the Teach button's digit pad
and the Samples menu; the gallery shows, deletes, exports and imports them; the retrain dialog
includes them. The last test is the issue's "Done when": a real writer's digit that the bundled model
misreads, taught a few times, retrained on through Model > Retrain…, and that writer's other drawing,
never taught, is then read right.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog, QLabel
from windows import use_worse_models

from app.retrain.dialog import RetrainDialog
from app.samples.dialog import SamplesDialog
from app.testing.replay import draw_placed, draw_with_mouse, place_strokes
from app.window.main_window import MainWindow
from model import load_model
from model.preprocess import canvas_to_mnist
from training.pendigits import load_pendigits
from training.samples import SampleStore
from training.uji import render_strokes

pytestmark = pytest.mark.gui

SEVEN = [np.array([[0.0, 0.0], [40.0, 0.0], [15.0, 70.0]])]  # a 7 in pen units, placed like a person


def draw_seven(win: MainWindow, placement: str = "normal") -> None:
    win.action("clear").trigger()
    draw_placed(win.canvas, SEVEN, placement)
    assert not win.canvas.is_empty()


def files_of(sample) -> list[Path]:
    return [p for p in (sample.image_path, sample.drawing_path) if p is not None and p.is_file()]


# ------------------------------------------------------------------------------------- teaching


def test_a_digit_key_on_the_canvas_saves_the_drawing_as_a_sample(window: MainWindow) -> None:
    draw_seven(window)
    QTest.keyClick(window.canvas, Qt.Key.Key_7)
    samples = SampleStore().samples()
    assert [s.label for s in samples] == [7]
    sample = samples[0]
    assert len(files_of(sample)) == 2
    # The 28x28 picture is what the model saw; the drawing is the full canvas.
    expected = canvas_to_mnist(window.canvas.image())
    np.testing.assert_allclose(sample.image(), expected, atol=1 / 255 + 1e-6)
    with Image.open(sample.drawing_path) as drawing:
        assert drawing.size == window.canvas.image().size
    text = window.banner.text()
    assert text.startswith("Saved as a 7") and "1 sample of 7, 1 in all" in text
    assert "Model > Retrain" in text

    # Pressing 7 again on the same drawing does not save it twice; 1 corrects it.
    QTest.keyClick(window.canvas, Qt.Key.Key_7)
    assert len(SampleStore()) == 1 and "Already saved" in window.banner.text()
    QTest.keyClick(window.canvas, Qt.Key.Key_1)
    assert [s.label for s in SampleStore().samples()] == [1]
    assert window.banner.text().startswith("Changed to a 1 (it was saved as a 7)")
    assert not sample.image_path.exists()


def test_an_empty_canvas_gives_a_message_and_no_sample(window: MainWindow) -> None:
    assert window.canvas.is_empty()
    QTest.keyClick(window.canvas, Qt.Key.Key_3)
    assert len(SampleStore()) == 0
    assert "Draw a digit first" in window.banner.text()
    QTest.mouseClick(window.bars, Qt.MouseButton.LeftButton, pos=window.bars.row_rect(4).center().toPoint())
    assert len(SampleStore()) == 0
    draw_seven(window)  # the nudge no longer holds once something is drawn
    assert not window.banner.isVisible()


def test_clicking_a_class_bar_teaches_that_digit(window: MainWindow) -> None:
    draw_seven(window)
    assert "teach" in window.bars.toolTip()
    row = window.bars.classes().index(2)
    QTest.mouseClick(window.bars, Qt.MouseButton.LeftButton, pos=window.bars.row_rect(row).center().toPoint())
    assert [s.label for s in SampleStore().samples()] == [2]
    assert "Saved as a 2 (the model read a " in window.banner.text()


def test_the_teach_button_pad_and_the_samples_menu_teach_too(window: MainWindow, qtbot) -> None:
    teacher = window.teacher
    assert teacher.button.parent() is window.toolbar or teacher.button.parentWidget() is window.toolbar
    assert window.menus["samples"].menuAction() in window.menuBar().actions()
    bar_titles = [a.text() for a in window.menuBar().actions()]
    assert bar_titles.index("&Samples") == bar_titles.index("&Help") - 1

    draw_seven(window)

    def press_five() -> None:  # the pad pops up in the button's own event loop
        if not teacher.pad_menu.isVisible():
            QTimer.singleShot(10, press_five)
            return
        QTest.mouseClick(teacher.pad.buttons[5], Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, press_five)
    QTest.mouseClick(teacher.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(SampleStore()) == 1, timeout=5000)
    assert not teacher.pad_menu.isVisible()

    draw_seven(window, "small")
    teacher.teach_actions[9].trigger()  # Samples > Teach this drawing as > 9
    assert sorted(s.label for s in SampleStore().samples()) == [5, 9]

    draw_seven(window, "off-centre")  # with the pad open, a digit key picks that digit

    def type_four() -> None:
        if not teacher.pad_menu.isVisible():
            QTimer.singleShot(10, type_four)
            return
        QTest.keyClick(teacher.pad_menu, Qt.Key.Key_4)

    QTimer.singleShot(0, type_four)
    QTest.mouseClick(teacher.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(SampleStore()) == 3, timeout=5000)
    assert sorted(s.label for s in SampleStore().samples()) == [4, 5, 9]


def test_the_binary_model_still_saves_every_digit(window: MainWindow) -> None:
    window.set_model_kind("binary")
    draw_seven(window)
    QTest.keyClick(window.canvas, Qt.Key.Key_7)
    assert [s.label for s in SampleStore().samples()] == [7]
    assert "10-class model uses every digit" in window.banner.text()


# -------------------------------------------------------------------------------------- gallery


def test_gallery_shows_updates_deletes_exports_and_imports(
    window: MainWindow, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = window.teacher.show_samples()
    assert isinstance(dialog, SamplesDialog) and dialog.isVisible()
    assert dialog.stack.currentWidget() is dialog.empty and "No samples yet" in dialog.empty.text()
    assert not dialog.export_button.isEnabled()

    for key, placement in ((Qt.Key.Key_7, "normal"), (Qt.Key.Key_7, "small"), (Qt.Key.Key_1, "off-centre")):
        draw_seven(window, placement)
        QTest.keyClick(window.canvas, key)  # the gallery stays open and follows
    assert [s.label for s in dialog.shown()] == [1, 7, 7]
    assert dialog.tabs.tabText(0) == "All (3)" and dialog.tabs.tabText(8) == "7 (2)"
    dialog.set_label_filter(7)
    assert [s.label for s in dialog.shown()] == [7, 7]
    dialog.set_label_filter(3)
    assert dialog.stack.currentWidget() is dialog.empty and "No samples of 3" in dialog.empty.text()
    dialog.set_label_filter(None)
    tip = dialog.model.data(dialog.model.index(0), Qt.ItemDataRole.ToolTipRole)
    assert "saved 20" in tip and "<img" in tip

    # Delete asks first; No keeps the sample, Yes removes both of its files.
    first = dialog.model.index(0)
    QTest.mouseClick(
        dialog.gallery.viewport(), Qt.MouseButton.LeftButton, pos=dialog.gallery.visualRect(first).center()
    )
    assert dialog.delete_button.isEnabled()
    doomed = dialog.selected()
    assert [s.label for s in doomed] == [1]
    dialog.confirm_delete = lambda samples: False
    QTest.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    assert len(SampleStore()) == 3
    asked = []
    dialog.confirm_delete = lambda samples: asked.append(samples) or True
    with qtbot.waitSignal(window.teacher.samplesChanged):
        QTest.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    assert asked == [doomed] and not any(files_of(doomed[0]))
    assert [s.label for s in dialog.shown()] == [7, 7] and len(SampleStore()) == 2

    # Export all… writes PNGs and labels.csv; Import… reads them back (into another store here).
    out = tmp_path / "export"
    out.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(out))
    with qtbot.waitSignal(dialog.ioFinished, timeout=10000) as done:
        QTest.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert done.args[0].startswith("Exported 2 samples")
    assert (out / "labels.csv").is_file() and len(list(out.glob("*.png"))) == 4
    for sample in SampleStore().samples():
        SampleStore().remove(sample)
    dialog.refresh()
    assert dialog.shown() == []
    with qtbot.waitSignal(dialog.ioFinished, timeout=10000) as done:
        QTest.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert done.args[0].startswith("Imported 2 samples")
    assert [s.label for s in dialog.shown()] == [7, 7]
    assert all(len(files_of(s)) == 2 for s in dialog.shown())

    # A folder that is not an export: the reason is shown, nothing is added.
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "labels.csv").write_text("file,label\nnope.png,12\n")
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(bad))
    with qtbot.waitSignal(dialog.ioFinished, timeout=10000) as done:
        QTest.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert done.args[0] == "Nothing was imported: labels.csv line 2: label 12 is not a digit 0-9."
    assert dialog.message.text() == done.args[0] and dialog.message.isVisible()
    assert len(SampleStore()) == 2


# ---------------------------------------------------------------------------------- retraining


def test_retrain_dialog_counts_the_samples_and_passes_them(qtbot, tmp_path: Path) -> None:
    store = SampleStore(tmp_path / "samples")
    dialog = RetrainDialog(samples=store)
    qtbot.addWidget(dialog)
    dialog.show()
    include = dialog.samples_box.include
    assert not include.isEnabled() and not dialog.request().include_samples
    assert "none yet" in include.text()

    image = canvas_to_mnist(render_strokes(SEVEN, 400, 16, box=(100, 60, 200, 280)))
    store.add(7, image)
    dialog.samples_box.refresh()
    assert include.text() == "Include my samples (1 sample, each counts as 100 MNIST digits)"
    assert "too few to cross-validate" in dialog.samples_box.note.text()  # the worker needs two
    store.add(7, image)
    dialog.samples_box.refresh()
    assert "so a cross-validation checks them" in dialog.samples_box.note.text()
    for label in [7] * 4 + [0, 1]:
        store.add(label, image)
    dialog.samples_box.refresh()
    assert include.isEnabled() and include.isChecked()
    assert include.text() == "Include my samples (8 samples, each counts as 100 MNIST digits)"
    assert "1 of them (every 5th of a digit)" in dialog.samples_box.note.text()
    request = dialog.request()
    assert request.include_samples and Path(request.samples_folder) == store.folder

    dialog.model_binary.setChecked(True)  # only 0s and 1s count for the binary model
    assert include.text().startswith("Include my samples (2 samples, each counts as")
    QTest.mouseClick(include, Qt.MouseButton.LeftButton)  # the person's choice sticks
    dialog.samples_box.refresh()
    assert not include.isChecked() and not dialog.request().include_samples


@pytest.mark.mnist
def test_a_retrain_with_samples_reports_them_before_and_after(qtbot, mnist, tmp_path: Path) -> None:
    store = SampleStore(tmp_path / "samples")
    rows = np.flatnonzero(mnist[3] < 10)[:24]  # MNIST test digits stand in for a person's
    for row in rows:
        store.add(int(mnist[3][row]), mnist[2][row])
    dialog = RetrainDialog(mnist=mnist, samples=store)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.data_box.max_train.setValue(3000)
    dialog.ovr_box.max_iter.setValue(15)
    use_worse_models(dialog)  # a few thousand images make a model more than a point worse
    with qtbot.waitSignal(dialog.trainingStopped, timeout=120000) as stopped:
        QTest.mouseClick(dialog.train_button, Qt.MouseButton.LeftButton)
    assert stopped.args == ["finished"], dialog.panel.result.text()
    result = dialog.results[0]
    meta = load_model("ovr").metadata_
    assert meta["n_user_samples"] + meta["n_user_heldout"] == 24
    assert meta["n_user_cv"] == 24 and result.user_cv == meta["user_cv_accuracy"]
    assert result.previous_user_all is not None and result.n_previous_user_all == 24
    text = dialog.panel.result.text()
    assert "Your samples: " in text and "cross-validated" in text and "n=24" in text


# ------------------------------------------------------------------------------- done when


def _rotated(strokes, degrees: float) -> list[np.ndarray]:
    """The strokes turned by a few degrees about their centre, as a person's hand varies."""
    points = np.concatenate(strokes)
    centre = points.mean(axis=0)
    t = np.deg2rad(degrees)
    turn = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    return [(np.asarray(s, dtype=np.float64) - centre) @ turn.T + centre for s in strokes]


# (left, top, size) as fractions of the sheet, and a slant: six ways one person writes the same digit.
VARIANTS = [
    ((0.175, 0.175, 0.65), 0.0),
    ((0.06, 0.06, 0.35), -6.0),
    ((0.55, 0.50, 0.38), 5.0),
    ((0.20, 0.10, 0.70), 3.0),
    ((0.30, 0.35, 0.45), -3.0),
    ((0.10, 0.30, 0.50), 8.0),
]


def _misread_pair(pendigits_dir: Path):
    """Two drawings of the digit a writer's hand is most often misread in, the first misread in every
    variant the test draws (found, not chosen): a style the model does not know yet."""
    bundled = load_model("ovr")

    def reads(strokes_list) -> np.ndarray:
        pictures = []
        for strokes in strokes_list:
            pictures.append(canvas_to_mnist(render_strokes(strokes, 400, 16, box=(70, 70, 260, 260))))
        return bundled.predict(np.stack(pictures))

    attempts: dict[tuple[str, int], list] = {}
    for sample in load_pendigits(pendigits_dir):
        attempts.setdefault((sample.writer, sample.digit), []).append(sample)
    misread = {}
    for (writer, digit), drawings in sorted(attempts.items()):
        read = reads([s.strokes for s in drawings])
        misread[writer, digit] = [s for s, r in zip(drawings, read, strict=True) if r != digit]
    for (_writer, digit), wrong in sorted(misread.items(), key=lambda item: -len(item[1])):
        for taught in wrong:
            variants = [_rotated(taught.strokes, slant) for _, slant in VARIANTS]
            if len(wrong) >= 2 and (reads(variants) != digit).all():
                return digit, taught, next(s for s in wrong if s is not taught)
    pytest.fail("the bundled model reads all but one drawing of every pendigits writer's digits right")


@pytest.mark.mnist
def test_done_when_a_taught_digit_is_read_right_after_retraining(
    window: MainWindow, qtbot, pendigits_dir: Path, mnist_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    digit, taught, held_out = _misread_pair(pendigits_dir)
    shown = window.findChild(QLabel, "predictionDigit")
    key = Qt.Key(Qt.Key.Key_0.value + digit)

    window.action("clear").trigger()
    draw_placed(window.canvas, held_out.strokes, "normal")
    read_before = shown.text()
    assert read_before != str(digit)  # the drawing never taught: misread now

    misread = 0
    for (left, top, size), slant in VARIANTS:  # the person draws it again and again, and corrects it
        window.action("clear").trigger()
        strokes = place_strokes(window.canvas, _rotated(taught.strokes, slant), left, top, size)
        draw_with_mouse(window.canvas, strokes)
        misread += shown.text() != str(digit)
        QTest.keyClick(window.canvas, key)
    assert misread >= 4
    assert [s.label for s in SampleStore().samples()] == [digit] * len(VARIANTS)

    # Model > Retrain…, with "Include my samples" ticked, on all 60,000 MNIST images.
    [retrain] = [a for a in window.menus["model"].actions() if a.objectName() == "action:retrain"]
    retrain.trigger()
    dialog = window.model_menu.dialog
    dialog.data_box.set_folder(mnist_dir)
    assert dialog.data_box.max_train_value() is None
    assert dialog.samples_box.include.isChecked()
    assert dialog.samples_box.include.text().startswith(f"Include my samples ({len(VARIANTS)} samples")
    with qtbot.waitSignal(dialog.trainingStopped, timeout=150000) as stopped:
        QTest.mouseClick(dialog.train_button, Qt.MouseButton.LeftButton)
    assert stopped.args == ["finished"], dialog.panel.result.text()
    [result] = dialog.results
    assert result.metadata["n_user_samples"] == len(VARIANTS) - 1  # the fifth is held out
    assert result.user_heldout == 1.0 and result.previous_user_heldout == 0.0
    assert abs(result.accuracy - result.previous_accuracy) <= 0.005  # MNIST within half a point
    assert "Your samples: before 0.00% → after 100.00% (held out, n=1)" in dialog.panel.result.text()

    # The window uses the new model at once and reads the drawing it was never taught.
    assert window.predictor.model().metadata_["n_user_samples"] == len(VARIANTS) - 1
    window.action("clear").trigger()
    draw_placed(window.canvas, held_out.strokes, "normal")
    assert shown.text() == str(digit), f"still read as {shown.text()} (was {read_before})"

    # Evaluate… shows the user's samples apart from MNIST.
    monkeypatch.setenv("DIGIT_CANVAS_DATA", str(mnist_dir))
    [evaluate] = [a for a in window.menus["model"].actions() if a.objectName() == "action:evaluate"]
    evaluate.trigger()
    view = window.model_menu.windows[-1]
    with qtbot.waitSignal(view.userEvaluated, timeout=60000) as reported:
        pass
    report = reported.args[0]
    assert (report.n_trained, report.n_unseen, report.unseen_accuracy) == (len(VARIANTS) - 1, 1, 1.0)
    headline = view.user_strip.headline.text()
    assert headline.startswith("Your handwriting: 100.00% of the 1 sample this model never trained on")
    assert "Cross-validated when it was trained" in view.user_strip.detail.text()


def test_evaluation_explains_the_users_samples_section_when_there_are_none(qtbot, window: MainWindow) -> None:
    from app.evaluation.window import EvaluationWindow

    model = window.predictor.model()
    X = np.zeros((4, 784), np.float32)
    view = EvaluationWindow(model, lambda: (X, np.array([0, 1, 2, 3])), window)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.userEvaluated, timeout=20000):
        view.show()
    assert view.user_strip.isVisible()
    assert view.user_strip.headline.text() == "Your handwriting: no samples yet"
    assert "Press a digit key on the canvas" in view.user_strip.detail.text()

    draw_seven(window)
    QTest.keyClick(window.canvas, Qt.Key.Key_7)
    again = EvaluationWindow(model, lambda: (X, np.array([0, 1, 2, 3])), window)
    qtbot.addWidget(again)
    with qtbot.waitSignal(again.userEvaluated, timeout=20000) as reported:
        again.show()
    assert reported.args[0].n_unseen == 1
    headline = again.user_strip.headline.text()
    assert headline.endswith("of your 1 sample read correctly (this model never trained on them)")
