"""Screenshots of the windows that plot, in the light and the dark scheme, made through the real windows.

    QT_QPA_PLATFORM=offscreen python -m app.testing.plot_shots [--out DIR] [--mnist DIR] [--first-run-only]

The retrain dialog is photographed part-way through a real retrain (each class's loss and the binary
model's weights), the step-through window after twelve steps and the evaluation window once its worker
is done (its reliability diagram): ``watch-it-learn.png``, ``step-through.png`` and ``evaluation.png``,
and each again as ``*-dark.png`` after the app switched to a dark palette while it was open (what a
dark system scheme gives the app; ``app.widgets.colours.dark_palette``).

First, before anything has found MNIST, Model > Evaluate… is photographed as on a fresh install: the
question it asks (``evaluate-first-run.png``), and, after a click on Download, the top of the evaluation
window part-way through the download with its progress and Cancel (``evaluate-downloading.png``), and,
after Cancel and a Try again that fails, the window's failure state: one sentence with Try again,
Choose folder… and Details (``evaluate-failed.png``). The download comes from a local server holding
the ``--mnist`` files, which stops sending part-way until Cancel is clicked, then refuses every file as
a dead mirror would (no network is used, and nothing is left in the download folder).
``--first-run-only`` takes these three and stops, without the retrain the others need.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication, QMainWindow, QWidget


def first_run_shots(app: QApplication, window: QMainWindow, mnist: Path, out: Path) -> None:
    """Evaluate on a fresh install: its question, the download's progress and Cancel, a failure."""
    from PySide6.QtCore import QPoint, QRect, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QPushButton

    from app.testing.local_mirror import LocalMirror, downloads_from
    from app.testing.shots import wait_until

    menu = window.model_menu
    data_env = os.environ.pop("DIGIT_CANVAS_DATA", None)  # a fresh install has none
    mirror = LocalMirror(mnist, mode="held")  # the download stays part-way for as long as a picture takes
    try:
        with downloads_from(mirror):
            if menu.mnist_dir() is not None:
                print(f"skipped the first-run pictures: MNIST is found in {menu.mnist_dir()}")
                return
            menu.evaluate_action.trigger()
            box = menu.mnist_question
            wait_until(app, box.isVisible, 10)
            QTest.qWait(150)
            box.grab().save(str(out / "evaluate-first-run.png"))
            print(f"wrote {out / 'evaluate-first-run.png'}")

            QTest.mouseClick(box.findChild(QPushButton, "downloadMnist"), Qt.MouseButton.LeftButton)
            view = menu.evaluations[-1]
            # The first file is 85% of the download: the bar stops at about 34%.
            wait_until(app, lambda: view.busy.maximum() == 1000 and view.busy.value() >= 300, 30)
            QTest.qWait(300)  # the last progress report before the mirror waits, and the repaint
            bottom = view.busy.mapTo(view, QPoint(0, view.busy.height())).y()
            view.grab(QRect(0, 0, view.width(), bottom + 12)).save(str(out / "evaluate-downloading.png"))
            print(f"wrote {out / 'evaluate-downloading.png'}")

            failed: list[str] = []
            view.failed.connect(failed.append)
            QTest.mouseClick(view.cancel_button, Qt.MouseButton.LeftButton)
            mirror.release()  # the next chunk arrives, the download sees Cancel and stops
            wait_until(app, lambda: bool(failed), 30)

            mirror.mode = "missing"  # Try again meets a dead mirror: the download fails
            failed.clear()
            QTest.mouseClick(view.findChild(QPushButton, "retryDownload"), Qt.MouseButton.LeftButton)
            wait_until(app, lambda: bool(failed), 30)
            QTest.qWait(300)  # the person's samples are read, and the repaint
            panel = view.failure_panel
            bottom = panel.mapTo(view, QPoint(0, panel.height())).y() + 12
            if view.user_strip.isVisible():  # the card below stays out of the picture
                bottom = min(bottom, view.user_strip.mapTo(view, QPoint(0, 0)).y() - 1)
            view.grab(QRect(0, 0, view.width(), bottom)).save(str(out / "evaluate-failed.png"))
            print(f"wrote {out / 'evaluate-failed.png'}")
            view.close()
    finally:
        mirror.close()
        if data_env is not None:
            os.environ["DIGIT_CANVAS_DATA"] = data_env


def main(argv: list[str] | None = None) -> int:
    from app.testing.shots import open_window_for_shots, shot_args_with_mnist, shot_parser, wait_until

    parser = shot_parser(__doc__)
    parser.add_argument("--first-run-only", action="store_true", help="only the Evaluate first-run pictures")
    args = shot_args_with_mnist(__doc__, argv, parser)

    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from app.retrain.dialog import RetrainDialog
    from app.widgets.colours import dark_palette

    app, window = open_window_for_shots()
    light = QApplication.palette()
    args.out.mkdir(parents=True, exist_ok=True)
    first_run_shots(app, window, args.mnist, args.out)
    if args.first_run_only:
        return 0

    def shots(widget: QWidget, name: str) -> None:
        """``name.png`` in the light scheme, then ``name-dark.png`` in the dark one."""
        for suffix, palette in (("", light), ("-dark", dark_palette())):
            QApplication.setPalette(palette)
            QTest.qWait(150)  # the repaints, and a redraw of the curves
            path = args.out / f"{name}{suffix}.png"
            widget.grab().save(str(path))
            print(f"wrote {path}")
        QApplication.setPalette(light)

    dialog = RetrainDialog(window)
    dialog.show()
    dialog.model_both.setChecked(True)
    dialog.data_box.set_folder(args.mnist)
    dialog.data_box.max_train.setValue(20000)
    done: list[str] = []
    dialog.trainingStopped.connect(done.append)
    dialog.start_training()
    wait_until(app, lambda: dialog.curves.kind() == "ovr" and len(dialog.curves.plot.points()[0]) > 30, 120)
    shots(dialog, "watch-it-learn")
    dialog.cancel_training()
    wait_until(app, lambda: bool(done), 60)
    dialog.close()

    steps = window.model_menu.step_through()
    wait_until(app, steps.is_ready)
    for _ in range(12):
        steps.step()
    shots(steps, "step-through")
    steps.close()

    evaluation = window.model_menu.evaluate()
    wait_until(app, lambda: evaluation.evaluation is not None)
    shots(evaluation, "evaluation")
    evaluation.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
