"""Helpers that build damaged model files for the store and window tests."""

from __future__ import annotations

import io

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


class PickledByOldSklearn:
    """Unpickles as the estimator's class with state recorded by scikit-learn 0.20.3."""

    def __init__(self, estimator: object) -> None:
        self.cls = type(estimator)
        self.state = {**estimator.__getstate__(), "_sklearn_version": "0.20.3"}

    def __reduce__(self):
        return (self.cls.__new__, (self.cls,), self.state)
