"""The upstream: the pristine kata repository every copy is graded against, and the test ids
its tests define for each kata (collected once, before any copy runs)."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from katalib.base import manifest, repo
from katalib.grade.running import PYTEST_FIXED, pytest_env, run
from katalib.grade.trees import copy_tree, fork_digests

# What the pristine scratch tree holds: the harness and the katas (tests and given files).
HARNESS = (*repo.HARNESS, "katas")


@dataclass
class Upstream:
    """The pristine repository, loaded once for every copy of a run."""

    root: Path
    katas: tuple[manifest.Kata, ...]  # the selected katas, in lesson order
    all_katas: tuple[manifest.Kata, ...]
    ids: dict[str, list[str]]  # kata dir -> every test id the upstream defines for it
    files: dict[str, str]  # relative path -> digest, the whole upstream tree
    python: str = sys.executable

    def editable(self) -> set[str]:
        """The learner's files of every kata (relative posix paths), as katas.toml names them."""
        return {f"katas/{kata.dir}/{name}" for kata in self.all_katas for name in kata.files}


def load_upstream(root: Path, selected: list[str] | None = None) -> Upstream:
    """The upstream at ``root``, graded on the katas ``selected`` (a folder, number or topic
    each; default: all). Exits with a message when it is no kata repository or has no tests."""
    root = root.resolve()
    if not (root / "katas.toml").is_file():
        raise SystemExit(f"{root}: no katas.toml, so this is not a kata repository")
    all_katas = manifest.load(root)
    known = [k.dir for k in all_katas]
    try:  # a folder, a number or a topic, as everywhere else (katalib/base/repo.py)
        selected = repo.kata_dirs(selected or (), known)
    except repo.UnknownKata as exc:
        raise SystemExit(f"unknown kata {exc}; katas.toml has {known}") from None
    katas = tuple(k for k in all_katas if not selected or k.dir in selected)
    with tempfile.TemporaryDirectory(prefix="kata-grade-ids-") as tmp:
        stage = Path(tmp) / "stage"
        copy_tree(root, stage, HARNESS)
        ids = collect_ids(stage, katas)
    missing = [k.dir for k in katas if not ids.get(k.dir)]
    if missing:
        raise SystemExit(f"no tests collected in the upstream for {', '.join(missing)}")
    return Upstream(root, katas, all_katas, ids, fork_digests(root))


def collect_ids(stage: Path, katas: Iterable[manifest.Kata]) -> dict[str, list[str]]:
    """kata dir -> test ids, from ``pytest --collect-only -q`` of the pristine tree."""
    katas = list(katas)
    command = [
        sys.executable, "-m", "pytest", *PYTEST_FIXED, "--collect-only", "-q",
        *(f"katas/{k.dir}" for k in katas),
    ]  # fmt: skip
    output = stage.parent / "collect.txt"
    code = run(command, stage, pytest_env(), 600, output)
    text = output.read_text(encoding="utf-8", errors="replace")
    wanted = {k.dir for k in katas}
    ids: dict[str, list[str]] = {k.dir: [] for k in katas}
    for line in text.splitlines():
        parts = line.strip().split("/", 2)
        if len(parts) == 3 and parts[0] == "katas" and "::" in parts[2] and parts[1] in wanted:
            ids[parts[1]].append(line.strip())
    if code not in (0, None) and not any(ids.values()):
        raise SystemExit(f"collecting the upstream's tests failed (exit {code}):\n{text[-3000:]}")
    return ids


def kata_meta(upstream: Upstream) -> list[dict]:
    """The JSON's ``katas``: each selected kata's title, track and number of tests."""
    return [
        {"kata": k.dir, "title": k.title, "track": k.track, "tests": len(upstream.ids[k.dir])}
        for k in upstream.katas
    ]
