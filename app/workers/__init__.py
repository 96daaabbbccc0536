"""Slow work off the GUI thread: one job that runs a plain function and reports through signals."""
