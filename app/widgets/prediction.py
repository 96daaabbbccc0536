"""The answer, large: the digit and how sure the model is, "not sure", "not a digit", or a hint."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics, QPalette
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from app.text.numbers import LIVE_DIGITS, percent

if TYPE_CHECKING:
    from model.reading import Reading, Verdict

HINT = "Draw a digit"
NOT_A_DIGIT = "Not a digit"


class PredictionView(QWidget):
    """Shows ``7`` and ``97% sure`` after a prediction, ``3`` and ``not sure: 3 or 8`` when two digits
    are close, ``Not a digit`` when the drawing looks like none, and only the hint when nothing is drawn.

    The digit and the confidence are separate labels (``predictionDigit``, ``predictionConfidence``)
    so screen readers and tests can read them.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("prediction")
        self.setAccessibleName("Prediction")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._digit_label = QLabel(self)
        self._digit_label.setObjectName("predictionDigit")
        self._digit_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._confidence_label = QLabel(self)
        self._confidence_label.setObjectName("predictionConfidence")
        self._confidence_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._big = QFont(self.font())
        self._big.setPointSizeF(self.font().pointSizeF() * 6.5)
        self._big.setBold(True)
        self._hint = QFont(self.font())
        self._hint.setPointSizeF(self.font().pointSizeF() * 1.6)
        self._medium = QFont(self.font())
        self._medium.setPointSizeF(self.font().pointSizeF() * 1.25)
        self._confidence_label.setFont(self._medium)
        # Fixed heights: the layout must not jump between the hint and a prediction.
        self._digit_label.setFixedHeight(QFontMetrics(self._big).height())
        self._confidence_label.setFixedHeight(QFontMetrics(self._medium).height() + 4)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._digit_label)
        layout.addWidget(self._confidence_label)
        self._digit: int | None = None
        self._confidence: float | None = None
        self._verdict: Verdict | None = None
        self._announced: tuple | None = None
        self.announced: list[str] = []  # the last answers told to screen readers (tests read them)
        self.show_hint()

    def digit(self) -> int | None:
        """The digit shown, or ``None`` while the hint is shown."""
        return self._digit

    def confidence(self) -> float | None:
        return self._confidence

    def verdict(self) -> Verdict | None:
        """``"digit"``, ``"not sure"`` or ``"not a digit"``; ``None`` while the hint is shown."""
        return self._verdict

    def text(self) -> str:
        """What a person reads here, in one line (tests and accessibility)."""
        return " ".join(t for t in (self._digit_label.text(), self._confidence_label.text()) if t)

    def show_prediction(self, digit: int, confidence: float) -> None:
        """A plain answer: the digit and how sure the model is."""
        self._show_digit(int(digit), float(confidence), "digit")
        sure = percent(confidence, LIVE_DIGITS)  # the same figure as the top bar
        self._confidence_label.setText(f"{sure} sure")
        self.setAccessibleDescription(f"Predicted {self._digit}, {sure} sure")
        self._announce(f"{self._digit}, {sure} sure")

    def show_reading(self, reading: Reading) -> None:
        """What the model made of the drawing, with its verdict."""
        verdict = reading.verdict
        if verdict == "digit":
            self.show_prediction(reading.digit, reading.confidence)
        elif verdict == "not sure":
            self._show_digit(reading.digit, reading.confidence, verdict)
            self._digit_label.setForegroundRole(QPalette.ColorRole.Text)
            text = f"not sure: {reading.digit} or {reading.runner_up}"
            self._confidence_label.setText(text)
            self.setAccessibleDescription(f"Not sure, {reading.digit} or {reading.runner_up}")
            self._announce(f"Not sure: {reading.digit} or {reading.runner_up}")
        else:
            self._digit, self._confidence, self._verdict = None, reading.confidence, verdict
            self._digit_label.setFont(self._hint)
            self._digit_label.setForegroundRole(QPalette.ColorRole.Text)
            self._digit_label.setText(NOT_A_DIGIT)
            self._confidence_label.setText("it looks like no digit")
            self.setAccessibleDescription("Not a digit: the drawing looks like no digit")
            self._announce("Not a digit")

    def _show_digit(self, digit: int, confidence: float, verdict: Verdict) -> None:
        self._digit, self._confidence, self._verdict = digit, confidence, verdict
        self._digit_label.setFont(self._big)
        self._digit_label.setForegroundRole(QPalette.ColorRole.Highlight)
        self._digit_label.setText(str(digit))

    def show_hint(self, text: str = HINT) -> None:
        """No prediction: an empty canvas (or no model) shows a hint instead."""
        self._digit, self._confidence, self._verdict = None, None, None
        self._digit_label.setFont(self._hint)
        self._digit_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._digit_label.setText(text)
        self._confidence_label.setText("")
        self.setAccessibleDescription(text)
        self._announced = None

    def _announce(self, text: str) -> None:
        """Tell a screen reader the new answer: when the answer changes, not at every new percentage
        while the pen moves (that would be a flood of speech)."""
        key = (self._digit, self._verdict)
        if key == self._announced:
            return
        self._announced = key
        self.announced.append(text)
        del self.announced[:-20]
        # Imported here: PySide6 builds a class and all its enums on first use, and QAccessible's are
        # many; the first answer, not the window's start-up, pays for them.
        from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent

        if QAccessible.isActive():
            QAccessible.updateAccessibility(QAccessibleAnnouncementEvent(self, text))
