"""Every environment variable the harness reads or sets: its name, who sets it, what it means.

The one owner of these names: a module of katalib that reads or sets one of them uses the
constant here (tests/maint/test_layout.py finds any other spelling). Two modules keep their own copy
because they also run outside the package, as files on their own — ``grade/guard.py`` (copied
beside the grading run as ``kata_guard.py``) and ``grade/jail.py`` (run as a script) — and a
test checks their copies against this table. The browser runner (web/src/runner.py) sets its
own values in Pyodide and is checked the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Setter = Literal["learner", "harness", "grader"]


@dataclass(frozen=True)
class Variable:
    name: str
    set_by: Setter  # learner: documented for learners; harness/grader: set by katalib itself
    means: str


# The tree the tests load: "katas" (the default) or "solutions" (pytest --solutions sets it).
TARGET = "KATA_TARGET"
# The kata folders a run selected (comma-separated), for the plugin's narrowed app list.
ONLY = "_KATA_ONLY"
# A test database name of its own, for parallel runs against one PostgreSQL server.
TEST_DB_NAME = "KATA_TEST_DB_NAME"
# The grader's seed: test data respelt so that a kata cannot know it (katalib.base.seed).
SEED = "KATA_SEED"
# Seconds a kata file may take to load (katalib.core.probe.config).
IMPORT_TIMEOUT = "KATA_IMPORT_TIMEOUT"
# The kata-file probe: "0" off, "spawn" a fresh Python, "retry" the warm runner's way.
PROBE = "KATA_PROBE"
# A file the probe appends one line per run to (the harness tests read it).
PROBE_LOG = "KATA_PROBE_LOG"
# Set in a spawned probe child: it never starts a probe of its own.
PROBE_CHILD = "KATA_PROBE_CHILD"
# The warm server's pipe ends (katalib.loop.warm), passed to the server it starts.
WARM_FDS = "KATA_WARM_FDS"
# The watch loops poll the files every second instead of waiting for the OS's events.
WATCH_POLL = "KATA_WATCH_POLL"
# A run started by the katas command (it prints its own next step, not the plugin).
COMMAND = "KATAS_COMMAND"
# The grading run's audit hook (katalib.grade.guard): its mode, report file, the folders a run
# may change and the files it may write once.
GUARD = "KATA_GUARD"
GUARD_REPORT = "KATA_GUARD_REPORT"
GUARD_WRITABLE = "KATA_GUARD_WRITABLE"
GUARD_SEALED = "KATA_GUARD_SEALED"
# ``katas web``: where ``katas web serve`` builds the site, and a log of the build's steps.
WEB_CACHE = "KATAS_WEB_CACHE"
WEB_LOG = "KATAS_WEB_LOG"

VARIABLES = (
    Variable(TARGET, "learner", "the tree the tests load: katas (default) or solutions"),
    Variable(ONLY, "harness", "the kata folders a run selected"),
    Variable(TEST_DB_NAME, "harness", "a test database of its own for a parallel run"),
    Variable(SEED, "grader", "the grading run's respelling of the test data"),
    Variable(IMPORT_TIMEOUT, "learner", "seconds a kata file may take to load"),
    Variable(PROBE, "harness", "the kata-file probe: 0, spawn or retry"),
    Variable(PROBE_LOG, "harness", "a file the probe logs each run to"),
    Variable(PROBE_CHILD, "harness", "set in a spawned probe child"),
    Variable(WARM_FDS, "harness", "the warm server's pipe ends"),
    Variable(WATCH_POLL, "learner", "watch by polling the files every second"),
    Variable(COMMAND, "harness", "a run started by the katas command"),
    Variable(GUARD, "grader", "the audit hook's mode: enforce or record"),
    Variable(GUARD_REPORT, "grader", "the file the audit hook reports to"),
    Variable(GUARD_WRITABLE, "grader", "the folders a grading run may change"),
    Variable(GUARD_SEALED, "grader", "the files a grading run may write once"),
    Variable(WEB_CACHE, "learner", "where katas web serve builds the site"),
    Variable(WEB_LOG, "harness", "log the browser build's steps"),
)
NAMES = frozenset(v.name for v in VARIABLES)
