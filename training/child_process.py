"""Running a long job in a child process that reports back and can be cancelled.

A retrain is seconds of numpy work, and parts of numpy (``bincount``, fancy indexing, freeing big
arrays) hold the interpreter lock while they run. In a thread of the window's own process every such
call makes the window's thread wait, once per numpy call it makes itself, so drawing stuttered while a
model trained. A child process has an interpreter of its own: the window's process only receives the
reports. The child is *spawned* (a fresh interpreter, as on every platform), never forked from a
process that runs Qt's threads, and all its memory goes back to the system when it ends.

``function(*args, report, cancel)`` runs in the child. ``report(*values)`` sends values to the parent's
``report`` callback; ``cancel`` is an event the child's work polls (as it polls a
:class:`threading.Event` in-process) and raises :class:`training.progress.Cancelled` on. The function's
return value comes back as :func:`run_in_child`'s, its exception is raised again in the parent.
"""

from __future__ import annotations

import copy
import multiprocessing
import os
import pickle
import traceback
from collections.abc import Callable
from typing import Any

from training.progress import CancelFlag, Cancelled

POLL_SECONDS = 0.05  # how often the parent looks at its cancel flag while the child is quiet
GRACE_SECONDS = 10.0  # a cancelled child this long without stopping is terminated


class ChildProcessFailed(RuntimeError):
    """The child process ended without a result: it crashed or was killed (the system's out-of-memory
    killer sends signal 9). ``exitcode`` is the process's, negative for the signal that ended it."""

    def __init__(self, message: str, exitcode: int | None = None) -> None:
        super().__init__(message)
        self.exitcode = exitcode


def run_in_child(
    function: Callable[..., Any],
    *args: Any,
    report: Callable[..., None] | None = None,
    cancel: CancelFlag | None = None,
    niceness: int = 0,
    name: str = "digit-canvas-job",
) -> Any:
    """Call ``function(*args, report, cancel)`` in a spawned child process and return what it returns.

    Blocks the calling thread (not holding the interpreter lock while it waits), so call it from a
    worker thread. ``cancel`` is passed on to the child; ``niceness`` lowers the child's CPU priority
    so the parent's threads get a core first. (On Linux a child is born with the nice value of the
    thread that starts it, so a thread that lowered its own priority first spares the window the
    child's start-up too.)
    """
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    stop = context.Event()
    child = context.Process(
        target=_child_main, args=(function, args, sender, stop, niceness), name=name, daemon=True
    )
    child.start()
    sender.close()  # the child holds the only writing end: a crash shows up here as end-of-file
    try:
        while True:
            if cancel is not None and cancel.is_set():
                stop.set()
            if not receiver.poll(POLL_SECONDS):
                if not child.is_alive() and not receiver.poll():
                    raise _died(child)
                continue
            try:
                kind, value = receiver.recv()
            except EOFError:
                raise _died(child) from None
            if kind == "report":
                if report is not None:
                    report(*value)
            elif kind == "done":
                return value
            elif kind == "cancelled":
                raise Cancelled("cancelled by the user")
            else:
                raise _restored(value)
    finally:
        stop.set()
        receiver.close()
        child.join(GRACE_SECONDS)
        if child.is_alive():
            child.terminate()
            child.join()


def _died(child: multiprocessing.process.BaseProcess) -> ChildProcessFailed:
    child.join(GRACE_SECONDS)
    code = child.exitcode
    how = f"was killed by signal {-code}" if code is not None and code < 0 else f"exited with code {code}"
    return ChildProcessFailed(f"the background process {how} before it finished", code)


def _child_main(function: Callable[..., Any], args: tuple, sender: Any, stop: Any, niceness: int) -> None:
    if niceness and hasattr(os, "setpriority"):
        try:
            current = os.getpriority(os.PRIO_PROCESS, 0)
            os.setpriority(os.PRIO_PROCESS, 0, max(current, niceness))
        except OSError:  # not allowed here: the work still runs, at normal priority
            pass

    def report(*values: Any) -> None:
        sender.send(("report", values))

    try:
        outcome = ("done", function(*args, report, stop))
    except Cancelled:
        outcome = ("cancelled", None)
    except BaseException as exc:  # every failure goes back to the parent, which decides what to say
        outcome = ("failed", _portable(exc))
    try:
        sender.send(outcome)
    except Exception as exc:  # the result itself would not pickle
        sender.send(("failed", _portable(exc)))
    finally:
        sender.close()


def _portable(exc: BaseException) -> BaseException:
    """``exc`` as it can cross to the parent: its cause kept and the child's traceback as a note.

    Pickling an exception keeps its type, arguments and notes but drops ``__cause__``, which the
    parent's messages read (a failed download explains *why* it failed), so the cause goes along as
    an attribute and :func:`_restored` puts it back.
    """
    cause = exc.__cause__
    exc.add_note("In the background process:\n" + "".join(traceback.format_exception(exc)).rstrip())
    if cause is not None:
        exc._child_cause = _picklable(cause)  # type: ignore[attr-defined]
    return _picklable(exc)


def _picklable(exc: BaseException) -> BaseException:
    """``exc`` if it survives the trip, else a RuntimeError with its words.

    ``pickle.dumps`` proves it can be sent; ``copy.deepcopy`` rebuilds it the way the receiving end
    will (through ``__reduce_ex__``), which fails for exceptions whose ``__init__`` wants more than
    the arguments they keep.
    """
    try:
        pickle.dumps(exc)
        return copy.deepcopy(exc)
    except Exception:
        plain = RuntimeError(f"{type(exc).__name__}: {exc}")
        for note in getattr(exc, "__notes__", ()):
            plain.add_note(note)
        return plain


def _restored(exc: BaseException) -> BaseException:
    """Gives back the cause :func:`_portable` carried (it is done again after unpickling)."""
    cause = getattr(exc, "_child_cause", None)
    if cause is not None:
        exc.__cause__ = cause
    return exc
