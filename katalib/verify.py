"""Prove the katas both ways: ``python -m katalib.verify``.

1. Two-way proof, per test id: every kata test fails (or errors) on the untouched ``katas/``
   files, passes on ``solutions/``, and is collected in both runs.
2. Test strength: each ``wrong_*`` variant in ``solutions/<kata>/variants.toml`` (a plausible
   wrong solution) is rejected by at least one test of its kata, and each ``ok_*`` variant (a
   different but valid solution) passes every test of its kata. A variant is a list of edits
   (replace ``old``, found exactly once, by ``new``) applied to the solution's files in a
   scratch copy of the repo holding the harness and that one kata.

Any violation is printed with the test id or variant name, and the exit code is 1.
Extra arguments go to every pytest run (e.g. ``-p no:randomly``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from katalib import manifest

ROOT = manifest.ROOT
# What a variant's scratch copy needs besides its own kata's folders.
HARNESS = ["katalib", "settings.py", "conftest.py", "pyproject.toml", "katas.toml"]
# Generous for verification: many pytest processes share the machine (learners keep 30 s).
TIMEOUT = "--timeout=120"


def _env(target: str) -> dict[str, str]:
    # A test database of its own, so that parallel runs can share one PostgreSQL server.
    env = dict(
        os.environ, KATA_TARGET=target, KATA_TEST_DB_NAME=f"test_katas_{uuid.uuid4().hex[:12]}"
    )
    env.setdefault("HYPOTHESIS_PROFILE", "ci")  # derandomised: the same examples every run
    return env


def run_pytest(target: str, root: Path, args: list[str], xml: Path) -> int:
    command = [
        sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
        f"--junitxml={xml}", "--kata-results=", TIMEOUT, *args,
    ]  # fmt: skip
    done = subprocess.run(
        command,
        check=False,
        cwd=root,
        env=_env(target),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    if done.returncode not in (0, 1):
        sys.stdout.write(done.stdout.decode(errors="replace")[-4000:])
    return done.returncode


def outcomes(xml: Path) -> dict[str, str]:
    if not xml.exists():
        return {}
    result = {}
    for case in ET.parse(xml).iter("testcase"):
        tags = {child.tag for child in case}
        test_id = f"{case.get('classname')}::{case.get('name')}"
        result[test_id] = (
            "failed"
            if tags & {"failure", "error"}
            else "skipped"
            if "skipped" in tags
            else "passed"
        )
    return result


def two_way(args: list[str], scratch: Path, katas: list[str]) -> list[str]:
    args = [*args, *(f"katas/{k}" for k in katas)]
    stubs_xml, solutions_xml = scratch / "katas.xml", scratch / "solutions.xml"
    with ThreadPoolExecutor(2) as pool:
        codes = list(
            pool.map(
                lambda pair: run_pytest(pair[0], ROOT, args, pair[1]),
                [("katas", stubs_xml), ("solutions", solutions_xml)],
            )
        )
    stubs, solutions = outcomes(stubs_xml), outcomes(solutions_xml)
    problems = [
        f"pytest exited {code} on {t}/"
        for code, t in zip(codes, manifest.TARGETS, strict=True)
        if code > 1
    ]
    if not stubs or not solutions:
        problems.append("no tests were collected")
    problems += [
        f"passes on the untouched stub ({o}): {t}" for t, o in stubs.items() if o != "failed"
    ]
    problems += [
        f"does not pass on the solution ({o}): {t}" for t, o in solutions.items() if o != "passed"
    ]
    problems += [f"collected in one run only: {t}" for t in sorted(set(stubs) ^ set(solutions))]
    print(f"two-way: {len(stubs)} tests on katas/, {len(solutions)} on solutions/")
    return problems


@dataclass(frozen=True)
class Variant:
    kata: manifest.Kata
    key: str  # e.g. "wrong_set_null_where_cascade_belongs"
    why: str
    edits: tuple[dict, ...]  # {"file": "models.py", "old": ..., "new": ...}

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
            found.append(Variant(kata, key, spec.get("why", ""), tuple(spec.get("edit", ()))))
    return found


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


def check_variant(variant: Variant, args: list[str], scratch: Path) -> str | None:
    root = scratch / variant.name.replace("/", "__")
    # Only the harness and this kata: other katas are not installed in the copy (their folders
    # are missing), which keeps the run small and unaffected by work in progress elsewhere.
    kata = variant.kata.dir
    for name in [
        *HARNESS,
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
        print(f"  BAD {variant.name}: {problem}")
        return f"{variant.name}: {problem}"
    xml = root / "result.xml"
    code = run_pytest("solutions", root, [*args, f"katas/{variant.kata.dir}"], xml)
    results = outcomes(xml)
    failed = sorted(t.rsplit("::", 1)[-1] for t, o in results.items() if o == "failed")
    if variant.expect_pass:
        verdict = (
            None if code == 0 and results else f"valid alternative rejected (exit {code}): {failed}"
        )
    else:
        verdict = None if code == 1 and failed else f"wrong solution accepted (exit {code})"
    shown = "accepted" if variant.expect_pass else f"rejected by {', '.join(failed) or '-'}"
    print(
        f"  {'ok ' if verdict is None else 'BAD'} {variant.name}: {shown if verdict is None else verdict}"
    )
    return None if verdict is None else f"{variant.name}: {verdict}"


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
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="kata-verify-") as tmp:
        scratch = Path(tmp)
        if not options.skip_two_way:
            problems += two_way(pytest_args, scratch, options.kata)
        if not options.skip_variants:
            variants = find_variants(set(options.kata))
            print(f"variants: {len(variants)} (wrong_* must be rejected, ok_* accepted)")
            with ThreadPoolExecutor(os.cpu_count() or 2) as pool:
                verdicts = pool.map(lambda v: check_variant(v, pytest_args, scratch), variants)
                problems += [v for v in verdicts if v]
    for problem in problems:
        print(f"FAIL {problem}")
    if problems:
        print(f"verification FAILED: {len(problems)} problem(s)")
        return 1
    print("OK: every test fails on katas/ and passes on solutions/; every variant behaves")
    return 0


if __name__ == "__main__":
    sys.exit(main())
