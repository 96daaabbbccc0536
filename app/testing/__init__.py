"""Helpers that drive the real widgets as a person would (tests, benchmarks, screenshots).

Besides the self-test of ``digit-canvas --self-test``, the commands that make the README's screenshots
(``python -m app.testing.screenshot`` and the ``*_shots`` modules, through :mod:`app.testing.shots`)
and the desktop icons from the window's own (``python -m app.testing.make_icons``) live here; nothing
in the app imports them, so the bundle leaves them out.
"""

from app.boot.session import prepare

prepare()  # before any Qt here: numpy first, then Qt and its refcount guard (see app.boot.session)
