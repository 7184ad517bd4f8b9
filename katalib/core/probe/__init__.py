"""Keep a kata file that ends, hangs or interrupts Python from taking the whole run with it.

Loading a kata's files runs the learner's code. Most mistakes raise an ordinary exception, which
``katalib.core.apps`` and ``katalib.core.loader`` catch and report against that kata alone. Some
can't be caught in the process that runs the tests:

- ``sys.exit()`` / ``exit()`` / ``raise KeyboardInterrupt`` at the top level of a file stop pytest;
- ``os._exit()``, or a crash, ends Python at once, without a report;
- a loop that never ends hangs the run before the first test (pytest-timeout only covers tests).

So before Django imports the kata apps, the files of each kata (``models.py``, the files
``katas.toml`` lists under ``files``, and any other module of the kata folder but the tests) are
loaded once in a child process, each with a time limit. A file that ends, hangs, crashes or
interrupts the child is never imported by pytest: ``verdict()`` gives its kata a ``KataBroken``
error with the file, the line and a ❌/✅ explanation, and every other kata runs.

The probe is cheap. On POSIX the child is a ``fork()`` of pytest, taken when Django is about to
import the first kata: Python, Django and its own apps are loaded already, so the child only
loads the kata files (a few hundredths of a second). Where there is no ``fork()`` (Windows) it
is a fresh ``python -m katalib.core.probe`` (about 0.2 s of CPU to set up Django), started as
soon as the settings load so that it overlaps with pytest setting up Django. Either way only
katas whose files changed since the last probe are loaded.

One module per concern, lowest first:

- ``config``: the settings (time limit, mode, where verdicts are kept);
- ``verdicts``: what loading a file did, and ``KataBroken``, what the learner reads about it;
- ``files``: which files of a kata are loaded, and whether they changed (the verdict cache);
- ``child``: the child process, loading each file and reporting every step (``__main__`` runs it);
- ``parent``: start the child, wait for it, hand out verdicts;
- ``inprocess``: a file pytest imports itself (Ctrl+C, or a KeyboardInterrupt from kata code?).

The names below are what the rest of the harness uses.
"""

from katalib.core.probe import child, config, files, inprocess, parent, verdicts
from katalib.core.probe.config import (
    DEFAULT_TIMEOUT,
    TIMEOUT_INI,
    add_ini,
    configure,
    mode,
    timeout,
)
from katalib.core.probe.inprocess import kata_error, loading
from katalib.core.probe.parent import header, start, verdict
from katalib.core.probe.verdicts import KataBroken

__all__ = [
    "DEFAULT_TIMEOUT",
    "TIMEOUT_INI",
    "KataBroken",
    "add_ini",
    "child",
    "config",
    "configure",
    "files",
    "header",
    "inprocess",
    "kata_error",
    "loading",
    "mode",
    "parent",
    "start",
    "timeout",
    "verdict",
    "verdicts",
]
