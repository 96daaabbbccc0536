"""scikit-learn's estimator conventions without importing scikit-learn.

Importing ``sklearn.base`` takes over a second (it pulls in SciPy), which would dominate the app's
start-up just to unpickle a model. These small mixins give the estimators the same contract as
``BaseEstimator``: parameters from ``__init__`` exposed by ``get_params`` / ``set_params`` (so
``sklearn.base.clone``, grid search and pipelines work), a readable ``repr``, and ``score``.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np


class NotFittedError(ValueError, AttributeError):
    """The estimator is used before ``fit`` (the same bases as scikit-learn's ``NotFittedError``)."""


class BaseEstimator:
    """Parameters are the ``__init__`` arguments, stored unchanged; learned state ends in ``_``."""

    @classmethod
    def _param_names(cls) -> list[str]:
        signature = inspect.signature(cls.__init__)
        return sorted(
            name
            for name, p in signature.parameters.items()
            if name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        )

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The hyper-parameters, as passed to ``__init__``."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params: Any) -> BaseEstimator:
        valid = self._param_names()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(
                    f"Invalid parameter {name!r} for {type(self).__name__}; valid parameters are {valid}"
                )
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        defaults = {name: p.default for name, p in inspect.signature(type(self).__init__).parameters.items()}
        changed = [
            f"{name}={value!r}" for name, value in self.get_params().items() if value != defaults.get(name)
        ]
        return f"{type(self).__name__}({', '.join(changed)})"


class ClassifierMixin:
    """``score`` as accuracy, and the estimator type scikit-learn's helpers look for."""

    _estimator_type = "classifier"

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Mean accuracy of ``predict(X)`` against ``y``."""
        correct = self.predict(X) == np.asarray(y)  # type: ignore[attr-defined]
        return float(np.average(correct, weights=sample_weight))


class TransformerMixin:
    """``fit_transform`` as ``fit`` then ``transform`` (subclasses may do it in one pass)."""

    def fit_transform(self, X: Any, y: Any = None, **fit_params: Any) -> Any:
        return self.fit(X, y, **fit_params).transform(X)  # type: ignore[attr-defined]
