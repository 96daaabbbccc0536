"""``digit-canvas [IMAGE] [--version] [--help] [--self-test] [--(un)install-desktop-entry] [Qt options]``.

The app's own options are read here, before Qt is imported; everything else (a picture to open, Qt's
own ``-platform``, ``-style`` and the like) goes to the app unchanged, as it always has.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

PROG = "digit-canvas"
DISTRIBUTION = "digit-canvas"
OWN_OPTIONS = frozenset(
    {"-h", "--help", "--version", "--self-test", "--install-desktop-entry", "--uninstall-desktop-entry"}
)

DESCRIPTION = """\
Draw a digit and watch logistic-regression models trained on MNIST read it live.

IMAGE, if given, is a picture of a digit (PNG, JPEG, BMP, GIF, TIFF, WebP or PNM) put on the canvas.
Qt's own options (-platform NAME, -style NAME, -reverse, ...) are passed to Qt."""


def version() -> str:
    """The installed distribution's version (a bundle carries its metadata)."""
    from importlib.metadata import version as installed_version

    return installed_version(DISTRIBUTION)


def build_parser() -> argparse.ArgumentParser:
    """The parser of the app's own options; argparse is imported only when one of them is given."""
    import argparse

    parser = argparse.ArgumentParser(
        prog=PROG,
        usage=(
            f"{PROG} [-h] [--version] [--self-test] [--install-desktop-entry | --uninstall-desktop-entry] "
            "[IMAGE] [Qt options]"
        ),
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,  # an unknown option is Qt's, never a prefix of ours
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {version()}")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="open the window offscreen, draw digits on it with the mouse and check they are read "
        "right with the bundled models; exit 0 if so, else 1 with one line saying why",
    )
    entry = parser.add_mutually_exclusive_group()
    entry.add_argument(
        "--install-desktop-entry",
        action="store_const",
        const="install",
        dest="desktop_entry",
        help="add Digit Canvas to this user's application menu (Linux: the .desktop file, icons and "
        "AppStream metainfo under $XDG_DATA_HOME, else ~/.local/share), starting this same command",
    )
    entry.add_argument(
        "--uninstall-desktop-entry",
        action="store_const",
        const="uninstall",
        dest="desktop_entry",
        help="remove what --install-desktop-entry added",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Answer ``--version``/``--help``, run ``--self-test``, or open the window with the other arguments."""
    if getattr(sys, "frozen", False):
        # In the bundle, a retrain's child process is this executable started again: this turns it
        # into the child instead of a second window (multiprocessing, with PyInstaller's hook).
        import multiprocessing

        multiprocessing.freeze_support()
    args = list(sys.argv[1:] if argv is None else argv)
    if OWN_OPTIONS.isdisjoint(args):  # a plain start: no argparse on the way to the window
        rest = args
    else:
        try:
            options, rest = build_parser().parse_known_args(args)
        except SystemExit as done:  # --help and --version answer, and exit, from argparse
            return int(done.code or 0)
        if options.desktop_entry:
            from app.launcher import desktop_entry

            return desktop_entry.main(options.desktop_entry)
        if options.self_test:
            from app.testing.self_test import run_self_test

            return run_self_test(rest)
    from app.main import main as open_window

    return open_window(rest)
