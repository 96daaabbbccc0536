"""Screenshots of the windows that plot, in the light and the dark scheme, made through the real windows.

    QT_QPA_PLATFORM=offscreen python -m app.testing.plot_shots [--out DIR] [--mnist DIR]

The retrain dialog is photographed part-way through a real retrain (each class's loss and the binary
model's weights), the step-through window after twelve steps and the evaluation window once its worker
is done (its reliability diagram): ``watch-it-learn.png``, ``step-through.png`` and ``evaluation.png``,
and each again as ``*-dark.png`` after the app switched to a dark palette while it was open (what a
dark system scheme gives the app; ``app.widgets.colours.dark_palette``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget


def main(argv: list[str] | None = None) -> int:
    from app.testing.shots import open_window_for_shots, shot_args_with_mnist, wait_until

    args = shot_args_with_mnist(__doc__, argv)

    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from app.retrain.dialog import RetrainDialog
    from app.widgets.colours import dark_palette

    app, window = open_window_for_shots()
    light = QApplication.palette()
    args.out.mkdir(parents=True, exist_ok=True)

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
