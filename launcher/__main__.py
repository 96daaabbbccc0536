"""``python -m launcher``: the ``digit-canvas`` command (and the standalone bundle's entry point)."""

from launcher.command_line import main

raise SystemExit(main())
