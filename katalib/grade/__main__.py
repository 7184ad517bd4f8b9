"""``python -m katalib.grade``: see katalib.grade.cli."""

from katalib.grade.cli import main

raise SystemExit(main())
