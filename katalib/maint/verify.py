"""Prove the katas both ways: ``python -m katalib.verify``.

1. Two-way proof, per test id: every kata test fails (or errors) on the untouched ``katas/``
   files, passes on ``solutions/``, and is collected in both runs.
2. Test strength: each ``wrong_*`` variant in ``solutions/<kata>/variants.toml`` (a plausible
   wrong solution) is rejected by at least one test of its kata, and each ``ok_*`` variant (a
   different but valid solution) passes every test of its kata. A variant is a list of edits
   (replace ``old``, found exactly once, by ``new``) applied to the solution's files in a
   scratch copy of the repo holding the harness and that one kata. Which test ids each wrong
   variant made fail is recorded (``Proof.killed``): ``katas dev check`` requires every test
   to fail on at least one of them (katalib/maint/dev/rules/proof.py).

Any violation is printed with the test's pytest node id (paste it into pytest) or the variant's
name, and the exit code is 1; a test that does not pass on the solution comes with pytest's
reason. An unknown ``--kata`` lists the real ones (exit code 2).
Extra arguments go to every pytest run (e.g. ``-p no:randomly``).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from katalib.base import env as environment
from katalib.base import junit, manifest, repo, seed
from katalib.base.junit import Outcome
from katalib.loop import warm

ROOT = manifest.ROOT
# Generous for verification: many pytest processes share the machine (learners keep 10 s).
TIMEOUT = "--timeout=120"
# A whole pytest run of the proof that takes longer than this has hung (pytest-timeout could
# not stop it): it is stopped and reported, so that dev check always ends.
RUN_LIMIT = 900


UnknownKata = repo.UnknownKata  # a --kata name that names no kata (nor a folder on disk)


class Note(str):
    """A progress line worth showing in a short log (the counts, a variant that misbehaves);
    ``echo`` gets the others as plain ``str``."""


def resolve(names: list[str], root: Path = ROOT) -> list[str]:
    """Kata folder names for ``names`` (folder, number, path or topic); raises UnknownKata.

    A folder that exists under katas/ or solutions/ but is missing from katas.toml is accepted
    too, so that ``katas dev check --kata <it>`` can say what is wrong with it.
    """
    listed = [k.dir for k in manifest.load(root)]
    on_disk = {p.name for tree in manifest.TARGETS for p in _folders(root / tree)}
    return repo.kata_dirs(names, [*listed, *sorted(on_disk - set(listed))])


def _folders(tree: Path) -> list[Path]:
    if not tree.is_dir():
        return []
    return sorted(p for p in tree.iterdir() if p.is_dir() and not p.name.startswith((".", "__")))


def unknown_kata_text(name: str, root: Path = ROOT) -> str:
    lines = [f"there is no kata {name!r}. The katas (katas.toml) are:"]
    lines += [f"  {k.dir:<24} {k.title}" for k in manifest.load(root)]
    lines.append("Name one by folder or number: --kata 03_on_delete or --kata 03.")
    return "\n".join(lines)


def _env(target: str) -> dict[str, str]:
    # A test database of its own, so that parallel runs can share one PostgreSQL server.
    env = {
        **os.environ,
        environment.TARGET: target,
        environment.TEST_DB_NAME: f"test_katas_{uuid.uuid4().hex[:12]}",
    }
    env.setdefault("HYPOTHESIS_PROFILE", "ci")  # derandomised: the same examples every run
    return env


@dataclass
class Run:
    """One pytest run: its exit code, its output and every test's outcome by node id."""

    code: int
    output: str
    outcomes: dict[str, Outcome]


def run_pytest(
    target: str, root: Path, args: list[str], xml: Path, warm_runs: WarmRunners | None = None
) -> Run:
    """pytest on ``target``'s tree, run in ``root``: a fork of a warm server of ``warm_runs``
    where one serves, else (and without ``warm_runs``) a cold ``python -m pytest``."""
    command = [
        sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
        f"--junitxml={xml}", "--kata-results=", TIMEOUT, *args,
    ]  # fmt: skip
    if warm_runs is not None:
        run = warm_runs.run(target, root, command[3:], xml)
        if run is not None:
            return run
    try:
        done = subprocess.run(
            command,
            check=False,
            cwd=root,
            env=_env(target),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=RUN_LIMIT,
        )
    except subprocess.TimeoutExpired as exc:  # pytest itself hung: a failure, never a wait
        said = (exc.stdout or b"").decode(errors="replace")
        return Run(3, f"{said}\npytest still running after {RUN_LIMIT} s: stopped", {})
    return Run(done.returncode, done.stdout.decode(errors="replace"), outcomes(xml, root))


def _run_warm(
    runner: warm.WarmPytest, target: str, root: Path, args: list[str], xml: Path
) -> Run | None:
    """The run of ``run_pytest`` as a fork of the warm server, in ``root`` (katalib.loop.warm);
    None when the server cannot serve (the caller runs it cold)."""
    env = {k: v for k, v in _env(target).items() if os.environ.get(k) != v}
    said = root.parent / f"{root.name}.out"  # beside the copy: nothing new inside it
    try:
        code = runner.run(args, env=env, output=str(said), cwd=str(root), timeout=RUN_LIMIT)
    except subprocess.TimeoutExpired:
        output = said.read_text(encoding="utf-8", errors="replace") if said.exists() else ""
        return Run(3, f"{output}\npytest still running after {RUN_LIMIT} s: stopped", {})
    if code is None:
        return None
    output = said.read_text(encoding="utf-8", errors="replace") if said.exists() else ""
    return Run(code, output, outcomes(xml, root))


class WarmRunners:
    """A warm pytest server (katalib.loop.warm) for each thread that runs variants, started on its
    first run; ``stop`` ends them all. Each run is a fresh fork that starts in the variant's
    own copy. Where fork() is missing, or for a thread whose server could not serve three
    times, ``run`` gives None: the caller runs a cold ``python -m pytest``."""

    FAILURES = 3

    def __init__(self, root: Path = ROOT) -> None:
        self.root = root
        self.notes: list[str] = []  # why runs were cold, once each
        self.served = 0  # runs that were warm
        self._mine = threading.local()
        self._started: list[warm.WarmPytest] = []
        self._lock = threading.Lock()

    def run(self, target: str, root: Path, args: list[str], xml: Path) -> Run | None:
        failures = getattr(self._mine, "failures", 0)
        if not warm.available() or failures >= self.FAILURES:
            return None
        runner = getattr(self._mine, "runner", None)
        if runner is None:
            runner = self._mine.runner = warm.WarmPytest(self.root, copies=True)
            with self._lock:
                self._started.append(runner)
        run = _run_warm(runner, target, root, args, xml)
        with self._lock:
            if run is not None:
                self.served += 1
            elif runner.note not in self.notes:
                self.notes.append(runner.note)
        if run is None:
            self._mine.failures = failures + 1
        return run

    def stop(self) -> None:
        with self._lock:
            for runner in self._started:
                runner.stop()
            self._started.clear()


def node_id(classname: str, name: str, root: Path) -> str:
    """The pytest node id (``katas/02_x/test_x.py::test_y[1]``) of a JUnit test case.

    JUnit writes ``katas.02_x.test_x`` + ``test_y[1]``; the longest prefix of the dotted name
    that is a file under ``root`` is the test file, the rest are classes.
    """
    parts = classname.split(".") if classname else []
    for cut in range(len(parts), 0, -1):
        path = "/".join(parts[:cut]) + ".py"
        if (root / path).is_file():
            return "::".join([path, *parts[cut:], name])
    return f"{classname}::{name}"


def outcomes(xml: Path, root: Path = ROOT) -> dict[str, Outcome]:
    if not xml.exists():
        return {}
    return {node_id(c, n, root): outcome for (c, n), outcome in junit.read(xml).items()}


class TwoWayKind(Enum):
    """What the two-way proof found wrong (``TwoWayProblem``)."""

    CRASHED = "crashed"  # pytest exited with 2 or more on a tree: not a test failure
    NONE_COLLECTED = "none collected"
    PASSES_ON_STUB = "passes on stub"  # a test that the untouched stub does not fail
    FAILS_ON_SOLUTION = "fails on solution"
    ONE_TREE_ONLY = "one tree only"  # a test collected in one run only


@dataclass(frozen=True)
class TwoWayProblem:
    kind: TwoWayKind
    tree: str = ""  # "katas" or "solutions" (CRASHED, ONE_TREE_ONLY)
    test: str = ""  # the test's node id
    outcome: Outcome | None = None  # its outcome on that tree
    run: Run | None = None  # the run that crashed (CRASHED)

    def __str__(self) -> str:
        kind, test, outcome = self.kind, self.test, self.outcome or Outcome("passed")
        if kind is TwoWayKind.CRASHED:
            assert self.run is not None
            return f"pytest exited {self.run.code} on {self.tree}/:\n{_tail(self.run.output)}"
        if kind is TwoWayKind.NONE_COLLECTED:
            return "no tests were collected"
        if kind is TwoWayKind.PASSES_ON_STUB:
            return f"passes on the untouched stub ({outcome.status}): {test}"
        if kind is TwoWayKind.FAILS_ON_SOLUTION:
            return (
                f"does not pass on the solution ({outcome.status}): {test}\n"
                f"    pytest: {outcome.reason}"
            )
        return f"collected in one run only: {test}"


@dataclass
class TwoWay:
    stubs: Run
    solutions: Run
    problems: list[TwoWayProblem]


def two_way(
    args: list[str], scratch: Path, katas: list[str], echo: Callable[[str], object] = print
) -> TwoWay:
    args = [*args, *(f"katas/{k}" for k in katas)]
    stubs_xml, solutions_xml = scratch / "katas.xml", scratch / "solutions.xml"
    with ThreadPoolExecutor(2) as pool:
        stubs, solutions = pool.map(
            lambda pair: run_pytest(pair[0], ROOT, args, pair[1]),
            [("katas", stubs_xml), ("solutions", solutions_xml)],
        )
    problems = [
        TwoWayProblem(TwoWayKind.CRASHED, tree, run=run)
        for run, tree in ((stubs, "katas"), (solutions, "solutions"))
        if run.code > 1
    ]
    if not stubs.outcomes or not solutions.outcomes:
        problems.append(TwoWayProblem(TwoWayKind.NONE_COLLECTED))
    problems += [
        TwoWayProblem(TwoWayKind.PASSES_ON_STUB, "katas", t, o)
        for t, o in stubs.outcomes.items()
        if not o.rejected
    ]
    problems += [
        TwoWayProblem(TwoWayKind.FAILS_ON_SOLUTION, "solutions", t, o)
        for t, o in solutions.outcomes.items()
        if o.status != "passed"
    ]
    problems += [
        TwoWayProblem(TwoWayKind.ONE_TREE_ONLY, "katas" if t in stubs.outcomes else "solutions", t)
        for t in sorted(set(stubs.outcomes) ^ set(solutions.outcomes))
    ]
    echo(
        Note(
            f"two-way: {len(stubs.outcomes)} tests on katas/, {len(solutions.outcomes)} on solutions/"
        )
    )
    return TwoWay(stubs, solutions, problems)


def _tail(output: str, lines: int = 40) -> str:
    return "\n".join("    " + line for line in output.rstrip().splitlines()[-lines:])


@dataclass(frozen=True)
class Variant:
    kata: manifest.Kata
    key: str  # e.g. "wrong_set_null_where_cascade_belongs"
    why: str
    edits: tuple[dict, ...]  # {"file": "models.py", "old": ..., "new": ...}
    # The mistake corpus (wrong_ variants): what the learner's output must say, must never
    # say, and which explanation rules must speak (katalib.teach.explain's Rule.name).
    says: tuple[str, ...] = ()
    never_says: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    # Seconds per test for this variant's run, instead of TIMEOUT's: a mistake that never
    # ends (an endless loop) is rejected by pytest-timeout, and need not wait 120 s for it.
    timeout: float | None = None

    @property
    def expect_pass(self) -> bool:
        return self.key.startswith("ok_")

    @property
    def name(self) -> str:
        return f"{self.kata.dir}/{self.key}"


def find_variants(selected: set[str]) -> list[Variant]:
    """The variants of ``solutions/<kata>/variants.toml``: edits of the solution's files."""
    found = []
    for kata in manifest.load():
        path = ROOT / "solutions" / kata.dir / "variants.toml"
        if (selected and kata.dir not in selected) or not path.is_file():
            continue
        with open(path, "rb") as fh:
            table = manifest.tomllib.load(fh)
        for key, spec in table.items():
            if not key.startswith(("ok_", "wrong_")):
                raise SystemExit(f"{path}: [{key}] must start with ok_ or wrong_")
            words = {name: spec.get(name, []) for name in ("says", "never_says", "rule")}
            words["rule"] = [words["rule"]] if isinstance(words["rule"], str) else words["rule"]
            if key.startswith("ok_") and any(words.values()):
                raise SystemExit(f"{path}: [{key}] passes every test: it has nothing to say")
            found.append(
                Variant(
                    kata,
                    key,
                    spec.get("why", ""),
                    tuple(spec.get("edit", ())),
                    tuple(words["says"]),
                    tuple(words["never_says"]),
                    tuple(words["rule"]),
                    spec.get("timeout"),
                )
            )
    return found


# What no learner's output may ever show: a crash of pytest, and pytest's own noise that the
# focused output leaves out (``--show-all`` keeps it).
NEVER_SHOWN = (
    "INTERNALERROR",
    "All traceback entries are hidden",
    "Use -v to get more diff",
)


class MissKind(Enum):
    """How a mistake's output misses: what it says in the proof's report."""

    MISSING = "does not say"  # a `says` phrase is not in the output
    MISLEADING = "says what it must not"  # a never_says phrase is
    RULE = "no explanation from the rule"  # a `rule` that did not speak


@dataclass(frozen=True)
class Miss:
    """A mistake whose output does not say what it must, or says what it must not."""

    kind: MissKind
    phrase: str
    lines: str  # the part of the output that shows it

    def __str__(self) -> str:
        return f"{self.kind.value}: {self.phrase!r}\n{self.lines}"


def _flat(text: str) -> str:
    """Whitespace folded: a phrase matches however the terminal wrapped or indented it."""
    return " ".join(text.split())


def _failures(output: str, lines: int = 30) -> str:
    """The failure reports of a run (what a learner reads first), at most ``lines`` lines."""
    rows = output.splitlines()
    start = next((i for i, r in enumerate(rows) if re.match(r"=+ (FAILURES|ERRORS) =+", r)), 0)
    shown = rows[start : start + lines]
    more = len(rows) - start - len(shown)
    return "\n".join("      | " + r for r in shown) + (
        f"\n      | ... ({more} more lines)" if more > 0 else ""
    )


def words_missed(variant: Variant, output: str, fired: set[str]) -> list[Miss]:
    """How the output of a wrong_ variant's run misses what the corpus asks of it."""
    flat = _flat(output)
    misses = [
        Miss(MissKind.MISSING, p, _failures(output)) for p in variant.says if _flat(p) not in flat
    ]
    for phrase in (*variant.never_says, *NEVER_SHOWN):
        if _flat(phrase) in flat:
            rows = [r for r in output.splitlines() if phrase.split()[0] in r][:5]
            misses.append(
                Miss(MissKind.MISLEADING, phrase, "\n".join("      | " + r for r in rows))
            )
    misses += [
        Miss(
            MissKind.RULE,
            rule,
            f"      rules that spoke: {sorted(fired) or 'none'}\n" + _failures(output),
        )
        for rule in variant.rules
        if rule not in fired
    ]
    return misses


def apply_edits(variant: Variant, solution: Path) -> str | None:
    """Edit the scratch copy of the solution; a problem (an edit that no longer fits) or None."""
    for edit in variant.edits:
        target = solution / edit["file"]
        text = target.read_text(encoding="utf-8") if target.is_file() else ""
        found = text.count(edit["old"])
        if found != 1:
            return f"edit of {edit['file']} found its `old` text {found} times (expected once)"
        target.write_text(text.replace(edit["old"], edit["new"]), encoding="utf-8")
    return None if variant.edits else "no edits"


class VariantKind(Enum):
    """Why a variant misbehaves (``VariantResult.kind``)."""

    EDITS_DO_NOT_APPLY = "edits do not apply"  # an edit's old text is not there once, or none
    VALID_REJECTED = "valid alternative rejected"  # ok_: some test fails on it
    WRONG_ACCEPTED = "wrong solution accepted"  # wrong_: no test fails on it


@dataclass
class VariantResult:
    variant: Variant
    verdict: str | None  # None: it behaves (wrong_ rejected, ok_ accepted)
    kind: VariantKind | None = None  # why not, when verdict is not None
    failed: tuple[str, ...] = ()  # node ids of the tests that failed or errored on it
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    misses: list[Miss] = field(default_factory=list)  # the mistake corpus: words that don't fit
    run: Run | None = None  # the pytest run (None when its edits did not apply)

    @property
    def rules(self) -> set[str]:
        """The explanation rules that spoke in this run."""
        return {rule for outcome in self.outcomes.values() for rule in outcome.rules}

    @property
    def problem(self) -> str | None:
        return None if self.verdict is None else f"{self.variant.name}: {self.verdict}"


def check_variant(
    variant: Variant,
    args: list[str],
    scratch: Path,
    echo: Callable[[str], object] = print,
    warm_runs: WarmRunners | None = None,
) -> VariantResult:
    root = scratch / variant.name.replace("/", "__")
    # Only the harness and this kata: other katas are not installed in the copy (their folders
    # are missing), which keeps the run small and unaffected by work in progress elsewhere.
    kata = variant.kata.dir
    for name in [
        *repo.HARNESS,
        f"katas/{kata}",
        f"solutions/{kata}",
        "katas/__init__.py",
        "solutions/__init__.py",
    ]:
        source = ROOT / name
        if source.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "variants.toml", ".*")
            shutil.copytree(source, root / name, ignore=ignore)
        elif source.exists():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, root / name)
    problem = apply_edits(variant, root / "solutions" / kata)
    if problem:
        echo(Note(f"  BAD {variant.name}: {problem}"))
        return VariantResult(variant, problem, VariantKind.EDITS_DO_NOT_APPLY)
    own = [f"--timeout={variant.timeout}"] if variant.timeout else []  # the last one counts
    run = run_pytest(
        "solutions",
        root,
        [*args, *own, f"katas/{variant.kata.dir}"],
        root / "result.xml",
        warm_runs,
    )
    failed = tuple(sorted(t for t, o in run.outcomes.items() if o.rejected))
    short = [t.rsplit("::", 1)[-1] for t in failed]
    if variant.expect_pass:
        bad = run.code != 0 or not run.outcomes
        kind = VariantKind.VALID_REJECTED if bad else None
        verdict = f"{VariantKind.VALID_REJECTED.value} (exit {run.code}): {short}" if bad else None
    else:
        bad = run.code != 1 or not failed
        kind = VariantKind.WRONG_ACCEPTED if bad else None
        verdict = f"{VariantKind.WRONG_ACCEPTED.value} (exit {run.code})" if bad else None
    if verdict and run.code > 1:
        verdict += "\n" + _tail(run.output)
    elif verdict and variant.expect_pass:
        verdict += "".join(f"\n    {t}\n      pytest: {run.outcomes[t].reason}" for t in failed[:5])
    result = VariantResult(variant, verdict, kind, failed, run.outcomes, run=run)
    # The corpus's words are about the public data: with redrawn data only verdicts count.
    if verdict is None and not variant.expect_pass and not seed.active():
        result.misses = words_missed(variant, run.output, result.rules)
    shown = "accepted" if variant.expect_pass else f"rejected by {', '.join(short) or '-'}"
    if result.misses:
        shown += f"; its explanation misses {len(result.misses)} thing(s)"
    bad = verdict is not None or bool(result.misses)

    line = f"  {'BAD' if bad else 'ok '} {variant.name}: {verdict or shown}"
    echo(Note(line) if bad else line)
    return result


@dataclass
class Proof:
    """What ``prove`` found: the problems, and what each part saw."""

    problems: list[str] = field(default_factory=list)
    two_way: TwoWay | None = None
    variants: list[VariantResult] = field(default_factory=list)

    def tests(self, kata: str) -> list[str]:
        """The node ids of ``kata``'s tests that pass on the solution."""
        if self.two_way is None:
            return []
        prefix = f"katas/{kata}/"
        return sorted(
            t
            for t, o in self.two_way.solutions.outcomes.items()
            if t.startswith(prefix) and o.status == "passed"
        )

    def killed(self, kata: str) -> dict[str, list[str]]:
        """Test node id -> the wrong_ variants of ``kata`` that made it fail."""
        found: dict[str, list[str]] = {}
        for result in self.variants:
            variant = result.variant
            if variant.kata.dir == kata and not variant.expect_pass and result.verdict is None:
                for test in result.failed:
                    found.setdefault(test, []).append(variant.key)
        return found


def prove(
    katas: list[str],
    pytest_args: list[str],
    *,
    two_ways: bool = True,
    variants: bool = True,
    echo: Callable[[str], object] = print,
) -> Proof:
    """The two-way proof and the variants of ``katas`` (every kata when empty)."""
    proof = Proof()
    with tempfile.TemporaryDirectory(prefix="kata-verify-") as tmp:
        scratch = Path(tmp)
        if two_ways:
            proof.two_way = two_way(pytest_args, scratch, katas, echo)
            proof.problems += [str(p) for p in proof.two_way.problems]
        if variants:
            found = find_variants(set(katas))
            echo(Note(f"variants: {len(found)} (wrong_* must be rejected, ok_* accepted)"))
            # Each variant is a fresh pytest process in its own copy: a fork of a warm server
            # (one per thread, katalib.loop.warm) that has pytest, Django and Hypothesis imported.
            warm_runs = WarmRunners()
            try:
                with ThreadPoolExecutor(os.cpu_count() or 2) as pool:
                    proof.variants = list(
                        pool.map(
                            lambda v: check_variant(v, pytest_args, scratch, echo, warm_runs),
                            found,
                        )
                    )
            finally:
                warm_runs.stop()
            for note in warm_runs.notes:
                echo(f"warm runner: {note}")
            proof.problems += [r.problem for r in proof.variants if r.problem]
            proof.problems += [
                f"{r.variant.name}: {miss}" for r in proof.variants for miss in r.misses
            ]
    return proof


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--kata",
        action="append",
        default=[],
        help="only this kata folder (repeatable), e.g. --kata 02_many_to_one",
    )
    parser.add_argument("--skip-two-way", action="store_true")
    parser.add_argument("--skip-variants", action="store_true")
    options, pytest_args = parser.parse_known_args(argv)
    if not (ROOT / "solutions").is_dir():
        print(f"verify: {manifest.NO_SOLUTIONS}", file=sys.stderr)
        return 2
    try:
        katas = resolve(options.kata)
    except UnknownKata as exc:
        print(f"verify: {unknown_kata_text(str(exc))}", file=sys.stderr)
        return 2
    unlisted = [k for k in katas if manifest.by_dir(k) is None]
    for name in unlisted:
        print(
            f"FAIL {name} is a folder on disk but not listed in katas.toml, so it has no app "
            f"and its tests cannot run. Add a [[kata]] entry with dir = {name!r} "
            "(or run katas dev check)."
        )
    if unlisted:
        return 1
    proof = prove(
        katas, pytest_args, two_ways=not options.skip_two_way, variants=not options.skip_variants
    )
    for problem in proof.problems:
        print(f"FAIL {problem}")
    if proof.problems:
        print(f"verification FAILED: {len(proof.problems)} problem(s)")
        return 1
    print("OK: every test fails on katas/ and passes on solutions/; every variant behaves")
    return 0


if __name__ == "__main__":
    sys.exit(main())
