"""A failed retrain as the Retrain dialog says it: what happened and what the person can do there.

The dialog has a Data box (a folder, or "Download from the internet"), so its sentences point at those;
the evaluation window words its own failures (:mod:`app.evaluation.failure`). Plain functions, no Qt;
the training package is imported only when a message is made.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

from app.text.errors import one_line, typed_clause


def retrain_failure(
    exc: BaseException, *, data_dir: str | os.PathLike[str] | None = None, download: bool = False
) -> str:
    """What went wrong in a retrain and what the person can do about it, in one or two sentences.

    ``data_dir`` is the MNIST folder the person chose (``None``: the folders searched) and
    ``download`` whether downloading was allowed.
    """
    from training.child_process import ChildProcessFailed
    from training.data import DATA_ENV_VAR, MnistDataError, MnistNotFoundError, candidate_dirs
    from training.mnist_files import MNIST_FILES, missing_files
    from training.progress import Cancelled

    files = ", ".join(MNIST_FILES)
    if isinstance(exc, Cancelled):
        return "Training was cancelled; nothing was saved."
    if isinstance(exc, MnistNotFoundError):
        fix = (
            f"set the environment variable {DATA_ENV_VAR} to such a folder, or choose “Download from the "
            "internet”."
        )
        if data_dir is not None and str(data_dir) != "":
            folder = Path(data_dir).expanduser()
            missing = missing_files(folder)
            if not folder.is_dir():
                problem = "does not exist"
            elif len(missing) == len(MNIST_FILES):
                problem = f"has none of the four MNIST files ({files}, gzipped or not)"
            else:
                problem = "lacks " + ", ".join(missing) if missing else "has unreadable MNIST files"
            return (
                f"No MNIST data: the folder {folder} {problem}. Choose a folder that has them under "
                f"Data, {fix}"
            )
        looked = " and ".join(str(f) for f in candidate_dirs(None))
        cause = exc.__cause__
        if download and cause is not None:
            why = getattr(cause, "reason", None) or one_line(str(cause)).rstrip(".")
            return (
                f"MNIST could not be downloaded: {why}. Check the internet connection and train "
                f"again, or choose a folder that holds the four MNIST files ({files}) under Data."
            )
        return (
            f"No MNIST data was found; looked in {looked}. Choose a folder that holds the four MNIST "
            f"files ({files}) under Data, {fix}"
        )
    if isinstance(exc, MnistDataError):
        return f"{one_line(str(exc))} Choose another MNIST folder or download a fresh copy."
    if isinstance(exc, ChildProcessFailed) and exc.exitcode == -signal.SIGKILL:  # the OOM killer's signal
        return (
            "Training was stopped by the system, most likely because memory ran out. Close other "
            "programs, or train on fewer images or with fewer principal components."
        )
    if isinstance(exc, MemoryError):
        return "Training ran out of memory. Train on fewer images or with fewer principal components."
    if isinstance(exc, OSError):
        from model.paths import user_model_dir

        return (
            f"The model could not be saved ({exc}). Check that {user_model_dir()} is writable and that "
            "the disk has free space."
        )
    if isinstance(exc, ValueError):
        return f"The settings were rejected: {exc}. Adjust them and train again."
    return f"Training failed unexpectedly ({typed_clause(exc)}). Please report this."
