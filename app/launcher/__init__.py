"""The ``digit-canvas`` command: its own options first, then the app.

Nothing here imports numpy or Qt, nor calls :func:`app.boot.session.prepare` (``app/__init__.py``
imports nothing either), so ``--version`` and ``--help`` answer without them; the app's Qt parts are
imported only when :func:`app.launcher.command_line.main` hands over to the window or the self-test.
"""
