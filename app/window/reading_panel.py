"""The window's right-hand side: what the model read, the picture it saw, and every class's bar."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.text.numbers import format_seconds
from app.widgets.cards import Card, Note
from app.widgets.prediction import PredictionView
from app.widgets.preview import PreviewView
from app.widgets.probabilities import ProbabilityBars

if TYPE_CHECKING:
    import numpy as np
    from PySide6.QtGui import QFont

    from model.reading import Reading

BINARY_NOTE = "This model knows only 0 and 1: whatever you draw, it answers one of the two."
PANEL_WIDTH = 310
BARS_CAPTION = "Probability of each digit"
OWN_CAPTION = "How much it looks like each digit"  # one line, as BARS_CAPTION: the bars stay put
OWN_TIP = (
    "Each digit's own probability, not shares of one: every digit says how much the drawing looks "
    "like it, and under Not a digit none of them says much"
)


class ReadingPanel(QWidget):
    """The answer card (prediction and model input), the 0-vs-1 note, and the probability card.

    :meth:`add_below_bars` puts a widget (a hint, for example) under the bars, inside their card.
    """

    def __init__(self, caption_font: QFont, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidePanel")
        self.setFixedWidth(PANEL_WIDTH)
        self.prediction_view = PredictionView()
        self.preview = PreviewView()
        self.bars = ProbabilityBars()
        self.model_note = Note(BINARY_NOTE, "warning")
        self.model_note.setObjectName("modelNote")
        self.model_note.setWordWrap(True)
        self.model_note.hide()

        answer = Card()
        answer.setObjectName("card")
        top = QHBoxLayout(answer)
        top.setContentsMargins(14, 10, 14, 12)
        top.setSpacing(12)
        top.addWidget(self.prediction_view, 1, Qt.AlignmentFlag.AlignVCenter)
        seen = QVBoxLayout()
        seen.setSpacing(4)
        seen_caption = QLabel("Model input")
        seen_caption.setObjectName("previewCaption")
        seen_caption.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        seen_caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        seen.addWidget(seen_caption)
        seen.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignHCenter)
        top.addLayout(seen)

        self.model_note.setContentsMargins(10, 6, 10, 6)

        probs_card = Card()
        probs_card.setObjectName("card")
        self._probs = QVBoxLayout(probs_card)
        self._probs.setContentsMargins(12, 10, 14, 12)
        self._probs.setSpacing(8)
        self.bars_caption = QLabel(BARS_CAPTION)
        self.bars_caption.setObjectName("barsCaption")
        self.bars_caption.setFont(caption_font)
        self.bars_caption.setWordWrap(True)
        self._probs.addWidget(self.bars_caption)
        self._probs.addWidget(self.bars)
        # Spare height goes below the captions, not into the rows: the bars stay put while the text
        # under them changes (the hint, why this digit, why this rather than that under the pointer).
        self._probs.addStretch(1)

        side = QVBoxLayout(self)
        side.setContentsMargins(0, 0, 0, 0)
        side.setSpacing(10)
        side.addWidget(answer)
        side.addWidget(self.model_note)
        side.addWidget(probs_card, 1)

    def add_below_bars(self, widget: QWidget) -> None:
        self._probs.insertWidget(self._probs.count() - 1, widget)  # above the stretch

    def show_reading(self, reading: Reading, image28: np.ndarray, duration_ms: float) -> None:
        """What the model made of the drawing; an answer for other classes (a stale one) is dropped."""
        if list(reading.classes) != list(self.bars.classes()):  # from a swapped-out model
            return
        # Normalised probabilities sum to one even when every class says "not me"; under "Not a digit"
        # each class's own probability shows how little the drawing looks like any of them.
        on_its_own = reading.verdict == "not a digit" and reading.own is not None
        self.bars.set_probabilities(reading.own if on_its_own else reading.probabilities)
        self.bars_caption.setText(OWN_CAPTION if on_its_own else BARS_CAPTION)
        self.bars_caption.setToolTip(OWN_TIP if on_its_own else "")
        self.prediction_view.show_reading(reading)
        self.prediction_view.setToolTip(f"Read in {format_seconds(duration_ms / 1000)}")
        self.preview.set_pixels(image28)

    def show_nothing(self, hint: str | None = None) -> None:
        """Nothing to read: empty bars and preview, and the hint (the default one for ``None``)."""
        self.bars.set_probabilities(None)
        self.bars_caption.setText(BARS_CAPTION)
        if hint is None:
            self.prediction_view.show_hint()
        else:
            self.prediction_view.show_hint(hint)
        self.preview.set_pixels(None)
