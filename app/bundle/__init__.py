"""The standalone bundle's build: ``build_bundle.py`` and the PyInstaller spec it runs.

Run from a checkout (``python app/bundle/build_bundle.py``; it builds from ``requirements.lock`` and
the source tree). Nothing in the app imports this package, so the bundle does not carry it.
"""
