"""A warm pytest for the watch loop: the imports paid once, a fresh process for every verdict.

Starting pytest costs most of a one-kata run: Python, pytest and its plugins, Django and
Hypothesis are imported again on every save. ``WarmPytest`` starts a small server process
(``katalib.loop.warm.main``) that imports all of that once and then waits. Each run is a
``fork()`` of that server: the child starts from the warm imports and runs ``pytest.main``
exactly as ``python -m pytest`` would, so it reads the kata's files, builds Django's apps and
the test database, and collects the tests afresh. The server itself never imports a kata
file, the settings or the kata apps, so no run can see what an earlier run loaded: never a
stale verdict.

Each verdict is also started ahead. After a run the server forks the next one (the spare,
``_Spare``) with the same arguments: pytest parses them and its configuration and loads its
plugins, then waits at a gate (``_Gate``, the start of ``pytest_load_initial_conftests``)
before it reads any conftest, setting or kata file, compiling the files it will import
meanwhile (``_Precompiled``: used after the gate only where a file's bytes are unchanged). A
save opens the gate. A spare whose arguments, environment or configuration files
(``setup_stamp``) no longer match is discarded for a fresh fork. Runs load the kata files
themselves (``katalib.core.probe``'s retry mode, no probe child): a file that would end or hang
the run ends it without a word, and the server runs the request again with the probe, which
gives the cold run's verdict. A child reports its exit code when its session has finished
(``_Done``), before the process is torn down.

The server is single-threaded (it forks safely); the watcher that talks to it may have threads.
Where it cannot serve, the caller runs a cold ``python -m pytest`` and says so in one line:
no ``fork()`` (Windows), the server failed to start, or the harness itself changed since the
server warmed up (then it restarts).

katalib.maint.verify runs its variants the same way (``WarmPytest(copies=True)``, one server per
thread): each run starts in the variant's scratch copy (``run(cwd=...)``, ``_enter``) and
imports the harness, the settings and the kata code from there, nothing is started ahead,
and ``run(timeout=...)`` kills a run that outlives verify's limit, not the server.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from pluggy import HookimplMarker

from katalib.base import env as environment
from katalib.base import manifest, repo

# pytest.hookimpl, without importing pytest into the katas command (the client side).
hookimpl = HookimplMarker("pytest")

# Files whose change makes the server's imports stale: the harness and its configuration.
HARNESS = repo.HARNESS_SOURCES
# Modules the server must never have imported: they hold the kata code or depend on the tree.
FORBIDDEN = (
    "katas",
    "solutions",
    "settings",
    "conftest",
    "katalib.core.apps",
    "katalib.core.loader",
)
# What a run imports besides pytest, its plugins, Django's ORM and Hypothesis, none of it
# depending on the settings or the kata files: the harness pieces conftest.py loads, Django's
# test-database build (migrate, contrib apps' signal handlers), pytest's debugging plugin.
PRELOAD = (
    "katalib.core.probe",
    "katalib.teach.explain",
    "katalib.core.schema",
    "katalib.teach.sql",
    "dj_database_url",
    "django.contrib.auth.apps",
    "django.contrib.auth.checks",
    "django.contrib.auth.hashers",
    "django.contrib.auth.management",
    "django.contrib.auth.password_validation",
    "django.contrib.auth.validators",
    "django.contrib.contenttypes.apps",
    "django.contrib.contenttypes.checks",
    "django.contrib.contenttypes.management",
    "django.core.cache.backends.db",
    "django.core.cache.backends.locmem",
    "django.core.management.commands.createcachetable",
    "django.core.management.commands.migrate",
    "django.db.migrations.autodetector",
    "django.db.migrations.executor",
    "django.db.migrations.loader",
    "django.db.migrations.questioner",
    "django.db.models.sql.compiler",
    "django.middleware.csrf",
    "django.utils.cache",
    "django.utils.translation.reloader",
    "hypothesis.internal.conjecture.optimiser",
    "hypothesis.provisional",
    "_pytest._argcomplete",
    "packaging.version",
    "faulthandler",
    "pdb",
)


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

    def __init__(self, root: Path = manifest.ROOT, *, copies: bool = False) -> None:
        self.root = root
        # Runs in scratch copies of the repository (``run(cwd=...)``, katalib.maint.verify): nothing
        # is started ahead (no two runs repeat their arguments), and the server reads no
        # constants for Hypothesis ahead: each run reads those of what it imports, as cold.
        self.copies = copies
        self.process: subprocess.Popen | None = None
        self.fingerprint = ""
        self.child: int | None = None
        self.note = ""  # one line for the learner when a run was not warm
        self._folder: str | None = None
        self.spare = False  # whether the last run was the one the server had started ahead

    def path(self, name: str) -> Path:
        """A file in this runner's own temporary folder: the same path on every run.

        Arguments that repeat from run to run let the server start the next run ahead (its
        spare) for a save that has not happened yet; a fresh temporary name each time would not.
        """
        if self._folder is None:
            self._folder = tempfile.mkdtemp(prefix="katas-warm-")
        return Path(self._folder) / name

    def start(self) -> bool:
        if not available():
            self.note = "warm runs need fork(), which this system lacks: each run starts pytest"
            return False
        requests_r, requests_w = os.pipe()
        replies_r, replies_w = os.pipe()
        env = {**os.environ, environment.WARM_FDS: f"{requests_r},{replies_w}"}
        self.fingerprint = harness_fingerprint(self.root)
        try:
            self.process = subprocess.Popen(
                # Not ``-m katalib.loop.warm``: the server's ``__main__`` would be a harness file
                # that Hypothesis reads constants from, which no cold run does (see warm_up).
                [sys.executable, "-c", "from katalib.loop.warm import main; main()"]
                + (["--copies"] if self.copies else []),
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

    def run(
        self,
        args: list[str],
        env: dict[str, str] | None = None,
        output: str | None = None,
        *,
        cwd: str | None = None,
        timeout: float | None = None,
    ):
        """pytest's exit code for ``args``, run warm; None when the caller must run it cold.

        ``cwd``: a repository of its own (a scratch copy) that the run starts in, as a
        ``python -m pytest`` started there would: it imports the harness, the settings and the
        kata code from there (``_enter``). ``timeout``: after that many seconds the run is
        killed and ``subprocess.TimeoutExpired`` raised, as ``subprocess.run`` does; the server
        stays up for the next run.
        """
        if self.running and harness_fingerprint(self.root) != self.fingerprint:
            self.stop()
            self.note = "the harness changed: the warm runner restarts"
        if not self.running and not self.start():
            return None
        request = {"args": args, "env": env or {}, "output": output, "ahead": not self.copies}
        if cwd is not None:
            request["cwd"] = str(cwd)
        expired = threading.Event()
        timer = None
        if timeout is not None:

            def expire() -> None:
                expired.set()
                self.interrupt(9)

            timer = threading.Timer(timeout, expire)
            timer.daemon = True
        done = None
        try:
            self._requests.write(json.dumps(request) + "\n")
            if timer is not None:
                timer.start()
            while (reply := self._reply()) is not None and "pid" in reply:
                self.child = reply["pid"]  # the run's process (a second one if a spare failed)
                if expired.is_set():
                    self.interrupt(9)  # started after the timer went off
            done = reply
        except OSError:
            pass
        finally:
            if timer is not None:
                timer.cancel()
            self.child = None
        if expired.is_set():
            if not done or "returncode" not in done:
                self.stop()
            raise subprocess.TimeoutExpired(args, timeout or 0)
        if not done or "returncode" not in done:
            self.stop()
            self.note = "the warm runner stopped: this run starts pytest"
            return None
        self.spare = bool(done.get("spare"))
        return done["returncode"]

    def interrupt(self, signal: int = 15) -> None:
        """Stop the run under way (the learner pressed Ctrl+C or quit; 9: a run out of time)."""
        if self.child:
            try:
                os.killpg(self.child, signal)
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
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None


# --- The server --------------------------------------------------------------------------------


def warm_up(constants: bool = True) -> None:
    """Import what every run needs, without anything that depends on the kata files.

    ``constants``: Hypothesis reads the constants of the harness modules now, not in each run.
    Without it (runs in scratch copies) each run reads those of the modules it imports: the
    server's harness modules are not the run's, and some a run may not import at all.
    """
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

    from katalib.core import plugin  # noqa: F401

    for point in entry_points(group="pytest11"):  # the installed plugins, as pytest loads them
        try:
            importlib.import_module(point.value.partition(":")[0].strip())
        except Exception:  # noqa: BLE001, S112 - it fails the same way in the run, which says so
            continue
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001, S112 - the run imports it itself, and fails as cold
            continue
    # A failing test's source lines are coloured by Pygments (pytest's --code-highlight, on with
    # colour): its lexers compile their regular expressions when the first one is made, once
    # per process. Made here, so a failing run doesn't compile them again (the ones pytest makes).
    try:
        # Pygments ships no type hints (pytest's dependency, not ours: no stubs installed for it).
        from pygments.lexers.diff import DiffLexer  # type: ignore[import-untyped]
        from pygments.lexers.python import PythonLexer  # type: ignore[import-untyped]

        PythonLexer()
        DiffLexer()
    except ImportError:  # pytest highlights nothing without Pygments either
        pass
    # A failing test's traceback asks inspect which module each frame's file belongs to: the
    # first such question maps every loaded module to its file (a stat call each, some 800
    # modules by now) and keeps the map. Asked here, a run maps only the modules it loads.
    import inspect

    inspect.getmodule(warm_up.__code__)
    # Hypothesis reads the constants of every local module once per process (it draws them as
    # examples); the harness's are read here, so a run reads only the kata's and the tests'.
    import warnings

    from hypothesis.errors import HypothesisSideeffectWarning
    from hypothesis.internal.conjecture.providers import _get_local_constants

    if constants:
        with warnings.catch_warnings():  # "slow code in plugin": it is why the server does it
            warnings.simplefilter("ignore", HypothesisSideeffectWarning)
            _get_local_constants()
    del django
    loaded = [m for m in sys.modules if m.split(".")[0] in FORBIDDEN or m in FORBIDDEN]
    if loaded:
        raise RuntimeError(f"the warm runner imported kata code: {loaded}")
    import gc

    gc.collect()
    gc.freeze()


def run_child(request: dict, gate: _Gate | None = None, done: _Done | None = None) -> int:
    """In the forked child: pytest.main as ``python -m pytest`` would run it.

    With ``gate`` (a spare) pytest starts at once but waits, before it reads any conftest,
    kata file or setting, for the request that it is to serve (``_Gate``). ``done`` tells the
    server the exit code as soon as the verdict is out (``_Done``).
    """
    import random

    import pytest

    random.seed()  # not the server's random state: each run draws its own examples
    os.setpgid(0, 0)  # the client can stop this run and whatever it started
    os.environ.update(request.get("env") or {})
    if request.get("retry"):
        os.environ[environment.PROBE] = (
            "retry"  # kata files load here; see katalib.core.probe.mode()
        )
    if request.get("cwd"):
        _enter(request["cwd"])
    if gate is None:
        _redirect(request.get("output"))
    args = list(request["args"])
    sys.argv = ["pytest", *args]
    try:
        # pytest warns that the plugins were imported before it could assertion-rewrite
        # them; a cold run doesn't rewrite their asserts for learners either (see plugin.py).
        args += ["-W", "ignore::pytest.PytestAssertRewriteWarning"]
        code = int(pytest.main(args, plugins=[p for p in (gate, done) if p is not None]))
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    if gate is not None and not gate.opened:
        return SPARE_FAILED  # it ended before its run began: the server starts a fresh child
    return code


def _enter(folder: str) -> None:
    """Start this run in ``folder``, a repository of its own, as ``python -m pytest`` would.

    The working directory and the first entry of ``sys.path`` become ``folder``, and the
    modules that the server imported from its own tree (the harness) are forgotten: the run
    imports them, the settings and the kata code from ``folder``, and ``katalib.base.manifest.ROOT``
    is ``folder``. Hypothesis chose its storage folder by the working directory it was
    imported in: it is ``folder``'s now, as in a cold run there.
    """
    home = {os.getcwd(), str(manifest.ROOT), ""}
    os.chdir(folder)
    while sys.path and sys.path[0] in home:
        del sys.path[0]
    sys.path.insert(0, os.getcwd())
    tops = {name for name, module in sys.modules.items() if _imported_from(name, module, home)}
    for name in [n for n in sys.modules if n.partition(".")[0] in tops]:
        del sys.modules[name]
    importlib.invalidate_caches()
    from hypothesis.configuration import set_hypothesis_home_dir

    stored = os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY")
    set_hypothesis_home_dir(stored or Path.cwd() / ".hypothesis")


def _imported_from(name: str, module, folders: set[str]) -> bool:
    """Whether ``module`` is a top-level module or package found in one of ``folders``."""
    file = getattr(module, "__file__", None)
    if not isinstance(file, str) or name == "__main__" or "." in name:
        return False
    found_in = os.path.dirname(file)
    if hasattr(module, "__path__"):  # a package: its __init__.py is one folder further down
        found_in = os.path.dirname(found_in)
    return found_in in folders


def _redirect(output: str | None, saved: tuple[int, int] | None = None) -> None:
    """Send the run's output to ``output`` (a file), or to the output the server has."""
    if output:
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
    elif saved:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)


# A spare's exit code when it ended before its gate opened (pytest's own are 0 to 5).
SPARE_FAILED = 86
# How a run ends when the client stops it (katalib.loop.warm.WarmPytest.interrupt): never retried.
STOPPED = (-15, -9)
# Files pytest looks for, before a spare's gate, next to the paths it is given and above them:
# one of them appearing or changing moves pytest's rootdir or configuration.
CONFIG_FILES = ("pytest.ini", ".pytest.ini", "pyproject.toml", "tox.ini", "setup.cfg", "setup.py")


def setup_stamp(args: list[str], cwd: str | None = None) -> tuple:
    """What pytest reads before a spare's gate that the harness fingerprint does not cover.

    The configuration files in the folders of the paths pytest is given and every folder
    above them (a pytest.ini dropped into a kata folder would become pytest's configuration),
    and the folders on ``sys.path``, whose modification time changes when a package (maybe a
    pytest plugin, loaded by its entry point) is installed or removed.
    """
    here = Path(cwd) if cwd else Path.cwd()
    folders = {here, *here.parents}
    for arg in args:
        if not arg.startswith("-"):
            path = here / arg.split("::")[0]
            folders.update([path, *path.parents])
    stamp: list[tuple[str, int] | tuple[str, int, int]] = []
    for folder in sorted(folders):
        for name in CONFIG_FILES:
            try:
                found = os.stat(folder / name)
            except OSError:
                continue
            stamp.append((str(folder / name), found.st_mtime_ns, found.st_size))
    for entry in sys.path:
        try:
            stamp.append((entry, os.stat(entry or ".").st_mtime_ns))
        except OSError:
            continue
    return tuple(stamp)


class _Gate:
    """The plugin that holds a spare at the start of pytest's ``load_initial_conftests``.

    Before it: pytest's arguments, its configuration file (the harness) and the plugins,
    loaded by name and by entry point; nothing that depends on a kata file. The gate opens
    when the server writes the request to serve (one JSON line): the output goes where that
    request says, the random state is drawn afresh, and pytest goes on from there (conftest.py,
    django.setup() with the kata apps, collection, the tests), all read at that moment.
    """

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.opened = False
        self.saved = (os.dup(1), os.dup(2))
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)  # a spare that fails before its run says nothing here: the server
        os.dup2(null, 2)  # starts a fresh child for the request, which says it where it goes
        os.close(null)

    def wait(self) -> dict | None:
        data = b""
        while not data.endswith(b"\n"):
            chunk = os.read(self.fd, 65536)
            if not chunk:
                return None
            data += chunk
        os.close(self.fd)
        return json.loads(data)

    @hookimpl(wrapper=True, tryfirst=True)
    def pytest_load_initial_conftests(self, early_config):
        import random

        try:
            _Precompiled(early_config, self.fd).install()
        except Exception:  # noqa: BLE001, S110 - only time is lost: the run compiles as usual
            pass
        request = self.wait()
        if request is None:  # the server is gone: nothing to run
            os._exit(0)
        self.opened = True
        random.seed()
        _redirect(request.get("output"), self.saved)
        return (yield)


class _Done:
    """Tells the server a run's exit code once its verdict is out: pytest's session has
    finished, its summary, the progress record and kata-results.json are written. pytest's
    unconfigure and the end of the process go on while the watcher prints its status line.
    """

    def __init__(self, fd: int) -> None:
        self.fd: int | None = fd

    def send(self, code: int) -> None:
        if self.fd is not None:
            fd, self.fd = self.fd, None
            sys.stdout.flush()
            sys.stderr.flush()
            os.write(fd, f"{code}\n".encode())

    @hookimpl(wrapper=True, tryfirst=True)
    def pytest_sessionfinish(self, session):
        result = yield  # every other plugin's sessionfinish, pytest's summary included
        self.send(int(session.exitstatus))
        return result


class _Precompiled:
    """Source files a spare compiles while it waits at its gate, for the run to use unchanged.

    The kata's files, its tests (assertion-rewritten, as pytest would) and the harness files a
    run imports: compiled from the bytes they hold at that moment. After the gate, an import
    whose file holds exactly those bytes still (compared in full) gets the code compiled
    ahead; a file saved since then is compiled as usual. Either way the code is what compiling
    the file as it is now gives: this saves time, never decides anything.
    """

    LIMIT = 80  # files: a run of the whole suite compiles the rest itself

    def __init__(self, config, go: int) -> None:
        self.plain: dict[str, tuple[bytes, object]] = {}
        self.rewritten: dict[str, tuple[bytes, object]] = {}
        from _pytest.assertion import rewrite

        root = Path(config.rootpath)
        test_files = config.getini("python_files")
        for path in self.files(config, root):
            if _readable(go):
                break  # the request is here: the run compiles the rest itself
            try:
                source = path.read_bytes()
                if path.name == "conftest.py" or any(path.match(p) for p in test_files):
                    _, code = rewrite._rewrite_test(path, config)
                    self.rewritten[str(path)] = (source, code)
                else:
                    code = compile(source, str(path), "exec", dont_inherit=True)
                    self.plain[str(path)] = (source, code)
            except (OSError, SyntaxError, ValueError):
                continue

    @staticmethod
    def files(config, root: Path) -> list[Path]:
        found: list[Path] = []
        for arg in config.known_args_namespace.file_or_dir or []:
            path = Path(config.invocation_params.dir, str(arg).split("::")[0])
            folder = path if path.is_dir() else path.parent
            found += [f / name for f in [folder, *folder.parents] if f.is_relative_to(root)
                      for name in ("__init__.py", "conftest.py")]  # fmt: skip
            found += sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for pattern in HARNESS:
            if pattern.endswith(".py"):
                for path in sorted(root.glob(pattern)):
                    module = ".".join(path.relative_to(root).with_suffix("").parts)
                    if module not in sys.modules:
                        found.append(path)
        unique = [p for p in dict.fromkeys(found) if p.is_file() and "__pycache__" not in p.parts]
        return unique[: _Precompiled.LIMIT]

    def install(self) -> None:
        from importlib.machinery import SourceFileLoader

        from _pytest.assertion import rewrite

        plain, rewritten = self.plain, self.rewritten
        compile_source = SourceFileLoader.source_to_code
        rewrite_test = rewrite._rewrite_test

        def source_to_code(loader, data, path, *, _optimize=-1):
            ahead = plain.get(path) if _optimize == -1 else None
            if ahead is not None and ahead[0] == data:
                return ahead[1]
            return compile_source(loader, data, path, _optimize=_optimize)

        def _rewrite_test(fn, config):
            ahead = rewritten.get(str(fn))
            if ahead is not None:
                try:
                    source = fn.read_bytes()
                except OSError:
                    source = None
                if source == ahead[0]:
                    return importlib.util.source_hash(source), ahead[1]
            return rewrite_test(fn, config)

        # Private APIs (importlib's, pytest's) patched on purpose in this forked run only: the
        # two save 6 to 18% of an edit -> verdict of kata 02 (docs/benchmark.md, case p-pre against
        # p-pre-off; each one's part: p-pre-plain-off, p-pre-rw-off). The stubs declare a method.
        SourceFileLoader.source_to_code = source_to_code  # type: ignore[method-assign]
        rewrite._rewrite_test = _rewrite_test


def _readable(fd: int) -> bool:
    return bool(select.select([fd], [], [], 0)[0])


class _Child:
    """A forked run: its pid, and the pipe on which it reports its exit code as it ends."""

    def __init__(self, request: dict, go_r: int | None = None, go_w: int | None = None) -> None:
        done_r, done_w = os.pipe()
        self.pid = _fork(request, done_w, go_r, go_w)
        os.close(done_w)
        self.done = done_r

    def wait(self) -> int:
        """The run's exit code, as soon as it is known.

        The child writes it just before it ends: the reply need not wait for the process to
        be torn down. A child that dies without a word (killed, or a crash) closes the pipe;
        then its exit status is the answer. A child that forked others which still hold the
        pipe open cannot delay the answer: its own end is checked too (a pidfd, or a poll).
        """
        data = b""
        pidfd = _pidfd(self.pid)
        watched = [self.done] if pidfd is None else [self.done, pidfd]
        poll = 0.05 if pidfd is None else None
        try:
            while True:
                ready = select.select(watched, [], [], poll)[0]
                if self.done in ready:
                    chunk = os.read(self.done, 64)
                    data += chunk
                    if data.endswith(b"\n") or not chunk:
                        break
                elif os.waitpid(self.pid, os.WNOHANG)[0]:
                    self.pid = 0  # reaped
                    break
        finally:
            os.close(self.done)
            if pidfd is not None:
                os.close(pidfd)
        self.reported = data.endswith(b"\n")
        if self.reported:
            return int(data)
        return self.reap()

    def reap(self) -> int:
        """Wait for the process to end; its exit code (from its status)."""
        if not self.pid:
            return self._status
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0
        self._status = os.waitstatus_to_exitcode(status)
        return self._status

    _status = 1
    reported = False  # the child said its exit code itself (it did not end abruptly)


def _pidfd(pid: int) -> int | None:
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):  # not Linux, or an old kernel: poll instead
        return None


class _Spare:
    """A child forked ahead for the next request like the last one, waiting at its gate."""

    def __init__(self, request: dict) -> None:
        self.request = request
        self.stamp = setup_stamp(request["args"], request.get("cwd"))
        go_r, go_w = os.pipe()
        self.go: int | None = go_w
        self.child = _Child(request, go_r, go_w)
        os.close(go_r)

    def fits(self, request: dict) -> bool:
        return (
            request["args"] == self.request["args"]
            and request.get("env") == self.request.get("env")
            and request.get("cwd") == self.request.get("cwd")
            and setup_stamp(request["args"], request.get("cwd")) == self.stamp
        )

    def start(self, request: dict) -> bool:
        """Open the gate for ``request``; False if the spare has ended already."""
        go, self.go = self.go, None
        if go is None:  # started once already: the gate is closed
            return False
        try:
            if os.waitpid(self.child.pid, os.WNOHANG)[0]:
                self.child.pid = 0
                return False
            os.write(go, (json.dumps(request) + "\n").encode())
            return True
        except OSError:
            return False
        finally:
            os.close(go)

    def discard(self) -> None:
        if self.go is not None:
            os.close(self.go)  # its gate reads the end of the pipe and exits
        os.close(self.child.done)
        if self.child.pid:
            self.child.reap()


def _fork(request: dict, done_w: int, go_r: int | None = None, go_w: int | None = None) -> int:
    pid = os.fork()
    if pid:
        return pid
    code = 3
    done = _Done(done_w)
    try:
        for fd in _server_fds:
            os.close(fd)
        gate = None
        if go_r is not None:
            assert go_w is not None  # the pipe's two ends come together
            os.close(go_w)

            gate = _Gate(go_r)
        code = run_child(request, gate, done)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # noqa: BLE001 - report, then end the child
        import traceback

        traceback.print_exc()
    finally:
        try:
            done.send(code)  # unless the session's end has said it already
        finally:
            os._exit(code)


_server_fds: list[int] = []


def _started(child: _Child, replies) -> int:
    """Tell the client which process runs its request; that run's exit code."""
    replies.write(json.dumps({"pid": child.pid}) + "\n")
    return child.wait()


def _again(child: _Child, request: dict, replies) -> tuple[_Child, int]:
    """Run ``request`` again in a fresh child, once ``child`` has ended."""
    child.reap()
    fresh = _Child(request)
    return fresh, _started(fresh, replies)


def serve(requests_fd: int, replies_fd: int, copies: bool = False) -> int:
    requests = os.fdopen(requests_fd, "r", encoding="utf-8")
    replies = os.fdopen(replies_fd, "w", encoding="utf-8", buffering=1)
    _server_fds[:] = [requests_fd, replies_fd]
    sys.path.insert(0, str(manifest.ROOT))
    warm_up(constants=not copies)
    replies.write(json.dumps({"ready": True}) + "\n")
    spare: _Spare | None = None
    for line in requests:
        request = json.loads(line)
        # Unless the learner chose how kata files are probed, a run loads them itself and
        # ends abruptly on one it cannot survive; then it runs again with the probe.
        probe_chosen = environment.PROBE in os.environ or environment.PROBE in (
            request.get("env") or {}
        )
        request["retry"] = not probe_chosen
        child = None
        if spare is not None:
            if spare.fits(request) and spare.start(request):
                child = spare.child
            else:
                spare.discard()
            spare = None
        from_spare = child is not None
        child = child or _Child(request)
        code = _started(child, replies)
        if from_spare and code == SPARE_FAILED:
            from_spare = False
            child, code = _again(child, request, replies)
        if request["retry"] and not child.reported and code not in STOPPED:
            # It ended without a word: a kata file ended or hung it (katalib.core.probe's retry
            # mode). The same run with the probe gives the verdict a cold run gives.
            from_spare = False
            child, code = _again(child, {**request, "retry": False}, replies)
        replies.write(json.dumps({"returncode": code, "spare": from_spare}) + "\n")
        child.reap()
        # The next save most likely asks for the same run: start it now, up to its gate.
        spare = _Spare(request) if request.get("ahead", True) else None
    if spare is not None:
        spare.discard()
    return 0


def main() -> None:
    """The server's entry point (``WarmPytest.start``)."""
    fds = os.environ.pop(environment.WARM_FDS, "")
    if not fds:
        raise SystemExit(
            "katalib.loop.warm is started by the katas command (katalib.loop.warm.WarmPytest)"
        )
    if sys.path and sys.path[0] == "":  # started with -c: the folder, as -m would give it
        sys.path[0] = os.getcwd()
    r, w = (int(x) for x in fds.split(","))
    raise SystemExit(serve(r, w, copies="--copies" in sys.argv[1:]))


if __name__ == "__main__":
    main()
