"""Shared pieces of the benchmark rows: results, timing, child processes and the machine's facts.

Peak memory is measured in a fresh child process per trainer, because ``ru_maxrss`` only ever grows:
measured in one process, the second trainer would inherit the first one's peak.
"""

from __future__ import annotations

import os
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


@dataclass
class Row:
    """One line of the table, plus every number behind it for the JSON file."""

    id: str
    title: str
    ours: str = ""
    alternative: str = ""
    ratio: str = ""
    notes: str = ""
    status: str = "ok"  # "ok", "skipped" (a prerequisite is missing) or "failed"
    kernel: str = ""  # the BLAS kernel the row ran on (see blas_kernel)
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Options:
    """What the command line asked for."""

    quick: bool
    data_dir: Path | None
    uji_dir: Path
    repeats: int


def timed(func: Callable[[], Any]) -> tuple[float, Any]:
    """Wall time in seconds of one call, and its result."""
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def median_time(func: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Median wall time over ``repeats`` calls (robust to the other users of this machine)."""
    times = []
    result = None
    for _ in range(max(1, repeats)):
        seconds, result = timed(func)
        times.append(seconds)
    return statistics.median(times), result


def _proc_status_mb(field: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024  # kB
    except (OSError, ValueError, IndexError):
        pass
    return None


def max_rss_mb() -> float:
    """This process's peak resident memory, in MiB.

    On Linux this is ``VmHWM``, the high-water mark of the process's own address space. ``ru_maxrss``
    would be wrong in a spawned child: Linux carries it across fork and exec, so a child of a parent
    holding MNIST starts with the parent's peak. Elsewhere ``ru_maxrss`` (KiB, or bytes on macOS).
    """
    hwm = _proc_status_mb("VmHWM")
    if hwm is not None:
        return hwm
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def memory_baseline_mb() -> float:
    """Reset the peak to the current resident memory where Linux allows it, and return the baseline.

    After this, ``max_rss_mb() - baseline`` is the extra memory the code that follows needed at its
    peak, not counting data already loaded (and not transient peaks from imports or loading).
    """
    try:
        Path("/proc/self/clear_refs").write_text("5")  # "5" resets VmHWM to VmRSS (Linux >= 4.0)
    except OSError:
        return max_rss_mb()
    current = _proc_status_mb("VmRSS")
    return max_rss_mb() if current is None else current


def run_in_child(func: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """Run ``func(*args)`` in a freshly spawned process and return its result.

    Spawn (not fork) gives the child a clean memory history, so its ``ru_maxrss`` is its own.
    """
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(func, *args).result()


def fmt_seconds(seconds: float) -> str:
    """Seconds in a unit a person reads at a glance."""
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1.0:
        return f"{seconds * 1e3:.1f} ms" if seconds < 0.1 else f"{seconds * 1e3:.0f} ms"
    return f"{seconds:.2f} s" if seconds < 100 else f"{seconds:.0f} s"


def fmt_ratio(alternative: float, ours: float) -> str:
    """Time ``alternative / ours`` as ``"12.3x faster"``, or ``"2.0x slower"`` when ours takes longer."""
    if ours <= 0 or alternative <= 0 or not np.isfinite(alternative):
        return "n/a"
    ratio = alternative / ours
    return f"{ratio:.1f}x faster" if ratio >= 1 else f"{1 / ratio:.1f}x slower"


def percentile(values: list[float] | np.ndarray, q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=np.float64), q))


def machine_facts() -> dict[str, Any]:
    """What the numbers depend on: CPU, cores, load, BLAS kernel, library versions."""
    import sklearn

    facts: dict[str, Any] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": _cpu_name(),
        "cores": os.cpu_count(),
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "numpy": np.__version__,
        "scikit-learn": sklearn.__version__,
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        "OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE"),
    }
    try:
        from threadpoolctl import threadpool_info

        facts["blas"] = [
            {k: info.get(k) for k in ("internal_api", "architecture", "num_threads", "version")}
            for info in threadpool_info()
        ]
    except Exception as exc:  # threadpoolctl is optional; the table still stands without it
        facts["blas"] = f"unknown ({exc})"
    return facts


KERNEL_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def blas_kernel() -> str:
    """The BLAS kernel this process multiplies with, and whether the environment forced it.

    OpenBLAS picks a kernel for the CPU unless ``OPENBLAS_CORETYPE`` names one; the training rows move
    by more than 1.5x between kernels, so every figure is labelled with the one that produced it.
    """
    try:
        from threadpoolctl import threadpool_info

        kernels = sorted(
            {
                f"{i.get('internal_api')} {i.get('architecture')}"
                for i in threadpool_info()
                if i["user_api"] == "blas"
            }
        )
    except Exception:  # threadpoolctl is a dependency of scikit-learn, but the row must not fail on it
        kernels = []
    name = ", ".join(kernels) or "unknown BLAS"
    forced = os.environ.get("OPENBLAS_CORETYPE")
    return f"{name} (forced by OPENBLAS_CORETYPE={forced})" if forced else f"{name} (its own choice)"


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"
