"""The retrain dialog's progress: stage, bar, elapsed and remaining time, and how the run ended."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout

from app.widgets.cards import ThemedLabel
from app.widgets.headings import heading

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget


class ProgressPanel(QGroupBox):
    """Stage, bar, elapsed and remaining time, and the outcome of the last run."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Progress", parent)
        self.stage = heading("Ready", "stageLabel")
        self.message = QLabel("Choose the settings above and press Train.")
        self.message.setObjectName("messageLabel")
        self.message.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setObjectName("progressBar")
        self.bar.setRange(0, 1000)
        self.bar.setValue(0)
        self.bar.setFormat("%p%")
        self.times = QLabel("")
        self.times.setObjectName("timeLabel")
        self.times.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.cancel = QPushButton("Cancel")
        self.cancel.setObjectName("cancelButton")
        self.cancel.setEnabled(False)
        self.cancel.setToolTip("Stop the training; nothing is saved and the current model stays in use")
        self.result = ThemedLabel("")
        self.result.setObjectName("resultLabel")
        self.result.setWordWrap(True)
        self.result.setTextFormat(Qt.TextFormat.RichText)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result.setMinimumHeight(48)

        top = QHBoxLayout()
        top.addWidget(self.stage)
        top.addStretch(1)
        top.addWidget(self.times)
        bar_row = QHBoxLayout()
        bar_row.addWidget(self.bar, 1)
        bar_row.addWidget(self.cancel)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addLayout(bar_row)
        layout.addWidget(self.result)
