"""What runs before and around the first paint: start-up workarounds and error reporting.

Nothing here imports another part of the app; ``app/__init__.py`` uses these modules before Qt.
"""
