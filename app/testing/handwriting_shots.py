"""Screenshots of the window reading continental digits, refusing a letter, and learning a hand.

    QT_QPA_PLATFORM=offscreen python -m app.testing.handwriting_shots [--out DIR]

Each drawing is a real pen trajectory (pendigits, UJI) drawn on the canvas with mouse events, as in
the GUI tests. The drawings are found, not picked by hand: the first crossed 7 and hooked 9 of the
pendigits writers that the window reads right, the first UJI letter K it answers "Not a digit", the
first pendigits digit it is not sure of, and a writer's first misread 4, taught with its digit key.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data"


def main(argv: list[str] | None = None) -> int:
    from app.testing.shots import open_window_for_shots, shot_parser

    parser = shot_parser(__doc__)
    args = parser.parse_args(argv)

    import numpy as np
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from app.testing.replay import draw_placed
    from training.pendigits import load_pendigits
    from training.uji import load_uji_characters

    _, window = open_window_for_shots()

    def draw(sample) -> str:
        window.action("clear").trigger()
        draw_placed(window.canvas, sample.strokes, "normal")
        QTest.qWait(100)
        return window.prediction_view.text()

    def shot(name: str) -> None:
        window.canvas.clearFocus()
        path = args.out / name
        window.grab().save(str(path))
        print(f"{path}: {window.prediction_view.text()!r}")

    def wide_row(sample, lo: float, hi: float) -> bool:
        """A stroke crossing the middle: a crossbar (7) spans most of the digit's width there."""
        points = np.concatenate(sample.strokes)
        top, bottom = points[:, 1].min(), points[:, 1].max()
        middle = points[
            (points[:, 1] > top + lo * (bottom - top)) & (points[:, 1] < top + hi * (bottom - top))
        ]
        return len(middle) > 0 and np.ptp(middle[:, 0]) > 0.6 * np.ptp(points[:, 0])

    def hooked(sample) -> bool:
        """The tail's end curls back left of where it came down: a hooked 9."""
        tail = sample.strokes[-1]
        low = tail[tail[:, 1] > np.percentile(tail[:, 1], 80)]
        return (
            len(low) > 3
            and tail[-1, 0] < low[:, 0].min() + 0.2 * np.ptp(tail[:, 0])
            and tail[-1, 1] < low[:, 1].max()
        )

    args.out.mkdir(parents=True, exist_ok=True)
    pendigits = load_pendigits(DATA / "pendigits")
    seven = next(
        s for s in pendigits if s.label == "7" and wide_row(s, 0.4, 0.65) and draw(s).startswith("7 ")
    )
    draw(seven)
    shot("crossed-seven.png")
    nine = next(s for s in pendigits if s.label == "9" and hooked(s) and draw(s).startswith("9 "))
    draw(nine)
    shot("hooked-nine.png")
    letter = next(
        s for s in load_uji_characters(DATA / "uji_penchars", "K") if draw(s).startswith("Not a digit")
    )
    draw(letter)
    shot("not-a-digit.png")

    def doubtful(sample) -> bool:
        draw(sample)
        return window.prediction_view.verdict() == "not sure"

    draw(next(s for s in pendigits if doubtful(s)))
    shot("not-sure.png")
    four = next(s for s in pendigits if s.label == "4" and not draw(s).startswith("4 "))
    same_writer = [s for s in pendigits if s.writer == four.writer and s.label == "4" and s is not four]
    draw(four)
    QTest.keyClick(window.canvas, Qt.Key.Key_4)  # teach it
    QTest.qWait(100)
    print(f"taught {four.writer}'s 4; the next of theirs now reads {draw(same_writer[0])!r}")
    shot("taught.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
