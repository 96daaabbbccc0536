"""Guard against a PySide6 bug that would crash the app after a few hundred signal emissions.

In PySide6 6.12.0, ``SignalInstance.emit()`` returns ``True`` without taking a reference to it, so every
call from Python takes one reference away from the ``True`` object. On Python 3.11 ``True`` is an
ordinary object with a few hundred references; once they are used up the interpreter aborts with
"Fatal Python error: bool_dealloc". The canvas emits on every mouse move, so without this guard the app
dies within seconds of drawing.

:func:`emit` emits and, only if this PySide6 is measured (once, at import) to have the bug, gives the
returned object back the reference that emit took. On a fixed PySide6 it is a plain ``emit``. Code that
emits Qt signals from Python should call ``emit(self.someSignal, args...)``.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal

_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = [ctypes.py_object]
_incref.restype = None


class _Probe(QObject):
    ping = Signal()


def _emit_drops_a_reference() -> bool:
    """Emit a test signal a few times and see whether references to the result went missing."""
    probe = _Probe()
    tries = 8
    result = probe.ping.emit()
    before = sys.getrefcount(result)
    for _ in range(tries):
        probe.ping.emit()
    if before - sys.getrefcount(result) < tries:
        return False
    for _ in range(tries + 1):  # repair the probe's own damage, the first emit included
        _incref(result)
    return True


EMIT_DROPS_REFERENCE = _emit_drops_a_reference()


def emit(signal: Any, *args: Any) -> None:
    """``signal.emit(*args)``, safe on PySide6 versions whose emit loses a reference."""
    result = signal.emit(*args)
    if EMIT_DROPS_REFERENCE:
        _incref(result)
