"""Unexpected exceptions are logged and shown in a dialog; the app keeps running."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget

from app.boot.error_reporting import ErrorReporter, log_file_path

pytestmark = pytest.mark.gui


@pytest.fixture
def reporter(qtbot):
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    rep = ErrorReporter(window).install()
    yield rep
    rep.uninstall()


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_slot_is_logged_and_shown(qtbot, reporter):
    def broken_slot():
        raise RuntimeError("the brush fell off")

    with qtbot.waitSignal(reporter.errorReported, timeout=2000) as blocker:
        QTimer.singleShot(0, broken_slot)
    assert "RuntimeError: the brush fell off" in blocker.args[0]
    qtbot.waitUntil(lambda: reporter.dialog is not None and reporter.dialog.isVisible(), timeout=2000)
    dialog = reporter.dialog
    assert "keeps running" in dialog.text()
    assert "broken_slot" in dialog.detailedText()
    log = log_file_path().read_text(encoding="utf-8")
    assert "RuntimeError: the brush fell off" in log and "Traceback" in log
    # the event loop is still alive: timers still fire
    fired = []
    QTimer.singleShot(0, lambda: fired.append(True))
    qtbot.waitUntil(lambda: fired == [True], timeout=1000)


@pytest.mark.qt_no_exception_capture
def test_a_burst_of_errors_shows_one_dialog(qtbot, reporter):
    def broken():
        raise ValueError("again")

    for _ in range(5):
        QTimer.singleShot(0, broken)
    qtbot.waitUntil(
        lambda: reporter.dialog is not None and "4 more error" in reporter.dialog.informativeText()
    )
    assert log_file_path().read_text(encoding="utf-8").count("ValueError: again") == 5


def test_an_exception_in_a_thread_is_reported_on_the_gui_thread(qtbot, reporter):
    def work():
        raise OSError("disk unplugged")

    with qtbot.waitSignal(reporter.errorReported, timeout=2000):
        t = threading.Thread(target=work)
        t.start()
        t.join()
    qtbot.waitUntil(lambda: reporter.dialog is not None, timeout=2000)
    assert "OSError: disk unplugged" in reporter.dialog.informativeText()
