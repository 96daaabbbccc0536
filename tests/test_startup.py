"""Start-up as a person launches it: ``python -m app`` in a fresh process, up to the first paint.

These tests check *what* happens before the window is first painted, not how long it takes (the
benchmark measures that): the window shows with a model loaded, work it does not need is left until
after the paint, and nothing logged on the way is lost.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from broken_models import plant_user_model

from app.boot.error_reporting import log_file_path
from app.boot.startup import VARIABLE

pytestmark = pytest.mark.gui

# Imported only after the first paint (or when first used): each cost start-up time for nothing.
DEFERRED = (
    "PIL",
    "joblib",
    "logging.handlers",
    "sklearn",
    "scipy",
    "training.samples",
    "model.lbfgs",
    "dataclasses",  # each dataclass compiles its methods when defined: 10 ms for four small records
    "pyqtgraph",  # a few hundred ms; the plots import it (off the GUI thread) when the first one is made
)
# QtGui classes PySide6 builds on first use that the window does not need. QPainter.fillRect's
# overload check builds QGradient (169 preset enum members) even to fill with a plain colour.
DEFERRED_QTGUI_CLASSES = ("QGradient",)


def _launch(code: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, VARIABLE: "1"}
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    command = [sys.executable, "-m", "app"] if code is None else [sys.executable, "-c", code]
    root = Path(__file__).resolve().parents[1]
    return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=timeout)


def test_the_window_reports_its_first_paint_with_a_model_and_exits():
    result = _launch()
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith(VARIABLE)]
    assert len(lines) == 1, result.stdout
    fields = dict(part.split("=", 1) for part in lines[0].split()[1:])
    assert fields["model"] == "ovr"
    assert float(fields["first_paint"]) > 0


def test_work_the_window_does_not_need_waits_until_after_the_first_paint():
    code = (
        "import sys\n"
        "import app.boot.startup as probe\n"
        "report = probe.report_and_quit\n"
        "def check(window):\n"
        f"    print('LOADED', sorted(m for m in {DEFERRED!r} if m in sys.modules))\n"
        f"    built = [c for c in {DEFERRED_QTGUI_CLASSES!r} if c in vars(sys.modules['PySide6.QtGui'])]\n"
        "    print('BUILT', built)\n"
        "    report(window)\n"
        "probe.report_and_quit = check\n"
        "from app.main import main\n"
        "sys.exit(main([]))\n"
    )
    result = _launch(code)
    assert result.returncode == 0, result.stderr
    assert "LOADED []" in result.stdout, result.stdout
    assert "BUILT []" in result.stdout, result.stdout


def test_a_problem_found_while_starting_reaches_the_log_file(isolated_home):
    """The log file opens after the first paint; a broken model found before it is still logged."""
    broken = plant_user_model("ovr", b"\x80\x04 this is not a pickle at all")
    result = _launch()
    assert result.returncode == 0, result.stderr
    log = log_file_path().read_text(encoding="utf-8")
    assert "could not be loaded" in log and broken.name in log, log


def test_garbage_collection_is_paused_until_the_first_paint_then_skips_start_up_objects():
    code = (
        "import gc, sys\n"
        "import app.boot.startup as startup\n"
        "report = startup.report_and_quit\n"
        "def check(window):\n"
        "    print('AT_PAINT', gc.isenabled())\n"
        "    report(window)\n"
        "startup.report_and_quit = check\n"
        "from app.main import main\n"
        "code = main([])\n"
        "print('AFTER', gc.isenabled(), gc.get_freeze_count() > 1000)\n"
        "sys.exit(code)\n"
    )
    result = _launch(code)
    assert result.returncode == 0, result.stderr
    assert "AT_PAINT False" in result.stdout and "AFTER True True" in result.stdout, result.stdout


def test_gc_pause_helpers_restore_what_they_change_and_freeze_what_the_block_made():
    # In a fresh process: freezing here would keep the test session's garbage for good.
    code = (
        "import gc\n"
        "from app.boot import gc_pause\n"
        "frozen = gc.get_freeze_count()\n"
        "assert gc.isenabled()\n"
        "with gc_pause.paused():\n"
        "    assert not gc.isenabled()\n"
        "    made = [[] for _ in range(5000)]\n"
        "assert gc.isenabled()\n"
        "assert gc.get_freeze_count() >= frozen + 5000, 'what the block made is frozen'\n"
        "assert gc.get_count()[0] < 100, 'so no collection over it is due'\n"
        "gc.disable()\n"
        "with gc_pause.paused():\n"
        "    pass\n"
        "assert not gc.isenabled(), 'it was off before, so it stays off'\n"
        "gc.enable()\n"
        "frozen = gc.get_freeze_count()\n"
        "gc_pause.resume()  # already collecting: nothing to do, nothing frozen\n"
        "assert gc.isenabled() and gc.get_freeze_count() == frozen\n"
        "gc_pause.pause()\n"
        "assert not gc.isenabled()\n"
        "gc_pause.resume()\n"
        "assert gc.isenabled()\n"
        "print('OK')\n"
    )
    result = _launch(code)
    assert result.returncode == 0 and "OK" in result.stdout, result.stderr


def test_the_app_keeps_numpy_off_huge_pages():
    """A retrain's arrays must not wait for the kernel to compact memory while the window waits."""
    import numpy as np

    import app.window  # noqa: F401  (importing any Qt part of the app prepares the process)
    from app.boot import numpy_pages

    assert numpy_pages.use_small_pages() is False  # importing the app already switched them off
    switch = np._core.multiarray._set_madvise_hugepage
    assert switch(True) is False and numpy_pages.use_small_pages() is True  # and it does switch


@pytest.mark.parametrize(
    "first", ["app.widgets.canvas", "app.window.assembly", "app.main", "app.boot.startup"]
)
def test_importing_a_qt_part_of_the_app_prepares_the_process_once_numpy_before_qt(first):
    """``import app`` loads nothing; the first Qt part of the app imported loads numpy, then Qt, installs
    the refcount guard, the byte search and small pages, and a second ``prepare()`` does nothing."""
    code = (
        "import sys\n"
        "import app\n"
        "print('BARE', sorted(m for m in ('numpy', 'PySide6', 'model') if m in sys.modules))\n"
        f"import {first}\n"
        "names = list(sys.modules)\n"
        "print('NUMPY_FIRST', names.index('numpy') < names.index('PySide6'))\n"
        "from app.boot import numpy_pages, qt_compat, qt_feature_scan, session\n"
        "print('AGAIN', qt_feature_scan.install(), numpy_pages.use_small_pages())\n"
        "def once_only(*args):\n"
        "    raise AssertionError('prepare() ran twice')\n"
        "qt_compat.install_refcount_guard = qt_feature_scan.install = once_only\n"
        "numpy_pages.use_small_pages = once_only\n"
        "session.prepare()\n"
        "print('OK')\n"
    )
    result = _launch(code)
    assert result.returncode == 0, result.stderr
    assert "BARE []" in result.stdout and "NUMPY_FIRST True" in result.stdout, result.stdout
    assert "AGAIN False False" in result.stdout and "OK" in result.stdout, result.stdout
