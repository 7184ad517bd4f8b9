"""``python -m katalib.checksums``: the checksums of the tests and the harness; the code is ``katalib.base.checksums``.

A command kept by the name the documentation gives it (the layers live in the subpackages).
"""

from katalib.base.checksums import main

if __name__ == "__main__":
    raise SystemExit(main())
