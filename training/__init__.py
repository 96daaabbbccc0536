"""Training Digit Canvas models: MNIST data, training with progress and cancel, evaluation, reports.

Public API::

    from training import train_model
    result = train_model("ovr", progress=print)   # loads MNIST, trains, evaluates, saves
"""

from typing import Any

from training.progress import Cancelled, Progress


def __getattr__(name: str) -> Any:
    # Imported on first use: training pulls in scikit-learn, which the app must not pay for at start-up.
    if name in ("TrainResult", "train_model"):
        from training import train

        return getattr(train, name)
    raise AttributeError(f"module 'training' has no attribute {name!r}")


__all__ = ["Cancelled", "Progress", "TrainResult", "train_model"]
