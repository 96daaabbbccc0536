"""Exceptions as the person reads them: one line, one clause, never a traceback.

Every message the app builds from an exception goes through these helpers, so a file's strange error
text is shortened the same way wherever it surfaces. Each window words its own failures with them, for
what can be done there: :mod:`app.retrain.failure` for the Retrain dialog (its Data box and download
choice), :mod:`app.evaluation.failure` for the evaluation window (its Try again and Choose folder…).
"""

from __future__ import annotations

import re

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
