"""``python -m app`` starts the app, with the same options as ``digit-canvas``."""

from launcher.command_line import main

raise SystemExit(main())
