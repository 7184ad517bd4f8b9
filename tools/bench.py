"""Feedback-speed benchmark: how long a learner waits for pytest, and how the tag count scales.

    python tools/bench.py                              # 5 runs per command, print the results
    python tools/bench.py --runs 9 --write docs/benchmark.md
    python tools/bench.py --quick                      # 2 runs, no "known costs": a smoke test
    python tools/bench.py --check                      # exit 1 if a target is missed
    python tools/bench.py --candidates                 # also measure speed-ups not applied
    python tools/bench.py --only-patches p-pre --patch-runs 21   # one patch group, more rounds

Run it with the project's environment (``.venv/bin/python tools/bench.py``) on a quiet machine:
every figure is a wall-clock time, so anything else running on the machine shows up in the
numbers. Every child process gets PYTHONDONTWRITEBYTECODE=1 (as CI runs), DATABASE_URL=""
(SQLite in memory), HYPOTHESIS_PROFILE=learner (unless set) and an empty Hypothesis example
database of its own, so every run is a first run. Commands are interleaved (a, b, c, d, f, g,
a, b, ...) after one discarded warm-up round, and each figure is the median of the runs, with
min and max.

Measured:
  (a) the floor: ``pytest --collect-only -q`` (Python, pytest, plugins, django.setup(), imports)
  (b) one kata as a cold re-run: ``pytest katas/02_many_to_one`` on the solution (green) and
      on the stub (red)
  (c) the whole suite on the solutions; (d) the whole suite on the untouched stubs (the
      learner's first run)
  (f) edit -> verdict in the watch loop, for 02_many_to_one (a lesson kata) and 08_tag_counts
      (Hypothesis): ``python -m katalib watch KATA`` runs in a scratch copy of the repository
      whose katas/KATA holds the solution; each sample appends or removes a comment line in
      the kata's first editable file and times from the end of the write to the watcher's
      next status line (file-watch latency, the 5 ms debounce and the warm run included),
      checking that it says solved (all tests). Interleaved with a cold
      ``python -m pytest katas/KATA`` in the same copy; the watcher is stopped with SIGTERM.
  (g) plugin autoload, on ``katas/02_many_to_one --solutions``: the old configuration (plugins
      by name, autoload off), the project's (autoload on, Hypothesis not assertion-rewritten:
      katalib.core.plugin trims pytest's rewrite list as it loads) and autoload with Hypothesis
      rewritten (katalib.core.plugin imported before pytest.main, so its trimming finds nothing)
  (e) ``tag_post_counts()`` of solutions/08_tag_counts at 10, 1,000 and 10,000 posts: the number
      of queries (must be 1) and the time (must grow no faster than linearly)
  (p) each private API the harness patches on a speed path, on and off in the same command,
      interleaved round by round: pytest's rewrite list (``_must_rewrite``) and traceback
      filter (``_traceback_filter``), Django's ``sync_apps``, the warm runner's compiled-ahead
      files (``source_to_code``, ``_rewrite_test``) and pytest-watcher's ``subprocess``; each
      verdict is a sign test over the rounds (see ``patch_rows``). ``--only-patches [KEY ...]``
      measures these alone (about a third of a full run), or only the cases whose keys start
      with a KEY, and prints them (``--write`` always measures everything).
Targets: b/a <= 1.3, c/a <= 2.5, d/a <= 3 (the learner's first run), and for each watched kata
f/cold <= 0.3 (edit -> verdict against a cold run of the same kata). Only ``--check`` turns a
miss into a failure. Speed is never asserted by a test: it lives here.

Needs only Python and the project's packages (no hyperfine).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib
import importlib.util
import json
import math
import os
import platform
import queue
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from katalib.base import repo

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"b": 1.3, "c": 2.5, "d": 3.0, "f": 0.3}
TAG_KATA = "08_tag_counts"
WATCHED = {"02": "02_many_to_one", "08": TAG_KATA}  # (f): a lesson kata and a Hypothesis kata
# What a scratch copy of the repository holds: enough to run pytest and the katas command.
COPIED = (*repo.HARNESS, *repo.TREES)
TAG_SIZES = (10, 1_000, 10_000)
LINEAR_SLACK = 1.5  # time(10k)/time(1k) may be at most 10 x this


@dataclass
class Case:
    key: str  # "a", "b", "b-stub", ... (the letter before "-" names the target)
    title: str
    args: list[str]
    expect: int  # pytest's expected exit code
    wrapper: str | None = None  # python -c code that runs pytest (None: python -m pytest)
    extra_env: dict[str, str] = field(default_factory=dict)
    base: str | None = "a"  # the case its ratio is taken against (if its letter has a target)
    cwd: Path | None = None  # where it runs (None: the repository)
    sampler: Watcher | WarmProbe | None = None  # (f): takes each run's sample itself
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # user + system time of the child
    session: list[float] = field(default_factory=list)  # pytest's own "in N.NNs"
    codes: list[int] = field(default_factory=list)
    summary: str = ""

    @property
    def command(self) -> str:
        if self.sampler is not None:
            return self.sampler.command
        where = "(scratch copy) " if self.cwd is not None else ""
        head = where + ("python -m pytest" if self.wrapper is None else "python -c <wrapper>")
        env = "".join(f"{k}={v} " for k, v in self.extra_env.items())
        env = re.sub(r"[^\s=]*/kata-bench-[^/\s]+", "<scratch>", env)  # not this run's folder name
        return env + head + (" " + " ".join(self.args) if self.args else "")

    def stats(self, values: list[float] | None = None) -> tuple[float, float, float]:
        values = self.times if values is None else values
        if not values:
            return (float("nan"),) * 3
        return statistics.median(values), min(values), max(values)

    @property
    def median(self) -> float:
        return self.stats()[0]

    @property
    def exit_ok(self) -> bool:
        return bool(self.codes) and all(code == self.expect for code in self.codes)


def main_cases(
    watchers: dict[str, Watcher] | None = None, probes: dict[str, WarmProbe] | None = None
) -> list[Case]:
    """The learner's loop: (a)-(d), then (f) for each watcher, then (g)."""
    one_kata = ["katas/02_many_to_one", "--solutions"]
    cases = [
        Case("a", "floor: collect the suite", ["--collect-only", "-q"], 0),
        Case("b", "one kata, solution (green)", one_kata, 0),
        Case("b-stub", "one kata, stub (red)", ["katas/02_many_to_one"], 1),
        Case("c", "whole suite, solutions", ["--solutions"], 0),
        Case("d", "whole suite, untouched stubs (the learner's first run)", [], 1),
    ]
    for short, watcher in (watchers or {}).items():
        cases += [
            Case(
                f"f-{short}",
                f"{watcher.kata}: edit -> verdict in katas watch (warm)",
                [],
                0,
                base=f"f-{short}-cold",
                sampler=watcher,
            ),
        ]
        if probes and short in probes:
            cases.append(
                Case(
                    f"f-{short}-warm",
                    f"{watcher.kata}: the warm runner alone (no file watch)",
                    [],
                    0,
                    base=None,
                    sampler=probes[short],
                )
            )
        cases += [
            Case(
                f"f-{short}-cold",
                f"{watcher.kata}: cold run of the same kata",
                [f"katas/{watcher.kata}"],
                0,
                base=None,
                cwd=watcher.repo,
            ),
        ]
    cases += [
        Case(
            "g-named",
            "plugins by name, autoload off (the old configuration)",
            [*OLD_CONFIG, *one_kata],
            0,
        ),
        Case("g-auto", "autoload on, Hypothesis not rewritten (project config)", one_kata, 0),
        Case(
            "g-rewrite",
            "autoload on, Hypothesis assertion-rewritten",
            ["rewrite-hypothesis", *one_kata],
            0,
            WRAPPER,
        ),
    ]
    return cases


# The configuration before plugin autoload came back: plugins by name, autoload off.
OLD_CONFIG = [
    "-o",
    "addopts=",
    "--disable-plugin-autoload",
    "-p",
    "katalib.core.plugin",
    "-p",
    "pytest_django.plugin",
    "-p",
    "pytest_timeout",
    "-p",
    "_hypothesis_pytestplugin",
    "--no-migrations",
    "--import-mode=importlib",
    "--tb=short",
]

# pytest.main with one change, chosen by sys.argv[1], to measure a cost or a candidate fix:
#   keep           nothing changed (the baseline of the same wrapper)
#   fastfail-off   remove the stub fast-fail of katalib.core.testcase
#   shared-ast     share pytest's AST cache between failures (each file parsed once per run)
#   examples=N     Hypothesis max_examples=N instead of the learner profile's
#   filter-off     keep every frame below the learner's code (katalib.core.plugin's filter removed)
#   sync-apps-off  Django's own migrate sync_apps: every app's tables in one go
#                  (katalib.core.schema.install, which conftest.py calls, does nothing)
#   gc-freeze      gc.freeze() at session start: the garbage collector stops re-scanning the
#                  objects of Python, pytest, Django and Hypothesis at every full collection
#   rewrite-hypothesis
#                  import katalib.core.plugin before pytest.main: its trimming of pytest's rewrite
#                  list runs before pytest's rewrite hook exists, so does nothing, and
#                  autoload assertion-rewrites Hypothesis (pytest's warning that the plugin
#                  was imported before it could be rewritten is silenced, as the warm runner
#                  does)
WRAPPER = """\
import sys, pytest
MODE = sys.argv.pop(1)
if MODE == "rewrite-hypothesis":
    import katalib.core.plugin
    sys.argv += ["-W", "ignore::pytest.PytestAssertRewriteWarning"]
class P:
    def pytest_sessionstart(self, session):
        if MODE == "filter-off":
            import katalib.core.plugin
            katalib.core.plugin._stop_at_learner_code = lambda original: original
        if MODE == "sync-apps-off":
            import katalib.core.schema
            katalib.core.schema.install = lambda: None
        if MODE == "gc-freeze":
            import gc
            gc.freeze()
        if MODE == "fastfail-off":
            from katalib.core.testcase import KataHypothesisTestCase as K
            del K.execute_example
        if MODE.startswith("examples="):
            from hypothesis import settings
            settings.register_profile("bench", max_examples=int(MODE[9:]), deadline=None)
            settings.load_profile("bench")
if MODE == "shared-ast":
    import _pytest._code.code as code
    formatter = getattr(code, "ExceptionInfoFormatter", None) or code.FormattedExcinfo
    shared, init = {}, formatter.__init__
    def shared_init(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self.astcache = shared
    formatter.__init__ = shared_init
sys.exit(pytest.main(sys.argv[1:], plugins=[P()]))
"""

# Stub katas whose Hypothesis tests reach a NotImplementedError stub (models that load).
HYPOTHESIS_STUBS = ["katas/06_one_to_one", "katas/12_aggregation_traps", "katas/13_self_relations"]


def cost_cases() -> list[tuple[str, list[Case]]]:
    """Known costs of issue 7, each as a group of variants of one command.

    (Plugin autoload and the assertion rewrite of Hypothesis is (g), in the main loop.)
    """
    stubs = [path for path in HYPOTHESIS_STUBS if (ROOT / path).is_dir()]
    return [
        (
            "Hypothesis on untouched stubs: fast-fail on vs off (" + ", ".join(stubs) + ")",
            [
                Case("i-on", "fast-fail (katalib.core.testcase)", ["keep", *stubs], 1, WRAPPER),
                Case("i-off", "fast-fail removed", ["fastfail-off", *stubs], 1, WRAPPER),
            ],
        ),
        (
            "Tracebacks on the red run (d)",
            [
                Case("ii-short", "--tb=short + filter (project config)", [], 1),
                Case("ii-long", "--tb=long (filter kept)", ["--tb=long"], 1),
                Case(
                    "ii-nofilter",
                    "--tb=short, katalib filter removed",
                    ["filter-off"],
                    1,
                    WRAPPER,
                ),
                Case(
                    "ii-long-nofilter",
                    "--tb=long, katalib filter removed",
                    ["filter-off", "--tb=long"],
                    1,
                    WRAPPER,
                ),
                Case("ii-full", "--fulltrace (long, no filter at all)", ["--fulltrace"], 1),
                Case("ii-no", "--tb=no (lower bound: no tracebacks)", ["--tb=no"], 1),
            ],
        ),
    ]


def candidate_cases() -> list[tuple[str, list[Case]]]:
    """Changes not applied to the project, measured against the same command unchanged."""
    return [
        (
            "Candidate: gc.freeze() at session start (a, c, d)",
            [
                Case("x-gc-a", "a unchanged", ["keep", "--collect-only", "-q"], 0, WRAPPER),
                Case(
                    "x-gc-a-f",
                    "a with gc.freeze()",
                    ["gc-freeze", "--collect-only", "-q"],
                    0,
                    WRAPPER,
                ),
                Case("x-gc-c", "c unchanged", ["keep", "--solutions"], 0, WRAPPER),
                Case("x-gc-c-f", "c with gc.freeze()", ["gc-freeze", "--solutions"], 0, WRAPPER),
                Case("x-gc-d", "d unchanged", ["keep"], 1, WRAPPER),
                Case("x-gc-d-f", "d with gc.freeze()", ["gc-freeze"], 1, WRAPPER),
            ],
        ),
        (
            "Candidate: one AST cache per run for tracebacks (d)",
            [
                Case("x-d", "unchanged", ["keep"], 1, WRAPPER),
                Case("x-d-ast", "shared AST cache", ["shared-ast"], 1, WRAPPER),
                Case(
                    "x-d-plain",
                    "--assert=plain (no assertion rewriting)",
                    ["keep", "--assert=plain"],
                    1,
                    WRAPPER,
                ),
            ],
        ),
        (
            "Candidate: fewer Hypothesis examples, fewer plugins (c)",
            [
                Case(
                    "x-c",
                    "unchanged (learner profile: 25 examples)",
                    ["keep", "--solutions"],
                    0,
                    WRAPPER,
                ),
                Case("x-c-15", "max_examples=15", ["examples=15", "--solutions"], 0, WRAPPER),
                Case("x-c-10", "max_examples=10", ["examples=10", "--solutions"], 0, WRAPPER),
                Case(
                    "x-c-nogc",
                    "-p no:unraisableexception (no gc.collect at exit)",
                    ["keep", "--solutions", "-p", "no:unraisableexception"],
                    0,
                    WRAPPER,
                ),
            ],
        ),
        (
            "Candidate: the floor without assertion rewriting (a)",
            [
                Case("x-a", "unchanged", ["--collect-only", "-q"], 0),
                Case("x-a-plain", "--assert=plain", ["--collect-only", "-q", "--assert=plain"], 0),
            ],
        ),
    ]


# --- Running pytest ----------------------------------------------------------------------------

SUMMARY = re.compile(
    r"^=*\s*((?:\d+ (?:passed|failed|errors?|skipped|deselected|xfailed|xpassed|warnings?"
    r"|tests? collected)(?:, )?)+)\s+in\s+([\d.]+)s",
    re.MULTILINE,
)


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    for name in (
        "KATA_TARGET",
        "PYTEST_ADDOPTS",
        "PYTEST_PLUGINS",
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD",
    ):
        env.pop(name, None)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["DATABASE_URL"] = ""
    env.setdefault("HYPOTHESIS_PROFILE", "learner")
    return env


def children_cpu() -> float:
    """User + system seconds of all finished children so far (0 where unsupported)."""
    try:
        import resource
    except ImportError:  # Windows
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(case: Case, scratch: Path) -> tuple[float, float, int, str]:
    if case.sampler is not None:
        elapsed, code, output = case.sampler.sample()
        return elapsed, 0.0, code, output  # its CPU is not a finished child's
    hypo_dir = Path(tempfile.mkdtemp(prefix="hypothesis-", dir=scratch))
    env = child_env() | case.extra_env | {"HYPOTHESIS_STORAGE_DIRECTORY": str(hypo_dir)}
    results = scratch / "kata-results.json"  # not the learner's kata-results.json
    head = [sys.executable, "-m", "pytest"]
    args = list(case.args)
    if case.wrapper is not None:
        head = [sys.executable, "-c", case.wrapper, args.pop(0)]
    cmd = [*head, *args, f"--kata-results={results}"]
    cpu_before = children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(
        cmd,
        cwd=case.cwd or ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    elapsed = time.perf_counter() - start
    cpu = children_cpu() - cpu_before
    shutil.rmtree(hypo_dir, ignore_errors=True)
    return elapsed, cpu, proc.returncode, proc.stdout + proc.stderr


def measure(cases: list[Case], runs: int, warmup: bool, scratch: Path) -> None:
    """Interleave the cases round by round, so load on the machine hits them all alike."""
    rounds = runs + (1 if warmup else 0)
    for number in range(rounds):
        counted = not (warmup and number == 0)
        label = f"run {number if warmup else number + 1}/{runs}" if counted else "warm-up"
        print(f"  {label}:", end="", flush=True)
        for case in cases:
            elapsed, cpu, code, output = run_once(case, scratch)
            found = SUMMARY.findall(output)
            if counted:
                case.times.append(elapsed)
                case.cpu.append(cpu)
                case.codes.append(code)
                if found:
                    case.summary = found[-1][0].strip()
                    case.session.append(float(found[-1][1]))
                if isinstance(case.sampler, Watcher) and output:
                    case.summary = output.splitlines()[-1].split("  (")[0].strip("= ")
            if code != case.expect and not case.summary:
                case.summary = output.strip().splitlines()[-1][:100] if output.strip() else ""
            print(f" {case.key}={elapsed:.2f}s", end="", flush=True)
        print()


# --- (f) the watch loop, in a scratch copy of the repository -----------------------------------

QUIET = 0.3  # seconds without output: the watcher is idle
STATUS = re.compile(r"^(?P<mark>✅|❌|\[OK\]|\[X\]) (?P<kata>\d\d\w*)(?P<rest>(?: solved)?: .*)$")
SOLVED = re.compile(r"^ solved: (\d+)/(\d+) tests pass\.")


def kata_files(kata: str) -> list[str]:
    """The files a learner edits in ``kata``, from katas.toml."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    manifest = tomllib.loads((ROOT / "katas.toml").read_text(encoding="utf-8"))
    return next(entry.get("files", []) for entry in manifest["kata"] if entry["dir"] == kata)


def scratch_copy(dest: Path, kata: str) -> Path:
    """A copy of the repository (as it is on disk) whose katas/<kata>/ holds the solution."""
    dest.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", ".hypothesis")
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, dest / name, ignore=ignore)
        else:
            shutil.copy2(source, dest / name)
    for name in kata_files(kata):
        shutil.copy2(ROOT / "solutions" / kata / name, dest / "katas" / kata / name)
    return dest


def is_solved(line: str) -> bool:
    """A status line that says solved, with every test passing (and some tests)."""
    match = STATUS.match(line)
    solved = SOLVED.match(match["rest"]) if match else None
    return bool(solved) and solved[1] == solved[2] and int(solved[1]) > 0


class Watcher:
    """``python -m katalib watch KATA`` in a scratch copy; each sample is one edit -> verdict.

    stdout is read line by line in a thread, each line stamped as it arrives. A sample waits
    until the watcher is quiet, writes the kata's first editable file (a comment line
    appended, or removed again: the kata stays solved), notes when the write finished and
    waits for the next status line of the kata.
    """

    MARK = "# tools/bench.py: an edit that changes nothing\n"
    TIMEOUT = 120.0  # seconds for one verdict

    def __init__(
        self,
        kata: str,
        repo: Path,
        hypothesis_dir: Path,
        env: dict[str, str] | None = None,
        label: str = "",
        quiet: float = QUIET,
    ) -> None:
        self.quiet = quiet  # seconds without output before a sample's save
        self.kata = kata
        self.repo = repo
        self.file = repo / "katas" / kata / kata_files(kata)[0]
        self.hypothesis_dir = hypothesis_dir
        self.env = env or {}  # on top of child_env(): a patch switched off, a bytecode cache
        self.label = label  # what self.env changes, as the command shows it
        self.process: subprocess.Popen | None = None
        self.lines: queue.Queue[tuple[float, str | None]] = queue.Queue()
        self.startup = float("nan")  # seconds from start to the first verdict (the warm-up)
        self.first = ""  # the first status line
        self.extra_runs = 0  # status lines nobody asked for (a save seen twice)
        self.fallbacks: list[str] = []  # "[katas] ..." lines: a run that was not warm
        self.wrong: list[str] = []  # verdicts that were not "solved, every test"
        self.exit = ""  # how it ended
        self.failed = ""  # why it cannot take samples

    @property
    def command(self) -> str:
        edited = self.file.relative_to(self.repo).as_posix()
        label = f"{self.label} " if self.label else ""
        return f"edit {edited} → status line of {label}(scratch copy) {self.shown}"

    @property
    def shown(self) -> str:
        return f"python -m katalib watch {self.kata}"

    def argv(self) -> list[str]:
        return [sys.executable, "-m", "katalib", "watch", self.kata]

    def is_status(self, line: str) -> bool:
        """Whether ``line`` is the verdict of a run of this watcher's kata."""
        match = STATUS.match(line)
        if match and match["kata"] != self.kata:
            self.wrong.append("another kata: " + line)
        return bool(match) and match["kata"] == self.kata

    def is_solved(self, line: str) -> bool:
        return is_solved(line)

    def start(self) -> None:
        env = child_env() | {
            "HYPOTHESIS_STORAGE_DIRECTORY": str(self.hypothesis_dir),
            "PYTHONIOENCODING": "utf-8",
        }
        env |= self.env
        started = time.perf_counter()
        self.process = subprocess.Popen(
            self.argv(),
            cwd=self.repo,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True).start()
        try:
            stamp, self.first, _ = self._next_status()
        except RuntimeError as exc:
            self.failed = f"did not start: {exc}"
            self.wrong.append(self.failed)
            return
        self.startup = stamp - started
        if not self.is_solved(self.first):
            self.wrong.append("first run: " + self.first)

    def _read(self, stream) -> None:
        for raw in iter(stream.readline, b""):
            self.lines.put((time.perf_counter(), raw.decode("utf-8", "replace").rstrip("\r\n")))
        self.lines.put((time.perf_counter(), None))

    def _note(self, line: str) -> None:
        if line.startswith("[katas]"):
            self.fallbacks.append(line)

    def _next_status(self) -> tuple[float, str, list[str]]:
        """The next status line of the kata: (when it arrived, the line, the output up to it)."""
        output: list[str] = []
        deadline = time.perf_counter() + self.TIMEOUT
        while True:
            try:
                stamp, line = self.lines.get(timeout=max(0.0, deadline - time.perf_counter()))
            except queue.Empty:
                tail = " | ".join(output[-3:])
                raise RuntimeError(f"no verdict within {self.TIMEOUT:.0f} s: {tail}") from None
            if line is None:
                self.lines.put((stamp, None))  # stays at the end for every later reader
                raise RuntimeError("the watcher ended: " + " | ".join(output[-5:]))
            output.append(line)
            self._note(line)
            if self.is_status(line):
                return stamp, line, output

    def _settle(self) -> None:
        """Wait until the watcher has printed nothing for QUIET seconds."""
        limit = time.perf_counter() + 30
        while time.perf_counter() < limit:
            try:
                _, line = self.lines.get(timeout=self.quiet)
            except queue.Empty:
                return
            if line is None:
                self.lines.put((time.perf_counter(), None))
                return
            self._note(line)
            if self.is_status(line):
                self.extra_runs += 1

    def sample(self) -> tuple[float, int, str]:
        """One edit -> verdict: (seconds, 0 if the verdict says solved else 1, the output)."""
        if self.failed:
            return float("nan"), 2, self.failed
        self._settle()
        text = self.file.read_text(encoding="utf-8")
        text = text.removesuffix(self.MARK) if text.endswith(self.MARK) else text + self.MARK
        with open(self.file, "w", encoding="utf-8") as handle:
            handle.write(text)
        written = time.perf_counter()
        try:
            stamp, line, output = self._next_status()
        except RuntimeError as exc:
            self.wrong.append(str(exc))
            return time.perf_counter() - written, 2, str(exc)
        solved = self.is_solved(line)
        if not solved:
            self.wrong.append(line)
        return stamp - written, 0 if solved else 1, "\n".join(output)

    def stop(self) -> None:
        """SIGTERM, as a terminal's close would send: the watcher stops its warm runner."""
        if self.process is None or self.process.poll() is not None:
            self.exit = f"ended early (exit {getattr(self.process, 'returncode', None)})"
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
            self.exit = "did not stop on SIGTERM within 15 s: killed"
            return
        self.exit = f"stopped on SIGTERM, exit {code}"

    def oddities(self) -> list[str]:
        notes = [f"wrong verdict: {line}" for line in self.wrong]
        if self.extra_runs:
            notes.append(f"{self.extra_runs} run(s) nobody asked for (a save seen twice)")
        notes += [f"not warm: {line}" for line in dict.fromkeys(self.fallbacks)]
        if self.exit and not self.exit.endswith("exit 0"):
            notes.append(self.exit)
        return notes


# The warm runner alone, driven line by line from stdin: one run of pytest ARGS per line.
PROBE = """\
import json, sys, time
from katalib.loop.warm import WarmPytest
args, output = json.loads(sys.argv[1]), sys.argv[2]
warm = WarmPytest()
for line in sys.stdin:
    start = time.perf_counter()
    code = warm.run(args, output=output)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "code": code, "note": warm.note}), flush=True)
warm.stop()
"""


class WarmProbe:
    """``katalib.loop.warm.WarmPytest().run(...)`` on its own in the watcher's scratch copy.

    The same pytest arguments as the watch loop's runs, without the file watch, the debounce
    and the katas command around it: the edit -> verdict time less this is the watch loop's
    own share. The first run (the server's warm-up) is not a sample.
    """

    def __init__(self, kata: str, repo: Path, scratch: Path) -> None:
        self.kata = kata
        self.repo = repo
        self.scratch = scratch
        self.output = scratch / f"warm-output-{kata}.txt"
        self.args = [f"katas/{kata}", "-q", f"--kata-results={scratch / f'warm-{kata}.json'}"]
        self.process: subprocess.Popen | None = None
        self.startup = float("nan")
        self.failed = ""
        self.notes: list[str] = []

    @property
    def command(self) -> str:
        return f"(scratch copy) katalib.loop.warm.WarmPytest().run(['katas/{self.kata}', '-q'])"

    def start(self) -> None:
        env = child_env() | {
            "HYPOTHESIS_STORAGE_DIRECTORY": str(self.scratch / f"hypothesis-warm-{self.kata}"),
            "PYTHONIOENCODING": "utf-8",
        }
        with open(self.scratch / f"warm-stderr-{self.kata}.txt", "wb") as errors:
            self.process = subprocess.Popen(
                [sys.executable, "-c", PROBE, json.dumps(self.args), str(self.output)],
                cwd=self.repo,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
                text=True,
            )
        started = time.perf_counter()
        _, code, text = self.sample()
        self.startup = time.perf_counter() - started
        if code != 0:
            self.failed = f"did not start: exit {code}: {text.strip().splitlines()[-1:]}"

    def sample(self) -> tuple[float, int, str]:
        if self.failed or self.process is None or self.process.poll() is not None:
            return float("nan"), 2, self.failed or "the warm probe is not running"
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("run\n")
        self.process.stdin.flush()
        for line in self.process.stdout:
            if line.startswith("{"):
                reply = json.loads(line)
                break
        else:
            return float("nan"), 2, "the warm probe ended"
        if reply["note"] and reply["note"] not in self.notes:
            self.notes.append(reply["note"])
        code = 2 if reply["code"] is None else reply["code"]
        text = self.output.read_text(encoding="utf-8", errors="replace")
        return reply["seconds"], code, text

    def stop(self) -> None:
        if self.process is None:
            return
        with contextlib.suppress(OSError):
            self.process.stdin.close()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            self.notes.append("the warm probe did not stop: killed")


# --- Private-API patches: each one switched off ------------------------------------------------

# ``python -m katalib.watch`` (pytest-watcher with the warm runner), or with pytest-watcher's
# own ``subprocess`` left in place (ptw-off): each run a cold ``python -m pytest``.
PTW_WRAPPER = """\
import signal, subprocess, sys
from katalib.loop import ptw
if sys.argv.pop(1) == "ptw-off":
    ptw.WarmSubprocess = lambda warm: subprocess
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop as Ctrl+C would: warm.stop()
sys.exit(ptw.main(sys.argv[1:]))
"""

# sitecustomize.py for the warm runner's processes (the katas command, the server, its forks):
# KATA_BENCH_WARM=<mode> switches off what katalib.loop.warm._Precompiled patches, once that
# module is imported (nothing else is imported early, so "keep" changes nothing).
#   keep             nothing changed
#   precompile-off   nothing compiled ahead, neither patch installed
#   plain-off        SourceFileLoader.source_to_code left alone (harness and kata files
#                    compiled as usual), the rewritten test files still used
#   rewrite-off      pytest's rewrite._rewrite_test left alone (test files rewritten as usual),
#                    the plain files still used
SITECUSTOMIZE = """\
import os
import sys

MODE = os.environ.get("KATA_BENCH_WARM", "keep")


def switch_off(warm):
    ahead = warm._Precompiled
    if MODE == "precompile-off":
        ahead.__init__ = lambda self, config, go: None
        ahead.install = lambda self: None
    elif MODE in ("plain-off", "rewrite-off"):
        install = ahead.install

        def install_one(self):
            from importlib.machinery import SourceFileLoader

            from _pytest.assertion import rewrite

            own = "source_to_code" in SourceFileLoader.__dict__
            plain, rewritten = SourceFileLoader.source_to_code, rewrite._rewrite_test
            install(self)
            if MODE == "rewrite-off":
                rewrite._rewrite_test = rewritten
            elif own:
                SourceFileLoader.source_to_code = plain
            else:
                del SourceFileLoader.source_to_code

        ahead.install = install_one


class SwitchOff:
    def find_spec(self, name, path=None, target=None):
        if name != "katalib.loop.warm":
            return None
        sys.meta_path.remove(self)
        import importlib.util

        spec = importlib.util.find_spec(name)
        run = spec.loader.exec_module

        def exec_module(module):
            run(module)
            switch_off(module)

        spec.loader.exec_module = exec_module
        return spec


if MODE != "keep":
    sys.meta_path.insert(0, SwitchOff())
"""


class PtwWatcher(Watcher):
    """``python -m katalib.watch katas/KATA`` (pytest-watcher): a verdict is pytest's summary."""

    def __init__(self, kata: str, repo: Path, hypothesis_dir: Path, mode: str) -> None:
        super().__init__(kata, repo, hypothesis_dir)
        self.mode = mode

    @property
    def shown(self) -> str:
        return f"python -c <ptw wrapper> {self.mode} katas/{self.kata}"

    def argv(self) -> list[str]:
        return [sys.executable, "-c", PTW_WRAPPER, self.mode, f"katas/{self.kata}"]

    def is_status(self, line: str) -> bool:
        return bool(SUMMARY.match(line))

    def is_solved(self, line: str) -> bool:
        found = SUMMARY.match(line)
        counts = found[1] if found else ""
        return "passed" in counts and not re.search(r"failed|error", counts)


@dataclass
class Patch:
    what: str  # the private API, where it is patched
    on: str  # the case with the patch (the project as it is)
    off: str  # the same command with the patch switched off
    measured: str  # on which command


def patch_cases(scratch: Path) -> tuple[list[Patch], list[tuple[str, list[Case]]], list[Watcher]]:
    """Each private-API patch on the speed paths, on and off, in the same command.

    Cold runs go through WRAPPER (``keep`` against the mode that switches the patch off); the
    warm runner's patches are switched off by a sitecustomize.py (SITECUSTOMIZE) in the
    processes of a ``katas watch`` in a scratch copy; pytest-watcher's by PTW_WRAPPER. "pyc"
    cases run as a learner's checkout does: bytecode written (under a cache folder of their
    own, PYTHONPYCACHEPREFIX, so nothing is written into the repository or the virtualenv) and
    read back from the second run on.
    """
    site = scratch / "bench-site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")

    def pyc(key: str) -> dict[str, str]:
        return {"PYTHONDONTWRITEBYTECODE": "", "PYTHONPYCACHEPREFIX": str(scratch / f"pyc-{key}")}

    one_kata = ["katas/02_many_to_one", "--solutions"]
    stub = ["katas/02_many_to_one"]
    watchers: list[Watcher] = []

    def watched(key: str, kata: str, mode: str, cached: bool = False) -> Case:
        env = {"PYTHONPATH": str(site), "KATA_BENCH_WARM": mode} | (pyc(key) if cached else {})
        label = f"KATA_BENCH_WARM={mode}" + (", bytecode cached" if cached else "")
        repo_copy = scratch_copy(scratch / f"repo-{key}", kata)
        # A learner's pause after a verdict: the spare has compiled ahead before the save.
        watcher = Watcher(kata, repo_copy, scratch / f"hypothesis-{key}", env, label, quiet=1.0)
        watchers.append(watcher)
        return Case(key, f"{kata}: edit -> verdict, {label}", [], 0, base=None, sampler=watcher)

    def ptw(key: str, mode: str) -> Case:
        repo_copy = scratch_copy(scratch / f"repo-{key}", "02_many_to_one")
        watcher = PtwWatcher("02_many_to_one", repo_copy, scratch / f"hypothesis-{key}", mode)
        watchers.append(watcher)
        title = "warm (the project)" if mode == "keep" else "cold: pytest-watcher's subprocess"
        return Case(
            key, f"02_many_to_one: edit -> verdict, {title}", [], 0, base=None, sampler=watcher
        )

    groups = [
        (
            "Hypothesis not assertion-rewritten (`_must_rewrite`, core/plugin.py)",
            [
                Case("p-trim", "trimmed (the project)", ["keep", *one_kata], 0, WRAPPER),
                Case("p-trim-off", "not trimmed", ["rewrite-hypothesis", *one_kata], 0, WRAPPER),
                Case(
                    "p-trim-pyc",
                    "trimmed, bytecode cached",
                    ["keep", *one_kata],
                    0,
                    WRAPPER,
                    pyc("p-trim-pyc"),
                ),
                Case(
                    "p-trim-off-pyc",
                    "not trimmed, bytecode cached",
                    ["rewrite-hypothesis", *one_kata],
                    0,
                    WRAPPER,
                    pyc("p-trim-off-pyc"),
                ),
            ],
        ),
        (
            "Tracebacks stop at the learner's code (`_traceback_filter`, core/plugin.py)",
            [
                Case("p-filter", "filter (the project), one kata", ["keep", *stub], 1, WRAPPER),
                Case("p-filter-off", "no filter, one kata", ["filter-off", *stub], 1, WRAPPER),
                Case("p-filter-d", "filter (the project), whole suite", ["keep"], 1, WRAPPER),
                Case("p-filter-d-off", "no filter, whole suite", ["filter-off"], 1, WRAPPER),
            ],
        ),
        (
            "Tables built one app at a time (`sync_apps`, core/schema.py)",
            [
                Case("p-sync", "one app at a time (the project)", ["keep", *one_kata], 0, WRAPPER),
                Case("p-sync-off", "Django's sync_apps", ["sync-apps-off", *one_kata], 0, WRAPPER),
            ],
        ),
        (
            "Files compiled ahead (`source_to_code`, `_rewrite_test`, loop/warm.py)",
            [
                watched("p-pre", "02_many_to_one", "keep"),
                watched("p-pre-off", "02_many_to_one", "precompile-off"),
                watched("p-pre-plain-off", "02_many_to_one", "plain-off"),
                watched("p-pre-rw-off", "02_many_to_one", "rewrite-off"),
                watched("p-pre-08", TAG_KATA, "keep"),
                watched("p-pre-08-off", TAG_KATA, "precompile-off"),
                watched("p-pre-pyc", "02_many_to_one", "keep", cached=True),
                watched("p-pre-off-pyc", "02_many_to_one", "precompile-off", cached=True),
            ],
        ),
        (
            "Warm runs in `python -m katalib.watch` (`subprocess`, loop/ptw.py)",
            [ptw("p-ptw", "keep"), ptw("p-ptw-off", "ptw-off")],
        ),
    ]
    patches = [
        Patch("`_must_rewrite` (core/plugin.py)", "p-trim", "p-trim-off", "one kata, cold"),
        Patch("… bytecode cached", "p-trim-pyc", "p-trim-off-pyc", "one kata, cold"),
        Patch(
            "`_traceback_filter` (core/plugin.py)", "p-filter", "p-filter-off", "one kata red, cold"
        ),
        Patch("… whole suite", "p-filter-d", "p-filter-d-off", "whole suite red (d)"),
        Patch("`sync_apps` (core/schema.py)", "p-sync", "p-sync-off", "one kata, cold"),
        Patch("both (loop/warm.py)", "p-pre", "p-pre-off", "edit → verdict, kata 02"),
        Patch(
            "`source_to_code` (loop/warm.py)", "p-pre", "p-pre-plain-off", "edit → verdict, kata 02"
        ),
        Patch("`_rewrite_test` (loop/warm.py)", "p-pre", "p-pre-rw-off", "edit → verdict, kata 02"),
        Patch("both, kata 08", "p-pre-08", "p-pre-08-off", "edit → verdict, kata 08"),
        Patch("both, bytecode cached", "p-pre-pyc", "p-pre-off-pyc", "edit → verdict, kata 02"),
        Patch(
            "`subprocess` (loop/ptw.py)",
            "p-ptw",
            "p-ptw-off",
            "edit → verdict, python -m katalib.watch",
        ),
    ]
    return patches, groups, watchers


# --- (e) the tag count, in a child process ------------------------------------------------------


def tag_count_child(sizes: list[int], repeats: int) -> dict:
    """Set up Django on the solutions, build blogs of each size, time tag_post_counts()."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "settings"
    os.environ["KATA_TARGET"] = "solutions"
    os.environ["DATABASE_URL"] = ""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.apps import apps
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    config = apps.get_app_config("k" + TAG_KATA)
    if config.import_error is not None:
        raise SystemExit(f"solutions/{TAG_KATA}/models.py does not load: {config.import_error}")
    models = config.models_module
    queries = importlib.import_module(f"solutions.{TAG_KATA}.queries")
    Author, Post, Tag = models.Author, models.Post, models.Tag
    Link = Post.tags.through
    post_col = Post.tags.field.m2m_field_name() + "_id"
    tag_col = Post.tags.field.m2m_reverse_field_name() + "_id"

    rows = []
    for size in sizes:
        rng = random.Random(8)  # the same blog every time
        with connection.schema_editor() as editor:
            for model in (Author, Tag, Post):
                editor.create_model(model)  # Post also creates the auto join table
        tags = Tag.objects.bulk_create(Tag(name=f"tag{i:02}") for i in range(20))
        authors = Author.objects.bulk_create(Author(name=f"author{i:03}") for i in range(50))
        Post.objects.bulk_create(
            (Post(title=f"post{i:06}", author=rng.choice(authors)) for i in range(size)),
            batch_size=500,
        )
        tags = list(Tag.objects.order_by("pk"))
        links = []
        expected = Counter({tag.name: 0 for tag in tags})
        for post_id in Post.objects.order_by("pk").values_list("pk", flat=True):
            for tag in rng.sample(tags, rng.randint(0, 3)):
                links.append(Link(**{post_col: post_id, tag_col: tag.pk}))
                expected[tag.name] += 1
        Link.objects.bulk_create(links, batch_size=500)

        with CaptureQueriesContext(connection) as ctx:
            result = queries.tag_post_counts()
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            queries.tag_post_counts()
            times.append(time.perf_counter() - start)
        rows.append(
            {
                "posts": size,
                "links": len(links),
                "queries": len(ctx.captured_queries),
                "correct": dict(result) == dict(expected),
                "median": statistics.median(times),
                "min": min(times),
                "max": max(times),
            }
        )
        with connection.schema_editor() as editor:
            for model in (Post, Tag, Author):
                editor.delete_model(model)
    return {"rows": rows, "repeats": repeats}


def measure_tag_counts(repeats: int) -> dict:
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--tag-counts-child",
        ",".join(map(str, TAG_SIZES)),
        "--runs",
        str(repeats),
    ]
    proc = subprocess.run(
        cmd, cwd=ROOT, env=child_env(), capture_output=True, text=True, timeout=600, check=False
    )
    if proc.returncode != 0:
        return {"error": (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["failed"]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def tag_verdicts(tag: dict) -> dict[str, bool]:
    rows = tag.get("rows", [])
    by_size = {row["posts"]: row for row in rows}
    one_query = bool(rows) and all(row["queries"] == 1 for row in rows)
    correct = bool(rows) and all(row["correct"] for row in rows)
    linear = False
    if 1_000 in by_size and 10_000 in by_size:
        linear = by_size[10_000]["median"] / by_size[1_000]["median"] <= 10 * LINEAR_SLACK
    return {"one query at every size": one_query, "right counts": correct, "linear": linear}


# --- Reporting ---------------------------------------------------------------------------------


@dataclass
class Ratio:
    name: str  # "b/a", "f-02/cold", ...
    letter: str  # the target's letter
    value: float  # on wall-clock medians
    target: float
    cpu: float | None  # the same ratio on CPU time, where both sides have it

    @property
    def passed(self) -> bool:
        return self.value <= self.target

    @property
    def verdict(self) -> str:
        return "PASS" if self.passed else "MISS"


RATIO_WHAT = {
    "b": "one kata, cold, against the floor",
    "c": "whole suite on the solutions against the floor",
    "d": "the learner's first run (whole suite, untouched stubs) against the floor",
    "f": "edit → verdict in `katas watch` against a cold run of the same kata",
}


def ratios(cases: list[Case]) -> list[Ratio]:
    """Every case whose letter has a target, against its base case (the floor a, or a cold run)."""
    by_key = {case.key: case for case in cases}
    rows = []
    for case in cases:
        letter = case.key.split("-")[0]
        base = by_key.get(case.base or "")
        if letter not in TARGETS or base is None:
            continue
        short = base.key.removeprefix(case.key + "-")
        cpu = None
        if any(case.cpu) and any(base.cpu):
            cpu = statistics.median(case.cpu) / statistics.median(base.cpu)
        rows.append(
            Ratio(f"{case.key}/{short}", letter, case.median / base.median, TARGETS[letter], cpu)
        )
    return rows


def passed_count(text: str) -> int | None:
    """The tests a verdict counts: "6 passed" (pytest) or "solved: 6/6 tests pass" (katas)."""
    match = re.search(r"(\d+) passed", text) or re.search(r"solved: (\d+)/\d+ tests", text)
    return int(match[1]) if match else None


def watch_notes(cases: list[Case]) -> list[str]:
    """(f): where the time of a warm verdict goes, against a cold run; and anything odd."""
    by_key = {case.key: case for case in cases}
    notes = []
    for case in cases:
        watcher, cold = case.sampler, by_key.get(case.base or "")
        if not isinstance(watcher, Watcher) or cold is None or not case.times:
            continue
        own = statistics.median(case.session) if case.session else float("nan")
        cold_own = statistics.median(cold.session) if cold.session else float("nan")
        warm = by_key.get(case.key + "-warm")
        if warm is not None and warm.times:
            warm_own = statistics.median(warm.session) if warm.session else float("nan")
            gap = case.median - warm.median
            loop = (
                f"{fmt(gap)} noticing the save"
                if gap >= 0.005
                else "next to nothing (less than the spread between runs) noticing the save"
            )
            parts = (
                f"{loop} (the file event wakes the watch loop at once, which then waits the 5 ms "
                "debounce) and printing the status line + "
                f"{fmt(warm.median)} the warm runner's run (alone: "
                f"{fmt(warm.median - warm_own)} the rest of pytest's start in the spare "
                f"after its gate, with django.setup(), + {fmt(warm_own)} pytest's own)"
            )
        else:
            parts = (
                f"{fmt(own)} pytest's own + {fmt(case.median - own)} around it (the save "
                "noticed, the 5 ms debounce, the fork and pytest's start in it, the status line)"
            )
        notes.append(
            f"{case.key} ({watcher.kata}): edit → verdict {fmt(case.median)} = {parts}; "
            f"pytest's own in the watch loop {fmt(own)}. The cold run: {fmt(cold.median)} = "
            f"{fmt(cold.median - cold_own)} starting Python, pytest, the plugins and Django + "
            f"{fmt(cold_own)} pytest's own (collection and tests). The watcher's start to its "
            f"first verdict (the warm-up, paid once): {fmt(watcher.startup)}."
        )
        odd = watcher.oddities()
        if warm is not None and isinstance(warm.sampler, WarmProbe):
            odd += [f"the warm runner alone: {note}" for note in warm.sampler.notes]
            if warm.sampler.failed:
                odd.append(f"the warm runner alone {warm.sampler.failed}")
        warm_n, cold_n = passed_count(case.summary), passed_count(cold.summary)
        if warm_n != cold_n:
            odd.append(f"the warm verdict counts {warm_n} passing tests, the cold run {cold_n}")
        notes.append(
            f"{case.key} verdicts: "
            + ("; ".join(odd) if odd else "every one right (solved, all tests)")
            + f"; watcher {watcher.exit or 'still running'}."
        )
    return notes


def autoload_notes(cases: list[Case]) -> list[str]:
    """(g): what plugin autoload costs or saves, as differences of medians."""
    by_key = {case.key: case for case in cases}
    if not all(key in by_key for key in ("g-named", "g-auto", "g-rewrite")):
        return []
    named, auto, rewrite = by_key["g-named"], by_key["g-auto"], by_key["g-rewrite"]
    from importlib.metadata import entry_points

    plugins = sorted({point.dist.name for point in entry_points(group="pytest11") if point.dist})
    costs = (
        f"What autoload costs now: g-auto − g-named = {auto.median - named.median:+.2f} s a run "
        f"(autoloaded here: {', '.join(plugins)})."
    )
    saves = (
        "What not rewriting Hypothesis saves: g-auto − g-rewrite = "
        f"{auto.median - rewrite.median:+.2f} s a run."
    )
    return [costs, saves]


def cpu_note(ratio: Ratio) -> str:
    return f"{ratio.cpu:.2f}" if ratio.cpu is not None else "-"


# Why a target can be missed, printed under the ratios when it is.
MISS_REASONS = {
    "b": "One kata's run should cost little more than collecting the suite: if it does, "
    "look for a slow fixture or a slow test in that kata (`pytest --durations=10`).",
    "c": "What c adds to a is running the tests: a good third of it the Hypothesis "
    "property tests (every example builds rows in the database, at the learner profile's 25 "
    "examples per test), the rest spread over every test (pytest's setup and teardown, "
    "pytest-django's transaction around each, the test database, each test's rows; where the "
    "kata's models are given, the tests insert their blog with bulk_create). "
    "The plugin calls gc.freeze() already (other collector settings measured no change); "
    "`tools/bench.py --candidates` measures fewer examples, which the learner profile keeps "
    "at 25 so that a local green means what CI's green means. Note that a faster floor (a) "
    "raises every ratio.",
    "d": "A red run formats one traceback per failure; pytest parses the source file of each "
    "frame it shows. See the traceback costs under Known costs.",
    "f": "A warm verdict still pays pytest's own time (collection and the kata's tests) and "
    "what pytest does after the spare's gate (conftest, django.setup() with the kata apps, "
    "the test database): the ratio can go no lower than the warm runner alone against the "
    "cold run. The rest is the watch loop's: noticing the save (a file event wakes it at "
    "once) and the 5 ms debounce. See where the time goes below.",
}


def busy(load: str) -> bool:
    try:
        return float(load.split(" / ")[0]) > 0.5 * (os.cpu_count() or 1)
    except ValueError:
        return False


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break

    def version(dist: str) -> str:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "not installed"

    return {
        "machine": f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} CPUs",
        "python": platform.python_version(),
        "django": version("django"),
        "pytest": version("pytest"),
        "hypothesis": version("hypothesis"),
        "pytest-django": version("pytest-django"),
    }


def loadavg() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def fmt(seconds: float) -> str:
    return f"{seconds:.2f} s"


def case_table(cases: list[Case], with_command: bool = True) -> list[str]:
    head = "| | what | runs | median | min | max | CPU | pytest's own | exit | result |"
    lines = [head, "|---|---|---:|---:|---:|---:|---:|---:|---|---|"]
    for case in cases:
        median, low, high = case.stats()
        cpu = fmt(statistics.median(case.cpu)) if any(case.cpu) else "-"
        session = fmt(statistics.median(case.session)) if case.session else "-"
        codes = sorted(set(case.codes))
        exit_text = ",".join(map(str, codes))
        if not case.exit_ok:
            exit_text += f" (expected {case.expect})"
        command = case.command.replace("|", "\\|")
        what = f"{case.title}<br>`{command}`" if with_command else case.title
        lines.append(
            f"| {case.key} | {what} | {len(case.times)} | {fmt(median)} | {fmt(low)} | {fmt(high)} | {cpu} "
            f"| {session} | {exit_text} | {case.summary} |"
        )
    return lines


def case_line(case: Case, width: int) -> str:
    median, low, high = case.stats()
    cpu = f", CPU {statistics.median(case.cpu):.2f}" if any(case.cpu) else ""
    flag = "" if case.exit_ok else f"  UNEXPECTED exit {sorted(set(case.codes))}"
    return (
        f"{case.title:<{width}} median {median:6.2f} s (min {low:.2f}, max {high:.2f}{cpu})"
        f"  {case.summary}{flag}"
    )


def sign_test(wins: int, rounds: int) -> float:
    """Two-sided p-value of ``wins`` of ``rounds`` if either side were as likely to win."""
    if rounds == 0:
        return 1.0
    tail = sum(math.comb(rounds, k) for k in range(max(wins, rounds - wins), rounds + 1))
    return min(1.0, 2 * tail / 2**rounds)


def patch_rows(patches: list[Patch], cases: list[Case]) -> list[dict]:
    """Each patch: the medians on and off, what it saves, and whether that beats the noise.

    The two cases ran in the same rounds, one right after the other, so each round is a pair
    that met the same load. Beyond the noise: the side that wins most rounds wins so many that
    chance alone would do it less than 5% of the time (a two-sided sign test), on CPU time
    where both sides have it (cold runs: less sensitive to other work on the machine), else
    on wall-clock time (the watch loop's edit -> verdict).
    """
    by_key = {case.key: case for case in cases}
    rows = []
    for patch in patches:
        on, off = by_key.get(patch.on), by_key.get(patch.off)
        if on is None or off is None or not on.times or not off.times:
            continue
        saved = off.median - on.median
        with_cpu = any(on.cpu) and any(off.cpu)
        pairs = list(zip(*((on.cpu, off.cpu) if with_cpu else (on.times, off.times)), strict=True))
        pairs = [(a, b) for a, b in pairs if not math.isnan(a + b)]
        wins = sum(a < b for a, b in pairs)  # rounds in which the run with the patch was faster
        cpu = ""
        if with_cpu:
            cpu_on, cpu_off = statistics.median(on.cpu), statistics.median(off.cpu)
            cpu = f"{(cpu_off - cpu_on) / cpu_off:+.0%}"
        rows.append(
            {
                "patch": patch,
                "on": on.median,
                "off": off.median,
                "ratio": on.median / off.median,
                "saved": saved,
                "share": saved / off.median,
                "cpu": cpu,
                "wins": wins,
                "rounds": len(pairs),
                "by": "CPU" if with_cpu else "wall clock",
                "p": sign_test(wins, len(pairs)),
            }
        )
    return rows


def patch_verdict(row: dict) -> str:
    faster = f"faster with it in {row['wins']} of {row['rounds']} rounds ({row['by']})"
    if row["p"] >= 0.05:
        return f"within noise: {faster}"
    return ("saves" if row["wins"] * 2 > row["rounds"] else "costs") + f": {faster}"


def print_report(cases, tag, costs, info, load_before, load_after) -> None:
    print()
    print(
        f"Python {info['python']}, Django {info['django']}, pytest {info['pytest']}, "
        f"Hypothesis {info['hypothesis']}; {info['machine']}"
    )
    print(f"load average before: {load_before}; after: {load_after}")
    print()
    for case in cases:
        print(f"  ({case.key:<9}) " + case_line(case, 56))
    print()
    for ratio in ratios(cases):
        cpu = f"  (on CPU time: {ratio.cpu:.2f})" if ratio.cpu is not None else ""
        print(
            f"  {ratio.name:<10} {ratio.value:5.2f}  target <= {ratio.target:<4} {ratio.verdict}"
            f"{cpu}  {RATIO_WHAT[ratio.letter].replace('`', '')}"
        )
    if busy(load_before) or busy(load_after):
        print("  The machine was busy: these figures are noisy. Re-run on a quiet machine.")
    for note in [*watch_notes(cases), *autoload_notes(cases)]:
        print()
        print(textwrap.fill(note, width=98, initial_indent="  ", subsequent_indent="    "))
    print()
    if "error" in tag:
        print(f"  (e) tag count: ERROR {tag['error']}")
    else:
        for row in tag["rows"]:
            print(
                f"  (e) {row['posts']:>6} posts, {row['links']:>6} links: {row['queries']} "
                f"quer{'y' if row['queries'] == 1 else 'ies'}, median {row['median'] * 1000:.2f} ms"
                f"{'' if row['correct'] else '  WRONG COUNTS'}"
            )
        for name, ok in tag_verdicts(tag).items():
            print(f"      {name}: {'PASS' if ok else 'MISS'}")
    for title, group in costs:
        print()
        print(f"  {title}")
        for case in group:
            print("    " + case_line(case, 50))


def print_patches(patches: tuple[list[Patch], list[tuple[str, list[Case]]]]) -> None:
    patch_list, groups = patches
    for title, group in groups:
        print()
        print(f"  {title}")
        for case in group:
            print(f"    ({case.key:<15}) " + case_line(case, 50))
    print()
    print("  Private-API patches: what each saves (median off - median on)")
    for row in patch_rows(patch_list, [case for _, group in groups for case in group]):
        cpu = f", CPU {row['cpu']}" if row["cpu"] else ""
        print(
            f"    {row['patch'].what:<38} {row['on']:.3f} s on, {row['off']:.3f} s off, "
            f"ratio {row['ratio']:.2f}: "
            f"{row['saved']:+.3f} s ({row['share']:+.0%}{cpu})  {patch_verdict(row)}"
        )


def patch_section(patches: tuple[list[Patch], list[tuple[str, list[Case]]]]) -> list[str]:
    patch_list, groups = patches
    cases = [case for _, group in groups for case in group]
    out = [
        "",
        "## Private-API patches: what each one buys",
        "",
        *PATCH_NOTES,
        "",
        (
            "| patch (with / without: cases) | measured on | with | without | ratio "
            "| saves (wall clock) | saves (CPU) | verdict |"
        ),
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for row in patch_rows(patch_list, cases):
        patch = row["patch"]
        out.append(
            f"| {patch.what} (`{patch.on}` / `{patch.off}`) | {patch.measured} "
            f"| {fmt(row['on'])} | {fmt(row['off'])} | {row['ratio']:.2f} "
            f"| {row['saved']:+.3f} s ({row['share']:+.0%}) | {row['cpu'] or '-'} "
            f"| {patch_verdict(row)} |"
        )
    for title, group in groups:
        out += ["", f"### {title}", "", *case_table(group)]
    return out


def markdown(
    cases, tag, costs, info, load_before, load_after, runs, quick, elapsed, patches=None
) -> str:
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out = [
        "# Feedback-speed benchmark",
        "",
        "How long a learner waits between saving a file and reading pytest's verdict, and how",
        (
            "the tag count of kata 08 scales. Written by `python tools/bench.py --write "
            "docs/benchmark.md`; the figures below are the last run's."
        ),
        "",
        f"- Date: {now}" + (" (`--quick`: a smoke test, not a measurement)" if quick else ""),
        f"- Machine: {info['machine']}; load average before / after: {load_before} → {load_after}",
        (
            f"- Python {info['python']}, Django {info['django']}, pytest {info['pytest']}, "
            f"pytest-django {info['pytest-django']}, Hypothesis {info['hypothesis']}"
        ),
        (
            "- Each figure: wall-clock time of a fresh process (for f: from a save to the watch "
            "loop's verdict); median, min and max over the "
            f"runs shown ({runs} for the loop and the candidates"
            + ("" if quick else ", after a discarded warm-up round")
            + "; fewer for the known costs), commands interleaved. Environment as CI: "
            "`PYTHONDONTWRITEBYTECODE=1`, SQLite in memory, `HYPOTHESIS_PROFILE=learner`, an empty "
            "Hypothesis example database for every run (for f: one for each watcher)."
        ),
        f"- One full run of the benchmark took {elapsed / 60:.1f} min.",
        *(
            [
                (
                    "- **The machine was busy during this run** (load average above half the "
                    "CPUs): the figures are noisy. Re-run on a quiet machine."
                )
            ]
            if busy(load_before) or busy(load_after)
            else []
        ),
        "",
        "## The learner's loop",
        "",
        (
            '"pytest\'s own" is the time pytest prints itself (collection and tests); the rest of '
            "the wall-clock time is starting Python, pytest, the plugins and `django.setup()`."
        ),
        "",
        *case_table(cases),
        "",
        "| ratio | what | measured (wall clock) | on CPU time | target | |",
        "|---|---|---:|---:|---:|---|",
    ]
    missed: dict[str, list[str]] = {}
    for ratio in ratios(cases):
        out.append(
            f"| {ratio.name} | {RATIO_WHAT[ratio.letter]} | {ratio.value:.2f} | {cpu_note(ratio)} "
            f"| ≤ {ratio.target} | {ratio.verdict} |"
        )
        if not ratio.passed:
            missed.setdefault(ratio.letter, []).append(ratio.name)
    for letter, names in missed.items():
        out += ["", f"**{', '.join(names)} missed.** {MISS_REASONS[letter]}"]
    watch = watch_notes(cases)
    if watch:
        out += ["", "### Edit → verdict in the watch loop (f)", "", *WATCH_NOTES, ""]
        out += [f"- {note}" for note in watch]
    autoload = autoload_notes(cases)
    if autoload:
        out += ["", "### Plugin autoload: what it costs or saves now (g)", "", *AUTOLOAD_NOTES]
        out += ["", *[f"- {note}" for note in autoload]]
    out += ["", "## The tag count (kata 08, the solution's `tag_post_counts()`)", ""]
    if "error" in tag:
        out.append(f"Could not run: {tag['error']}")
    else:
        out += [
            (
                "20 tags, 50 authors, each post with 0 to 3 tags (seeded), in-memory SQLite; "
                f"time is the median of {tag['repeats']} calls."
            ),
            "",
            "| posts | post-tag links | queries | median | min | max | counts right |",
            "|---:|---:|---:|---:|---:|---:|---|",
        ]
        for row in tag["rows"]:
            out.append(
                f"| {row['posts']:,} | {row['links']:,} | {row['queries']} "
                f"| {row['median'] * 1000:.2f} ms | {row['min'] * 1000:.2f} ms "
                f"| {row['max'] * 1000:.2f} ms | {'yes' if row['correct'] else 'NO'} |"
            )
        by_size = {row["posts"]: row for row in tag["rows"]}
        verdicts = tag_verdicts(tag)
        out.append("")
        out.append(
            f"- One query at every size: {'PASS' if verdicts['one query at every size'] else 'MISS'}"
        )
        if 1_000 in by_size and 10_000 in by_size:
            growth = by_size[10_000]["median"] / by_size[1_000]["median"]
            out.append(
                f"- Growth from 1,000 to 10,000 posts: ×{growth:.1f} for ×10 the posts "
                f"(linear allows ≤ ×{10 * LINEAR_SLACK:.0f}): "
                f"{'PASS' if verdicts['linear'] else 'MISS'}"
            )
    known = [(title, group) for title, group in costs if not title.startswith("Candidate")]
    candidates = [(title, group) for title, group in costs if title.startswith("Candidate")]
    if known:
        out += ["", "## Known costs", ""]
        for title, group in known:
            out += [f"### {title}", "", *case_table(group), ""]
        out += KNOWN_COSTS_NOTES
    if patches:
        out += patch_section(patches)
    if candidates:
        out += ["", "## Candidate changes (measured, not applied)", ""]
        out += CANDIDATE_NOTES
        for title, group in candidates:
            out += ["", f"### {title.removeprefix('Candidate: ')}", "", *case_table(group)]
    out += [
        "",
        "## Re-run",
        "",
        "On a quiet machine (nothing else running; the figures are wall-clock times):",
        "",
        "```",
        ".venv/bin/python tools/bench.py --write docs/benchmark.md          # 5 runs",
        ".venv/bin/python tools/bench.py --runs 9 --check                   # exit 1 on a miss",
        ".venv/bin/python tools/bench.py --quick                            # smoke test",
        ".venv/bin/python tools/bench.py --only-patches --patch-runs 21     # the patches alone",
        "```",
        "",
        "No test asserts a time: speed lives in this benchmark, never in pass/fail.",
        "",
    ]
    return "\n".join(out)


WATCH_NOTES = [
    "`katas watch KATA` (`python -m katalib watch KATA`) runs in a scratch copy of the",
    "repository whose `katas/KATA/` holds the solution, with no terminal (no keys). Each sample",
    "appends a comment line to the kata's first editable file, or removes it again (the kata",
    "stays solved), and times from the end of the write to the watcher's next status line:",
    "the file-watch latency, the 5 ms debounce, a run in a fork of the warm runner",
    "(`katalib.loop.warm`) and the status line. That fork, the spare, was started after the previous",
    "verdict: pytest's arguments, configuration and plugins are loaded, and it waits at a gate",
    "before reading any conftest, setting or kata file; the save opens it, and the spare",
    "compiled the files ahead (used only where their bytes are unchanged); the run loads the",
    "kata files itself (`KATA_PROBE=retry`: no probe child unless a file ends or hangs it).",
    "Every verdict must say solved, all tests. The cold",
    "run is `python -m pytest katas/KATA` in the same copy, interleaved with the samples. The",
    'watcher is stopped with SIGTERM at the end. "The warm runner alone" runs the same pytest',
    "arguments through `katalib.loop.warm.WarmPytest` in the same copy, without the file watch and",
    "the `katas` command around it. Where the time goes (medians; pytest's own time is what it",
    "prints after the run):",
]

AUTOLOAD_NOTES = [
    "All three run `katas/02_many_to_one --solutions`. With plugin autoload, pytest marks every",
    "module of each plugin's distribution for assertion rewriting, the whole `hypothesis`",
    "package included, and with `PYTHONDONTWRITEBYTECODE=1` the rewritten bytecode is never",
    "cached, so every run would pay for it again. g-named is the configuration before autoload",
    "came back (`--disable-plugin-autoload` and each plugin by `-p`); g-auto is the project's",
    "(autoload on; `katalib.core.plugin` takes Hypothesis off pytest's rewrite list as it loads);",
    "g-rewrite is autoload with that trimming undone (a wrapper imports `katalib.core.plugin`",
    "before `pytest.main`, so the trimming runs before pytest's rewrite hook exists).",
]


PATCH_NOTES = [
    "Each private API the harness patches on a speed path, with the patch and without it in",
    "the same command, the two one right after the other in every round (the tables below).",
    "Cold runs go through the `python -c` wrapper (`WRAPPER` in `tools/bench.py`): `keep`",
    "against the mode that switches the patch off. The warm runner's patches are switched off",
    "by a `sitecustomize.py` (`SITECUSTOMIZE`, `KATA_BENCH_WARM=<mode>`) in the processes of a",
    "`katas watch` in a scratch copy, which waits 1 s after each verdict before the next save",
    "(a learner's pause: the spare has compiled ahead); pytest-watcher's through `PTW_WRAPPER`.",
    '"bytecode cached": bytecode written and read back from the second run on',
    "(`PYTHONPYCACHEPREFIX` in the scratch folder), as in a learner's checkout; every other case",
    "runs with `PYTHONDONTWRITEBYTECODE=1`, as CI does and as many Docker images do. Ratio: the",
    "median with the patch over the median without it. Verdict: a sign test over the rounds,",
    "on CPU time where both sides have it, else wall clock; beyond the noise when chance alone",
    "would give that many wins less than 5% of the time. Small savings need many rounds:",
    "`--only-patches p-pre --patch-runs 81` tells the warm runner's two halves apart.",
    "",
    "What each one is for, and the decision:",
    "",
    "- `_must_rewrite` (pytest's list of modules to assertion-rewrite; `core/plugin.py` takes",
    "  Hypothesis off it): kept. Without bytecode caches pytest rewrites the whole `hypothesis`",
    "  package on every run; with bytecode cached (a learner's checkout after its first run)",
    "  the difference is small.",
    "- `_traceback_filter` (`core/plugin.py` wraps each item's): kept for what the learner",
    "  reads (frames stop at their code, in every link of a chained exception: pytest formats",
    "  each link through this method, so no public hook does the same). Its speed is a side",
    "  effect: fewer frames to format on a red run of the whole suite; its own time is about",
    "  2 ms on a one-kata red run (cProfile).",
    "- `sync_apps` (Django's `migrate`; `core/schema.py` builds the tables one app at a time, so",
    "  a table the database refuses breaks only its kata): kept for that, not for speed; the",
    "  figure is what it costs.",
    "- `source_to_code` and `_rewrite_test` (`loop/warm.py`: the spare's files compiled while it",
    "  waits, used where their bytes are unchanged): kept. Each one's part of the saving is too",
    "  small for 21 or 41 rounds to tell from the noise; 81 rounds of kata 02 do (`--only-patches`,",
    "  2026-12-03, load average 1.6 → 0.8): ratio 0.87 with both off (faster with them in 62",
    "  of 81 rounds), 0.94 with `source_to_code` off (54 of 81), 0.91 with `_rewrite_test` off",
    "  (52 of 81). With bytecode cached they save little.",
    "- pytest-watcher's `subprocess` (`loop/ptw.py`: its runs go through the warm runner): kept;",
    "  pytest-watcher's only public choice, `--runner`, starts a cold process on every save.",
    "- `_tw` (the terminal width of the progress table): replaced by the public",
    "  `config.get_terminal_writer()`, the same object; nothing to measure.",
]


KNOWN_COSTS_NOTES = [
    "What the groups above show:",
    "",
    "- **Hypothesis on untouched stubs.** `katalib.core.testcase` re-raises a stub's",
    "  `NotImplementedError` for every later example instead of running it, so Hypothesis",
    "  gives up at once instead of generating and shrinking database rows.",
    "- **Tracebacks on red runs.** `--tb=short` plus the filter in `katalib.core.plugin` (frames stop",
    "  at the learner's code) against the same run without that filter, long tracebacks and",
    "  `--fulltrace` (every frame of Django, Hypothesis and pytest); `--tb=no` is the floor.",
    "  Formatting a frame costs a parse of its whole source file, so each Django frame shown",
    "  is expensive.",
    "",
    "CPU is the user + system time of the child process: less sensitive than wall-clock time",
    "to other work on the machine.",
]


CANDIDATE_NOTES = [
    "Each group runs one command through a small `python -c` wrapper around `pytest.main`",
    "that applies one change in-process (see `WRAPPER` in `tools/bench.py`), next to the same",
    "wrapper unchanged. Where the time of a red run goes: pytest formats each failure's",
    "traceback with the source statement of every frame it shows, and to find a statement it",
    "parses and walks the whole file, once per failure (its AST cache lives only as long as",
    "one failure's report). A green run spends most of its test time in the Hypothesis",
    "property tests, whose examples each build rows in the database. Note that a faster floor",
    "(a) makes every ratio larger: the targets are ratios, not seconds.",
]


def measure_patches(
    scratch: Path, runs: int, only: list[str]
) -> tuple[list[Patch], list[tuple[str, list[Case]]]]:
    """Each private-API patch on and off, interleaved in one list, after a warm-up round
    (``only``: just the cases whose keys start with one of these)."""
    patches, groups, watchers = patch_cases(scratch)
    if only:
        groups = [(t, [c for c in g if c.key.startswith(tuple(only))]) for t, g in groups]
        groups = [(title, group) for title, group in groups if group]
    cases = [case for _, group in groups for case in group]
    watchers = [watcher for watcher in watchers if any(c.sampler is watcher for c in cases)]
    try:
        print("Private-API patches: starting the watchers of the warm runner's patches", flush=True)
        for watcher in watchers:
            watcher.start()
        print(f"Private-API patches: {runs} runs of {len(cases)} commands")
        # The warm-up round fills the bytecode caches of the "pyc" cases.
        measure(cases, runs, warmup=True, scratch=scratch)
    finally:
        for watcher in watchers:
            watcher.stop()
    for watcher in watchers:
        for note in watcher.oddities():
            print(f"  {watcher.command}: {note}")
    return patches, groups


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, help="runs per command (default 5; --quick: 2)")
    parser.add_argument("--quick", action="store_true", help="2 runs, no warm-up, no known costs")
    parser.add_argument(
        "--write", metavar="PATH", help="write the results as Markdown (docs/benchmark.md)"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--skip-costs", action="store_true", help="don't measure the known costs")
    parser.add_argument(
        "--cost-runs",
        type=int,
        default=3,
        help="runs per known-cost variant (default 3: some variants take 20-50 s)",
    )
    parser.add_argument(
        "--candidates", action="store_true", help="also measure candidate speed-ups (not applied)"
    )
    parser.add_argument(
        "--skip-patches", action="store_true", help="don't measure the private-API patches"
    )
    parser.add_argument(
        "--only-patches",
        nargs="*",
        metavar="KEY",
        help="measure only the private-API patches, each on and off, or only the cases whose "
        "keys start with a KEY given (p-pre: the warm runner's); prints, never --write",
    )
    parser.add_argument("--patch-runs", type=int, help="runs per patch case (default: --runs)")
    parser.add_argument("--tag-counts-child", metavar="SIZES", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    only = args.only_patches
    if only is not None and (args.write or args.check or args.quick or args.skip_patches):
        parser.error("--only-patches measures a part: no --write, --check or --quick with it")

    if args.tag_counts_child:
        sizes = [int(s) for s in args.tag_counts_child.split(",")]
        print(json.dumps(tag_count_child(sizes, args.runs or 7)))
        return 0

    if importlib.util.find_spec("pytest") is None or importlib.util.find_spec("django") is None:
        print("Run this with the project's environment: .venv/bin/python tools/bench.py")
        return 2
    runs = args.runs or (2 if args.quick else 5)
    started = time.perf_counter()
    info = machine()
    load_before = loadavg()
    costs = [] if (args.quick or args.skip_costs) else cost_cases()
    if args.candidates:
        costs += candidate_cases()
    with tempfile.TemporaryDirectory(prefix="kata-bench-") as scratch:
        patches = None
        if not (args.quick or args.skip_patches):
            patches = measure_patches(Path(scratch), args.patch_runs or runs, only or [])
        if only is not None:
            assert patches is not None
            print(f"\nload average before: {load_before}; after: {loadavg()}")
            print_patches(patches)
            print(f"\nThe benchmark took {time.perf_counter() - started:.0f} s.")
            return 0
        watchers = {
            short: Watcher(
                kata,
                scratch_copy(Path(scratch) / f"repo-{short}", kata),
                Path(scratch) / f"hypothesis-watch-{short}",
            )
            for short, kata in WATCHED.items()
        }
        probes = {
            short: WarmProbe(watcher.kata, watcher.repo, Path(scratch))
            for short, watcher in watchers.items()
        }
        cases = main_cases(watchers, probes)
        try:
            for short, watcher in watchers.items():
                print(f"(f): starting katas watch {watcher.kata} in a scratch copy", flush=True)
                watcher.start()
                probes[short].start()
            print(f"(a)-(d), (f), (g): {runs} runs of {len(cases)} commands")
            measure(cases, runs, warmup=not args.quick, scratch=Path(scratch))
        finally:
            for short, watcher in watchers.items():
                watcher.stop()
                probes[short].stop()
        print("(e): tag count")
        tag = measure_tag_counts(3 if args.quick else 7)
        for title, group in costs:
            print(title)
            group_runs = runs if title.startswith("Candidate") else min(runs, args.cost_runs)
            # No warm-up round here: the loop above has already warmed the file cache.
            measure(group, group_runs, warmup=False, scratch=Path(scratch))
    load_after = loadavg()
    elapsed = time.perf_counter() - started
    print_report(cases, tag, costs, info, load_before, load_after)
    if patches:
        print_patches(patches)
    print(f"\nThe benchmark took {elapsed:.0f} s.")

    if args.write:
        path = Path(args.write)
        if not path.is_absolute():
            path = ROOT / path
        path.parent.mkdir(parents=True, exist_ok=True)
        # The browser's figures (web/bench.mjs writes them) stay: from "## Browser" on.
        kept = ""
        if path.is_file():
            old = path.read_text(encoding="utf-8")
            if "\n## Browser" in old:
                kept = "\n## Browser" + old.split("\n## Browser", 1)[1]
        path.write_text(
            markdown(
                cases,
                tag,
                costs,
                info,
                load_before,
                load_after,
                runs,
                args.quick,
                elapsed,
                patches,
            ).rstrip("\n")
            + "\n"
            + kept,
            encoding="utf-8",
        )
        print(f"Wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")

    if args.check:
        misses = [ratio.name for ratio in ratios(cases) if not ratio.passed]
        misses += [case.key + " exit code" for case in cases if not case.exit_ok]
        misses += [name for name, ok in tag_verdicts(tag).items() if not ok]
        if misses:
            print("MISSED: " + ", ".join(misses))
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
