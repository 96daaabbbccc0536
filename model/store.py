"""Model files on disk: atomic saving, digests, and loading that never returns a half-valid model.

Layout of the user's model folder (``model.paths.user_model_dir()``)::

    index.json                 {"ovr": {"file": "ovr-20261123T010203Z.joblib", "sha256": ...}, ...}
    ovr-20261123T010203Z.joblib

A model is saved under a new name (temporary file, fsync, rename) and only then does ``index.json``
switch to it, by one atomic rename. That switch is the single commit point: a crash at any moment
leaves either the old model or the new one in use, both complete. The index records each file's
SHA-256; joblib files can run code when loaded, so a file is unpickled without asking only if it sits
in the app's own folders and matches the digest recorded there.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from model.atomic import atomic_path
from model.binary import BinaryLogisticRegression
from model.features import MnistFeatureMap
from model.joblib_reader import ForeignCode, UnsupportedContent, read_model_bytes
from model.ovr import OneVsRestLogisticRegression
from model.paths import bundled_model_dir, user_model_dir

FORMAT = "digit-canvas-model"
FORMAT_VERSION = 1
INDEX_NAME = "index.json"
UNLISTED_DIR = "unlisted"  # model files a damaged index no longer listed, kept rather than deleted
BUNDLED_DIGESTS = "digests.json"
KINDS: dict[str, dict[str, Any]] = {
    "binary": {
        "label": "Binary 0-vs-1",
        "type": BinaryLogisticRegression,
        "classes": [0, 1],
        "file": "binary.joblib",
    },
    "ovr": {
        "label": "One-vs-rest (10 digits)",
        "type": OneVsRestLogisticRegression,
        "classes": list(range(10)),
        "file": "ovr.joblib",
    },
}


# The classes a model file written by the app contains (besides numpy arrays and plain values).
MODEL_CLASSES = {
    (cls.__module__, cls.__qualname__): cls
    for cls in (BinaryLogisticRegression, OneVsRestLogisticRegression, MnistFeatureMap)
}


class ModelFileError(ValueError):
    """A model file is missing, corrupt, of the wrong kind or incompatible; the message says which."""


class UntrustedModelError(ModelFileError):
    """The file is outside the app's own model folders; loading it could run foreign code."""


class WrongKindError(ModelFileError):
    """The file is a valid Digit Canvas model file of another kind, named by ``found``.

    Lets a caller that does not know the kind in advance (Model > Open model file...) load it as what it
    is, without parsing the message.
    """

    def __init__(self, message: str, found: object) -> None:
        super().__init__(message)
        self.found = found


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown model kind {kind!r}; use one of {sorted(KINDS)}")
    return kind


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_file_bytes(path: Path) -> bytes:
    """The whole file, read once: a model is checked against its digest and unpickled from the same bytes."""
    return Path(path).read_bytes()


@functools.cache
def installed_version(distribution: str) -> str:
    """The installed version of a package, read from its metadata (no import, so it is cheap)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return "unknown"


def library_versions() -> dict[str, str]:
    return {
        "digit-canvas": installed_version("digit-canvas"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scikit-learn": installed_version("scikit-learn"),
        "joblib": installed_version("joblib"),
    }


def build_metadata(kind: str, estimator: Any, **extra: Any) -> dict[str, Any]:
    """The facts saved beside an estimator: what it is, how it was trained, how good it is."""
    check_kind(kind)
    meta: dict[str, Any] = {
        "kind": kind,
        "label": KINDS[kind]["label"],
        "classes": [int(c) for c in estimator.classes_],
        "params": estimator.get_params(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "versions": library_versions(),
    }
    features = getattr(estimator, "features_", None)
    meta["features"] = features.describe() if features is not None else "pixels"
    meta.update(extra)
    return meta


# --------------------------------------------------------------------------------------- writing


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old content or the new, never a mix."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def dump_model_file(path: Path, estimator: Any, metadata: dict[str, Any]) -> str:
    """Write a model file atomically and return its SHA-256."""
    payload = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "metadata": metadata,
        "estimator": estimator,
    }
    import joblib  # only needed to write; reading uses the restricted reader

    with atomic_path(path) as tmp:
        joblib.dump(payload, tmp, compress=3)
        digest = file_sha256(tmp)
    return digest


def read_index(folder: Path | None = None) -> dict[str, dict[str, str]]:
    """The user's model index; an unreadable index counts as empty (the bundled models take over)."""
    return _parse_index(user_model_dir() if folder is None else folder)[0]


def index_is_damaged(folder: Path | None = None) -> bool:
    """True if ``index.json`` exists but is not a readable index, so the user's models are unlisted."""
    return _parse_index(user_model_dir() if folder is None else folder)[1]


def _parse_index(folder: Path) -> tuple[dict[str, dict[str, str]], bool]:
    """``(entries, damaged)``: the well-formed entries of ``index.json`` (none if it is missing or
    unreadable), and whether the file exists but is not a readable index."""
    try:
        data = json.loads((folder / INDEX_NAME).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}, False
    except (OSError, ValueError):
        return {}, True
    if not isinstance(data, dict):
        return {}, True
    entries = {
        k: v
        for k, v in data.items()
        if isinstance(v, dict) and isinstance(v.get("file"), str) and isinstance(v.get("sha256"), str)
    }
    return entries, False


def save_model(kind: str, estimator: Any, metadata: dict[str, Any], folder: Path | None = None) -> Path:
    """Save a trained model as the user's current model of ``kind`` and return its path.

    The previous model file is kept (as ``previous`` in the index) so it can be compared or restored.
    """
    check_kind(kind)
    _check_estimator(kind, estimator, "the model to save")
    folder = user_model_dir() if folder is None else folder
    folder.mkdir(parents=True, exist_ok=True)
    index, damaged = _parse_index(folder)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path = folder / f"{kind}-{stamp}.joblib"
    digest = dump_model_file(path, estimator, metadata)
    old = index.get(kind)
    index[kind] = {"file": path.name, "sha256": digest}
    if old is not None:
        index[f"{kind}.previous"] = old
    _replace_index(folder, index, damaged)
    return path


def reset_to_bundled(kind: str | None = None, folder: Path | None = None) -> None:
    """Forget the user's model(s) so the bundled ones are used again (their files are deleted, see
    :func:`_replace_index` for a damaged index)."""
    folder = user_model_dir() if folder is None else folder
    index, damaged = _parse_index(folder)
    kinds = list(KINDS) if kind is None else [check_kind(kind)]
    for k in kinds:
        index.pop(k, None)
        index.pop(f"{k}.previous", None)
    if folder.is_dir():
        _replace_index(folder, index, damaged)


def _replace_index(folder: Path, index: dict[str, dict[str, str]], damaged: bool) -> None:
    """Write ``index``, then remove the model files it does not list and crash leftovers.

    A damaged index no longer says which files are the user's models, so then none may be removed as
    a leftover: the unlisted files and the damaged index are moved to ``unlisted/`` and kept there.
    """
    unlisted = folder / UNLISTED_DIR
    if damaged:
        unlisted.mkdir(exist_ok=True)
        with contextlib.suppress(OSError):
            atomic_write_bytes(unlisted / f"{INDEX_NAME}.bad", (folder / INDEX_NAME).read_bytes())
    atomic_write_bytes(folder / INDEX_NAME, json.dumps(index, indent=2).encode("utf-8"))
    keep = {entry["file"] for entry in index.values()}
    for path in folder.glob("*.joblib"):
        if path.name not in keep:
            with contextlib.suppress(OSError):
                if damaged:
                    os.replace(path, unlisted / path.name)
                else:
                    path.unlink()
    for path in folder.glob(".*.tmp"):  # leftovers of a crash mid-save
        with contextlib.suppress(OSError):
            path.unlink()


# --------------------------------------------------------------------------------------- reading


def bundled_model_path(kind: str) -> Path:
    return bundled_model_dir() / KINDS[check_kind(kind)]["file"]


def user_model_path(kind: str, folder: Path | None = None) -> Path | None:
    """The user's current model file of ``kind``, or ``None`` if they have not trained one."""
    folder = user_model_dir() if folder is None else folder
    entry = read_index(folder).get(check_kind(kind))
    return None if entry is None else folder / entry["file"]


def recorded_digest(path: Path) -> str | None:
    """The SHA-256 the app recorded for ``path`` if it is one of its own files, else ``None``."""
    path = Path(path).resolve()
    bundled = bundled_model_dir().resolve()
    if path.parent == bundled:
        try:
            digests = json.loads((bundled / BUNDLED_DIGESTS).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        value = digests.get(path.name) if isinstance(digests, dict) else None
        return value if isinstance(value, str) else None
    folder = user_model_dir().resolve()
    if path.parent == folder:
        for entry in read_index(folder).values():
            if entry["file"] == path.name:
                return entry["sha256"]
    return None


def is_trusted_location(path: Path) -> bool:
    """True for files in the app's own model folders (bundled or the user's), which it may load."""
    parent = Path(path).resolve().parent
    return parent in (bundled_model_dir().resolve(), user_model_dir().resolve())


def load_model(kind: str, path: str | os.PathLike[str] | None = None, *, trusted: bool = False):
    """Load a model of ``kind`` (``"binary"`` or ``"ovr"``), validated, with ``metadata_`` attached.

    Without ``path`` this is the user's current model of that kind or, if they have none, the bundled
    one. A file outside the app's model folders is refused with :class:`UntrustedModelError` unless
    ``trusted=True`` (loading a joblib file can run code). Any problem raises :class:`ModelFileError`
    with a one-sentence explanation; a half-valid model is never returned.
    """
    check_kind(kind)
    if path is None:
        path = user_model_path(kind) or bundled_model_path(kind)
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise ModelFileError(f"Model file {name} does not exist ({path}).")
    expected = recorded_digest(path)
    if expected is None and not trusted:
        where = (
            "is not one the app saved" if is_trusted_location(path) else "is outside the app's model folder"
        )
        raise UntrustedModelError(
            f"Model file {name} {where}; loading a joblib file can run code, so it is only loaded "
            "after you confirm you trust it."
        )
    try:
        raw = read_file_bytes(path)
    except OSError as exc:
        raise ModelFileError(f"Model file {name} could not be read ({exc.strerror or exc}).") from exc
    if expected is not None and hashlib.sha256(raw).hexdigest() != expected:
        raise ModelFileError(
            f"Model file {name} does not match the digest recorded when it was saved, so it was "
            "changed or damaged and will not be loaded; retrain or reset to the bundled model."
        )
    payload = _unpickle(raw, name)
    estimator, metadata = _check_payload(kind, payload, name)
    estimator.metadata_ = {**metadata, "path": str(path)}
    return estimator


def _unpickle(raw: bytes, name: str) -> Any:
    if not raw:
        raise ModelFileError(f"Model file {name} is empty.")
    try:
        return _read_payload(raw)
    except ForeignCode as exc:  # no Digit Canvas model holds other code: never run it
        raise ModelFileError(
            f"Model file {name} refers to code that is not part of Digit Canvas's models ({exc}), "
            "so it was not loaded."
        ) from exc
    except (ModuleNotFoundError, ImportError, AttributeError) as exc:
        raise ModelFileError(
            f"Model file {name} was saved by an incompatible version of the software ({exc}); "
            "retrain the model or reset to the bundled one."
        ) from exc
    except MemoryError as exc:
        raise ModelFileError(f"Model file {name} is corrupt (it asks for too much memory).") from exc
    except Exception as exc:
        raise ModelFileError(
            f"Model file {name} is not a readable model file (truncated or corrupt: {type(exc).__name__})."
        ) from exc


def _read_payload(raw: bytes) -> Any:
    """The file's contents, read by the restricted reader or, for a form only joblib reads, by joblib.

    Only files the caller already decided to trust get here (see :func:`load_model`).
    """
    try:
        return read_model_bytes(raw, MODEL_CLASSES)
    except ForeignCode:
        raise
    except UnsupportedContent:
        import io

        import joblib

        return joblib.load(io.BytesIO(raw))


def _check_payload(kind: str, payload: Any, name: str) -> tuple[Any, dict[str, Any]]:
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ModelFileError(f"Model file {name} is not a Digit Canvas model file.")
    if payload.get("format_version") != FORMAT_VERSION:
        raise ModelFileError(
            f"Model file {name} has format version {payload.get('format_version')!r}, but this app "
            f"reads version {FORMAT_VERSION}; retrain it with this version."
        )
    metadata = payload.get("metadata")
    if not isinstance(metadata, dict):
        raise ModelFileError(f"Model file {name} has no metadata.")
    if metadata.get("kind") != kind:
        raise WrongKindError(
            f"Model file {name} holds a {metadata.get('kind')!r} model, not a {kind!r} model.",
            metadata.get("kind"),
        )
    estimator = payload.get("estimator")
    _check_versions(estimator, name)
    _check_estimator(kind, estimator, f"Model file {name}")
    return estimator, metadata


def _check_versions(estimator: Any, name: str) -> None:
    """Refuse estimators pickled by another major version of scikit-learn (their internals differ)."""
    saved = getattr(estimator, "_sklearn_version", None)
    if saved is None:
        return
    installed = installed_version("scikit-learn")
    if str(saved).split(".")[0] != installed.split(".")[0]:
        raise ModelFileError(
            f"Model file {name} was saved by scikit-learn {saved}, which is incompatible with the "
            f"installed {installed}; retrain it or reset to the bundled model."
        )


def _check_estimator(kind: str, estimator: Any, what: str) -> None:
    spec = KINDS[kind]
    if not isinstance(estimator, spec["type"]):
        raise ModelFileError(f"{what} holds a {type(estimator).__name__}, not a {spec['type'].__name__}.")
    n_features = getattr(estimator, "n_features_in_", None)
    if not isinstance(n_features, int | np.integer) or n_features != 784:  # arrays, strings: refused too
        raise ModelFileError(f"{what} expects {str(n_features)[:40]} features, not 784 (28x28 pixels).")
    classes = getattr(estimator, "classes_", None)
    try:
        found = [int(c) for c in classes]
    except (TypeError, ValueError, OverflowError):
        found = None
    if found != spec["classes"]:
        raise ModelFileError(f"{what} predicts classes {str(classes)[:60]}, not {spec['classes']}.")
    try:
        proba = estimator.predict_proba(np.zeros((1, 784), dtype=np.float32))
    except Exception as exc:
        raise ModelFileError(f"{what} cannot make predictions ({exc}).") from exc
    if proba.shape != (1, len(spec["classes"])) or not np.isfinite(proba).all():
        raise ModelFileError(f"{what} gives invalid probabilities.")
