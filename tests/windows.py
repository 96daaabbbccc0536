"""The main window in GUI tests: opened as a person sees it, and left with nothing running."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPushButton

from app.retrain.dialog import RetrainDialog
from app.widgets.canvas import DrawingCanvas
from app.window.assembly import build_main_window
from app.window.main_window import MainWindow


def new_canvas(qtbot, side: int) -> DrawingCanvas:
    """A drawing canvas on its own, ``side`` pixels square, shown and exposed."""
    widget = DrawingCanvas()
    qtbot.addWidget(widget)
    widget.resize(side, side)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def new_window(qtbot, **kw) -> MainWindow:
    """A main window, shown and exposed; pytest-qt closes it after the test."""
    win = build_main_window(**kw)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def close_what_it_opened(win: MainWindow) -> None:
    """Stop a retrain still running and close the windows and dialogs the window opened."""
    menu = win.model_menu
    if menu.dialog is not None and menu.dialog.is_training():
        menu.dialog.job.cancel_and_wait(10000)
    for view in menu.windows:
        view.close()
    if win.teacher.dialog is not None:
        win.teacher.dialog.close()


def open_every_view(qtbot, win: MainWindow) -> dict:
    """Every secondary window and dialog, opened from the window with one taught sample and waited for
    until it shows its content (the accessibility and keyboard tests walk each)."""
    win.canvas.add_stroke([[200, 60], [200, 340]])
    win.teacher.teach(1)  # a sample, so the samples dialog shows its gallery
    menu = win.model_menu
    opened = {
        "retrain": menu.open_retrain(),
        "evaluation": menu.evaluate(),
        "weights": menu.show_weights(),
        "step through": menu.step_through(),
        "what the model sees": win.input_viewer.open(),
        "samples": win.teacher.show_samples(),
    }
    samples = opened["samples"]
    qtbot.waitUntil(lambda: samples.gallery.isVisible() and samples.model.rowCount() == 1)
    qtbot.waitUntil(lambda: opened["evaluation"].evaluation is not None, timeout=30000)
    qtbot.waitUntil(opened["step through"].is_ready, timeout=30000)
    return opened


def read_through_window(win: MainWindow, samples, placement: str = "normal") -> list[str]:
    """Draw each pen sample on the window's canvas with real mouse events; what the window says for each.

    The answer is the text of the large prediction label: the digit shown, or ``Not a digit``.
    """
    from PySide6.QtWidgets import QLabel

    from app.testing.replay import draw_placed
    from app.widgets.prediction import HINT

    label = win.findChild(QLabel, "predictionDigit")
    shown = []
    for sample in samples:
        win.action("clear").trigger()
        assert label.text() == HINT
        draw_placed(win.canvas, sample.strokes, placement)
        shown.append(label.text())
    return shown


def accuracy_report(name: str, labels: list[str], shown: list[str], groups: list[str] | None = None) -> str:
    """One printed paragraph: the share read right, per digit, the worst groups and the top confusions."""
    from collections import Counter, defaultdict

    right = [a == b for a, b in zip(labels, shown, strict=True)]
    lines = [f"{name}: {sum(right)}/{len(right)} = {sum(right) / len(right):.2%} read correctly"]
    per_digit = defaultdict(list)
    for label, ok in zip(labels, right, strict=True):
        per_digit[label].append(ok)
    lines.append(
        "  per digit: " + ", ".join(f"{d} {sum(v) / len(v):.1%}" for d, v in sorted(per_digit.items()))
    )
    if groups is not None:
        per_group = defaultdict(list)
        for group, ok in zip(groups, right, strict=True):
            per_group[group].append(ok)
        ranked = sorted((sum(v) / len(v), g) for g, v in per_group.items())
        lines.append("  worst writers: " + ", ".join(f"{g} {a:.1%}" for a, g in ranked[:5]))
    confusions = Counter((a, b) for a, b in zip(labels, shown, strict=True) if a != b)
    lines.append(
        "  top confusions (true -> shown): "
        + ", ".join(f"{a}->{b} {n}" for (a, b), n in confusions.most_common(8))
    )
    return "\n".join(lines)


def open_picture(qtbot, win: MainWindow, path, timeout: int = 10000) -> bool:
    """Open a picture file as File > Open image does and wait for the worker; True if it is on the canvas."""
    with qtbot.waitSignal(win.pictureOpened, timeout=timeout) as blocker:
        win.open_image_file(path)
    return bool(blocker.args[0])


def use_worse_models(dialog: RetrainDialog) -> list[str]:
    """Click "Use it anyway" whenever ``dialog`` asks about a less accurate model, as a person keen to
    try the new one would (a few thousand images make one); the questions asked, as they read."""
    asked: list[str] = []

    def answer() -> None:
        box = dialog.worse_question
        if box is not None and box.isVisible():
            asked.append(box.text())
            QTest.mouseClick(box.findChild(QPushButton, "useNewModel"), Qt.MouseButton.LeftButton)

    timer = QTimer(dialog)
    timer.timeout.connect(answer)
    timer.start(50)
    return asked
