"""Digit Canvas desktop app (Qt widgets). Start it with ``app.main.main()`` or ``python -m app``."""
