"""The launcher entry on freedesktop desktops (Linux, BSD): install it for the current user, or remove it.

``digit-canvas --install-desktop-entry`` copies the ``.desktop`` file, the icon at each size and the
AppStream metainfo from ``assets`` into the user's data folder (``$XDG_DATA_HOME``, else
``~/.local/share``), with the desktop file's ``Exec`` pointing at the command that ran it: the
bundle's executable, the venv's ``digit-canvas`` or ``python -m app.launcher``, so the menu entry starts
the same app wherever it was installed. ``--uninstall-desktop-entry`` removes exactly those files.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

APP_ID = "io.github.digitcanvas.DigitCanvas"  # the desktop file's name, its icon's and the AppStream id
ICON_SIZES = (16, 32, 48, 64, 128, 256)
ICON_FILE = "digit-canvas"  # assets/icons/digit-canvas-<size>.png and digit-canvas.svg
COMMAND = "digit-canvas"
EXEC_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")  # characters that need quoting in an Exec value


def assets_dir() -> Path:
    import assets

    return Path(assets.__file__).resolve().parent


def data_home() -> Path:
    """``$XDG_DATA_HOME``, or ``~/.local/share`` when it is unset, empty or relative (as the spec says)."""
    value = os.environ.get("XDG_DATA_HOME", "")
    return Path(value) if value and os.path.isabs(value) else Path.home() / ".local" / "share"


def placements(data: Path) -> dict[Path, Path]:
    """Where each file goes under ``data``, from the file it is copied from."""
    source = assets_dir()
    icons = data / "icons" / "hicolor"
    files = {
        source / "linux" / f"{APP_ID}.desktop": data / "applications" / f"{APP_ID}.desktop",
        source / "linux" / f"{APP_ID}.metainfo.xml": data / "metainfo" / f"{APP_ID}.metainfo.xml",
        source / "icons" / f"{ICON_FILE}.svg": icons / "scalable" / "apps" / f"{APP_ID}.svg",
    }
    for size in ICON_SIZES:
        png = source / "icons" / f"{ICON_FILE}-{size}.png"
        files[png] = icons / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
    return files


def launch_command() -> list[str]:
    """The command that starts this same app: the bundle, the installed script, or this Python."""
    if getattr(sys, "frozen", False):  # a PyInstaller bundle
        return [str(Path(sys.executable).resolve())]
    script = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if script is not None and script.name == COMMAND and script.is_file():
        return [os.path.abspath(script)]
    # A venv's python is a symbolic link that must not be resolved: the link is what makes it the venv's.
    python = os.path.abspath(sys.executable)
    found = shutil.which(COMMAND, path=os.path.dirname(python))
    return [os.path.abspath(found)] if found else [python, "-m", "app.launcher"]


def exec_quote(argument: str) -> str:
    """One argument as the Desktop Entry spec writes it in ``Exec``: quoted if it must be, ``%`` doubled."""
    argument = argument.replace("%", "%%")
    if not EXEC_RESERVED.intersection(argument):
        return argument
    escaped = "".join("\\" + c if c in '"`$\\' else c for c in argument)
    return f'"{escaped}"'


def desktop_file_text(template: str, command: list[str]) -> str:
    """The desktop file with ``Exec`` running ``command`` on the opened file and ``TryExec`` its program."""
    exec_value = " ".join(exec_quote(part) for part in command)
    lines = []
    for line in template.splitlines():
        if line.startswith("Exec="):
            line = f"Exec={exec_value} %f"
        elif line.startswith("TryExec="):
            line = f"TryExec={command[0]}"  # TryExec is a path, unquoted
        lines.append(line)
    return "\n".join(lines) + "\n"


def install(data: Path | None = None, command: list[str] | None = None) -> list[Path]:
    """Copy the entry, icons and metainfo into ``data`` (default :func:`data_home`); the files written."""
    data = data or data_home()
    command = command or launch_command()
    written = []
    for source, target in placements(data).items():
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.suffix == ".desktop":
            text = desktop_file_text(source.read_text(encoding="utf-8"), command)
            temporary = target.with_name(target.name + ".tmp")
            temporary.write_text(text, encoding="utf-8")
            os.replace(temporary, target)  # a desktop watching the folder never reads half a file
        else:
            shutil.copyfile(source, target)
        written.append(target)
    _refresh_caches(data)
    return written


def uninstall(data: Path | None = None) -> list[Path]:
    """Remove the files :func:`install` writes from ``data``; the files removed (none if absent)."""
    data = data or data_home()
    removed = []
    for target in placements(data).values():
        if target.is_file():
            target.unlink()
            removed.append(target)
    _refresh_caches(data)
    return removed


def _refresh_caches(data: Path) -> None:
    """Let the desktop see the change at once where its tool is installed (file associations)."""
    tool = shutil.which("update-desktop-database")
    applications = data / "applications"
    if tool and applications.is_dir():
        subprocess.run([tool, "-q", str(applications)], check=False, capture_output=True, timeout=30)


def main(action: str) -> int:
    """``install`` or ``uninstall``, with one line saying what was done."""
    if sys.platform in ("win32", "darwin"):
        print(f"{COMMAND}: the desktop entry is for freedesktop desktops (Linux, BSD)", file=sys.stderr)
        return 2
    data = data_home()
    if action == "install":
        files = install(data)
        print(f"installed the Digit Canvas launcher entry ({len(files)} files) under {data}")
    else:
        files = uninstall(data)
        print(f"removed {len(files)} Digit Canvas launcher files from {data}")
    return 0
