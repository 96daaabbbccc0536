"""Which models the window can use, loaded once each, with a safe fallback to the bundled ones.

A user's own model file can be damaged (a crash of another program, a sync tool, a disk error). The
app must still start and read digits, so a model that fails to load is replaced by the bundled model
of the same kind, and the person is told in one sentence why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, Signal

import model as model_api

KIND_ORDER = ("ovr", "binary")  # how the switch lists them: the 10-class model first


@dataclass(frozen=True)
class LoadResult:
    model: Any
    warning: str | None  # one sentence when the bundled model had to stand in


def label(kind: str) -> str:
    return str(model_api.KINDS[kind]["label"])


def load_with_fallback(kind: str) -> LoadResult:
    """The user's model of ``kind``, or the bundled one with a warning if theirs cannot be loaded.

    Raises :class:`model.ModelFileError` only if the bundled model is unusable too.
    """
    try:
        return LoadResult(model_api.load_model(kind), None)
    except model_api.ModelFileError as exc:
        bundled = model_api.bundled_model_path(kind)
        estimator = model_api.load_model(kind, bundled)
        reason = str(exc).rstrip(".")
        return LoadResult(
            estimator, f"Your {label(kind)} model could not be loaded, so the bundled one is used: {reason}."
        )


def describe(estimator: Any) -> str:
    """One line for the status bar: which model, how good on MNIST, when it was trained."""
    meta = getattr(estimator, "metadata_", {}) or {}
    kind = meta.get("kind")
    parts = [str(meta.get("label") or (label(kind) if kind in model_api.KINDS else type(estimator).__name__))]
    accuracy = meta.get("test_accuracy")
    if isinstance(accuracy, int | float):
        classes = meta.get("classes")
        subset = "test set" if not classes or len(classes) > 2 else f"test {classes[0]}s and {classes[1]}s"
        parts.append(f"{accuracy:.1%} on the MNIST {subset}")
    trained = format_time(meta.get("created"))
    if trained:
        parts.append(f"trained {trained}")
    path = str(meta.get("path") or "")
    if path:
        try:
            bundled = str(model_api.bundled_model_path(kind)) == path if kind in model_api.KINDS else False
        except ValueError:
            bundled = False
        parts.append("bundled model" if bundled else "your model")
    return " · ".join(parts)


def format_time(iso: object) -> str:
    """An ISO time as local date and minutes (``2026-11-23 01:55``), or ``""`` if there is none."""
    if not isinstance(iso, str) or not iso:
        return ""
    try:
        when = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if when.tzinfo is not None:
        when = when.astimezone()
    return when.strftime("%Y-%m-%d %H:%M")


class ModelLibrary(QObject):
    """Loads each kind of model on first use and keeps it, so switching models is instant.

    ``warning(str)`` carries the one-sentence message when a user's model was replaced by the bundled
    one. Later features (retrain, reset, open model file) call :meth:`set` or :meth:`reload`, and the
    window swaps the model in the predictor when ``modelReplaced(kind)`` fires.
    """

    warning = Signal(str)
    modelReplaced = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._models: dict[str, Any] = {}

    def kinds(self) -> tuple[str, ...]:
        return KIND_ORDER

    def get(self, kind: str) -> Any:
        """The model of ``kind``; raises :class:`model.ModelFileError` if none can be loaded."""
        if kind not in self._models:
            result = load_with_fallback(kind)
            self._models[kind] = result.model
            if result.warning:
                self.warning.emit(result.warning)
        return self._models[kind]

    def reload(self, kind: str) -> Any:
        """Load ``kind`` from disk again (after retraining or a reset) and announce the new model."""
        self._models.pop(kind, None)
        estimator = self.get(kind)
        self.modelReplaced.emit(kind)
        return estimator

    def set(self, kind: str, estimator: Any) -> None:
        """Use an already loaded estimator for ``kind`` (e.g. one just trained)."""
        self._models[kind] = estimator
        self.modelReplaced.emit(kind)
