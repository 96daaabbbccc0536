"""Row 4: start-up, launching the app until its first painted window with a model loaded.

The app's side is its hook: with ``DIGIT_CANVAS_STARTUP_PROBE=1`` it prints one line

    DIGIT_CANVAS_STARTUP_PROBE first_paint=<time.time() with 6 decimals> model=<kind>

to stdout (flushed) right after the main window's first paint event has been handled with a model
loaded, then quits with exit status 0. ``benchmarks/bare_window.py`` prints the same line for a bare
PySide6 window with one label, the floor that Qt itself costs, and with ``--numpy`` for the same
window after importing numpy (reported for reference). The time is the printed wall clock minus the
wall clock just before the launch, so pipe latency and shutdown are not counted.
"""

from __future__ import annotations

import contextlib
import os
import random
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchmarks.common import REPO_ROOT, Options, Row, fmt_seconds

PROBE = "DIGIT_CANVAS_STARTUP_PROBE"
TIMEOUT = 60.0


def app_command() -> list[str]:
    """How a person's ``digit-canvas`` starts: ``python -m app`` runs the same ``main()``."""
    return [sys.executable, "-m", "app"]


def launch(command: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Launch once; seconds from launch to the reported first paint, and to the process's exit."""
    start = time.time()
    proc = subprocess.run(
        command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )
    exited = time.time() - start
    for line in proc.stdout.splitlines():
        if line.startswith(PROBE):
            fields = dict(part.split("=", 1) for part in line.split()[1:] if "=" in part)
            if "first_paint" in fields:
                return {
                    "first_paint_s": float(fields["first_paint"]) - start,
                    "exit_s": exited,
                    "model": fields.get("model"),
                    "returncode": proc.returncode,
                }
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
    raise RuntimeError(f"{command[-1]} printed no {PROBE} line (exit {proc.returncode}): {' | '.join(tail)}")


@contextlib.contextmanager
def x11_display() -> Iterator[str | None]:
    """A real X11 display for the launches: ``$DISPLAY`` if set, else a private Xvfb if one is
    installed (stopped afterwards), else ``None``."""
    if os.environ.get("DISPLAY"):
        yield os.environ["DISPLAY"]
        return
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        yield None
        return
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        [xvfb, "-displayfd", str(write_fd), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    try:
        with os.fdopen(read_fd) as pipe:  # Xvfb writes its display number here once it is ready
            ready, _, _ = select.select([pipe], [], [], 15.0)
            number = pipe.readline().strip() if ready else ""
        yield f":{number}" if number else None
    finally:
        server.terminate()
        server.wait(timeout=15)


def launch_alternately(
    programs: dict[str, tuple[list[str], dict[str, str]]], repeats: int
) -> dict[str, list[dict[str, Any]]]:
    """Each program's launches (command, environment): a warm-up each, then ``repeats`` rounds.

    The warm-up fills the file and bytecode caches; each round runs every program once in a shuffled
    order, so no program always follows another and slow spells of the machine hit all of them.
    """
    for command, env in programs.values():
        launch(command, env)
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in programs}
    order = random.Random(0)
    for _ in range(repeats):
        for name in order.sample(list(programs), len(programs)):
            runs[name].append(launch(*programs[name]))
    return runs


def _measure(platform: str, display: str | None, repeats: int) -> dict[str, Any]:
    """Launch the app, the bare window and the bare window with numpy alternately on ``platform``."""
    bare_cmd = [sys.executable, str(Path(__file__).with_name("bare_window.py"))]
    commands = {"app": app_command(), "bare": bare_cmd, "bare_numpy": [*bare_cmd, "--numpy"]}
    with (
        tempfile.TemporaryDirectory(prefix="digit-canvas-home-") as home,
        tempfile.TemporaryDirectory(prefix="digit-canvas-pycache-") as pycache,
    ):
        env = {**os.environ, PROBE: "1", "DIGIT_CANVAS_HOME": home, "QT_QPA_PLATFORM": platform}
        if display is not None:
            env["DISPLAY"] = display
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
        # An installed app runs from compiled bytecode (pip compiles it). A checkout under
        # PYTHONDONTWRITEBYTECODE would compile every module at every launch, so both programs get
        # a private bytecode cache, filled by the warm-up launch.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = pycache
        runs = launch_alternately({name: (command, env) for name, command in commands.items()}, repeats)
    medians = {name: statistics.median(r["first_paint_s"] for r in found) for name, found in runs.items()}
    # Each round's app launch over the same round's bare launch: slow spells of the machine hit both.
    pairs = zip(runs["app"], runs["bare"], strict=True)
    per_round = [app["first_paint_s"] / bare["first_paint_s"] for app, bare in pairs]
    return {
        "platform": platform,
        "display": display,
        "medians": medians,
        "per_round_ratio_median": statistics.median(per_round),
        "runs": runs,
    }


def bench_startup(opts: Options) -> Row:
    """Median start-up of the app and of a bare PySide6 window, measured alternately.

    A person's window is a real one, so when an X11 display can be had (``$DISPLAY`` or a private
    Xvfb) the launches run on it (``xcb``) and the offscreen platform is reported beside it;
    otherwise, and in ``--quick`` runs, offscreen only. ``QT_QPA_PLATFORM`` set in the environment
    chooses the one platform to measure.
    """
    title = "4. Start-up to first painted window"
    # A launch takes a quarter of a second and a shared machine's noise is large (medians of 15 launches
    # moved by 0.1x between runs): 5x the usual repeats.
    repeats = 1 if opts.quick else 5 * opts.repeats
    chosen = os.environ.get("QT_QPA_PLATFORM")
    display_wanted = not opts.quick and chosen in (None, "xcb")
    measured: list[dict[str, Any]] = []
    with x11_display() if display_wanted else contextlib.nullcontext() as display:
        platforms = [chosen] if chosen else (["xcb", "offscreen"] if display else ["offscreen"])
        try:
            for platform in platforms:
                measured.append(_measure(platform, display, repeats))
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            return Row(id="startup", title=title, status="failed", notes=str(exc)[:300], data=measured)
    main = measured[0]
    app_s, bare_s, numpy_s = (main["medians"][n] for n in ("app", "bare", "bare_numpy"))
    ratio = app_s / bare_s
    where = main["platform"] + (f" on display {main['display']}" if main["platform"] == "xcb" else "")
    others = "; ".join(
        f"with QT_QPA_PLATFORM={m['platform']}: app {fmt_seconds(m['medians']['app'])}, bare "
        f"{fmt_seconds(m['medians']['bare'])}, {m['medians']['app'] / m['medians']['bare']:.2f}x"
        for m in measured[1:]
    )
    return Row(
        id="startup",
        title=title,
        ours=f"median {fmt_seconds(app_s)} (model {main['runs']['app'][0]['model']})",
        alternative=f"median {fmt_seconds(bare_s)} (bare PySide6 QLabel)",
        ratio=f"{ratio:.2f}x the bare window; target < 2x {'met' if ratio < 2 else 'MISSED'}",
        notes=(
            f"{repeats} launches each, in shuffled rounds, QT_QPA_PLATFORM={where}; the median of the "
            f"rounds' own app/bare ratios is {main['per_round_ratio_median']:.2f}x; "
            f"fresh DIGIT_CANVAS_HOME (bundled model), bytecode compiled by a warm-up launch; "
            f"first paint reported by the app's {PROBE} hook; for reference, the bare window after "
            f"importing numpy: median {fmt_seconds(numpy_s)} ({numpy_s / bare_s:.2f}x the bare window; "
            f"the app is {app_s / numpy_s:.2f}x that)" + (f"; {others}" if others else "")
        ),
        data={
            "app_median_s": app_s,
            "bare_median_s": bare_s,
            "bare_numpy_median_s": numpy_s,
            "ratio": ratio,
            "platform": main["platform"],
            "command": app_command(),
            "measured": measured,
        },
    )
