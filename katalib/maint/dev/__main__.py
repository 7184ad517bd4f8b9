"""``python -m katalib.maint.dev``: the same as ``katas dev``."""

import sys

from katalib.maint.dev.cli import main

sys.exit(main())
