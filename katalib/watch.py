"""``python -m katalib.watch``: pytest-watcher with the warm runner; the code is ``katalib.loop.ptw``.

A command kept by the name the documentation gives it (the layers live in the subpackages).
"""

from katalib.loop.ptw import main

if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except KeyboardInterrupt:
        raise SystemExit(0) from None
