"""Which models the window can use, loaded once each, with a safe fallback to the bundled ones.

A user's own model file can be damaged (a crash of another program, a sync tool, a disk error). The
app must still start and read digits, so a model that fails to load is replaced by the bundled model
of the same kind, and the person is told in one sentence why.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from PySide6.QtCore import QObject, Signal

import model as model_api
from app.text.errors import one_line, typed_clause
from app.text.labels import KIND_ORDER, label
from app.text.numbers import LIVE_DIGITS, percent
from model.paths import user_model_dir
from model.store import index_is_damaged

log = logging.getLogger("digit_canvas.models")


class LoadResult(NamedTuple):
    model: Any
    warning: str | None  # one sentence when the bundled model had to stand in


def load_with_fallback(kind: str) -> LoadResult:
    """The user's model of ``kind``, or the bundled one with a warning if theirs cannot be loaded.

    Any failure counts, not only :class:`model.ModelFileError`: a damaged file can break the checks
    themselves (an attribute of the wrong type, a disk error while hashing), and the app must start
    anyway. The broken file is left exactly as it is, for the person to inspect or replace.
    Raises :class:`model.ModelFileError` only if the bundled model is unusable too.
    """
    try:
        estimator = model_api.load_model(kind)
        warning = estimator.metadata_.get("fallback_reason")  # the user's indexed file is missing
        # (only the bundled model needs the look at the index: a user model loaded means it is fine)
        if warning is None and _is_bundled(kind, estimator) and index_is_damaged():
            warning = (
                f"The list of your models ({user_model_dir() / 'index.json'}) is damaged, so the bundled "
                f"{label(kind)} model is used; your model files were left as they are."
            )
        return LoadResult(estimator, warning)
    except Exception as exc:
        # A refused file is told in the window; only a failure nobody foresaw needs its traceback.
        foreseen = isinstance(exc, model_api.ModelFileError)
        log.warning("The %s model could not be loaded: %s", kind, exc, exc_info=not foreseen)
        reason = _reason(kind, exc).rstrip(".")
    bundled = model_api.bundled_model_path(kind)
    try:
        estimator = model_api.load_model(kind, bundled)
    except model_api.ModelFileError:
        raise
    except Exception as exc:
        raise model_api.ModelFileError(_reason(kind, exc, bundled)) from exc
    return LoadResult(
        estimator, f"Your {label(kind)} model could not be loaded, so the bundled one is used: {reason}."
    )


def _is_bundled(kind: str, estimator: Any) -> bool:
    path = (getattr(estimator, "metadata_", None) or {}).get("path")
    return path == str(model_api.bundled_model_path(kind))


def _reason(kind: str, exc: BaseException, path: Path | None = None) -> str:
    """One sentence for any exception raised while loading a model file."""
    if isinstance(exc, model_api.ModelFileError):
        return one_line(str(exc))
    if path is None:
        try:
            path = model_api.user_model_path(kind)
        except Exception:
            path = None
    name = path.name if path is not None else f"the {label(kind)} model file"
    return f"Model file {name} could not be read ({typed_clause(exc)})."


def describe(estimator: Any) -> str:
    """One line for the status bar: which model, how good on MNIST, when it was trained."""
    meta = getattr(estimator, "metadata_", {}) or {}
    kind = meta.get("kind")
    parts = [str(meta.get("label") or (label(kind) if kind in model_api.KINDS else type(estimator).__name__))]
    accuracy = meta.get("test_accuracy")
    if isinstance(accuracy, int | float):
        classes = meta.get("classes")
        subset = "test set" if not classes or len(classes) > 2 else f"test {classes[0]}s and {classes[1]}s"
        parts.append(f"{percent(accuracy, LIVE_DIGITS)} on the MNIST {subset}")
    trained = format_time(meta.get("created"))
    if trained:
        parts.append(f"trained {trained}")
    path = str(meta.get("path") or "")
    if path:
        parts.append(origin(kind, Path(path)))
    taught = meta.get("personal_samples")
    if isinstance(taught, int) and taught > 0:
        parts.append(
            "reading with your one drawing" if taught == 1 else f"reading with {taught} of your drawings"
        )
    return " · ".join(parts)


def origin(kind: object, path: Path) -> str:
    """Where a model came from: the bundled file, the user's model folder, or a file they opened."""
    try:
        if kind in model_api.KINDS and path == model_api.bundled_model_path(str(kind)):
            return "bundled model"
        if path.resolve().parent == user_model_dir().resolve():
            return "your model"
    except (OSError, ValueError):
        pass
    return f"opened from {path.name}, for this session"  # the next start uses your own or the bundled one


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
    one. Retraining, a reset and an opened model file call :meth:`set` or :meth:`reload`, and the
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
