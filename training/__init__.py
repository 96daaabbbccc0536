"""Training Digit Canvas models: MNIST data, training with progress and cancel, evaluation, reports.

Public API::

    from training import train_model
    result = train_model("ovr", progress=print)   # loads MNIST, trains, evaluates, saves
"""

from training.progress import Cancelled, Progress
from training.train import TrainResult, train_model

__all__ = ["Cancelled", "Progress", "TrainResult", "train_model"]
