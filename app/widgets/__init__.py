"""Reusable widgets, each owning one thing and talking through signals; no model logic.

Nothing here imports another part of the app but other widgets.
"""
