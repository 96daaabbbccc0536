"""Brush width, chosen model and window geometry survive a restart; a damaged settings file does not
stop the app, it only brings back the defaults."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from PySide6.QtCore import QSettings
from windows import new_window

from app.widgets.canvas import DEFAULT_BRUSH
from app.window.main_window import MainWindow
from app.window.settings import BRUSH_KEY, GEOMETRY_KEY, KIND_KEY, AppSettings, settings_path

pytestmark = pytest.mark.gui

DEFAULT_SIZE = (1000, 680)


def assert_defaults(win: MainWindow) -> None:
    assert win.brush_width.value() == round(DEFAULT_BRUSH)
    assert win.canvas.brush_width() == DEFAULT_BRUSH
    assert win.model_kind() == "ovr" and win.model_selector.currentData() == "ovr"
    assert (win.width(), win.height()) == DEFAULT_SIZE
    assert win.banner.text() == ""


def test_settings_persist_across_restarts(qtbot, isolated_home) -> None:
    first = new_window(qtbot)
    assert_defaults(first)
    first.brush_width.setValue(31)
    first.action("model:binary").trigger()
    first.resize(700, 600)  # fits the 800x800 offscreen screen and the minimum size
    first.close()
    assert settings_path() == isolated_home / "settings.ini" and settings_path().is_file()

    second = new_window(qtbot)
    assert second.brush_width.value() == 31 and second.canvas.brush_width() == 31.0
    assert second.model_kind() == "binary"
    assert second.model_selector.currentData() == "binary" and second.action("model:binary").isChecked()
    assert second.bars.classes() == [0, 1]
    assert (second.width(), second.height()) == (700, 600)


def test_changes_are_written_at_once_not_only_on_close(qtbot) -> None:
    win = new_window(qtbot)
    win.brush_width.setValue(9)
    win.model_selector.setCurrentIndex(win.model_selector.findData("binary"))
    stored = QSettings(str(settings_path()), QSettings.Format.IniFormat)  # what a crash would leave
    assert int(stored.value(BRUSH_KEY)) == 9
    assert stored.value(KIND_KEY) == "binary"


def test_an_explicit_model_kind_wins_over_the_saved_one(qtbot) -> None:
    AppSettings().set_model_kind("binary")
    assert new_window(qtbot, kind="ovr").model_kind() == "ovr"


CORRUPT = {
    "random bytes": bytes(range(256)) * 12,
    "empty": b"",
    "wrong types": (
        b"[canvas]\nbrush_width=banana\n[model]\nkind=cnn\n[window]\ngeometry=@ByteArray(garbage)\n"
    ),
    "out of range": b'[canvas]\nbrush_width=-5\n[model]\nkind="binary "\n[window]\ngeometry=1000x680\n',
    "not finite": b"[canvas]\nbrush_width=1e999\n[model]\nkind=@Variant(\\0\\0\\0\\x7f)\n",
    "lists": b"[canvas]\nbrush_width=3, 4\n[model]\nkind=ovr, binary\n[window]\ngeometry=@Invalid()\n",
    "half written": b"[canvas]\nbrush_wi",
    # Qt's own header, then truncated: restoreGeometry() accepts it and would leave a 1x1 window
    "truncated geometry": b"[window]\ngeometry=@ByteArray(\\x1\\xd9\\xd0\\xcb\\0\\x3\\0\\0\\xff\\xff)\n",
}


@pytest.mark.parametrize("case", list(CORRUPT))
def test_a_corrupt_settings_file_falls_back_to_the_defaults(qtbot, case) -> None:
    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_bytes(CORRUPT[case])
    win = new_window(qtbot)
    assert_defaults(win)
    # and the file works again: a change made now is there after a restart
    win.brush_width.setValue(24)
    win.action("model:binary").trigger()
    win.close()
    again = new_window(qtbot)
    assert again.brush_width.value() == 24 and again.model_kind() == "binary"
    keys = set(QSettings(str(settings_path()), QSettings.Format.IniFormat).allKeys())
    assert keys <= {BRUSH_KEY, KIND_KEY, GEOMETRY_KEY}, keys  # junk was not carried along


def test_a_settings_file_that_cannot_be_written_is_not_an_error(qtbot) -> None:
    settings_path().mkdir(parents=True)  # a folder where the file should be: unreadable and unwritable
    win = new_window(qtbot)
    assert_defaults(win)
    win.brush_width.setValue(12)
    win.action("model:binary").trigger()
    win.close()
    assert settings_path().is_dir() and not list(settings_path().iterdir())  # left as it was
    assert new_window(qtbot).canvas.is_empty()  # and the next start works too


def test_readers_validate_every_value() -> None:
    settings = AppSettings()
    qs = QSettings(str(settings.path), QSettings.Format.IniFormat)
    for value, expected in (
        (7, 7),
        ("7", 7),
        (7.6, 8),
        (True, 16),
        (0, 16),
        (61, 16),
        ("nan", 16),
        ([1], 16),
    ):
        qs.setValue(BRUSH_KEY, value)
        qs.sync()
        assert AppSettings().brush_width() == expected, value
    for value in ("", "OVR", 3, None):
        qs.setValue(KIND_KEY, value)
        qs.sync()
        assert AppSettings().model_kind() == "ovr", value
    qs.setValue(GEOMETRY_KEY, "not bytes")
    qs.sync()
    assert AppSettings().geometry() is None


_START = """
import os, time
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtWidgets import QApplication
app = QApplication([])
start = time.perf_counter()
from app.window.settings import AppSettings
settings = AppSettings()
print(settings.brush_width(), round(time.perf_counter() - start, 3))
"""


@pytest.mark.parametrize("case", ["fifo", "200 MB"])
def test_break_13_a_settings_file_that_is_a_fifo_or_huge_is_set_aside_unread(isolated_home, case) -> None:
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    if case == "fifo":
        os.mkfifo(path)
    else:
        with open(path, "wb") as fh:
            fh.write(b"[canvas]\nbrush_width=31\n")
            fh.truncate(200 * 2**20)
    env = {**os.environ, "DIGIT_CANVAS_HOME": str(isolated_home)}
    out = subprocess.run([sys.executable, "-c", _START], env=env, capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    width, seconds = out.stdout.split()
    assert int(width) == round(DEFAULT_BRUSH) and float(seconds) < 1.0
    assert path.with_name("settings.ini.bad").exists()  # kept for the person to look at
    assert not path.exists() or path.is_file()
