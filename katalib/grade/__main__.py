"""``python -m katalib.grade``: see katalib.grade.grader."""

from katalib.grade.grader import main

raise SystemExit(main())
