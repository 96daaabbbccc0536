"""Write the app's icon files for the desktop, from the drawing the window uses as its own icon.

    QT_QPA_PLATFORM=offscreen python -m app.testing.make_icons

``app.widgets.icons.app_icon()`` paints the icon with QPainter; here the same painting is rendered into
``assets/icons/digit-canvas-<size>.png`` at the freedesktop sizes and, through QSvgGenerator, into
``assets/icons/digit-canvas.svg``, so the launcher shows exactly the window's icon. The files are
committed; run this again after changing the drawing (tests/test_desktop_entry.py checks they match).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "assets" / "icons"
SIZES = (16, 32, 48, 64, 128, 256)
NAME = "digit-canvas"


def render_png(size: int):
    """The icon as a QImage of ``size`` x ``size`` pixels with transparency."""
    from PySide6.QtCore import QRect, Qt
    from PySide6.QtGui import QImage, QPainter

    from app.widgets.icons import app_icon

    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    app_icon().paint(painter, QRect(0, 0, size, size))
    painter.end()
    return image


def write_svg(path: Path, side: int = 256) -> None:
    from PySide6.QtCore import QRect, QSize
    from PySide6.QtGui import QPainter
    from PySide6.QtSvg import QSvgGenerator

    from app.widgets.icons import app_icon

    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(QSize(side, side))
    generator.setViewBox(QRect(0, 0, side, side))
    generator.setTitle("Digit Canvas")
    generator.setDescription("A handwritten 7 on a sheet of paper")
    painter = QPainter(generator)
    app_icon().paint(painter, QRect(0, 0, side, side))
    painter.end()
    # QSvgGenerator states the size in millimetres at its resolution; an icon's is in pixels.
    size = f'<svg width="{side}" height="{side}"'
    text = re.sub(r'<svg width="[^"]*" height="[^"]*"', size, path.read_text(encoding="utf-8"))
    path.write_text(text, encoding="utf-8")


def main() -> int:
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (QPainter needs it)
    OUT.mkdir(parents=True, exist_ok=True)
    for size in SIZES:
        render_png(size).save(str(OUT / f"{NAME}-{size}.png"))
    write_svg(OUT / f"{NAME}.svg")
    print(f"wrote {len(SIZES)} PNG files and {NAME}.svg into {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
