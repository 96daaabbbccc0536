"""Progress reports and cancellation shared by the training command, the GUI and the downloader.

Long jobs report through one callback that receives :class:`Progress` objects and stop through a
cancel flag (anything with ``is_set()``, normally a :class:`threading.Event`). A job that sees the flag
raises :class:`Cancelled`, so callers can tell a cancel from a failure and nothing half-done is saved.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol


class Cancelled(Exception):
    """The user asked the job to stop; nothing was saved."""


class CancelFlag(Protocol):
    def is_set(self) -> bool: ...


@dataclass(frozen=True)
class Progress:
    """One progress report.

    ``fraction`` is the share of the whole job done (0..1) when it can be estimated, else ``None``.
    """

    stage: str
    message: str
    fraction: float | None = None
    iteration: int | None = None
    loss: float | None = None
    elapsed: float = 0.0
    losses: tuple[float, ...] | None = None  # per problem (one-vs-rest: each digit, then "no digit")
    weights: Any = None  # the binary model's 784 weights after this iteration, for a live picture
    kind: str | None = None  # which model the report is about, in a run that trains several


ProgressCallback = Callable[[Progress], None]


class Reporter:
    """Sends progress to an optional callback and checks an optional cancel flag.

    Keeps the elapsed-time bookkeeping in one place so every stage reports it the same way.
    """

    def __init__(self, callback: ProgressCallback | None = None, cancel: CancelFlag | None = None) -> None:
        self.callback = callback
        self.cancel = cancel
        self.start = time.perf_counter()

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def check(self) -> None:
        """Raise :class:`Cancelled` if the user asked to stop."""
        if self.cancel is not None and self.cancel.is_set():
            raise Cancelled("cancelled by the user")

    def report(
        self,
        stage: str,
        message: str,
        fraction: float | None = None,
        iteration: int | None = None,
        loss: float | None = None,
        losses: tuple[float, ...] | None = None,
        weights: Any = None,
    ) -> None:
        self.check()
        if self.callback is not None:
            self.callback(
                Progress(
                    stage, message, fraction, iteration, loss, self.elapsed, losses=losses, weights=weights
                )
            )
        self.check()
