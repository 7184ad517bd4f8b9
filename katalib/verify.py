"""``python -m katalib.verify``: the two-way proof and the variants; the code is ``katalib.maint.verify``.

A command kept by the name the documentation gives it (the layers live in the subpackages).
"""

from katalib.maint.verify import main

if __name__ == "__main__":
    raise SystemExit(main())
