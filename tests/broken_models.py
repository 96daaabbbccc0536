"""Helpers that build damaged model files for the store and window tests."""

from __future__ import annotations

import io
import pickle

import joblib

from model.store import FORMAT, FORMAT_VERSION


def payload_bytes(kind: str, estimator: object) -> bytes:
    """A Digit Canvas model file claiming to hold a ``kind`` model, around any ``estimator``."""
    buf = io.BytesIO()
    joblib.dump(
        {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
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
