"""``python -m app`` starts the app, with the same options as ``digit-canvas``."""

from app.boot.session import prepare

prepare()  # first, as importing the app always did: numpy, then Qt and its guard (see app.boot.session)

from app.launcher.command_line import main  # noqa: E402

raise SystemExit(main())
