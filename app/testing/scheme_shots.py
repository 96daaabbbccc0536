"""Screenshots of the window in the light and the dark scheme, with the same digit drawn.

    QT_QPA_PLATFORM=offscreen python -m app.testing.scheme_shots [--out DIR]

Saves ``window-light.png`` and ``window-dark.png``: the main window reading a drawn 3, with a message
in the banner, first in Qt's light palette, then switched while it runs to a dark one (what a dark
system scheme gives the app; ``app.widgets.colours.dark_palette``). Needs no data set.
"""

from __future__ import annotations


def three() -> list:
    """A handwritten-looking 3: two arcs meeting in the middle, drawn as one stroke (y grows down)."""
    import numpy as np

    upper = np.radians(np.linspace(200, 450, 40))
    lower = np.radians(np.linspace(270, 520, 40))
    top = np.c_[np.cos(upper), 1 + np.sin(upper)]
    bottom = np.c_[1.15 * np.cos(lower), 3.1 + 1.1 * np.sin(lower)]
    return [np.vstack([top, bottom[1:]])]


def main(argv: list[str] | None = None) -> int:
    from app.testing.shots import open_window_for_shots, shot_parser

    parser = shot_parser(__doc__)
    args = parser.parse_args(argv)

    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from app.testing.replay import draw_placed
    from app.widgets.colours import dark_palette

    _, window = open_window_for_shots()
    light = QApplication.palette()
    draw_placed(window.canvas, three(), "normal")
    QTest.qWait(150)
    window.show_message("Your drawing is read as you draw; press a digit key to teach it.", "info")
    window.canvas.clearFocus()
    args.out.mkdir(parents=True, exist_ok=True)
    for name, palette in (("window-light.png", light), ("window-dark.png", dark_palette())):
        QApplication.setPalette(palette)
        QTest.qWait(100)
        path = args.out / name
        window.grab().save(str(path))
        print(f"{path}: {window.prediction_view.text()!r}")
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
