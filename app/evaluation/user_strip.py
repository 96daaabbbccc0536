"""How the model reads the person's own samples, in one card under the MNIST headline."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QVBoxLayout

from app.text.numbers import RESULT_DIGITS, percent
from app.widgets.cards import Card
from app.widgets.headings import heading

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from training.user_eval import UserReport


def _percent(value: float | None) -> str:
    """Written as every other share in the evaluation window."""
    return percent(value, RESULT_DIGITS)


def _samples(n: int | None) -> str:
    return f"{n} sample{'' if n == 1 else 's'}"


def describe_user_report(report: UserReport) -> tuple[str, str]:
    """The "Your handwriting" headline and detail line for a report (plain text)."""
    if report.n_all == 0:
        return (
            "Your handwriting: no samples yet",
            "Press a digit key on the canvas (or click a class bar) to save a drawing with its label. "
            "After retraining with them, this shows how well the model reads your hand.",
        )
    if report.n_samples == 0:
        return (
            "Your handwriting: none of your samples are digits this model knows",
            f"You have {_samples(report.n_all)}; the 0-vs-1 model reads only 0s and 1s.",
        )
    details = []
    if report.n_unseen and report.n_trained == 0:
        headline = (
            f"Your handwriting: {_percent(report.unseen_accuracy)} of your {_samples(report.n_unseen)} read "
            "correctly (this model never trained on them)"
        )
        details.append("Retrain with them (Model > Retrain…) to teach it your hand.")
    elif report.n_unseen:
        headline = (
            f"Your handwriting: {_percent(report.unseen_accuracy)} of the {_samples(report.n_unseen)} this "
            "model never trained on read correctly"
        )
    else:
        every = "your one sample" if report.n_trained == 1 else f"all {_samples(report.n_trained)}"
        headline = f"Your handwriting: this model trained on {every}, so none are left to test it"
    if report.cv_accuracy is not None:
        details.append(
            f"Cross-validated when it was trained: {_percent(report.cv_accuracy)} ({report.cv_folds} folds, "
            f"{_samples(report.n_cv)})."
        )
    if report.n_trained:
        trained = _percent(report.trained_accuracy)
        details.append(f"On the {_samples(report.n_trained)} it trained on: {trained}.")
    return headline, " ".join(details)


READING = "Your handwriting: reading your samples…"


class UserSamplesStrip(Card):
    """One card under the MNIST headline: how the model reads the person's own samples."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(8, parent)
        self.setObjectName("userSamples")
        self.headline = heading(READING, "userSamplesHeadline", 1.15)
        self.headline.setWordWrap(True)
        self.detail = QLabel("")
        self.detail.setObjectName("userSamplesDetail")
        self.detail.setWordWrap(True)
        self.detail.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(2)
        layout.addWidget(self.headline)
        layout.addWidget(self.detail)

    def set_reading(self) -> None:
        """Shown again, saying the samples are being read (an evaluation starts or starts again)."""
        self.headline.setText(READING)
        self.detail.setText("")
        self.show()

    def set_report(self, report: UserReport) -> None:
        headline, detail = describe_user_report(report)
        self.headline.setText(headline)
        self.detail.setText(detail)
        self.detail.setVisible(bool(detail))

    def set_failure(self, message: str) -> None:
        self.headline.setText("Your handwriting: your samples could not be read")
        self.detail.setText(message)
