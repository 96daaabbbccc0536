"""What runs before and around the first paint: start-up workarounds and error reporting.

Nothing here imports another part of the app, and this ``__init__`` imports nothing:
:func:`app.boot.session.prepare` uses these modules before Qt. The modules that use Qt themselves
(``startup``, ``error_reporting``) call it first; ``qt_compat`` is the guard it installs.
"""
