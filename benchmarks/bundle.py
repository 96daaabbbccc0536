"""Row 8: the standalone bundle, its size on disk and its start-up against the pip-installed app.

The bundle is the one ``python app/bundle/build_bundle.py`` leaves in ``dist/`` (the row is skipped,
saying so, when there is none: building it takes a minute and downloads the locked wheels). Both
programs are launched alternately in shuffled rounds, after a warm-up launch each
(:func:`benchmarks.startup.launch_alternately`), with the same
``DIGIT_CANVAS_STARTUP_PROBE`` hook the start-up row uses, on a fresh data folder; the bundle without
any ``PYTHON*`` variable, as on a machine without Python.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.common import REPO_ROOT, Options, Row, fmt_seconds
from benchmarks.startup import PROBE, launch_alternately

TITLE = "8. Standalone bundle: size and start-up"
BUILD = "python app/bundle/build_bundle.py"


def _build_script() -> Any:
    from app.bundle import build_bundle  # imports nothing but the standard library

    return build_bundle


def pip_command() -> list[str]:
    """The pip-installed ``digit-canvas`` beside this Python, else ``python -m app.launcher`` (the same)."""
    python = os.path.abspath(sys.executable)
    found = shutil.which("digit-canvas", path=os.path.dirname(python))
    return [found] if found else [python, "-m", "app.launcher"]


def _spread(values: list[float]) -> str:
    low, high = fmt_seconds(min(values)), fmt_seconds(max(values))
    return f"median {fmt_seconds(statistics.median(values))} ({low}-{high})"


def bench_bundle(opts: Options, dist: Path | None = None) -> Row:
    """Size of ``dist/digit-canvas`` and start-up of its executable against the pip-installed app."""
    build = _build_script()
    exe = build.executable(dist or REPO_ROOT / "dist")
    if not exe.is_file():
        notes = f"no bundle at {exe}: build with {BUILD}"
        return Row(id="bundle", title=TITLE, status="skipped", notes=notes)
    size = build.folder_size(exe.parent)
    built = datetime.fromtimestamp(exe.stat().st_mtime, UTC).isoformat(timespec="minutes")
    repeats = 1 if opts.quick else 3 * opts.repeats
    platform = os.environ.get("QT_QPA_PLATFORM") or "offscreen"
    with tempfile.TemporaryDirectory(prefix="digit-canvas-home-") as home:
        base = {**os.environ, PROBE: "1", "DIGIT_CANVAS_HOME": home, "QT_QPA_PLATFORM": platform}
        envs = {
            "bundle": {k: v for k, v in base.items() if not k.startswith("PYTHON") and k != "VIRTUAL_ENV"},
            "pip": base,
        }
        commands = {"bundle": [str(exe)], "pip": pip_command()}
        launches = launch_alternately({name: (commands[name], envs[name]) for name in commands}, repeats)
    runs = {name: [one["first_paint_s"] for one in found] for name, found in launches.items()}
    bundle_s, pip_s = statistics.median(runs["bundle"]), statistics.median(runs["pip"])
    return Row(
        id="bundle",
        title=TITLE,
        ours=f"{size / 2**20:.0f} MiB on disk; start-up {_spread(runs['bundle'])}",
        alternative=f"pip-installed `{Path(commands['pip'][0]).name}`: start-up {_spread(runs['pip'])}",
        ratio=f"{bundle_s / pip_s:.2f}x the pip-installed app's start-up",
        notes=(
            f"{repeats} launches each, in shuffled rounds after a warm-up, QT_QPA_PLATFORM={platform}, "
            f"to the first paint with a model loaded ({PROBE}); fresh DIGIT_CANVAS_HOME; the bundle "
            f"{exe.parent} built {built} by {BUILD}, run without PYTHON* variables"
        ),
        data={
            "size_bytes": size,
            "bundle_median_s": bundle_s,
            "pip_median_s": pip_s,
            "ratio": bundle_s / pip_s,
            "runs": runs,
            "commands": commands,
            "platform": platform,
        },
    )
