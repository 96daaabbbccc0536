"""Under a failed evaluation's headline: one sentence, the ways on as buttons, the facts on request."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QToolButton, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from app.evaluation.failure import Failure


class FailurePanel(QWidget):
    """Shows a :class:`app.evaluation.failure.Failure`; the buttons only ask, the window's owner acts.

    ``downloadRequested`` (Try again, or Download after a folder failed) and ``folderRequested``
    (Choose folder…) restart the evaluation as the "MNIST is needed" question's answers do. The
    facts behind the sentence stay folded under Details, so the sentence is all a person must read.
    """

    downloadRequested = Signal()
    folderRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("failurePanel")
        self.sentence = QLabel()
        self.sentence.setObjectName("failureSentence")
        self.sentence.setTextFormat(Qt.TextFormat.PlainText)  # folder names are not markup
        self.sentence.setWordWrap(True)
        self.sentence.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.download_button = QPushButton("Try again")
        self.download_button.setObjectName("retryDownload")
        self.folder_button = QPushButton("Choose folder…")
        self.folder_button.setObjectName("chooseMnistFolder")
        self.folder_button.setToolTip("Evaluate on a folder that already holds MNIST's four files")
        self.details_button = QToolButton()
        self.details_button.setObjectName("failureDetailsToggle")
        self.details_button.setText("Details")
        self.details_button.setToolTip("Show what exactly went wrong")
        self.details_button.setCheckable(True)
        self.details_button.setAutoRaise(True)
        self.details_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.details_button.setArrowType(Qt.ArrowType.RightArrow)
        self.details = QLabel()
        self.details.setObjectName("failureDetails")
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.details.hide()

        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.download_button)
        buttons.addWidget(self.folder_button)
        buttons.addWidget(self.details_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.addWidget(self.sentence)
        layout.addLayout(buttons)
        layout.addWidget(self.details)

        self.download_button.clicked.connect(self.downloadRequested)
        self.folder_button.clicked.connect(self.folderRequested)
        self.details_button.toggled.connect(self._show_details)
        self.hide()

    def show_failure(self, failure: Failure) -> None:
        """Say ``failure``; the buttons show when downloading or another folder can fix it."""
        self.sentence.setText(failure.sentence)
        if failure.after_download:
            self.download_button.setText("Try again")
            self.download_button.setToolTip("Download MNIST again, with progress and Cancel")
        else:
            self.download_button.setText("Download")
            self.download_button.setToolTip("Download a fresh copy of MNIST, with progress and Cancel")
        self.download_button.setVisible(failure.offers_data)
        self.folder_button.setVisible(failure.offers_data)
        self.details.setText(failure.details)
        self.details_button.setChecked(False)
        self.details_button.setVisible(bool(failure.details))
        self.show()
        if failure.offers_data:
            self.download_button.setFocus()  # Enter or Space tries again at once

    @Slot(bool)
    def _show_details(self, shown: bool) -> None:
        self.details_button.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        self.details.setVisible(shown)
