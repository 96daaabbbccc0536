"""The launcher entry: its files agree with each other and with the app, they validate, and the
installer puts them where freedesktop desktops look (and takes them away again)."""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from app.launcher import desktop_entry
from app.launcher.desktop_entry import APP_ID, ICON_SIZES

REPO = Path(__file__).resolve().parents[1]
LINUX = REPO / "assets" / "linux"
DESKTOP = LINUX / f"{APP_ID}.desktop"
METAINFO = LINUX / f"{APP_ID}.metainfo.xml"
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def desktop_keys(path: Path) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive
    parser.read_string(path.read_text(encoding="utf-8"))
    return dict(parser["Desktop Entry"])


# ------------------------------------------------------------------------------------------ the files


def test_the_desktop_file_names_the_app_its_icon_and_command():
    keys = desktop_keys(DESKTOP)
    assert keys["Type"] == "Application" and keys["Name"] == "Digit Canvas"
    assert keys["Icon"] == APP_ID
    command = "digit-canvas"
    assert command in PROJECT["gui-scripts"]
    assert keys["Exec"] == f"{command} %f" and keys["TryExec"] == command
    assert keys["Terminal"] == "false"
    # Every picture format the app opens (README) is offered to the file manager's "Open with".
    for mime in ("image/png", "image/jpeg", "image/bmp", "image/gif", "image/tiff", "image/webp"):
        assert mime in keys["MimeType"].split(";")


def test_the_metainfo_agrees_with_the_desktop_file_and_the_project():
    root = ET.parse(METAINFO).getroot()
    assert root.tag == "component" and root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.find("launchable").text == DESKTOP.name
    assert root.findtext("name") == desktop_keys(DESKTOP)["Name"]
    assert root.findtext("project_license") == PROJECT["license"]["text"]
    assert root.find("provides/binary").text == "digit-canvas"
    versions = [release.get("version") for release in root.iter("release")]
    assert versions and versions[0] == PROJECT["version"]  # the newest release is this version


def test_the_window_tells_the_desktop_its_entry():
    """On Wayland the compositor finds the entry (and its icon) by the name the app gives Qt."""
    calls = [
        match[1]
        for path in (REPO / "app").rglob("*.py")
        for match in re.finditer(r'setDesktopFileName\("([^"]+)"\)', path.read_text(encoding="utf-8"))
    ]
    assert calls == [APP_ID]


@pytest.mark.skipif(shutil.which("appstreamcli") is None, reason="appstreamcli (Debian: appstream) missing")
def test_appstreamcli_accepts_the_metainfo():
    result = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(METAINFO)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(
    shutil.which("desktop-file-validate") is None, reason="desktop-file-validate (desktop-file-utils) missing"
)
@pytest.mark.parametrize("installed", [False, True])
def test_desktop_file_validate_accepts_the_entry(tmp_path, installed):
    path = desktop_entry.install(tmp_path)[0] if installed else DESKTOP
    result = subprocess.run(["desktop-file-validate", str(path)], capture_output=True, text=True)
    assert result.returncode == 0 and "error" not in result.stdout, result.stdout


RASTER_LEVELS = 2  # of 255: how far one processor's antialiasing may round from another's


@pytest.mark.gui
def test_the_icon_files_are_the_windows_icon(qapp, tmp_path):
    """The committed PNGs and SVG are what app.testing.make_icons draws from app.widgets.icons today.

    Qt's raster engine rounds antialiased edges a little differently on different processors (its
    SIMD paths: a machine with AVX-512 drew 8 edge pixels of the 128 px icon one level apart), so a
    pixel may differ by a couple of levels; a stale icon differs by far more.
    """
    import numpy as np
    from PySide6.QtGui import QImage

    from app.testing import make_icons

    def channels(image: QImage) -> np.ndarray:
        image = image.convertToFormat(QImage.Format.Format_ARGB32)
        rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
        return rows[:, : 4 * image.width()].astype(np.int16)

    for size in ICON_SIZES:
        committed = QImage(str(REPO / "assets" / "icons" / f"digit-canvas-{size}.png"))
        drawn = make_icons.render_png(size)
        assert committed.size() == drawn.size()
        difference = np.abs(channels(committed) - channels(drawn))
        assert difference.max() <= RASTER_LEVELS, (
            f"{size}px icon is stale: {(difference > RASTER_LEVELS).sum()} channel values differ by up to "
            f"{difference.max()} levels; run python -m app.testing.make_icons"
        )
    svg = tmp_path / "icon.svg"
    make_icons.write_svg(svg)
    assert svg.read_text() == (REPO / "assets" / "icons" / "digit-canvas.svg").read_text()


# ------------------------------------------------------------------------------------------ installer


def expected_files(data: Path) -> set[Path]:
    icons = data / "icons" / "hicolor"
    return {
        data / "applications" / f"{APP_ID}.desktop",
        data / "metainfo" / f"{APP_ID}.metainfo.xml",
        icons / "scalable" / "apps" / f"{APP_ID}.svg",
        *(icons / f"{n}x{n}" / "apps" / f"{APP_ID}.png" for n in ICON_SIZES),
    }


def our_files(data: Path) -> set[Path]:
    return {p for p in data.rglob("*") if p.is_file() and APP_ID in p.name}


def test_install_puts_each_file_where_desktops_look_and_uninstall_removes_them(tmp_path, monkeypatch):
    data = tmp_path / "xdg-data"
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    other = data / "applications" / "someone-else.desktop"
    other.parent.mkdir(parents=True)
    other.write_text("[Desktop Entry]\nType=Application\nName=Other\nExec=other\n")

    written = desktop_entry.install(command=["/opt/digit canvas/digit-canvas"])
    assert set(written) == expected_files(data) == our_files(data)
    for size in ICON_SIZES:
        installed = data / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        assert installed.read_bytes() == (REPO / "assets" / "icons" / f"digit-canvas-{size}.png").read_bytes()
    keys = desktop_keys(data / "applications" / f"{APP_ID}.desktop")
    assert keys["Exec"] == '"/opt/digit canvas/digit-canvas" %f'
    assert keys["TryExec"] == "/opt/digit canvas/digit-canvas"
    assert keys["Icon"] == APP_ID

    assert set(desktop_entry.install(command=["/x/digit-canvas"])) == expected_files(data)  # again: same
    assert set(desktop_entry.uninstall()) == expected_files(data)
    assert our_files(data) == set()
    assert other.is_file()  # nothing but its own files
    assert desktop_entry.uninstall() == []


@pytest.mark.parametrize("value", [None, "", "relative/share"])
def test_without_an_absolute_xdg_data_home_it_is_home_local_share(tmp_path, monkeypatch, value):
    monkeypatch.setenv("HOME", str(tmp_path))
    if value is None:
        monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_DATA_HOME", value)
    assert desktop_entry.data_home() == tmp_path / ".local" / "share"


@pytest.mark.parametrize(
    ("argument", "written"),
    [
        ("/usr/bin/digit-canvas", "/usr/bin/digit-canvas"),
        ("/home/ada/my apps/digit-canvas", '"/home/ada/my apps/digit-canvas"'),
        ('/opt/$HOME/100%/a"b', '"/opt/\\$HOME/100%%/a\\"b"'),
        ("-m", "-m"),
    ],
)
def test_exec_arguments_are_quoted_as_the_desktop_entry_spec_says(argument, written):
    assert desktop_entry.exec_quote(argument) == written


def test_the_command_installs_an_entry_that_starts_this_same_app(tmp_path):
    """Run as ``python -m app.launcher``, the entry starts the venv's ``digit-canvas`` beside that python
    (the venv's python itself is never resolved to the interpreter it links to)."""
    data = tmp_path / "share"
    env = {**os.environ, "XDG_DATA_HOME": str(data)}
    command = [sys.executable, "-m", "app.launcher"]
    script = shutil.which("digit-canvas", path=os.path.dirname(os.path.abspath(sys.executable)))
    expected = [script] if script else [os.path.abspath(sys.executable), "-m", "app.launcher"]
    result = subprocess.run(
        [*command, "--install-desktop-entry"], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert our_files(data) == expected_files(data)
    exec_line = desktop_keys(data / "applications" / f"{APP_ID}.desktop")["Exec"]
    assert exec_line == " ".join(desktop_entry.exec_quote(part) for part in expected) + " %f"
    started = subprocess.run([*expected, "--version"], env=env, capture_output=True, text=True)
    assert started.returncode == 0 and started.stdout.startswith("digit-canvas ")
    result = subprocess.run(
        [*command, "--uninstall-desktop-entry"], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0 and "removed 9" in result.stdout
    assert our_files(data) == set()
