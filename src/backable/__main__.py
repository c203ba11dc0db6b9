"""``python -m backable``: the same command line as the ``backable`` script."""

from __future__ import annotations

from backable.shell.cli.main import main

raise SystemExit(main())
