"""The ``digit-canvas`` command: --version and --help without Qt, --self-test, and the rest to the app."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from importlib.metadata import version
from pathlib import Path

import pytest

import app.main
from app.launcher import command_line

REPO = Path(__file__).resolve().parents[1]


def _run(*args: str, code: str | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, *(["-c", textwrap.dedent(code)] if code else ["-m", "app.launcher", *args])]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)


def test_version_and_help_answer_without_importing_qt_or_numpy():
    """Nothing of the app but the command itself is loaded: not numpy, Qt, the model or the window."""
    result = _run(
        code="""
            import sys
            from app.launcher.command_line import main
            codes = [main(['--version']), main(['--help'])]
            own = ('app', 'app.launcher', 'app.launcher.command_line')
            loaded = sorted(
                m for m in sys.modules
                if m.split('.')[0] in ('PySide6', 'shiboken6', 'numpy', 'model', 'training')
                or (m.split('.')[0] == 'app' and m not in own)
            )
            print('CODES', codes, 'LOADED', loaded)
        """
    )
    assert result.returncode == 0, result.stderr
    assert f"digit-canvas {version('digit-canvas')}" in result.stdout
    assert "--self-test" in result.stdout and "IMAGE" in result.stdout
    usage = result.stdout.split("usage: ", 1)[1].split("\n\n", 1)[0]  # every option is in the usage line
    for option in ("--self-test", "--install-desktop-entry", "--uninstall-desktop-entry"):
        assert option in usage, usage
    assert "CODES [0, 0] LOADED []" in result.stdout


def test_python_m_app_answers_version_too():
    result = subprocess.run(
        [sys.executable, "-m", "app", "--version"], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and result.stdout.strip() == f"digit-canvas {version('digit-canvas')}"


@pytest.mark.parametrize(
    "args",
    [
        ["picture.png"],
        ["-platform", "offscreen", "picture.png"],
        ["picture.png", "-style", "fusion", "-reverse"],
        [],
    ],
)
def test_a_picture_and_qt_options_reach_the_window_unchanged(monkeypatch, args):
    seen = []
    monkeypatch.setattr(app.main, "main", lambda argv: seen.append(list(argv)) or 0)
    assert command_line.main(args) == 0
    assert seen == [args]


def test_own_options_are_taken_out_and_the_rest_kept_in_order(monkeypatch):
    seen = []
    monkeypatch.setattr(
        "app.testing.self_test.run_self_test", lambda qt_args: seen.append(list(qt_args)) or 7
    )
    assert command_line.main(["-platform", "offscreen", "--self-test", "-style", "fusion"]) == 7
    assert seen == [["-platform", "offscreen", "-style", "fusion"]]


def test_an_unknown_option_is_left_to_qt_not_refused(monkeypatch):
    seen = []
    monkeypatch.setattr(app.main, "main", lambda argv: seen.append(list(argv)) or 0)
    assert command_line.main(["--help-me-not", "-h"]) == 0  # -h answers; nothing opens
    assert seen == []
    assert command_line.main(["--versions"]) == 0  # not a prefix of --version (no abbreviations)
    assert seen == [["--versions"]]


@pytest.mark.gui
def test_self_test_reads_its_digits_and_exits_0():
    result = _run("--self-test")
    assert result.returncode == 0, result.stderr
    assert "self-test passed" in result.stdout


@pytest.mark.gui
def test_self_test_fails_with_one_line_when_a_digit_is_misread():
    result = _run(
        code="""
            import sys
            import app.testing.self_test as check
            check.DIGITS['8'] = check.DIGITS.pop('1')  # a 1 drawn, an 8 expected
            sys.exit(check.run_self_test([]))
        """
    )
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if "self-test" in line]
    assert lines == ["digit-canvas self-test failed: the 8 drawn on the canvas was read as '1'"]


@pytest.mark.gui
def test_self_test_fails_with_one_line_when_the_plots_cannot_be_drawn():
    """A bundle that left pyqtgraph out fails its smoke test, not the first person to open a plot."""
    result = _run(
        code="""
            import sys
            sys.modules['pyqtgraph'] = None  # as if it were not installed
            from app.testing.self_test import run_self_test
            sys.exit(run_self_test([]))
        """
    )
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if "self-test" in line]
    assert len(lines) == 1 and "pyqtgraph" in lines[0], result.stderr


@pytest.mark.gui
def test_self_test_uses_a_temporary_data_folder_and_restores_the_environment(isolated_home):
    result = _run(
        code="""
            import os, sys
            from app.testing.self_test import run_self_test
            status = run_self_test([])
            print('HOME', os.environ.get('DIGIT_CANVAS_HOME'))
            sys.exit(status)
        """
    )
    assert result.returncode == 0, result.stderr
    assert f"HOME {isolated_home}" in result.stdout
    assert list(isolated_home.iterdir()) == []  # nothing written into the person's folder
