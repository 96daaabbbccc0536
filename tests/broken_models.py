"""Helpers that build damaged model files for the store and window tests."""

from __future__ import annotations

import io
import json
import pickle
import re
from pathlib import Path

import joblib

from model.paths import user_model_dir
from model.store import FORMAT, FORMAT_VERSION, LEGACY_FORMAT_VERSION, file_sha256


def payload_bytes(kind: str, estimator: object) -> bytes:
    """A Digit Canvas model file claiming to hold a ``kind`` model, around any ``estimator``.

    An estimator object is written as the previous version wrote it (pickled, format version 1), a
    dict as the data form of the current version.
    """
    buf = io.BytesIO()
    joblib.dump(
        {
            "format": FORMAT,
            "format_version": FORMAT_VERSION if isinstance(estimator, dict) else LEGACY_FORMAT_VERSION,
            "metadata": {"kind": kind},
            "estimator": estimator,
        },
        buf,
    )
    return buf.getvalue()


def pickled_by_old_sklearn(estimator: object) -> object:
    """A copy of ``estimator`` whose state says scikit-learn 0.20.3 pickled it, as its estimators do."""
    old = pickle.loads(pickle.dumps(estimator))
    old._sklearn_version = "0.20.3"
    return old


def plant_user_model(kind: str, data: bytes | None, *, digest: str | None = None) -> Path:
    """Make ``data`` the user's current ``kind`` model, registered in ``index.json``.

    The index records the file's real SHA-256 unless ``digest`` is given; ``data=None`` leaves the file
    missing (then ``digest`` is required).
    """
    folder = user_model_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{kind}-20260101T000000000000Z.joblib"
    if data is not None:
        path.write_bytes(data)
    index_path = folder / "index.json"
    index = json.loads(index_path.read_text()) if index_path.exists() else {}
    index[kind] = {"file": path.name, "sha256": file_sha256(path) if digest is None else digest}
    index_path.write_text(json.dumps(index))
    return path


def one_sentence(message: str) -> bool:
    """True for a single sentence on one line, as every message about a refused file must be."""
    return (
        bool(message)
        and "\n" not in message
        and message.endswith(".")
        and not re.search(r"[.!?]\s+[A-Z]", message)
    )
