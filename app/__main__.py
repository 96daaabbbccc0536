"""``python -m app`` starts the app."""

from app.main import main

raise SystemExit(main())
