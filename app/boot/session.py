"""What the app's process needs before any of its Qt code runs, done once: :func:`prepare`.

Every part of the app that uses Qt calls :func:`prepare` first, at the top of its package's
``__init__.py`` (and ``app/main.py``, ``python -m app``), so importing any of them installs the
guard of :mod:`app.boot.qt_compat` before a Qt call is made: with PySide6 6.12.0 on Python 3.11 every
Qt call would otherwise eat a reference to ``None`` and crash the app within seconds of drawing.
``app/__init__.py`` itself imports nothing, so the ``digit-canvas`` command (:mod:`app.launcher`)
answers ``--version`` and ``--help`` without numpy or Qt.

This module imports nothing at import time; :func:`prepare` imports the rest of ``app.boot`` it uses.
"""

from __future__ import annotations

_prepared = False


def prepare() -> None:
    """Import numpy and Qt in the order start-up needs and install the workarounds, once per process.

    numpy and the Qt bindings are imported without cyclic garbage collection (see
    :mod:`app.boot.gc_pause`), and the model layer (numpy with it) before Qt on purpose: once PySide6
    is imported it inspects the source of every module imported after it, which slowed start-up down
    for numpy's many modules. For the modules imported after Qt, :mod:`app.boot.qt_feature_scan` makes
    that inspection a plain byte search. Later calls do nothing.
    """
    global _prepared
    if _prepared:
        return
    from app.boot import gc_pause

    with gc_pause.paused():
        import model  # noqa: F401
        from app.boot import numpy_pages, qt_feature_scan
        from app.boot.qt_compat import install_refcount_guard

    qt_feature_scan.install()
    install_refcount_guard()
    numpy_pages.use_small_pages()  # big arrays in worker threads must not freeze the window (see the module)
    _prepared = True
