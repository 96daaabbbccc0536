"""The names of the models, as the menus, titles and summaries show them (from ``model.store.KINDS``)."""

from __future__ import annotations

from model.store import KINDS

KIND_ORDER = ("ovr", "binary")  # how the switch lists them: the 10-class model first
_SHORT = {"ovr": "One-vs-rest"}  # where a summary line has no room for "(10 digits)"


def label(kind: str) -> str:
    """The model's full name, e.g. "One-vs-rest (10 digits)"."""
    return str(KINDS[kind]["label"])


def short_label(kind: str) -> str:
    """The model's name without its class count, e.g. "One-vs-rest"."""
    return _SHORT.get(kind, label(kind))
