"""The main toolbar: the window's actions, the brush width and the model switch."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QComboBox, QLabel, QSizePolicy, QSpinBox, QToolBar, QWidget

from app.widgets.canvas import DEFAULT_BRUSH, MAX_BRUSH, MIN_BRUSH

if TYPE_CHECKING:
    from PySide6.QtGui import QAction


class MainToolbar(QToolBar):
    """``actions`` (``None`` is a separator), then the brush width and, at the right, the model switch."""

    def __init__(self, actions: Sequence[QAction | None], parent: QWidget | None = None) -> None:
        super().__init__("Main toolbar", parent)
        self.setObjectName("mainToolbar")
        self.setMovable(False)
        self.setIconSize(QSize(20, 20))
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for act in actions:
            if act is None:
                self.addSeparator()
            else:
                self.addAction(act)

        self.brush_width = QSpinBox()
        self.brush_width.setObjectName("brushWidth")
        brush_label = QLabel(" Brush ")
        brush_label.setBuddy(self.brush_width)
        self.brush_width.setRange(int(MIN_BRUSH), int(MAX_BRUSH))
        self.brush_width.setValue(round(DEFAULT_BRUSH))
        self.brush_width.setSuffix(" px")
        self.brush_width.setAccessibleName("Brush width")
        self.brush_width.setToolTip(
            "Brush width. The model sees the same stroke thickness whatever you choose."
        )
        self.addWidget(brush_label)
        self.addWidget(self.brush_width)

        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.addWidget(spacer)

        self.model_selector = QComboBox()
        self.model_selector.setObjectName("modelSelector")
        self.model_selector.setAccessibleName("Model")
        self.model_selector.setToolTip("Which model reads the drawing")
        model_label = QLabel("Model ")
        model_label.setBuddy(self.model_selector)
        self.addWidget(model_label)
        self.model_selector.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.addWidget(self.model_selector)
