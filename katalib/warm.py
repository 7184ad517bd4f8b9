"""A warm pytest for the watch loop: the imports paid once, a fresh process for every verdict.

Starting pytest costs most of a one-kata run: Python, pytest and its plugins, Django and
Hypothesis are imported again on every save. ``WarmPytest`` starts a small server process
(``python -m katalib.warm``) that imports all of that once and then waits. Each run is a
``fork()`` of that server: the child starts from the warm imports and runs ``pytest.main``
exactly as ``python -m pytest`` would, so it reads the kata's files, builds Django's apps and
the test database, and collects the tests afresh. The server itself never imports a kata
file, the settings or the kata apps, so no run can see what an earlier run loaded: never a
stale verdict.

The server is single-threaded (it forks safely); the watcher that talks to it may have threads.
Where it cannot serve, the caller runs a cold ``python -m pytest`` and says so in one line:
no ``fork()`` (Windows), the server failed to start, or the harness itself changed since the
server warmed up (then it restarts).
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

from katalib import manifest

# Files whose change makes the server's imports stale: the harness and its configuration.
HARNESS = ["katalib/*.py", "conftest.py", "settings.py", "pyproject.toml", "katas.toml"]
# Modules the server must never have imported: they hold the kata code or depend on the tree.
FORBIDDEN = ("katas", "solutions", "settings", "conftest", "katalib.apps", "katalib.loader")


def available() -> bool:
    # Windows has no fork(); WebAssembly (Pyodide) has one that always fails.
    return hasattr(os, "fork") and sys.platform not in {"win32", "emscripten", "wasi"}


def harness_fingerprint(root: Path = manifest.ROOT) -> str:
    digest = hashlib.sha256()
    for pattern in HARNESS:
        for path in sorted(root.glob(pattern)):
            digest.update(path.name.encode() + b"\0")
            try:
                digest.update(path.read_bytes())
            except OSError:
                continue
    return digest.hexdigest()[:16]


class WarmPytest:
    """The client: start the server, run pytest through it, restart it when it went stale."""

    def __init__(self, root: Path = manifest.ROOT) -> None:
        self.root = root
        self.process: subprocess.Popen | None = None
        self.fingerprint = ""
        self.child: int | None = None
        self.note = ""  # one line for the learner when a run was not warm

    def start(self) -> bool:
        if not available():
            self.note = "warm runs need fork(), which this system lacks: each run starts pytest"
            return False
        requests_r, requests_w = os.pipe()
        replies_r, replies_w = os.pipe()
        env = {**os.environ, "KATA_WARM_FDS": f"{requests_r},{replies_w}"}
        self.fingerprint = harness_fingerprint(self.root)
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "katalib.warm"],
                cwd=self.root,
                env=env,
                stdin=subprocess.DEVNULL,
                pass_fds=(requests_r, replies_w),
                start_new_session=True,  # Ctrl+C in the terminal reaches the watcher only
            )
        finally:
            os.close(requests_r)
            os.close(replies_w)
        self._requests = os.fdopen(requests_w, "w", encoding="utf-8", buffering=1)
        self._replies = os.fdopen(replies_r, "r", encoding="utf-8")
        ready = self._reply()
        if not ready or not ready.get("ready"):
            self.note = "the warm runner did not start: each run starts pytest"
            self.stop()
            return False
        return True

    def _reply(self) -> dict | None:
        line = self._replies.readline()
        if not line:
            return None
        try:
            return json.loads(line)
        except ValueError:
            return None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def run(self, args: list[str], env: dict[str, str] | None = None, output: str | None = None):
        """pytest's exit code for ``args``, run warm; None when the caller must run it cold."""
        if self.running and harness_fingerprint(self.root) != self.fingerprint:
            self.stop()
            self.note = "the harness changed: the warm runner restarts"
        if not self.running and not self.start():
            return None
        request = {"args": args, "env": env or {}, "output": output}
        try:
            self._requests.write(json.dumps(request) + "\n")
            started = self._reply()
            if not started or "pid" not in started:
                raise OSError("no child")
            self.child = started["pid"]
            done = self._reply()
        except OSError:
            done = None
        finally:
            self.child = None
        if not done or "returncode" not in done:
            self.stop()
            self.note = "the warm runner stopped: this run starts pytest"
            return None
        return done["returncode"]

    def interrupt(self) -> None:
        """Stop the run under way (the learner pressed Ctrl+C or quit)."""
        if self.child:
            try:
                os.killpg(self.child, 15)
            except OSError:
                pass

    def stop(self) -> None:
        self.interrupt()
        if self.process is not None:
            for stream in (getattr(self, "_requests", None), getattr(self, "_replies", None)):
                try:
                    if stream is not None:
                        stream.close()
                except OSError:
                    pass
            if self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout=3)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
        self.process = None


# --- The server --------------------------------------------------------------------------------


def warm_up() -> None:
    """Import what every run needs, without anything that depends on the kata files."""
    import pytest  # noqa: F401
    from _pytest.config import default_plugins

    for name in default_plugins:
        try:
            importlib.import_module(f"_pytest.{name}")
        except ImportError:
            continue
    from importlib.metadata import entry_points

    import django.db.backends.sqlite3.base
    import django.db.models
    import django.test
    import django.test.testcases
    import django.test.utils
    import hypothesis
    import hypothesis.strategies  # noqa: F401

    from katalib import plugin  # noqa: F401

    for point in entry_points(group="pytest11"):  # the installed plugins, as pytest loads them
        try:
            importlib.import_module(point.value.partition(":")[0].strip())
        except Exception:  # noqa: BLE001, S112 - it fails the same way in the run, which says so
            continue
    del django
    loaded = [m for m in sys.modules if m.split(".")[0] in FORBIDDEN or m in FORBIDDEN]
    if loaded:
        raise RuntimeError(f"the warm runner imported kata code: {loaded}")
    import gc

    gc.collect()
    gc.freeze()


def run_child(request: dict) -> int:
    """In the forked child: pytest.main as ``python -m pytest`` would run it."""
    import random

    import pytest

    random.seed()  # not the server's random state: each run draws its own examples
    os.setpgid(0, 0)  # the client can stop this run and whatever it started
    os.environ.update(request.get("env") or {})
    output = request.get("output")
    if output:
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
    args = list(request["args"])
    sys.argv = ["pytest", *args]
    try:
        # pytest warns that the plugins were imported before it could assertion-rewrite
        # them; a cold run doesn't rewrite their asserts for learners either (see plugin.py).
        return int(pytest.main([*args, "-W", "ignore::pytest.PytestAssertRewriteWarning"]))
    finally:
        sys.stdout.flush()
        sys.stderr.flush()


def serve(requests_fd: int, replies_fd: int) -> int:
    requests = os.fdopen(requests_fd, "r", encoding="utf-8")
    replies = os.fdopen(replies_fd, "w", encoding="utf-8", buffering=1)
    sys.path.insert(0, str(manifest.ROOT))
    warm_up()
    replies.write(json.dumps({"ready": True}) + "\n")
    for line in requests:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            code = 3
            try:
                requests.close()
                replies.close()
                code = run_child(request)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            except BaseException:  # noqa: BLE001 - report, then end the child
                import traceback

                traceback.print_exc()
            finally:
                os._exit(code)
        replies.write(json.dumps({"pid": pid}) + "\n")
        _, status = os.waitpid(pid, 0)
        replies.write(json.dumps({"returncode": os.waitstatus_to_exitcode(status)}) + "\n")
    return 0


if __name__ == "__main__":
    fds = os.environ.pop("KATA_WARM_FDS", "")
    if not fds:
        raise SystemExit("katalib.warm is started by the katas command (katalib.warm.WarmPytest)")
    r, w = (int(x) for x in fds.split(","))
    raise SystemExit(serve(r, w))
