"""Slow work off the GUI thread: one job that runs a plain function and reports through signals."""

from app.boot.session import prepare

prepare()  # before any Qt here: numpy first, then Qt and its refcount guard (see app.boot.session)
