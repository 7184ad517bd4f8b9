"""``python -m katalib.report``: the progress as a Markdown table; the code is ``katalib.teach.report``.

A command kept by the name the documentation gives it (the layers live in the subpackages).
"""

from katalib.teach.report import main

if __name__ == "__main__":
    raise SystemExit(main())
