"""Where MNIST comes from for a retrain: the folder found, a folder the person picks, or a download."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QRadioButton,
    QSpinBox,
    QToolButton,
)

from model.paths import user_cache_dir
from training.data import DATA_ENV_VAR, MnistDataError, candidate_dirs, find_mnist_dir
from training.mnist_files import MNIST_FILES, N_TRAIN, missing_files

if TYPE_CHECKING:
    from PySide6.QtWidgets import (
        QWidget,
    )

FOLDER_COMPLETE = "✓ all four MNIST files are there"


class DataSourceBox(QGroupBox):
    """Where MNIST comes from: the folder found, a folder the person picks, or a download.

    ``folderChosen(path)`` fires as soon as "another folder" names a folder with all four MNIST
    files (browsed to or typed), so the app can remember it before anything is trained.
    """

    changed = Signal()
    folderChosen = Signal(Path)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Data", parent)
        try:
            self.found_dir: Path | None = find_mnist_dir()
        except MnistDataError:
            self.found_dir = None
        looked = ", ".join(str(p) for p in candidate_dirs(None))
        self.found = QRadioButton()
        self.found.setObjectName("sourceFound")
        if self.found_dir is not None:
            self.found.setText(f"MNIST folder found: {self.found_dir}")
            self.found.setToolTip("Train on the MNIST files in this folder")
        else:
            # "in the usual places": a folder remembered from last time may be chosen just below
            self.found.setText(
                f"MNIST folder found: none in the usual places (set {DATA_ENV_VAR}, or choose one below)"
            )
            self.found.setToolTip(f"Looked in {looked} (set {DATA_ENV_VAR} to add a folder)")
            self.found.setEnabled(False)
        self.folder = QRadioButton("Another folder:")
        self.folder.setObjectName("sourceFolder")
        self.folder.setToolTip("Train on the MNIST files in the folder named here")
        self.folder_edit = QLineEdit()
        self.folder_edit.setObjectName("folderEdit")
        self.folder_edit.setPlaceholderText("a folder with the four MNIST files")
        self.folder_edit.setAccessibleName("MNIST folder")
        self.folder_edit.setToolTip("A folder that holds MNIST's four .gz files")
        self.browse = QToolButton()
        self.browse.setObjectName("browseButton")
        self.browse.setText("Browse…")
        self.browse.setToolTip("Choose the folder that holds MNIST's four files")
        self.folder_status = QLabel()
        self.folder_status.setObjectName("folderStatus")
        self.folder_status.setWordWrap(True)
        self.download = QRadioButton("Download from the internet (about 11 MB)")
        self.download.setToolTip(f"Saved into {user_cache_dir() / 'mnist'} and found there next time")
        self.download.setObjectName("sourceDownload")
        self.max_train = QSpinBox()
        self.max_train.setObjectName("maxTrain")
        self.max_train.setRange(100, N_TRAIN)
        self.max_train.setSingleStep(5000)
        self.max_train.setValue(N_TRAIN)
        self.max_train.setGroupSeparatorShown(True)
        self.max_train.setSuffix(" images")
        self.max_train.setToolTip("Train on the first N MNIST training images (fewer is faster)")

        self.group = QButtonGroup(self)
        for button in (self.found, self.folder, self.download):
            self.group.addButton(button)
        (self.found if self.found_dir is not None else self.download).setChecked(True)

        grid = QGridLayout(self)
        grid.addWidget(self.found, 0, 0, 1, 3)
        grid.addWidget(self.folder, 1, 0)
        grid.addWidget(self.folder_edit, 1, 1)
        grid.addWidget(self.browse, 1, 2)
        grid.addWidget(self.folder_status, 2, 1, 1, 2)
        grid.addWidget(self.download, 3, 0, 1, 3)
        grid.addWidget(QLabel("Train on"), 4, 0)
        grid.addWidget(self.max_train, 4, 1, Qt.AlignmentFlag.AlignLeft)
        grid.setColumnStretch(1, 1)

        self.browse.clicked.connect(self._choose_folder)
        self.folder_edit.textChanged.connect(self._folder_edited)
        self.group.buttonToggled.connect(lambda *_: self.changed.emit())
        self._folder_edited("")

    def set_folder(self, folder: str | Path) -> None:
        """Select "another folder" and fill it in (what Browse… does, also handy for tests)."""
        self.folder_edit.setText(str(folder))
        self.folder.setChecked(True)

    def data_dir(self) -> Path | None:
        if self.found.isChecked():
            return self.found_dir
        if self.folder.isChecked():
            text = self.folder_edit.text().strip()
            return Path(text).expanduser() if text else None
        return None

    def is_ready(self) -> bool:
        return not (self.folder.isChecked() and not self.folder_edit.text().strip())

    def max_train_value(self) -> int | None:
        n = self.max_train.value()
        return None if n >= N_TRAIN else n

    @Slot()
    def _choose_folder(self) -> None:
        start = self.folder_edit.text() or str(self.found_dir or Path.home())
        folder = QFileDialog.getExistingDirectory(self, "Choose the MNIST folder", start)
        if folder:
            self.set_folder(folder)

    @Slot(str)
    def _folder_edited(self, text: str) -> None:
        if text.strip():
            self.folder.setChecked(True)
        state = self._folder_state(text.strip())
        self.folder_status.setText(state)
        self.folder_status.setVisible(bool(state))
        self.changed.emit()
        if state == FOLDER_COMPLETE:
            self.folderChosen.emit(Path(text.strip()).expanduser())

    @staticmethod
    def _folder_state(text: str) -> str:
        if not text:
            return ""
        folder = Path(text).expanduser()
        if not folder.is_dir():
            return "✗ not a folder"
        missing = missing_files(folder)
        if len(missing) == len(MNIST_FILES):
            return "✗ none of the four MNIST files is there"
        if missing:
            return f"✗ lacks {', '.join(missing)}"
        return FOLDER_COMPLETE
