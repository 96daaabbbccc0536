"""Guard against a PySide6 bug that would crash the app after a few thousand Qt calls.

PySide6 6.12.0 on Python 3.11 returns ``None`` from every ``void`` C++ method (``event.accept()``,
``widget.update()``, ``timer.start()``, ...) and ``True`` from ``Signal.emit()`` without taking a
reference to it, so every such call takes one reference away from ``None`` or ``True``. Python 3.12 and
later make these objects immortal, which hides the bug there; on 3.11 ``None`` has about 5,000
references, so after a few seconds of drawing (several calls per mouse move) the interpreter aborts
with "Fatal Python error: none_dealloc".

The guard measures at import whether this PySide6 has the bug. Only if it does, it gives ``None``,
``True`` and ``False`` a large cushion of extra references and a background thread tops the count up
again ten times a second, so the count can never reach zero. Extra references to these three objects
are harmless: they live as long as the interpreter anyway. On a fixed PySide6 (or Python >= 3.12) it
does nothing.
"""

from __future__ import annotations

import ctypes
import sys
import threading

from PySide6.QtCore import QObject, Signal

CUSHION = 1_000_000  # extra references each guarded object gets up front
INTERVAL = 0.1  # seconds between top-ups
_GUARDED = (None, True, False)

_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = [ctypes.py_object]
_incref.restype = None


class _Probe(QObject):
    ping = Signal()


def pyside_drops_references(calls: int = 64) -> bool:
    """True if void Qt methods or ``Signal.emit`` lose a reference to ``None`` or ``True`` per call."""
    probe = _Probe()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(calls):
        probe.setObjectName("probe")  # a void method: returns None
        probe.ping.emit()  # returns True
    lost_none = none_before - sys.getrefcount(None)
    lost_true = true_before - sys.getrefcount(True)
    return lost_none >= calls // 2 or lost_true >= calls // 2


class RefcountGuard:
    """Keeps the reference counts of ``None``, ``True`` and ``False`` far above zero."""

    def __init__(self, cushion: int = CUSHION, interval: float = INTERVAL) -> None:
        # Pinned lists hold the cushion; the lists themselves get an extra reference so they are never
        # freed, not even at interpreter exit (freeing them would hand the lost references back as
        # real decrements).
        self._pins = [[obj] * cushion for obj in _GUARDED]
        for pin in self._pins:
            _incref(pin)
        self._floor = {id(obj): sys.getrefcount(obj) for obj in _GUARDED}
        self._interval = interval
        self._stop = threading.Event()
        self.topped_up = 0  # references given back so far (for tests and curiosity)
        self._thread = threading.Thread(target=self._run, name="refcount-guard", daemon=True)
        self._thread.start()

    def top_up(self) -> int:
        """Give back every reference lost since the last call; returns how many."""
        given = 0
        for obj in _GUARDED:
            deficit = self._floor[id(obj)] - sys.getrefcount(obj)
            for _ in range(max(deficit, 0)):
                _incref(obj)
            given += max(deficit, 0)
        self.topped_up += given
        return given

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.top_up()

    def stop(self) -> None:
        self._stop.set()


GUARD: RefcountGuard | None = None


def install_refcount_guard() -> RefcountGuard | None:
    """Start the guard once per process if this PySide6 needs it; returns it (or ``None``)."""
    global GUARD
    if GUARD is None and pyside_drops_references():
        GUARD = RefcountGuard()
    return GUARD
