"""Helpers that drive the real widgets as a person would (tests, benchmarks, screenshots)."""

from app.boot.session import prepare

prepare()  # before any Qt here: numpy first, then Qt and its refcount guard (see app.boot.session)
