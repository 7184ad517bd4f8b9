"""Feedback-speed benchmark: how long a learner waits for pytest, and how the tag count scales.

    python tools/bench.py                              # 5 runs per command, print the results
    python tools/bench.py --runs 9 --write docs/benchmark.md
    python tools/bench.py --quick                      # 2 runs, no "known costs": a smoke test
    python tools/bench.py --check                      # exit 1 if a target is missed
    python tools/bench.py --candidates                 # also measure speed-ups not applied

Run it with the project's environment (``.venv/bin/python tools/bench.py``) on a quiet machine:
every figure is a wall-clock time of a fresh ``python -m pytest`` process, so anything else
running on the machine shows up in the numbers. Every child process gets
PYTHONDONTWRITEBYTECODE=1 (as CI runs), DATABASE_URL="" (SQLite in memory),
HYPOTHESIS_PROFILE=learner (unless set) and an empty Hypothesis example database of its own,
so every run is a first run. Commands are interleaved (a, b, c, d, a, b, ...) after one
discarded warm-up round, and each figure is the median of the runs, with min and max.

Measured:
  (a) the floor: ``pytest --collect-only -q`` (Python, pytest, plugins, django.setup(), imports)
  (b) one kata as watch mode re-runs it: ``pytest katas/02_many_to_one`` on the solution
      (green) and on the stub (red)
  (c) the whole suite on the solutions; (d) the whole suite on the untouched stubs
  (e) ``tag_post_counts()`` of solutions/08_tag_counts at 10, 1,000 and 10,000 posts: the number
      of queries (must be 1) and the time (must grow no faster than linearly)
Targets: b/a <= 1.3, c/a <= 2.5, d/a <= 3. Only ``--check`` turns a miss into a failure.
Speed is never asserted by a test: it lives here.

Needs only Python and the project's packages (no hyperfine).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib
import importlib.util
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"b": 1.3, "c": 2.5, "d": 3.0}
TAG_KATA = "08_tag_counts"
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
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # user + system time of the child
    session: list[float] = field(default_factory=list)  # pytest's own "in N.NNs"
    codes: list[int] = field(default_factory=list)
    summary: str = ""

    @property
    def command(self) -> str:
        head = "python -m pytest" if self.wrapper is None else "python -c <wrapper>"
        env = "".join(f"{k}={v} " for k, v in self.extra_env.items())
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


def main_cases() -> list[Case]:
    return [
        Case("a", "floor: collect the suite", ["--collect-only", "-q"], 0),
        Case(
            "b",
            "one kata, solution (green)",
            ["katas/02_many_to_one", "--solutions"],
            0,
        ),
        Case("b-stub", "one kata, stub (red)", ["katas/02_many_to_one"], 1),
        Case("c", "whole suite, solutions", ["--solutions"], 0),
        Case("d", "whole suite, untouched stubs", [], 1),
    ]


# The project's addopts without the plugin list: the same run, with plugins autoloaded.
AUTOLOAD = [
    "-o",
    "addopts=",
    "-p",
    "katalib.plugin",
    "--no-migrations",
    "--import-mode=importlib",
    "--tb=short",
]

# pytest.main with one change, chosen by sys.argv[1], to measure a cost or a candidate fix:
#   keep           nothing changed (the baseline of the same wrapper)
#   fastfail-off   remove the stub fast-fail of katalib.hypothesis_db
#   shared-ast     share pytest's AST cache between failures (each file parsed once per run)
#   examples=N     Hypothesis max_examples=N instead of the learner profile's
#   filter-off     keep every frame below the learner's code (katalib.plugin's filter removed)
#   gc-freeze      gc.freeze() at session start: the garbage collector stops re-scanning the
#                  objects of Python, pytest, Django and Hypothesis at every full collection
WRAPPER = """\
import sys, pytest
MODE = sys.argv.pop(1)
class P:
    def pytest_sessionstart(self, session):
        if MODE == "filter-off":
            import katalib.plugin
            katalib.plugin._stop_at_learner_code = lambda original: original
        if MODE == "gc-freeze":
            import gc
            gc.freeze()
        if MODE == "fastfail-off":
            from katalib.hypothesis_db import KataHypothesisTestCase as K
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
    """Known costs of issue 7, each as a group of variants of one command."""
    one_kata = ["katas/02_many_to_one", "--solutions"]
    stubs = [path for path in HYPOTHESIS_STUBS if (ROOT / path).is_dir()]
    return [
        (
            "Hypothesis assertion-rewrite: plugins by name vs autoloaded (b, solution)",
            [
                Case("i-named", "project config (named -p, autoload off)", one_kata, 0),
                Case(
                    "i-auto",
                    "plugins autoloaded (pytest rewrites hypothesis)",
                    [*AUTOLOAD, *one_kata],
                    0,
                ),
                Case(
                    "i-auto-nohyp",
                    "autoloaded, -p no:hypothesispytest",
                    [*AUTOLOAD, "-p", "no:hypothesispytest", *one_kata],
                    0,
                ),
            ],
        ),
        (
            "Hypothesis on untouched stubs: fast-fail on vs off (" + ", ".join(stubs) + ")",
            [
                Case("ii-on", "fast-fail (katalib.hypothesis_db)", ["keep", *stubs], 1, WRAPPER),
                Case("ii-off", "fast-fail removed", ["fastfail-off", *stubs], 1, WRAPPER),
            ],
        ),
        (
            "Tracebacks on the red run (d)",
            [
                Case("iii-short", "--tb=short + filter (project config)", [], 1),
                Case("iii-long", "--tb=long (filter kept)", ["--tb=long"], 1),
                Case(
                    "iii-nofilter",
                    "--tb=short, katalib filter removed",
                    ["filter-off"],
                    1,
                    WRAPPER,
                ),
                Case(
                    "iii-long-nofilter",
                    "--tb=long, katalib filter removed",
                    ["filter-off", "--tb=long"],
                    1,
                    WRAPPER,
                ),
                Case("iii-full", "--fulltrace (long, no filter at all)", ["--fulltrace"], 1),
                Case("iii-no", "--tb=no (lower bound: no tracebacks)", ["--tb=no"], 1),
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
        cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
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
            if code != case.expect and not case.summary:
                case.summary = output.strip().splitlines()[-1][:100] if output.strip() else ""
            print(f" {case.key}={elapsed:.2f}s", end="", flush=True)
        print()


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


def ratios(cases: list[Case]) -> list[tuple[str, float, float]]:
    """(name, ratio, target) for every case with a target, against the floor (a)."""
    floor = next(case for case in cases if case.key == "a").median
    rows = []
    for case in cases:
        letter = case.key.split("-")[0]
        if letter in TARGETS:
            rows.append((f"{case.key}/a", case.median / floor, TARGETS[letter]))
    return rows


def cpu_ratio(cases: list[Case], key: str) -> float | None:
    """The same ratio on CPU time (user + system), less sensitive to a busy machine."""
    by_key = {case.key: case for case in cases}
    if not (any(by_key["a"].cpu) and any(by_key[key].cpu)):
        return None
    return statistics.median(by_key[key].cpu) / statistics.median(by_key["a"].cpu)


# Why a target can be missed, printed under the ratios when it is.
MISS_REASONS = {
    "b": "One kata's run should cost little more than collecting the suite: if it does, "
    "look for a slow fixture or a slow test in that kata (`pytest --durations=10`).",
    "c": "The green suite's own time is mostly its Hypothesis property tests: every example "
    "builds rows in the database, at the learner profile's 25 examples per test. "
    "`tools/bench.py --candidates` measures fewer examples and gc.freeze(); note that a "
    "faster floor (a) raises every ratio.",
    "d": "A red run formats one traceback per failure; pytest parses the source file of each "
    "frame it shows. See the traceback costs under Known costs.",
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


def print_report(cases, tag, costs, info, load_before, load_after) -> None:
    print()
    print(
        f"Python {info['python']}, Django {info['django']}, pytest {info['pytest']}, "
        f"Hypothesis {info['hypothesis']}; {info['machine']}"
    )
    print(f"load average before: {load_before}; after: {load_after}")
    print()
    for case in cases:
        print(f"  ({case.key:<6}) " + case_line(case, 30))
    print()
    for name, value, target in ratios(cases):
        verdict = "PASS" if value <= target else "MISS"
        on_cpu = cpu_ratio(cases, name.split("/")[0])
        cpu = f"  (on CPU time: {on_cpu:.2f})" if on_cpu is not None else ""
        print(f"  {name:<9} {value:5.2f}  target <= {target:<4} {verdict}{cpu}")
    if busy(load_before) or busy(load_after):
        print("  The machine was busy: these figures are noisy. Re-run on a quiet machine.")
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


def markdown(cases, tag, costs, info, load_before, load_after, runs, quick, elapsed) -> str:
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
            "- Each figure: wall-clock time of a fresh process; median, min and max over the "
            f"runs shown ({runs} for the loop and the candidates, after a discarded warm-up "
            "round; fewer for the known costs), commands interleaved. Environment as CI: "
            "`PYTHONDONTWRITEBYTECODE=1`, SQLite in memory, `HYPOTHESIS_PROFILE=learner`, an empty "
            "Hypothesis example database for every run."
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
        "| ratio | measured (wall clock) | on CPU time | target | |",
        "|---|---:|---:|---:|---|",
    ]
    missed = []
    for name, value, target in ratios(cases):
        on_cpu = cpu_ratio(cases, name.split("/")[0])
        verdict = "PASS" if value <= target else "MISS"
        cpu = f"{on_cpu:.2f}" if on_cpu is not None else "-"
        out.append(f"| {name} | {value:.2f} | {cpu} | ≤ {target} | {verdict} |")
        letter = name.split("/")[0].split("-")[0]
        if verdict == "MISS" and letter not in missed:
            missed.append(letter)
    for letter in missed:
        out += ["", f"**{letter}/a missed.** {MISS_REASONS[letter]}"]
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
        "```",
        "",
        "No test asserts a time: speed lives in this benchmark, never in pass/fail.",
        "",
    ]
    return "\n".join(out)


KNOWN_COSTS_NOTES = [
    "What the groups above show:",
    "",
    "- **Assertion rewrite of Hypothesis.** With plugin autoload, pytest marks every module of",
    "  each plugin's distribution for assertion rewriting, the whole `hypothesis` package",
    "  included; with `PYTHONDONTWRITEBYTECODE=1` the rewritten bytecode is never cached, so",
    "  every run pays for it again. `pyproject.toml` loads the plugins by name with",
    "  `--disable-plugin-autoload`: only the named plugin modules are rewritten.",
    "- **Hypothesis on untouched stubs.** `katalib.hypothesis_db` re-raises a stub's",
    "  `NotImplementedError` for every later example instead of running it, so Hypothesis",
    "  gives up at once instead of generating and shrinking database rows.",
    "- **Tracebacks on red runs.** `--tb=short` plus the filter in `katalib.plugin` (frames stop",
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
    parser.add_argument("--tag-counts-child", metavar="SIZES", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

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
    cases = main_cases()
    costs = [] if (args.quick or args.skip_costs) else cost_cases()
    if args.candidates:
        costs += candidate_cases()
    with tempfile.TemporaryDirectory(prefix="kata-bench-") as scratch:
        print(f"(a)-(d): {runs} runs of {len(cases)} commands")
        measure(cases, runs, warmup=not args.quick, scratch=Path(scratch))
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
    print(f"\nThe benchmark took {elapsed:.0f} s.")

    if args.write:
        path = Path(args.write)
        if not path.is_absolute():
            path = ROOT / path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            markdown(cases, tag, costs, info, load_before, load_after, runs, args.quick, elapsed),
            encoding="utf-8",
        )
        print(f"Wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")

    if args.check:
        misses = [name for name, value, target in ratios(cases) if value > target]
        misses += [case.key + " exit code" for case in cases if not case.exit_ok]
        misses += [name for name, ok in tag_verdicts(tag).items() if not ok]
        if misses:
            print("MISSED: " + ", ".join(misses))
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
