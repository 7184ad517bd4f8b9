"""``python -m katalib``: the ``katas`` command, for when its script is not on the PATH."""

from katalib.cli import main

raise SystemExit(main())
