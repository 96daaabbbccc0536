"""Digit Canvas models: from-scratch logistic regression, preprocessing, and model files.

Public API::

    from model import load_model
    clf = load_model("ovr")            # the user's current model, or the bundled one
    clf.predict_proba(images)          # images: (n, 784) floats in [0, 1], white ink on black
"""

from model.binary import BinaryLogisticRegression
from model.ovr import OneVsRestLogisticRegression
from model.store import (
    KINDS,
    ModelFileError,
    UntrustedModelError,
    bundled_model_path,
    load_model,
    reset_to_bundled,
    save_model,
    user_model_path,
)

__all__ = [
    "KINDS",
    "BinaryLogisticRegression",
    "ModelFileError",
    "OneVsRestLogisticRegression",
    "UntrustedModelError",
    "bundled_model_path",
    "load_model",
    "reset_to_bundled",
    "save_model",
    "user_model_path",
]
