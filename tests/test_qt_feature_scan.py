"""PySide6's per-import scan for ``__feature__`` users answers as before, only faster."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from app.boot import qt_feature_scan
from app.boot.session import prepare

prepare()  # installs the byte search, as the app does when it starts (and any Qt part of it on import)


def test_importing_the_app_installs_the_byte_search_once():
    feature = sys.modules[qt_feature_scan.SCANNER]
    assert feature._mod_uses_pyside.__wrapped__ is not None  # PySide6's own scan, kept for the rest
    assert qt_feature_scan.install() is False  # already there: not wrapped twice


def test_it_gives_the_same_answer_as_reading_the_source():
    import gc
    import json

    import app.widgets.canvas
    import app.window.main_window
    import model.store

    scan = sys.modules[qt_feature_scan.SCANNER]._mod_uses_pyside
    for module in (app.window.main_window, app.widgets.canvas, model.store, json, gc, sys, qt_feature_scan):
        assert scan(module) == scan.__wrapped__(module), module.__name__
    assert scan(app.window.main_window) and not scan(json) and not scan(gc)


def test_a_module_that_opts_into_snake_case_gets_it_as_without_the_app(tmp_path):
    # In fresh processes: a feature switched on must not leak into this test session.
    (tmp_path / "snakey.py").write_text(
        textwrap.dedent(
            """
            from __feature__ import snake_case  # noqa
            from PySide6.QtCore import QObject

            def name_of(obj):
                return obj.object_name()
            """
        )
    )

    def run(first_import: str) -> list[str]:
        code = textwrap.dedent(
            f"""
            import sys
            {first_import}
            sys.path.insert(0, {str(tmp_path)!r})
            import snakey
            from PySide6.QtCore import QObject
            obj = QObject()
            obj.setObjectName("pen")
            print(snakey.name_of(obj), hasattr(obj, "object_name"), hasattr(obj, "objectName"))
            """
        )
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        return result.stdout.split()

    with_app = run("import app.widgets")  # a Qt part of the app: its import prepares the process
    assert with_app[0] == "pen"  # snake_case names work inside the module that asked for them
    assert with_app == run("import PySide6.QtCore")  # and everything is as PySide6 alone does it
