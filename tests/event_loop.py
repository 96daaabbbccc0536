"""How long the GUI thread's event loop went without running, and how much of that was the app's doing.

A 5 ms timer on the GUI thread ticks while the work under test runs; the gaps between ticks are how
long the loop was held up. On this shared virtual machine other programs and the machine's host also
keep a runnable GUI thread off the CPU, for hundreds of milliseconds at the worst moments, whatever
the app does, and a timed test must not fail for that (speed targets live in the benchmarks). So each
gap is also measured less those waits, from the kernel's own accounting: this thread's run-queue time
(schedstat) and the time the host took from the CPUs (steal, ``/proc/stat``). A thread that blocks
(on a lock, on the interpreter, on I/O) is not waiting for a CPU, and its gap counts in full.
"""

from __future__ import annotations

import gc
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QTimer

TICK_MS = 5


def proc_reader(path: str, request) -> Callable[[], str]:
    """A function that reads ``path`` (a Linux /proc file) afresh, from a descriptor kept open.

    The clocks are read on every tick of the GUI thread: looking the path up again each time would
    add to the very gaps they measure. Raises OSError where there is no such file.
    """
    fd = os.open(path, os.O_RDONLY)
    request.addfinalizer(lambda: os.close(fd))
    return lambda: os.pread(fd, 1 << 16, 0).decode()


def steal_clock(request) -> Callable[[], np.ndarray]:
    """Seconds the hypervisor took from each CPU so far (Linux ``/proc/stat``), an array per call.

    A virtual machine's CPU can be taken away by its host: the guest's scheduler thinks the GUI
    thread is running meanwhile, so this wait shows in no run queue.
    """
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    def read() -> np.ndarray:
        rows = [line.split() for line in text().splitlines() if line[:3] == "cpu" and line[3:4].isdigit()]
        return np.array([int(r[8]) for r in rows], dtype=np.float64) / tick

    try:
        text = proc_reader("/proc/stat", request)
        read()
    except (OSError, IndexError, ValueError):
        return lambda: np.zeros(1)
    return read


def runqueue_clock(request) -> Callable[[], float]:
    """Seconds this thread has spent runnable but waiting for a CPU (Linux schedstat), if available."""
    try:
        text = proc_reader(f"/proc/self/task/{threading.get_native_id()}/schedstat", request)
        int(text().split()[1])
    except (OSError, IndexError, ValueError):
        return lambda: 0.0
    return lambda: int(text().split()[1]) / 1e9


@dataclass
class Gaps:
    """The gaps between ticks: ``raw`` wall-clock seconds, ``waited`` for a CPU, ``own`` the rest."""

    times: np.ndarray  # when each gap ended (perf_counter)
    raw: np.ndarray
    waited: np.ndarray

    @property
    def own(self) -> np.ndarray:
        return self.raw - np.minimum(self.waited, self.raw)

    def describe(self) -> str:
        worst = int(self.raw.argmax())
        return (
            f"longest stall {self.raw.max() * 1000:.0f} ms (of which waiting for a CPU "
            f"{self.waited[worst] * 1000:.0f} ms), longest without the waits {self.own.max() * 1000:.0f} ms"
        )


class EventLoopClock:
    """Ticks every ``TICK_MS`` on the GUI thread between :meth:`start` and :meth:`stop`.

    Both ends are ticks too, so work done on the GUI thread right after :meth:`start` (building a
    window, say) counts as a gap. ``on_tick`` runs on every tick. :meth:`start` freezes what the test
    session made so far out of the garbage collector, as the app does after its first paint
    (app.boot.gc_pause): otherwise a full collection walks every object of the tests run before,
    which the app's window never has to.
    """

    def __init__(self, request, on_tick: Callable[[], None] | None = None) -> None:
        self._runqueue = runqueue_clock(request)
        self._stolen = steal_clock(request)
        self._request = request
        self._on_tick = on_tick
        self._ticks: list[float] = []
        self._waits: list[float] = []
        self._steals: list[np.ndarray] = []
        self._timer = QTimer()
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.tick)

    def tick(self) -> None:
        if self._on_tick is not None:
            self._on_tick()
        self._ticks.append(time.perf_counter())
        self._waits.append(self._runqueue())
        self._steals.append(self._stolen())

    def start(self) -> None:
        gc.freeze()
        self._request.addfinalizer(gc.unfreeze)
        self.tick()
        self._timer.start()

    def stop(self) -> Gaps:
        self._timer.stop()
        self.tick()
        ticks = np.array(self._ticks)
        # The host's share: the most it took from any one CPU in that gap, in the kernel's 10 ms ticks.
        waited = np.clip(np.diff(self._waits), 0.0, None) + np.clip(
            np.diff(np.array(self._steals), axis=0), 0.0, None
        ).max(axis=1)
        return Gaps(times=ticks[1:], raw=np.diff(ticks), waited=waited)
