"""Digit Canvas desktop app (Qt widgets). Start it with ``app.main.main()`` or ``python -m app``.

Importing this package imports nothing else: the ``digit-canvas`` command (:mod:`app.launcher`) lives
inside it and answers ``--version`` and ``--help`` without numpy or Qt. Every part of the app that uses
Qt calls :func:`app.boot.session.prepare` first, in its package's ``__init__.py``, so importing any of
them installs :mod:`app.boot.qt_compat`'s guard before a Qt call is made: with PySide6 6.12.0 on
Python 3.11 every Qt call would otherwise eat a reference to ``None`` and crash the app within seconds
of drawing.
"""
