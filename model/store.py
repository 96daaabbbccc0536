"""Model files on disk: atomic saving, digests, and loading that never returns a half-valid model.

Layout of the user's model folder (``model.paths.user_model_dir()``)::

    index.json                 {"ovr": {"file": "ovr-20261123T010203Z.joblib", "sha256": ...}, ...}
    ovr-20261123T010203Z.joblib

A model is saved under a new name (temporary file, fsync, rename) and only then does ``index.json``
switch to it, by one atomic rename. That switch is the single commit point: a crash at any moment
leaves either the old model or the new one in use, both complete. Saves hold an inter-process lock on
the folder (two windows, or a window and ``digit-canvas-train``, save one after the other), and a
reader whose index named a file that a concurrent save just replaced reads the index again.

The index records each file's SHA-256. A model file holds data only (``model.schema``) and is read by
``model.joblib_reader``, which runs nothing; still, a file is loaded without asking only if it sits in
the app's own folders and matches the digest recorded there.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import platform
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from model.atomic import atomic_path
from model.binary import BinaryLogisticRegression
from model.bounded_io import FileTooLarge, NotARegularFile, read_regular_file
from model.joblib_reader import ForeignCode, ModelDataError, TooLarge, read_model_bytes
from model.ovr import OneVsRestLogisticRegression
from model.paths import bundled_model_dir, user_model_dir
from model.schema import (
    LEGACY_CLASSES,
    LEGACY_NAMES,
    SchemaError,
    check_plain,
    from_data,
    from_legacy,
    to_data,
    to_plain,
)

FORMAT = "digit-canvas-model"
FORMAT_VERSION = 2  # the estimator as data (model.schema)
LEGACY_FORMAT_VERSION = 1  # the previous version pickled the estimator objects; still read, never written
MAX_MODEL_FILE_BYTES = 64 * 2**20  # far above any model the app makes
MAX_INDEX_BYTES = 64 * 2**10
LOCK_NAME = ".lock"
LOCK_TIMEOUT = 60.0  # seconds a save waits for another process's save
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


_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,200}\.joblib")
_SHA256 = re.compile(r"[0-9a-f]{64}")


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
    """The whole file, read once: a model is checked against its digest and read from the same bytes.

    Only a regular file of at most :data:`MAX_MODEL_FILE_BYTES` is read (a FIFO would block forever).
    """
    return read_regular_file(path, MAX_MODEL_FILE_BYTES)


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
    """Write a model file atomically and return its SHA-256.

    The file holds data only: the estimator's data form (``model.schema.to_data``) and the metadata
    as plain values, in a joblib container that ``joblib.load`` can still open.
    """
    plain = to_plain(metadata)
    check_plain(plain)
    payload = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "metadata": plain,
        "estimator": to_data(estimator),
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


def index_keys() -> set[str]:
    """The keys an index may have: each kind, and the kind's previous model."""
    return set(KINDS) | {f"{kind}.previous" for kind in KINDS}


def _parse_index(folder: Path) -> tuple[dict[str, dict[str, str]], bool]:
    """``(entries, damaged)``: the entries of ``index.json`` (none if it is missing or damaged), and
    whether the file exists but is not an index.

    Anything but exactly the app's shape counts as damaged, not as "no models": a valid JSON file of
    another shape must not let the next save delete model files the index no longer names.
    """
    try:
        data = json.loads(read_regular_file(folder / INDEX_NAME, MAX_INDEX_BYTES).decode("utf-8"))
    except FileNotFoundError:
        return {}, False
    except (OSError, ValueError, RecursionError):
        return {}, True
    if not (isinstance(data, dict) and set(data) <= index_keys()):
        return {}, True
    for entry in data.values():
        if not (
            isinstance(entry, dict)
            and set(entry) == {"file", "sha256"}
            and isinstance(entry["file"], str)
            and _FILE_NAME.fullmatch(entry["file"])
            and isinstance(entry["sha256"], str)
            and _SHA256.fullmatch(entry["sha256"])
        ):
            return {}, True
    return data, False


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold the model folder's inter-process lock: one process at a time changes its files."""
    from filelock import FileLock, Timeout  # only saves take it: not imported at start-up

    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(folder / LOCK_NAME), timeout=LOCK_TIMEOUT)
    try:
        lock.acquire()
    except Timeout as exc:
        raise ModelFileError(
            f"Another Digit Canvas process has been saving a model in {folder} for over "
            f"{LOCK_TIMEOUT:.0f} seconds; try again when it has finished."
        ) from exc
    try:
        yield
    finally:
        lock.release()


def save_model(kind: str, estimator: Any, metadata: dict[str, Any], folder: Path | None = None) -> Path:
    """Save a trained model as the user's current model of ``kind`` and return its path.

    The previous model file is kept (as ``previous`` in the index) so it can be compared or restored;
    if an older version wrote it, it is re-written in the data-only form on the way.
    """
    check_kind(kind)
    _check_estimator(kind, estimator, "the model to save")
    folder = user_model_dir() if folder is None else folder
    with folder_lock(folder):
        index, damaged = _parse_index(folder)
        listed = dict(index)
        path = _new_model_path(folder, kind)
        digest = dump_model_file(path, estimator, metadata)
        old = index.get(kind)
        index[kind] = {"file": path.name, "sha256": digest}
        if old is not None:
            index[f"{kind}.previous"] = _upgraded(folder, kind, old)
        _replace_index(folder, index, listed, damaged)
    return path


def _new_model_path(folder: Path, kind: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path = folder / f"{kind}-{stamp}.joblib"
    counter = 1
    while path.exists():  # two saves in the same microsecond (the lock makes them sequential)
        path = folder / f"{kind}-{stamp}-{counter}.joblib"
        counter += 1
    return path


def _upgraded(folder: Path, kind: str, entry: dict[str, str]) -> dict[str, str]:
    """``entry``, its file re-written in the current form if an older version wrote it.

    Anything that fails (a damaged or missing file) leaves the entry as it is: the file is kept.
    """
    path = folder / entry["file"]
    try:
        raw = read_file_bytes(path)
        if hashlib.sha256(raw).hexdigest() != entry["sha256"]:
            return entry
        payload = _read_payload(raw, path.name)
        if not isinstance(payload, dict) or payload.get("format_version") != LEGACY_FORMAT_VERSION:
            return entry
        estimator, metadata = _check_payload(kind, payload, path.name)
        new = _new_model_path(folder, kind)
        return {"file": new.name, "sha256": dump_model_file(new, estimator, metadata)}
    except (OSError, ModelFileError):
        return entry


def reset_to_bundled(kind: str | None = None, folder: Path | None = None) -> None:
    """Forget the user's model(s) so the bundled ones are used again (their files are deleted, see
    :func:`_replace_index` for a damaged index)."""
    folder = user_model_dir() if folder is None else folder
    kinds = list(KINDS) if kind is None else [check_kind(kind)]
    if not folder.is_dir():
        return
    with folder_lock(folder):
        index, damaged = _parse_index(folder)
        listed = dict(index)
        for k in kinds:
            index.pop(k, None)
            index.pop(f"{k}.previous", None)
        _replace_index(folder, index, listed, damaged)


def _replace_index(
    folder: Path, index: dict[str, dict[str, str]], listed: dict[str, dict[str, str]], damaged: bool
) -> None:
    """Write ``index``, delete the model files only ``listed`` (the index before) named, keep the rest.

    Only a file the previous index named is known to be the app's and superseded; any other model
    file in the folder (the index was damaged, or it never named the file) is moved to ``unlisted/``
    instead of being deleted, together with a damaged index. Called with the folder's lock held, so
    the temporary files removed are crash leftovers, never another process's save in progress.
    """
    unlisted = folder / UNLISTED_DIR
    if damaged:
        unlisted.mkdir(exist_ok=True)
        with contextlib.suppress(OSError):
            bad = read_regular_file(folder / INDEX_NAME, MAX_MODEL_FILE_BYTES)
            atomic_write_bytes(_free_name(unlisted / f"{INDEX_NAME}.bad"), bad)
    atomic_write_bytes(folder / INDEX_NAME, json.dumps(index, indent=2).encode("utf-8"))
    keep = {entry["file"] for entry in index.values()}
    superseded = {entry["file"] for entry in listed.values()} - keep
    for path in folder.glob("*.joblib"):
        if path.name in keep:
            continue
        with contextlib.suppress(OSError):
            if path.name in superseded:
                path.unlink()
            else:
                unlisted.mkdir(exist_ok=True)
                os.replace(path, _free_name(unlisted / path.name))
    for path in folder.glob(".*.tmp"):  # leftovers of a crash mid-save
        with contextlib.suppress(OSError):
            path.unlink()


def _free_name(path: Path) -> Path:
    """``path``, or ``path`` with a number added if that name is taken (nothing kept is overwritten)."""
    candidate, counter = path, 1
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{counter}{path.suffix}")
        counter += 1
    return candidate


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
            digests = json.loads(read_regular_file(bundled / BUNDLED_DIGESTS, MAX_INDEX_BYTES))
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


def load_model(
    kind: str, path: str | os.PathLike[str] | None = None, *, trusted: bool = False
) -> BinaryLogisticRegression | OneVsRestLogisticRegression:
    """Load a model of ``kind`` (``"binary"`` or ``"ovr"``), validated, with ``metadata_`` attached.

    Without ``path`` this is the user's current model of that kind or, if they have none, the bundled
    one; if the index names a file that no longer exists, the bundled model is returned and
    ``metadata_["fallback_reason"]`` says why in one sentence. A file outside the app's model folders
    is refused with :class:`UntrustedModelError` unless ``trusted=True``. Any problem raises
    :class:`ModelFileError` with a one-sentence explanation; a half-valid model is never returned.
    """
    check_kind(kind)
    if path is not None:
        return _load_path(kind, Path(path), trusted)
    folder = user_model_dir()
    for _ in range(3):  # a concurrent save may replace the file between reading the index and the file
        entry = read_index(folder).get(kind)
        if entry is None:
            return _load_path(kind, bundled_model_path(kind), trusted)
        user = folder / entry["file"]
        try:  # the digest of the same reading of the index: a later index may no longer list the file
            return _load_path(kind, user, trusted, expected=entry["sha256"])
        except _MissingFile:
            continue
    estimator = _load_path(kind, bundled_model_path(kind), trusted)
    estimator.metadata_["fallback_reason"] = (
        f"Your {KINDS[kind]['label']} model could not be loaded, so the bundled one is used: its file "
        f"{user.name} is missing from {user.parent}."
    )
    return estimator


class _MissingFile(ModelFileError):
    pass


def _load_path(kind: str, path: Path, trusted: bool, expected: str | None = None):
    """Load ``path``; ``expected`` is its recorded digest if the caller already read it."""
    name = path.name
    if not path.exists():
        raise _MissingFile(f"Model file {name} does not exist ({path}).")
    if expected is None:
        expected = recorded_digest(path)
    if expected is None and not trusted:  # decided before a byte of the file is read
        where = (
            "is not one the app saved" if is_trusted_location(path) else "is outside the app's model folder"
        )
        raise UntrustedModelError(
            f"Model file {name} {where}; a model file from elsewhere is only loaded after you confirm "
            "you trust it."
        )
    try:
        raw = read_file_bytes(path)
    except FileNotFoundError as exc:
        raise _MissingFile(f"Model file {name} does not exist ({path}).") from exc
    except NotARegularFile as exc:
        raise ModelFileError(f"Model file {name} is not a regular file.") from exc
    except FileTooLarge as exc:
        raise ModelFileError(
            f"Model file {name} is larger than {MAX_MODEL_FILE_BYTES // 2**20} MB, far larger than any "
            "Digit Canvas model."
        ) from exc
    except OSError as exc:
        raise ModelFileError(f"Model file {name} could not be read ({exc.strerror or exc}).") from exc
    if expected is not None and hashlib.sha256(raw).hexdigest() != expected:
        raise ModelFileError(
            f"Model file {name} does not match the digest recorded when it was saved, so it was "
            "changed or damaged and will not be loaded; retrain or reset to the bundled model."
        )
    payload = _read_payload(raw, name)
    estimator, metadata = _check_payload(kind, payload, name)
    estimator.metadata_ = {**metadata, "path": str(path)}
    return estimator


def _read_payload(raw: bytes, name: str) -> Any:
    """The file's contents as data, read by the restricted reader (nothing in the file is run)."""
    if not raw:
        raise ModelFileError(f"Model file {name} is empty.")
    try:
        return read_model_bytes(raw, LEGACY_CLASSES)
    except ForeignCode as exc:  # no Digit Canvas model holds other code: never run it
        raise ModelFileError(
            f"Model file {name} refers to code that is not part of Digit Canvas's models ({exc}), "
            "so it was not loaded."
        ) from exc
    except TooLarge as exc:
        raise ModelFileError(f"Model file {name} is corrupt ({exc}).") from exc
    except ModelDataError as exc:
        raise ModelFileError(f"Model file {name} is not a readable model file ({exc}).") from exc


def _check_payload(kind: str, payload: Any, name: str) -> tuple[Any, dict[str, Any]]:
    """The estimator rebuilt from the payload's data and the metadata, every field checked."""
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ModelFileError(f"Model file {name} is not a Digit Canvas model file.")
    version = payload.get("format_version")
    if type(version) is not int or version not in (FORMAT_VERSION, LEGACY_FORMAT_VERSION):
        shown = version if type(version) is int and abs(version) < 10**6 else "?"
        raise ModelFileError(
            f"Model file {name} has format version {shown}, but this app reads versions "
            f"{LEGACY_FORMAT_VERSION} and {FORMAT_VERSION}; retrain it with this version."
        )
    metadata = payload.get("metadata")
    if not isinstance(metadata, dict):
        raise ModelFileError(f"Model file {name} has no metadata.")
    try:
        check_plain(metadata)
    except SchemaError as exc:
        raise ModelFileError(f"Model file {name} has invalid metadata ({exc}).") from exc
    metadata = to_plain(metadata)  # bounded by the check: tuples of older files become lists
    if metadata.get("kind") != kind:
        found = metadata.get("kind")
        shown = f"an {found!r}" if isinstance(found, str) and found in KINDS else "an unknown kind of"
        raise WrongKindError(f"Model file {name} holds {shown} model, not a {kind!r} model.", found)
    cls = KINDS[kind]["type"]
    try:
        data = payload.get("estimator")
        if version == LEGACY_FORMAT_VERSION:
            data = from_legacy(data, LEGACY_NAMES)
        estimator = from_data(cls, data)
    except SchemaError as exc:
        raise ModelFileError(f"Model file {name} is not a valid {cls.__name__} ({exc}).") from exc
    _check_estimator(kind, estimator, f"Model file {name}")
    return estimator, metadata


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
