"""``katas web``: the katas in a browser tab, nothing to install (the site is built in ``web/``).

    katas web build DIR      write the static site to DIR
    katas web serve          build it (into the cache) and serve it on http://127.0.0.1:8000/

The site runs the same katas, tests and harness as the terminal, on Pyodide (CPython compiled
to WebAssembly) in a Web Worker: the page shows pytest's own output. What the build puts in DIR:

- ``data/repo.json``: the repository's files that a run needs, as they are in this checkout:
  each kata's README, HINTS, the files the learner edits, the given files and the tests, plus
  ``katalib/``, ``conftest.py``, ``settings.py``, ``katas.toml`` and ``pyproject.toml``;
  never ``solutions/``. ``data/katas.json``: the manifest for the page (order, titles, files,
  hint layers as ``katalib.teach.hints`` parses them, the time limits, each progress state's
  mark and words from ``katalib.base.marks``) and ``schemas``: each
  kata's target tables read from solutions/ (``target_schemas``: data, not code) for the
  page's Schema tab.
- ``python/site-packages.bin``: the wheels pinned in ``web/wheels.lock`` (version and sha256),
  downloaded with ``pip download --require-hashes`` into a cache outside git, then unpacked and
  compiled to bytecode by Pyodide itself (``web/build.mjs``).
- ``pyodide/``, ``app.js``, ``worker.js``, ``sw.js``: Pyodide from npm and the page, bundled
  by esbuild with CodeMirror (``npm ci`` in ``web/`` from its package-lock.json).

Building needs Node.js 20+ and npm (and the network for npm and pip, or their caches); the
built site needs nothing but a static web server: every file it uses is in DIR.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from katalib.base import env, manifest, marks
from katalib.base.repo import HARNESS_FILES
from katalib.teach import hints

WEB = manifest.ROOT / "web"
LOCK = WEB / "wheels.lock"
# The repository's files a run reads, besides the katas/ folder (never solutions/).
HARNESS = HARNESS_FILES
BUILD_INFO = "build-info.json"
MIME = {
    ".mjs": "text/javascript",
    ".js": "text/javascript",
    ".wasm": "application/wasm",
    ".json": "application/json",
    ".bin": "application/octet-stream",
    ".zip": "application/zip",
    ".py": "text/plain; charset=utf-8",
    ".md": "text/plain; charset=utf-8",
    ".css": "text/css",
    ".html": "text/html; charset=utf-8",
}


class BuildError(Exception):
    """Something the build needs is missing or failed: the message says what to do."""


def cache_dir() -> Path:
    """Downloads and precompiled packs, outside git: $KATAS_WEB_CACHE or ~/.cache/katas-web."""
    if os.environ.get(env.WEB_CACHE):
        return Path(os.environ[env.WEB_CACHE]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "katas-web"


# --- What the page and the worker read ----------------------------------------------------------


def _text_files(root: Path) -> dict[str, str]:
    files: dict[str, str] = {}
    folders = [root / "katas"]
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                files[path.relative_to(root).as_posix()] = path.read_text(encoding="utf-8")
    for pattern in HARNESS:
        for path in sorted(root.glob(pattern)):
            if path.is_file():
                files[path.relative_to(root).as_posix()] = path.read_text(encoding="utf-8")
    return files


def _pytest_timeout(root: Path) -> float:
    try:
        with open(root / "pyproject.toml", "rb") as fh:
            value = manifest.tomllib.load(fh)["tool"]["pytest"].get("timeout", 0)
        return float(value)
    except (OSError, KeyError, ValueError):
        return 0.0


def site_content(root: Path = manifest.ROOT) -> tuple[dict, dict]:
    """``(repo, katas)``: the contents of data/repo.json and data/katas.json."""
    repo = {"files": _text_files(root)}
    katas = []
    for kata in manifest.load(root):
        sections = hints.sections(kata, root) if (root / "katas" / kata.dir).is_dir() else []
        katas.append(
            {
                "dir": kata.dir,
                "label": kata.label,
                "title": kata.title,
                "track": kata.track,
                "hint": kata.hint,
                "files": list(kata.files),
                "readme": kata.readme,
                "hints": [
                    {"number": s.number, "title": s.title, "bullets": list(s.bullets)}
                    for s in sections
                ],
                "firstTask": hints.first_task(kata, root),
            }
        )
    from katalib.core import probe

    data = {
        "katas": katas,
        # The terminal's limits: a test (pytest-timeout's ini value) and loading a kata file.
        "timeouts": {"test": _pytest_timeout(root) or 30.0, "import": probe.DEFAULT_TIMEOUT},
        # Each progress state's mark and words in the kata list: the terminal's (katalib.base.marks).
        "states": marks.page_states(),
    }
    return repo, data


def target_schemas(root: Path = manifest.ROOT) -> dict[str, list[dict] | None]:
    """Each kata's target tables, read from solutions/ (``katalib.teach.drawing``, on SQLite as in the
    page) for the page's Schema tab, which compares the learner's tables with them: data only,
    never a solution's code. Empty without solutions/ (the tab then draws the learner's tables
    alone)."""
    if not (root / "solutions").is_dir():
        return {}
    from katalib.loop import draw as command

    dirs = [kata.dir for kata in manifest.load(root)]
    try:
        read = command.read_tree("solutions", dirs, root=root, sqlite=True)
    except RuntimeError as exc:
        raise BuildError(f"the lesson's tables could not be read from solutions/: {exc}") from None
    broken = [f"{name}: {entry['error']}" for name, entry in read.items() if entry["error"]]
    if broken:
        raise BuildError("the lesson's tables could not be read: " + "; ".join(broken))
    return {name: entry["tables"] for name, entry in read.items()}


# --- The pinned wheels ----------------------------------------------------------------------------

_LOCK_LINE = re.compile(r"^([A-Za-z0-9_.-]+)==([^\s]+)\s+--hash=sha256:([0-9a-f]{64})\s*$")


def read_lock(path: Path = LOCK) -> list[tuple[str, str, str]]:
    """``(name, version, sha256)`` of every wheel in web/wheels.lock."""
    pins = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _LOCK_LINE.match(line.strip())
        if not match:
            raise BuildError(f"{path}:{number}: expected 'name==version --hash=sha256:...'")
        pins.append((match.group(1), match.group(2), match.group(3)))
    return pins


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def download_wheels(cache: Path, lock: Path = LOCK, log=print) -> Path:
    """The pinned wheels in ``cache/wheels-<lock hash>/``, each checked against its sha256."""
    pins = read_lock(lock)
    folder = cache / f"wheels-{_sha256(lock)[:16]}"
    folder.mkdir(parents=True, exist_ok=True)

    def present() -> dict[str, Path]:
        found = {}
        for wheel in folder.glob("*.whl"):
            name, version = wheel.name.split("-")[:2]
            found[f"{_normal(name)}=={version}"] = wheel
        return found

    missing = [pin for pin in pins if f"{_normal(pin[0])}=={pin[1]}" not in present()]
    if missing:
        log(f"[web build] downloading {len(missing)} pinned wheel(s) with pip into {folder}")
        command = [
            sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
            "--require-hashes", "--disable-pip-version-check", "--quiet",
            # Pyodide's CPython: pure-Python wheels only.
            "--python-version", "3.14", "--implementation", "py", "--abi", "none",
            "--platform", "any", "-r", str(lock), "-d", str(folder),
        ]  # fmt: skip
        done = subprocess.run(command, check=False)
        if done.returncode:
            raise BuildError(f"pip download failed (exit code {done.returncode}) for {lock}")
    found = present()
    for name, version, sha in pins:
        wheel = found.get(f"{_normal(name)}=={version}")
        if wheel is None:
            raise BuildError(f"{name}=={version} is missing after pip download")
        if _sha256(wheel) != sha:
            wheel.unlink()
            raise BuildError(f"{wheel.name} does not match its sha256 in {lock}: deleted")
    extra = set(found) - {f"{_normal(n)}=={v}" for n, v, _ in pins}
    for key in extra:
        found[key].unlink()
    return folder


# --- Node: npm ci, then web/build.mjs ------------------------------------------------------------


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BuildError(
            f"{name} is not installed: building the browser site needs Node.js 20 or newer and "
            "npm (https://nodejs.org/). The built site itself needs neither."
        )
    return found


def ensure_node_modules(log=print) -> None:
    """``npm ci`` in web/ when node_modules is missing or older than package-lock.json."""
    lock = WEB / "package-lock.json"
    stamp = WEB / "node_modules" / ".katas-web-lock"
    want = _sha256(lock)
    if stamp.is_file() and stamp.read_text(encoding="utf-8").strip() == want:
        return
    node = _tool("node")
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=False)
    major = re.match(r"v(\d+)", version.stdout.strip())
    if not major or int(major.group(1)) < 20:
        raise BuildError(f"Node.js 20 or newer is needed, found {version.stdout.strip()!r}")
    log("[web build] npm ci (web/package-lock.json)")
    done = subprocess.run(
        [_tool("npm"), "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=WEB, check=False
    )
    if done.returncode:
        raise BuildError(f"npm ci failed in {WEB} (exit code {done.returncode})")
    stamp.write_text(want + "\n", encoding="utf-8")


def _replaceable(out: Path) -> bool:
    """An empty or missing folder, or an earlier build: never anything else."""
    if not out.exists():
        return True
    if not out.is_dir():
        return False
    return not any(out.iterdir()) or (out / BUILD_INFO).is_file()


def build(out: Path, cache: Path | None = None, log=print) -> dict:
    """Write the site to ``out``; returns its build-info.json."""
    out = out.resolve()
    cache = (cache or cache_dir()).resolve()
    if out == manifest.ROOT or manifest.ROOT.is_relative_to(out):
        raise BuildError(f"{out} holds the repository: choose another folder")
    if not _replaceable(out):
        raise BuildError(f"{out} is not empty and holds no earlier build: choose another folder")
    ensure_node_modules(log)
    wheels = download_wheels(cache, log=log)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        repo, katas = site_content()
        katas["schemas"] = target_schemas()
        (staging / "data").mkdir()
        for name, data in (("repo.json", repo), ("katas.json", katas)):
            (staging / "data" / name).write_text(
                json.dumps(data, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8"
            )
        command = [_tool("node"), str(WEB / "build.mjs"), "--out", str(staging),
                   "--wheels", str(wheels), "--cache", str(cache)]  # fmt: skip
        done = subprocess.run(command, check=False)
        if done.returncode:
            raise BuildError(f"web/build.mjs failed (exit code {done.returncode})")
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
        out.chmod(0o755)  # mkdtemp made it private: a web server may run as someone else
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return json.loads((out / BUILD_INFO).read_text(encoding="utf-8"))


# --- Serving it on this machine ---------------------------------------------------------------------


def make_server(folder: Path, host: str = "127.0.0.1", port: int = 8000):
    """A static web server for the site: the types a browser insists on (.mjs, .wasm), and
    every response revalidated (the service worker keeps the offline copy)."""
    import http.server

    class SiteHandler(http.server.SimpleHTTPRequestHandler):
        extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **MIME}

        def end_headers(self) -> None:
            self.send_header("Cache-Control", "no-cache")
            super().end_headers()

        def log_message(self, format: str, *args) -> None:
            if os.environ.get(env.WEB_LOG):
                super().log_message(format, *args)

    handler = functools.partial(SiteHandler, directory=str(folder))
    return http.server.ThreadingHTTPServer((host, port), handler)


# --- The command line: katas web build / serve -------------------------------------------------------


def cmd_build(args: argparse.Namespace) -> int:
    try:
        info = build(Path(args.dir), Path(args.cache) if args.cache else None)
    except BuildError as exc:
        print(f"katas web build: {exc}", file=sys.stderr)
        return 1
    print(f"Built the browser site in {args.dir}: {info['files']} files, "
          f"{info['bytes'] / 1e6:.1f} MB (Pyodide {info['pyodide']}). Serve it with any static "
          "web server, e.g. katas web serve --dir " + args.dir)  # fmt: skip
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    folder = Path(args.dir) if args.dir else cache_dir() / "site"
    if not args.no_build:
        try:
            build(folder, Path(args.cache) if args.cache else None)
        except BuildError as exc:
            print(f"katas web serve: {exc}", file=sys.stderr)
            return 1
    if not (folder / "index.html").is_file():
        print(f"katas web serve: no site in {folder}: build it first (katas web build {folder})",
              file=sys.stderr)  # fmt: skip
        return 1
    try:
        server = make_server(folder, args.host, args.port)
    except OSError as exc:
        print(f"katas web serve: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    host, port = server.server_address[:2]
    print(f"Serving the katas on http://{host}:{port}/ (from {folder}); Ctrl+C stops.")
    print("Once the page has loaded, it works offline too.", flush=True)
    with contextlib.suppress(KeyboardInterrupt), server:
        server.serve_forever()
    print("\nStopped.")
    return 0


def add_commands(commands) -> None:
    """The ``web`` command group of ``katas`` (katalib/cli.py)."""
    web = commands.add_parser("web", help="the katas in a browser tab: build or serve the site")
    group = web.add_subparsers(dest="web_command", metavar="COMMAND", required=True)
    cache_help = "where downloads and the precompiled wheels are kept (default: $KATAS_WEB_CACHE "
    cache_help += "or ~/.cache/katas-web)"
    site = group.add_parser("build", help="write the static site to DIR")
    site.add_argument("dir", metavar="DIR", help="the folder to write (empty, or an earlier build)")
    site.add_argument("--cache", help=cache_help)
    site.set_defaults(handler=cmd_build)
    serve = group.add_parser("serve", help="build the site and serve it on this machine")
    serve.add_argument("--dir", help="the site's folder (default: site/ in the cache)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (8000; 0: any free port)")
    serve.add_argument("--no-build", action="store_true", help="serve DIR as it is")
    serve.add_argument("--cache", help=cache_help)
    serve.set_defaults(handler=cmd_serve)
