"""``python -m app.launcher``: the ``digit-canvas`` command (and the standalone bundle's entry point)."""

from app.launcher.command_line import main

raise SystemExit(main())
