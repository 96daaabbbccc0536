"""The main window, the controllers that extend it, and the one function that puts them together."""

from app.boot.session import prepare

prepare()  # before any Qt here: numpy first, then Qt and its refcount guard (see app.boot.session)
