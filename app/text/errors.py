"""Exceptions as the person reads them: one line, one clause, never a traceback.

Every message the app builds from an exception goes through this module: the small helpers below
shorten a file's strange error text the same way wherever it surfaces, and :func:`failure_message`
is the one translation of a failed retrain's or evaluation's exception into what happened and what
the person can do, worded for the place it is shown (what can be done differs between the Retrain
dialog, which has a Data box and a download choice, and the evaluation window, which has neither).
"""

from __future__ import annotations

import os
import re
import signal
from pathlib import Path

LIMIT = 160  # characters of an exception's text kept in a message


def first_clause(text: str, limit: int = LIMIT) -> str:
    """The start of an exception's text, on one line and without a second sentence, for a message."""
    text = " ".join(text.split())
    text = re.split(r"(?<=[a-z0-9)])[.!?]\s+(?=[A-Z])", text, maxsplit=1)[0].rstrip(".")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def clause(exc: BaseException) -> str:
    """The exception's first clause, or its type's name when it has no text (goes inside a sentence)."""
    return first_clause(str(exc)) or type(exc).__name__


def typed_clause(exc: BaseException) -> str:
    """``TypeName: first clause``, or ``TypeName`` alone, for errors the person cannot fix themselves."""
    detail = first_clause(str(exc))
    return f"{type(exc).__name__}{': ' + detail if detail else ''}"


def reason(exc: BaseException) -> str:
    """Why a file operation failed: the system's words and the file for an OS error, else the text."""
    if isinstance(exc, OSError) and not isinstance(exc, FileNotFoundError) and exc.filename:
        return f"{exc.strerror or exc} ({exc.filename})"
    return str(exc).rstrip(".") if str(exc) else type(exc).__name__


def one_line(text: str) -> str:
    """An error text already written as a sentence (a ModelFileError's), folded onto one line."""
    return " ".join(text.split())


RETRAIN = "retrain"  # the Retrain dialog: it has the Data box and its "Download from the internet"
EVALUATE = "evaluate"  # the evaluation window: Model > Evaluate… asks for MNIST when it is missing


def failure_message(
    exc: BaseException,
    where: str,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    download: bool = False,
) -> str:
    """What went wrong and what the person can do about it, in one or two sentences.

    ``where`` is :data:`RETRAIN` or :data:`EVALUATE`, the place the sentence is shown; ``data_dir``
    is the MNIST folder the person chose (``None``: the folders searched) and ``download`` whether
    downloading was allowed. Imports the training package only when a message is made.
    """
    from training.child_process import ChildProcessFailed
    from training.data import DATA_ENV_VAR, MnistDataError, MnistNotFoundError, candidate_dirs
    from training.mnist_files import MNIST_FILES, missing_files
    from training.progress import Cancelled

    if where not in (RETRAIN, EVALUATE):
        raise ValueError(f"unknown place for a failure message: {where!r}")
    doing = "Training" if where == RETRAIN else "The evaluation"
    files = ", ".join(MNIST_FILES)
    if isinstance(exc, Cancelled):
        if where == EVALUATE:
            return "The evaluation was cancelled; nothing was downloaded half-way."
        return "Training was cancelled; nothing was saved."
    if isinstance(exc, MnistNotFoundError):
        if where == EVALUATE:
            return (
                f"{one_line(str(exc)).rstrip('.')}. The buttons in this window download "
                f"MNIST or read it from a folder (or set {DATA_ENV_VAR} before starting the app)."
            )
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
            return (
                f"MNIST was not found in {looked} and downloading it failed ({cause}). Check the "
                f"internet connection, or choose a folder that holds the four MNIST files ({files})."
            )
        return (
            f"No MNIST data was found; looked in {looked}. Choose a folder that holds the four MNIST "
            f"files ({files}) under Data, {fix}"
        )
    if isinstance(exc, MnistDataError):
        if where == EVALUATE:
            return (
                f"{one_line(str(exc))} Choose another MNIST folder under Data in Model > Retrain…, or "
                "delete the damaged file so that Model > Evaluate… offers a fresh download."
            )
        return f"{one_line(str(exc))} Choose another MNIST folder or download a fresh copy."
    if isinstance(exc, ChildProcessFailed) and exc.exitcode == -signal.SIGKILL:  # the OOM killer's signal
        return (
            "Training was stopped by the system, most likely because memory ran out. Close other "
            "programs, or train on fewer images or with fewer principal components."
        )
    if isinstance(exc, MemoryError):
        if where == EVALUATE:
            return "The evaluation ran out of memory. Close other programs and evaluate again."
        return "Training ran out of memory. Train on fewer images or with fewer principal components."
    if where == RETRAIN and isinstance(exc, OSError):
        from model.paths import user_model_dir

        return (
            f"The model could not be saved ({exc}). Check that {user_model_dir()} is writable and that "
            "the disk has free space."
        )
    if where == RETRAIN and isinstance(exc, ValueError):
        return f"The settings were rejected: {exc}. Adjust them and train again."
    return f"{doing} failed unexpectedly ({typed_clause(exc)}). Please report this."
