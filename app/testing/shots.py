"""The main window as the screenshot scripts photograph it: offscreen, a fresh data folder, shown.

Each of ``app/testing/*_shots.py`` sets up the same window; this is that set-up once. It runs on a
temporary ``DIGIT_CANVAS_HOME`` (unless one is set), so the bundled models are the ones shown and a
person's own models, samples and settings are neither used nor touched.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from PySide6.QtWidgets import QApplication, QMainWindow

SIZE = (1000, 680)  # the window size of every screenshot in the README
# The README's pictures: in the checkout, left out of the wheel and the bundle (pyproject, the spec).
SCREENSHOTS = Path(__file__).resolve().parents[2] / "assets" / "screenshots"
SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"  # ../shared/data beside the repo


def shot_parser(doc: str | None) -> argparse.ArgumentParser:
    """A script's command line with the option they all share: ``--out`` (``assets/screenshots/``)."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=SCREENSHOTS, help="the folder to save the pictures in")
    return parser


def shot_args_with_mnist(
    doc: str | None, argv: list[str] | None, parser: argparse.ArgumentParser | None = None
) -> argparse.Namespace:
    """The command line of a script whose windows need MNIST: ``--out`` and ``--mnist``, the folder
    the app is then told to read it from (``DIGIT_CANVAS_DATA``, unless already set). ``parser``, a
    :func:`shot_parser` with the script's own options added, is used instead of a plain one."""
    parser = shot_parser(doc) if parser is None else parser
    parser.add_argument("--mnist", type=Path, default=SHARED_DATA / "mnist")
    args = parser.parse_args(argv)
    os.environ.setdefault("DIGIT_CANVAS_DATA", str(args.mnist))
    return args


def open_window_for_shots(kind: str = "ovr") -> tuple[QApplication, QMainWindow]:
    """The app and its main window reading with ``kind``'s model, shown, exposed and warmed up."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("DIGIT_CANVAS_HOME", tempfile.mkdtemp(prefix="digit-canvas-shots-"))
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from app.window.assembly import build_main_window

    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("Digit Canvas")
    window = build_main_window(kind=kind)
    window.resize(*SIZE)
    window.show()
    QTest.qWaitForWindowExposed(window)
    window.warm_up()
    return app, window


def wait_until(app: QApplication, condition: Callable[[], object], seconds: float = 60.0) -> None:
    """Run the event loop until ``condition()`` holds or ``seconds`` have passed."""
    end = time.monotonic() + seconds
    while not condition() and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)
