"""The ``digit-canvas`` command: its own options first, then the app.

This package sits outside ``app`` on purpose: importing anything in ``app`` imports Qt and numpy (see
``app/__init__.py``), so ``--version`` and ``--help`` answer from here without either.
"""
