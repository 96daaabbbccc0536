"""A failed evaluation as its window says it: one sentence in the window's words, the facts behind it.

The exceptions of :mod:`training` explain themselves for the command line (``--data-dir DIR``, the
environment variable); the window has buttons instead, so its sentence says what went wrong and which
button helps, and the exception's own facts (the file, the mirror, the error) go under Details with
the command-line advice left out. Plain functions, no Qt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from app.text.errors import one_line, reason, typed_clause

# The sentences of a training exception that advise the command line, not the window.
_ADVICE = re.compile(r"--data-dir|DIGIT_CANVAS_DATA|^Fix it by|^Check the network", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[a-z0-9)])[.!?]\s+(?=[A-Z])")


@dataclass(frozen=True)
class Failure:
    """What the window shows after a failure.

    ``sentence`` is the one sentence under the headline; ``details`` the facts behind it ("" for none).
    ``offers_data``: downloading MNIST or choosing another folder can fix it (the window's buttons);
    ``after_download``: it was a download that failed or was cancelled, so downloading is trying again.
    ``folder`` is the MNIST folder whose files failed their checks, if that was the cause.
    """

    sentence: str
    details: str = ""
    offers_data: bool = False
    after_download: bool = False
    folder: Path | None = None


def facts(text: str) -> str:
    """``text`` without its command-line advice: the sentences that say what happened."""
    kept = [s.strip() for s in _SENTENCE_END.split(one_line(text)) if s.strip() and not _ADVICE.search(s)]
    return " ".join(s if s.endswith((".", "!", "?")) else s + "." for s in kept)


def _folder_of(path: Path | None) -> Path | None:
    if path is None:
        return None
    return path if path.is_dir() else path.parent


def describe_failure(exc: BaseException, downloading: bool = False) -> Failure:
    """The :class:`Failure` for the exception an evaluation raised; ``downloading``: MNIST was downloading."""
    from training.mnist_files import MnistDataError, MnistNotFoundError
    from training.progress import Cancelled

    if isinstance(exc, Cancelled):
        return Failure(
            "The download was cancelled; try again when you are ready, or choose a folder that already "
            "holds MNIST.",
            offers_data=True,
            after_download=True,
        )
    if isinstance(exc, MnistNotFoundError):
        cause = exc.__cause__ if isinstance(exc.__cause__, MnistDataError) else None
        if downloading or cause is not None:
            return Failure(
                "MNIST could not be downloaded; check the internet connection and try again, or choose a "
                "folder that already holds its four files.",
                facts(str(cause or exc)),
                offers_data=True,
                after_download=True,
            )
        return Failure(
            "MNIST's four files were not found; download them, or choose the folder that holds them.",
            facts(str(exc)),
            offers_data=True,
        )
    if isinstance(exc, MnistDataError):
        folder = _folder_of(exc.path)
        where = f"in {folder} " if folder is not None else ""
        return Failure(
            f"The MNIST files {where}are damaged or unreadable; download a fresh copy, or choose another "
            "folder.",
            facts(str(exc)),
            offers_data=True,
            folder=folder,
        )
    if isinstance(exc, MemoryError):
        return Failure("The evaluation ran out of memory; close other programs and evaluate again.")
    return Failure(
        "The evaluation failed unexpectedly; please report this, with its details.",
        typed_clause(exc),
    )


def samples_failure(exc: BaseException) -> str:
    """The sentence under "your samples could not be read" for what reading them raised."""
    if isinstance(exc, OSError):
        return f"Reading them failed: {reason(exc)}."
    if isinstance(exc, MemoryError):
        return "Reading them ran out of memory; close other programs and evaluate again."
    return f"Reading them failed unexpectedly ({typed_clause(exc)}); please report this."
