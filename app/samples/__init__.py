"""Samples > My samples…: the gallery of the drawings the person taught."""

from app.boot.session import prepare

prepare()  # before any Qt here: numpy first, then Qt and its refcount guard (see app.boot.session)
