"""The hyper-parameters of each model, as the retrain dialog asks for them."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Slot
from PySide6.QtGui import QPalette, QValidator
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QSpinBox,
)

from app.text.labels import label
from app.text.numbers import format_number
from model.binary import BinaryLogisticRegression
from model.features import MAX_QUADRATIC_COMPONENTS, feature_count
from training.train import DEFAULT_PARAMS

if TYPE_CHECKING:
    from PySide6.QtWidgets import (
        QWidget,
    )


class LogSpinBox(QDoubleSpinBox):
    """A spin box for scale parameters (regularisation, tolerance): steps along 1-2-5 per decade.

    Typing accepts any number in range, including scientific notation such as ``3e-5``.
    """

    _MANTISSAS = (1.0, 2.0, 5.0)

    def __init__(self, minimum: float, maximum: float, value: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDecimals(15)
        self.setRange(minimum, maximum)
        self.setValue(value)
        self.setKeyboardTracking(False)
        self.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToNearestValue)

    def textFromValue(self, value: float) -> str:
        return format_number(value)

    def valueFromText(self, text: str) -> float:
        try:
            return float(text.strip())
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int) -> object:
        stripped = text.strip()
        try:
            value = float(stripped)
        except ValueError:
            # Allow what can still become a number while typing: "", "1e", "1e-", "2.".
            partial = stripped.lower().rstrip("-+").rstrip("e").rstrip(".")
            ok = stripped == "" or partial.replace(".", "", 1).isdigit() or partial == ""
            state = QValidator.State.Intermediate if ok else QValidator.State.Invalid
            return state, text, pos
        if self.minimum() <= value <= self.maximum():
            return QValidator.State.Acceptable, text, pos
        return QValidator.State.Intermediate, text, pos

    def fixup(self, text: str) -> str:
        """An out-of-range number becomes the nearest end of the range, not the minimum."""
        try:
            value = float(text.strip())
        except ValueError:
            return format_number(self.value())
        if not math.isfinite(value):
            return format_number(self.value())
        return format_number(min(max(value, self.minimum()), self.maximum()))

    def stepBy(self, steps: int) -> None:
        ladder = [
            m * 10.0**e
            for e in range(math.floor(math.log10(self.minimum())), math.ceil(math.log10(self.maximum())) + 1)
            for m in self._MANTISSAS
        ]
        ladder = [v for v in ladder if self.minimum() <= v * (1 + 1e-9) and v <= self.maximum() * (1 + 1e-9)]
        current = self.value()
        below = [i for i, v in enumerate(ladder) if v <= current * (1 + 1e-9)]
        index = below[-1] if below else 0
        if steps < 0 and ladder[index] < current * (1 - 1e-9):
            index += 1  # between two rungs, stepping down lands on the lower one
        index = min(max(index + steps, 0), len(ladder) - 1)
        self.setValue(ladder[index])


class OvrParamsBox(QGroupBox):
    """Hyper-parameters of the one-vs-rest model, including its feature map."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(label("ovr"), parent)
        d = DEFAULT_PARAMS["ovr"]
        self.alpha, self.max_iter, self.tol = _solver_fields(
            "ovr",
            d,
            1e-8,
            (
                "L2 regularisation strength: larger values give smoother, simpler weights",
                "L-BFGS iterations at most",
                "A class stops when its largest gradient entry falls below this",
            ),
        )
        self.deskew = QCheckBox("Deskew (straighten slanted digits first)")
        self.deskew.setObjectName("ovrDeskew")
        self.deskew.setChecked(d["deskew"])
        self.deskew.setToolTip("Straighten each digit's slant before reading it, as the bundled model does")
        self.components = QSpinBox()
        self.components.setObjectName("ovrComponents")
        self.components.setRange(0, 784)
        self.components.setSpecialValueText("none (all 784 pixels)")
        self.components.setValue(d["n_components"] or 0)
        self.components.setToolTip("Principal components to keep; none keeps every pixel")
        self.products = QCheckBox("Pairwise products (quadratic model)")
        self.products.setObjectName("ovrProducts")
        self.products.setChecked(d["degree"] == 2)
        self.directions = QCheckBox("Stroke directions (8 directions in each 4x4-pixel cell)")
        self.directions.setObjectName("ovrDirections")
        self.directions.setChecked(bool(d.get("orientations")))
        self.directions.setToolTip("Where strokes run which way: tells a crossbar, a flag or a hooked tail")
        self._orientations = int(d.get("orientations") or 8)
        self.hint = QLabel()
        self.hint.setObjectName("ovrHint")
        self.hint.setWordWrap(True)
        self.hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        form = QFormLayout(self)
        form.addRow("Regularisation α", self.alpha)
        form.addRow("Max iterations", self.max_iter)
        form.addRow("Tolerance", self.tol)
        form.addRow("PCA components", self.components)
        form.addRow(self.deskew)
        form.addRow(self.products)
        form.addRow(self.directions)
        form.addRow(self.hint)
        for signal in (
            self.components.valueChanged,
            self.deskew.toggled,
            self.products.toggled,
            self.directions.toggled,
        ):
            signal.connect(self._update_hint)
        self._update_hint()

    def params(self) -> dict[str, Any]:
        components = self.components.value() or None
        return {
            "alpha": self.alpha.value(),
            "max_iter": self.max_iter.value(),
            "tol": self.tol.value(),
            "deskew": self.deskew.isChecked(),
            "n_components": components,
            "degree": 2 if self.products.isChecked() and self.products.isEnabled() else 1,
            "orientations": self._orientations if self.directions.isChecked() else 0,
        }

    @Slot()
    def _update_hint(self) -> None:
        n = self.components.value()
        too_many = n == 0 or n > MAX_QUADRATIC_COMPONENTS
        self.products.setEnabled(not too_many)
        features = 0
        if too_many:
            on_pixels = f"on the 784 pixels they would be {784 * 785 // 2:,} features"
            self.products.setToolTip(
                f"Pairwise products need PCA ({on_pixels})"
                if n == 0
                else f"Pairwise products need {MAX_QUADRATIC_COMPONENTS} components or fewer "
                "(their number grows with the square)"
            )
            hint = (
                f"Pairwise products need PCA, with {MAX_QUADRATIC_COMPONENTS} components or fewer "
                f"({on_pixels}); they are left out."
                if n == 0
                else f"Pairwise products need {MAX_QUADRATIC_COMPONENTS} PCA components or fewer; they are "
                "left out."
            )
        else:
            self.products.setToolTip("Products of every pair of components let a linear model bend")
            hint = ""
        p = self.params()
        features = feature_count(p["n_components"], p["degree"], p["orientations"])
        pixel_space = p["n_components"] is None and p["degree"] == 1 and not p["orientations"]
        parts = [f"{features:,} features per digit."]
        if hint:
            parts.append(hint)
        if pixel_space:
            parts.append(
                "Weights live in pixel space, so Model > Show weights can draw them "
                "(a larger α, such as 1e-2, gives smoother maps)."
            )
        self.hint.setText(" ".join(parts))


class BinaryParamsBox(QGroupBox):
    """Hyper-parameters of the from-scratch 0-vs-1 gradient-descent model."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(label("binary"), parent)
        d = {**BinaryLogisticRegression().get_params(), **DEFAULT_PARAMS["binary"]}
        self.alpha, self.max_iter, self.tol = _solver_fields(
            "binary",
            d,
            1e-10,
            (
                "L2 regularisation strength",
                "Gradient steps at most",
                "Stop when the largest gradient entry falls below this",
            ),
        )
        self.momentum = QCheckBox("Nesterov momentum (much faster descent)")
        self.momentum.setObjectName("binaryMomentum")
        self.momentum.setChecked(bool(d["momentum"]))
        self.momentum.setToolTip("Gradient descent with Nesterov's momentum: the same optimum in fewer steps")
        form = QFormLayout(self)
        form.addRow("Regularisation α", self.alpha)
        form.addRow("Max iterations", self.max_iter)
        form.addRow("Tolerance", self.tol)
        form.addRow(self.momentum)

    def params(self) -> dict[str, Any]:
        return {
            "alpha": self.alpha.value(),
            "max_iter": self.max_iter.value(),
            "tol": self.tol.value(),
            "momentum": self.momentum.isChecked(),
        }


def _solver_fields(
    kind: str, defaults: dict[str, Any], min_tol: float, tips: tuple[str, str, str]
) -> tuple[LogSpinBox, QSpinBox, LogSpinBox]:
    """The regularisation, iteration and tolerance fields every model has, named ``<kind>Alpha`` etc."""
    alpha = LogSpinBox(1e-8, 10.0, defaults["alpha"])
    max_iter = QSpinBox()
    max_iter.setRange(1, 5000)
    max_iter.setValue(defaults["max_iter"])
    tol = LogSpinBox(min_tol, 1.0, defaults["tol"])
    for field, name, tip in zip((alpha, max_iter, tol), ("Alpha", "MaxIter", "Tol"), tips, strict=True):
        field.setObjectName(f"{kind}{name}")
        field.setToolTip(tip)
    return alpha, max_iter, tol
