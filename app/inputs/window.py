"""What the model sees: each step that turns the drawing into a 28x28 MNIST digit, live.

The steps are :func:`model.preprocess.trace`'s (the ink, cropped, strokes set to MNIST's width, fitted
into the 20-pixel box, centred by mass) and then the one-vs-rest model's own deskew. Beside them is
MNIST's mean training digit with its typical height, width and stroke width, and the same measures of
the drawing, so a person sees why a tiny, fat or slanted digit reads as it does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont, QPixmap
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from app.widgets.actions import add_close_keys
from app.widgets.headings import heading
from app.widgets.qimages import gray_to_qimage

if TYPE_CHECKING:
    from model.mnist_facts import MnistFacts
    from model.preprocess import Traced

TILE = 132  # pixels per step picture
# Lines kept for each step's note, so the window opens (before the first drawing fills the notes) as
# tall as it stays: the longest, the deskew step's, takes four lines under its picture.
NOTE_LINES = 4


def _pixmap(ink: np.ndarray, side: int = TILE) -> QPixmap:
    """An ink map (1 = ink) as white on black, as MNIST stores its digits, fitted in ``side`` pixels."""
    grey = np.rint(255.0 * np.clip(np.asarray(ink, dtype=np.float32), 0.0, 1.0)).astype(np.uint8)
    image = gray_to_qimage(grey)
    fast = max(grey.shape) <= 64  # small pictures: crisp squares; large ones: smooth reduction
    mode = Qt.TransformationMode.FastTransformation if fast else Qt.TransformationMode.SmoothTransformation
    return QPixmap.fromImage(image.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio, mode))


def measure(digit28: np.ndarray) -> tuple[int, int, float]:
    """Height and width of the ink and stroke width of a 28x28 digit, measured as MNIST's facts are."""
    from model.mnist_facts import ink_extent
    from model.preprocess import estimate_stroke_width

    image = np.asarray(digit28, dtype=np.float64).reshape(28, 28)
    height, width = ink_extent(image)
    if not height[0]:
        return 0, 0, 0.0
    return int(height[0]), int(width[0]), estimate_stroke_width(image)


class ModelInputWindow(QWidget):
    """The steps from the drawing to the model's input, and MNIST's mean digit for comparison."""

    def __init__(self, facts: MnistFacts | None, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("modelInputWindow")
        self.setWindowTitle("What the model sees")
        add_close_keys(self)
        self.facts = facts
        self.headline = heading("Draw a digit to see how it reaches the model", "inputsHeadline", 1.3)
        self.tiles: list[tuple[QLabel, QLabel, QLabel]] = []
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        names = (
            "Ink",
            "Cropped",
            "Strokes to MNIST's width",
            "Fitted in 20 × 20",
            "Centred by mass",
            "Deskewed",
        )
        for column, name in enumerate(names):
            title = _bold(QLabel(f"{column + 1}. {name}"))
            picture = QLabel()
            picture.setFixedSize(TILE, TILE)
            picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
            picture.setStyleSheet("background: black;")  # MNIST's frame: black in both schemes
            picture.setAccessibleName(name)
            note = _Note()
            grid.addWidget(title, 0, column)
            grid.addWidget(picture, 1, column)
            grid.addWidget(note, 2, column)
            self.tiles.append((title, picture, note))
        self.mean = QLabel()
        self.mean.setFixedSize(TILE, TILE)
        self.mean.setStyleSheet("background: black;")
        self.mean.setAccessibleName("MNIST's mean digit")
        self.comparison = QLabel("")
        self.comparison.setObjectName("inputsComparison")
        self.comparison.setWordWrap(True)
        mnist_title = _bold(QLabel("MNIST's mean training digit"))
        grid.addWidget(mnist_title, 3, 0, 1, 2)
        grid.addWidget(self.mean, 4, 0)
        grid.addWidget(self.comparison, 4, 1, 1, len(names) - 1, Qt.AlignmentFlag.AlignTop)
        if facts is not None:
            self.mean.setPixmap(_pixmap(facts.mean_digit))
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addLayout(grid)
        layout.addStretch(1)
        self.traced: Traced | None = None
        self.show_nothing()

    def show_nothing(self) -> None:
        self.traced = None
        self.headline.setText("Draw a digit to see how it reaches the model")
        for _, picture, note in self.tiles:
            picture.clear()
            note.setText("")
        self.comparison.setText(self._facts_text(None))

    def show_trace(self, traced: Traced | None, deskewed: np.ndarray | None) -> None:
        """Show the steps of ``traced`` and the ``deskewed`` input (``None``: the model reads pixels)."""
        if traced is None:
            self.show_nothing()
            return
        self.traced = traced
        self.headline.setText("How the drawing reaches the model")
        for (_, picture, note), step in zip(self.tiles, traced.steps, strict=False):
            picture.setPixmap(_pixmap(step.picture))
            note.setText(step.note)
        _, picture, note = self.tiles[-1]
        if deskewed is None:
            picture.setPixmap(_pixmap(traced.digit.reshape(28, 28)))
            note.setText("this model reads the pixels as they are, without deskewing")
        else:
            picture.setPixmap(_pixmap(np.asarray(deskewed).reshape(28, 28)))
            note.setText("slant straightened, as the one-vs-rest model's feature map does")
        self.comparison.setText(self._facts_text(traced))

    def _facts_text(self, traced: Any) -> str:
        facts = self.facts
        if facts is None:
            return "MNIST's facts are not available."
        h, w, s = facts.height, facts.width, facts.stroke
        lines = [
            f"MNIST's digits: {h[1]:.0f} px tall ({h[0]:.0f}–{h[2]:.0f} for nine in ten), {w[1]:.0f} px wide "
            f"({w[0]:.0f}–{w[2]:.0f}), strokes {s[1]:.1f} px wide ({s[0]:.1f}–{s[2]:.1f}), centred by mass "
            "in 28 × 28."
        ]
        if traced is not None:
            height, width, stroke = measure(traced.digit)
            lines.append(
                f"Your drawing as the model gets it: {height} px tall, {width} px wide, strokes "
                f"{stroke:.1f} px wide (drawn {traced.stroke:.0f} px wide on the canvas)."
            )
        return "\n".join(lines)


class _Note(QLabel):
    """A step's note under its picture, as wide as the picture and never shorter than its lines.

    A word-wrapped label's own minimum is a line or so, and a window's minimum size ignores the height
    its labels need at their width, so the grid squeezed the notes up under the pictures.
    """

    def __init__(self) -> None:
        super().__init__("")
        self.setWordWrap(True)
        self.setFixedWidth(TILE)
        self.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

    def minimumSizeHint(self) -> QSize:
        margins = self.contentsMargins()
        kept = self.fontMetrics().lineSpacing() * NOTE_LINES + margins.top() + margins.bottom()
        return QSize(TILE, max(kept, self.heightForWidth(TILE)))

    def sizeHint(self) -> QSize:
        return self.minimumSizeHint()


def _bold(label: QLabel) -> QLabel:
    """``label`` in a semibold font (a font, not a style sheet, so its colour follows the palette)."""
    font = label.font()
    font.setWeight(QFont.Weight.DemiBold)
    label.setFont(font)
    return label
