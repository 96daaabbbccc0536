"""Screenshots of the views that explain the classifier, made through the real windows.

    QT_QPA_PLATFORM=offscreen python -m app.testing.explanation_shots [--out DIR] [--mnist DIR]

The drawings are pendigits pen trajectories drawn on the canvas with mouse events: the first hooked 9
the window misreads (why 3, and why 3 rather than 9) and the first crossed 7 (what the model sees).
The weights window is photographed once its worker is done. The windows that plot (retrain, step
through, evaluation) are :mod:`app.testing.plot_shots`'s.
"""

from __future__ import annotations


def main(argv: list[str] | None = None) -> int:
    from app.testing.shots import SHARED_DATA, open_window_for_shots, shot_args_with_mnist, wait_until

    args = shot_args_with_mnist(__doc__, argv)

    from PySide6.QtTest import QTest

    from app.testing.replay import draw_placed
    from training.pendigits import load_pendigits

    app, window = open_window_for_shots()
    pendigits = load_pendigits(SHARED_DATA / "pendigits")

    def draw(sample, placement: str = "normal") -> str:
        window.action("clear").trigger()
        draw_placed(window.canvas, sample.strokes, placement)
        QTest.qWait(100)
        return window.prediction_view.text()

    def shot(widget, name: str) -> None:
        app.processEvents()
        widget.grab().save(str(args.out / name))
        print(f"wrote {args.out / name}")

    window.action("explain").trigger()
    nine = next(s for s in pendigits if s.digit == 9 and draw(s).startswith("3"))
    del nine
    window.canvas.clearFocus()
    shot(window, "why-this-digit.png")
    window.explainer.choose(9)
    shot(window, "why-rather-than.png")
    window.action("explain").trigger()

    seven = next(s for s in pendigits if s.digit == 7 and s.writer == "p14")
    view = window.input_viewer.open()
    draw(seven, "small")
    shot(view, "what-the-model-sees.png")
    view.close()

    weights = window.model_menu.show_weights()
    wait_until(app, lambda: len(weights.mean_maps) == 10)
    shot(weights, "weights.png")
    weights.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
