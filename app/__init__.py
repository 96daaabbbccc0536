"""Digit Canvas desktop app (Qt widgets). Start it with ``app.main.main()`` or ``python -m app``.

Importing the package installs :mod:`app.boot.qt_compat`'s guard first: with PySide6 6.12.0 on Python 3.11
every Qt call would otherwise eat a reference to ``None`` and crash the app within seconds of drawing.
"""

from app.boot import gc_pause

# numpy and the Qt bindings are imported without cyclic garbage collection (see app.boot.gc_pause), and
# the model layer (numpy with it) before Qt on purpose: once PySide6 is imported it inspects the
# source of every module imported after it, which slowed start-up down for numpy's many modules.
# For the modules imported after Qt, app.boot.qt_feature_scan makes that inspection a plain byte search.
with gc_pause.paused():
    import model  # noqa: F401
    from app.boot import numpy_pages, qt_feature_scan
    from app.boot.qt_compat import install_refcount_guard

qt_feature_scan.install()
install_refcount_guard()
numpy_pages.use_small_pages()  # big arrays in worker threads must not freeze the window (see the module)
