"""Save a screenshot of the real window with a real handwritten digit drawn by mouse events.

    QT_QPA_PLATFORM=offscreen python -m app.testing.screenshot [--label 3] [--writer w03] [--out PNG]

The digit comes from the UJI Pen Characters (``../shared/data/uji_penchars``) and is drawn on the canvas
with press, moves and release, exactly like the GUI tests, so the picture shows what a person sees.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_UJI = ROOT.parent / "shared" / "data" / "uji_penchars"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--uji", type=Path, default=DEFAULT_UJI, help="folder with UJIpenchars-w* files")
    parser.add_argument("--label", default="3", help="which digit to draw")
    parser.add_argument("--writer", default="w03", help="whose handwriting (w01 … w11)")
    parser.add_argument("--take", type=int, default=0, help="0 or 1: each writer wrote each digit twice")
    parser.add_argument("--model", choices=("ovr", "binary"), default="ovr")
    parser.add_argument("--size", default="1000x680", help="window size, WIDTHxHEIGHT")
    parser.add_argument("--out", type=Path, default=ROOT / "assets" / "screenshots" / "screenshot.png")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from app.testing.replay import draw_placed
    from app.window.assembly import build_main_window
    from training.uji import load_uji_digits

    samples = [s for s in load_uji_digits(args.uji) if s.label == args.label and s.writer == args.writer]
    if len(samples) <= args.take:
        parser.error(f"no take {args.take} of {args.label!r} by {args.writer} in {args.uji}")
    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("Digit Canvas")
    window = build_main_window(kind=args.model)
    width, height = (int(v) for v in args.size.split("x"))
    window.resize(width, height)
    window.show()
    QTest.qWaitForWindowExposed(window)
    draw_placed(window.canvas, samples[args.take].strokes, "normal")
    QTest.qWait(200)  # let the throttled prediction and the repaints land
    window.canvas.clearFocus()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(args.out)):
        print(f"could not write {args.out}", file=sys.stderr)
        return 1
    shown = window.prediction_view.text()
    print(f"{args.out}: drew a {args.label} by {args.writer}; the window shows {shown!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
