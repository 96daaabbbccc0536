"""Reusable widgets, each owning one thing and talking through signals; no model logic.

Nothing here imports another part of the app but other widgets, :mod:`app.text` and, first,
:func:`app.boot.session.prepare`.
"""

from app.boot.session import prepare

prepare()  # before any Qt here: numpy first, then Qt and its refcount guard (see app.boot.session)
