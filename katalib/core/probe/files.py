"""Which files of a kata the probe loads, and whether they changed since the last probe.

Only katas whose files changed are loaded again: verdicts are kept by content hash
(``fingerprint``) in pytest's cache (``config.cache_file``: ``.pytest_cache/v/katas/``, not with
``-p no:cacheprovider``), under a key of the harness, Python and Django (``environment_key``),
so an unchanged repository starts no child at all.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path

from katalib.base import manifest

# Bump when what the child reports changes: older cached verdicts are then ignored.
PROTOCOL = 1


def probe_files(kata: manifest.Kata, tree: str) -> list[str]:
    """``models.py`` first, then the files the learner edits, then any other module of the kata
    (each one a test may import through ``kata_module``); never the tests themselves."""
    folder = kata.folder(tree)
    if not folder.is_dir():
        return []
    others = sorted(
        path.name
        for path in folder.glob("*.py")
        if not (path.name.startswith("test_") or path.name in {"__init__.py", "conftest.py"})
    )
    names = ["models.py", *(f for f in kata.files if f.endswith(".py")), *others]
    return [name for name in dict.fromkeys(names) if (folder / name).is_file()]


def fingerprint(kata: manifest.Kata, tree: str) -> str:
    """Content hash of the kata's Python files, tests excepted: what the verdicts depend on."""
    digest = hashlib.sha256()
    folder = kata.folder(tree)
    for path in sorted(folder.rglob("*.py")):
        if (
            "__pycache__" in path.parts
            or path.name.startswith("test_")
            or path.name == "conftest.py"
        ):
            continue
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(path.read_bytes().replace(b"\r\n", b"\n") + b"\0")
    return digest.hexdigest()


def environment_key() -> str:
    """Verdicts also depend on the harness (the settings, the kata apps, this probe), Python and
    Django."""
    digest = hashlib.sha256(f"{PROTOCOL} {sys.version} {sys.prefix}".encode())
    with contextlib.suppress(ImportError):
        import django

        digest.update(django.__version__.encode())
    probe = sorted((manifest.ROOT / "katalib" / "core" / "probe").glob("*.py"))
    for path in (manifest.ROOT / "settings.py", manifest.ROOT / "katalib/core/apps.py", *probe):
        with contextlib.suppress(OSError):
            digest.update(path.read_bytes())
    return digest.hexdigest()


# Verdicts that are the same every time the same file loads. A time-out or a crash may depend on
# the machine's load, so those files are probed again on the next run.
REPEATABLE = {"ok", "error", "sys_exit", "os_exit", "interrupt", "base"}


def kind(result: dict) -> str:
    return result.get("kind") or result["verdict"]


def read_cache(path: Path | None, environment: str) -> dict:
    """The cached verdicts by kata label (``{"fingerprint": ..., "files": {name: verdict}}``),
    if they were made in this ``environment`` (``environment_key``)."""
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("environment") != environment:
        return {}
    return data.get("katas", {})


def write_cache(
    path: Path | None,
    environment: str,
    prints: dict[str, str],
    results: dict[tuple[str, str], dict],
) -> None:
    """Keep the verdicts of each kata (``prints``: label -> ``fingerprint``) whose verdicts are
    all ``REPEATABLE``."""
    if path is None:
        return
    katas = {}
    for label, digest in prints.items():
        files = {f: r for (lab, f), r in results.items() if lab == label}
        if all(kind(r) in REPEATABLE for r in files.values()):
            katas[label] = {"fingerprint": digest, "files": files}
    payload = {"environment": environment, "katas": katas}
    with contextlib.suppress(OSError):
        folder = path.parent
        if not folder.parent.parent.exists():
            # Made before pytest's cache plugin: add what it adds, so git ignores it.
            folder.parent.parent.mkdir(parents=True)
            (folder.parent.parent / ".gitignore").write_text(
                "# Created by pytest automatically.\n*\n", encoding="utf-8"
            )
        folder.mkdir(parents=True, exist_ok=True)
        # Written aside, then renamed: parallel runs (pytest-xdist workers) never read half.
        fd, scratch = tempfile.mkstemp(dir=folder, prefix=".probe-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(payload, fh, indent=2)
        os.replace(scratch, path)
