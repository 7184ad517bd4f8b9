"""The operating system around a grading run: no network, resource limits, no secrets.

``katalib.grade.running`` runs the learner's kata files inside pytest. Around that pytest
process, as far as the platform allows (``Jail.used`` says what was applied; the grader's JSON
has it as ``environment.sandbox``):

- **Environment**: built from nothing plus an allowlist (``PATH``, ``LANG``/``LC_*``, ``TZ``,
  ``DATABASE_URL``, ``KATA_*``, ``DJANGO_*``, ``HYPOTHESIS_*``, the grader's ``PYTHON*``
  settings, and on Windows the variables Python needs); a name that looks like a secret
  (``TOKEN``, ``SECRET``, ``KEY``, ``PASSWORD``, ``CREDENTIAL``, ``AUTH``...) is dropped even
  then. ``HOME`` and the temporary folder are fresh folders of the copy's scratch space.
- **No network** (Linux): the run starts in new user and network namespaces
  (``unshare --user --net --map-root-user``), which have only a loopback interface that is
  down. Not applied, and said so, when ``unshare`` is missing or not permitted (e.g. a kernel
  or container that forbids unprivileged user namespaces), and when ``DATABASE_URL`` names a
  database server reached over the network (a namespace would cut it off; a Unix socket path
  works).
- **Resource limits** (POSIX, ``resource.setrlimit`` in a small wrapper that then runs pytest:
  this file run as a script): CPU seconds, address space, processes, file size, no core files.
  A kata that allocates too much gets a ``MemoryError`` and one that writes a huge file an
  ``OSError`` (Python ignores ``SIGXFSZ``): its own tests fail, the grader carries on. The
  process limit counts every process of the user (and does not apply to root).
- **The audit hook** (``katalib.grade.guard``, loaded as ``-p kata_guard`` from a copy beside the
  run), configured here: ``KATA_GUARD=enforce``, the report file, and the copy's scratch
  folder as the only place the run may change files.

Not enforced: reading files (the run can read what the grading user can: grade on a throwaway
machine or in a container), and anything on platforms without the tool (Windows and macOS:
no namespaces; Windows: no resource limits).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:  # this file also runs alone, as the wrapper that sets the limits
    from katalib.grade.contracts import Flag

UNSHARE = ["--user", "--net", "--map-root-user"]
# Variables a grading run gets (after the grader's own: pytest_env()); every other is dropped.
KEEP_NAMES = frozenset({
    "PATH", "LANG", "LANGUAGE", "TZ", "TERM", "DATABASE_URL", "PYTHONDONTWRITEBYTECODE",
    "PYTHONIOENCODING", "PYTHONUTF8", "PYTHONHASHSEED", "SYSTEMROOT", "SYSTEMDRIVE", "WINDIR",
    "COMSPEC", "PATHEXT", "NUMBER_OF_PROCESSORS", "PROCESSOR_ARCHITECTURE",
})  # fmt: skip
KEEP_PREFIXES = ("LC_", "KATA_", "DJANGO_", "HYPOTHESIS_")
# ... but not these: files and descriptors outside the run (a probe log, the warm runner's).
DROP_NAMES = frozenset({"KATA_PROBE_LOG", "KATA_WARM_FDS", "KATA_PROBE_CHILD"})
SECRET = re.compile(
    r"TOKEN|SECRET|KEY|PASS(WORD|WD)?|CREDENTIAL|AUTH|COOKIE|SESSION", re.IGNORECASE
)
# Limits (resource.setrlimit) unless the caller gives others. CPU seconds are the time limit.
MEMORY = 4 * 1024**3  # bytes of address space: pytest with Django and Hypothesis needs ~0.5 GiB
FILE_SIZE = 256 * 1024**2  # bytes in one file: the run writes a JUnit XML of ~100 KB
PROCESSES = 256  # more than the user already has: pytest forks one probe process
# In the grading command: loads the hook first. The module is the grader's own katalib/grade/guard.py
# and its list, copied beside the run (PYTHONPATH), so that an upstream of another version
# (--upstream) is guarded the same way.
GUARD_MODULE = "kata_guard"
GUARD_ARGS = ["-p", GUARD_MODULE]
# "enforce" (grading), "record" (python -m katalib.grade.record: keys go to RECORD_TO).
GUARD_MODE = "enforce"
RECORD_TO: Path | None = None


@dataclass
class Limits:
    cpu: int | None = None  # seconds
    memory: int | None = MEMORY
    file_size: int | None = FILE_SIZE
    processes: int | None = PROCESSES

    def arguments(self) -> list[str]:
        return [
            f"--{name.replace('_', '-')}={value}"
            for name, value in vars(self).items()
            if value is not None
        ]


@dataclass
class Jail:
    """What wraps one grading run of pytest: ``wrap(command)`` and ``env``."""

    scratch: Path  # the copy's temporary folder: the only place the run may change
    env: dict[str, str]
    limits: Limits
    network: str | None  # None: cut off; else why not
    report: Path
    said: Path  # the limits the wrapper applied (written by it)
    used: dict = field(default_factory=dict)

    def wrap(self, command: list[str]) -> list[str]:
        """``command`` in new namespaces, behind the wrapper that sets the limits (outermost, so
        that it runs as the grading user: the process limit counts that user's processes)."""
        wrapped = list(command)
        if self.network is None:
            wrapped = [shutil.which("unshare") or "unshare", *UNSHARE, "--", *wrapped]
        if limits_available():
            wrapped = [
                sys.executable, "-I", __file__, *self.limits.arguments(),
                f"--said={self.said}", "--", *wrapped,
            ]  # fmt: skip
        return wrapped

    def describe(self) -> dict:
        """What was enforced in this run (after it ran), for the grader's output."""
        try:
            applied = json.loads(self.said.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            applied = None
        if not limits_available():
            limits = "not applied: no resource module on this platform"
        elif applied is None:
            limits = "unknown: the run did not start"
        else:
            limits = applied
        return {
            "network": (
                "none (user and network namespaces: unshare " + " ".join(UNSHARE) + ")"
                if self.network is None
                else f"allowed: {self.network}"
            ),
            "limits": limits,
            "environment": f"allowlist only ({len(self.env)} variables), throwaway HOME",
            "audit_hook": (
                f"{GUARD_MODE} (katalib.grade.guard, {self.used.get('allowed', 0)} event keys allowed)"
            ),
        }

    def refusals(self, code: int | None) -> list[Flag]:
        """The grader's flags for what the audit hook refused (none in record mode)."""
        from katalib.grade import guard

        if GUARD_MODE != "enforce":
            return []
        flags: list[Flag] = [
            {
                "kind": "refused",
                "file": found["file"] or "(the run)",
                "line": found["line"],
                "reason": (
                    f"refused {found['event']}"
                    + ("" if found["file"] else " (no kata file on that thread's stack)")
                    + ": the audit hook ended the run (no honest run does this), so no kata of "
                    "this run counts"
                ),
            }
            for found in guard.refusals(self.report)
        ]
        if code == guard.EXIT and not flags:
            flags.append({
                "kind": "refused", "file": "(the run)", "line": 0,
                "reason": "the audit hook ended the run, and its report was tampered with",
            })  # fmt: skip
        return flags


def prepare(
    scratch: Path, env: dict[str, str], seconds: float, sealed: tuple[Path, ...] = ()
) -> Jail:
    """The jail for one run whose scratch space is ``scratch`` (a fresh temporary folder).

    ``sealed``: the run's verdict files (the JUnit XML, the results JSON), which the run may
    write once and never change afterwards (``katalib.grade.guard``)."""
    from katalib.grade import guard

    home, tmp = scratch / "home", scratch / "tmp"
    home.mkdir(exist_ok=True)
    tmp.mkdir(exist_ok=True)
    report = RECORD_TO if GUARD_MODE == "record" and RECORD_TO else scratch / "guard-report.txt"
    hook = scratch / "guard"
    hook.mkdir(exist_ok=True)
    shutil.copy(guard.__file__, hook / f"{GUARD_MODULE}.py")
    if guard.EVENTS_FILE.is_file():
        shutil.copy(guard.EVENTS_FILE, hook / guard.EVENTS_FILE.name)
    clean = clean_env(env)
    clean.update(
        HOME=str(home), USERPROFILE=str(home), TMPDIR=str(tmp), TEMP=str(tmp), TMP=str(tmp),
        KATA_GUARD=GUARD_MODE, KATA_GUARD_REPORT=str(report), KATA_GUARD_WRITABLE=str(scratch),
        PYTHONPATH=str(hook), KATA_GUARD_SEALED=os.pathsep.join(str(p) for p in sealed),
    )  # fmt: skip
    if not hasattr(os, "fork"):
        # The import probe would be a fresh Python without the hook: load in-process instead.
        clean["KATA_PROBE"] = "0"
    jail = Jail(
        scratch=scratch,
        env=clean,
        limits=Limits(max(1, int(seconds) + 1), MEMORY, FILE_SIZE, PROCESSES),
        network=network_refusal(clean.get("DATABASE_URL", "")),
        report=report,
        said=scratch / "limits.json",
    )
    jail.used["allowed"] = len(guard.allowed_keys())
    return jail


def clean_env(env: dict[str, str]) -> dict[str, str]:
    """Only the allowlisted variables of ``env``, and none that looks like a secret."""
    return {
        name: value
        for name, value in env.items()
        if (name.upper() in KEEP_NAMES or name.upper().startswith(KEEP_PREFIXES))
        and name.upper() not in DROP_NAMES
        and (name == "DATABASE_URL" or not SECRET.search(name))
    }


def network_refusal(database_url: str) -> str | None:
    """None when the run can be cut off from the network here; else why it cannot."""
    host = urlsplit(database_url).hostname if "://" in database_url else None
    if host and not database_url.startswith("sqlite") and not host.startswith("%2f"):
        return (
            f"DATABASE_URL names the database server {host}, which a network namespace "
            "would cut off"
        )
    return namespaces_refusal()


@cache
def namespaces_refusal() -> str | None:
    """None when ``unshare --user --net --map-root-user`` works here (tried once)."""
    if not sys.platform.startswith("linux"):
        return f"no network namespaces on {sys.platform}"
    unshare = shutil.which("unshare")
    if unshare is None:
        return "unshare (util-linux) is not installed"
    try:
        tried = subprocess.run(
            [unshare, *UNSHARE, "--", sys.executable, "-c", "pass"],
            capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL, check=False,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError) as exc:
        return f"unshare could not run: {exc}"
    if tried.returncode != 0:
        said = (tried.stderr.strip().splitlines() or [f"exit {tried.returncode}"])[-1]
        return f"unshare is not permitted here ({said})"
    return None


def limits_available() -> bool:
    try:
        import resource  # noqa: F401 - POSIX only
    except ImportError:
        return False
    return True


# --- The wrapper: python katalib/grade/jail.py --cpu=N ... --said=FILE -- COMMAND... ---------------


def _apply(options: dict[str, int]) -> dict[str, object]:
    import resource

    names = {
        "cpu": "RLIMIT_CPU", "memory": "RLIMIT_AS", "file_size": "RLIMIT_FSIZE",
        "processes": "RLIMIT_NPROC", "core": "RLIMIT_CORE",
    }  # fmt: skip
    applied: dict[str, object] = {}
    for option, value in {**options, "core": 0}.items():
        which = getattr(resource, names[option], None)
        if which is None:
            applied[option] = "not available on this platform"
            continue
        if option == "processes":
            value += _processes_of_user()
        try:
            _soft, hard = resource.getrlimit(which)
            if hard != resource.RLIM_INFINITY:
                value = min(value, hard)
            resource.setrlimit(which, (value, hard if option != "cpu" else value + 5))
            applied[option] = value
        except (ValueError, OSError) as exc:
            applied[option] = f"not applied: {exc}"
    if os.getuid() == 0 and "processes" in applied:
        applied["processes"] = f"{applied['processes']} (not enforced for root)"
    return applied


def _processes_of_user() -> int:
    """How many processes this user has now (Linux: /proc), so the limit adds to them."""
    uid = os.getuid()
    count = 0
    try:
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    count += entry.stat().st_uid == uid
                except OSError:
                    pass
    except OSError:
        return 0
    return count


def main(argv: list[str]) -> None:
    if "--" not in argv:
        raise SystemExit("usage: jail.py [--cpu=S] [--memory=B] ... --said=FILE -- COMMAND...")
    split = argv.index("--")
    options, command = argv[:split], argv[split + 1 :]
    limits, said = {}, None
    for option in options:
        name, _, value = option.removeprefix("--").partition("=")
        if name == "said":
            said = value
        else:
            limits[name.replace("-", "_")] = int(value)
    applied = _apply(limits)
    if said:
        with open(said, "w", encoding="utf-8") as fh:
            json.dump(applied, fh)
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
