"""Harness tests: the grading run's audit hook (katalib/grade/guard.py) and the OS around it
(katalib/grade/jail.py).

The static scan of ``katalib.grade.scan`` is switched off in these tests (``no_scan``): what is
tested is what still holds when a kata file gets past it. Each cheat is a kata 02 solution with
a few lines added; the grade must flag the copy with the refused event and its place, and count
no kata of that run. Honest copies (the solutions, the ``ok_`` variants, the stubs) must never
trip the hook.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
from pathlib import Path

import pytest

from katalib.base import manifest
from katalib.grade import guard, jail, record, staging
from katalib.grade.grader import grade_all, grade_fork
from katalib.grade.trees import copy_tree, ignored
from katalib.grade.upstream import Upstream, load_upstream

ROOT = Path(__file__).resolve().parents[2]
KATAS = ["01_foreign_key_blanks", "02_many_to_one"]
QUERIES = "katas/02_many_to_one/queries.py"
MODELS = "katas/02_many_to_one/models.py"
# Wraps author_name, which kata 02's tests call: CODE runs at call time, inside a test.
AT_CALL_TIME = """

_author_name = author_name


def author_name(post):
    {code}
    return _author_name(post)
"""


@pytest.fixture(scope="module")
def upstream(tmp_path_factory: pytest.TempPathFactory) -> Upstream:
    root = tmp_path_factory.mktemp("up") / "upstream"
    names = [p.name for p in ROOT.iterdir() if not ignored(p.name)]
    copy_tree(ROOT, root, names)
    return load_upstream(root, KATAS)


@pytest.fixture
def no_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(staging, "scan", lambda source, filename="": [])  # as staging calls it


def solved_fork(tmp_path: Path, files: dict[str, str] | None = None) -> Path:
    """Kata files only: every kata solved, then ``files`` (path -> text) changed."""
    fork = tmp_path / "fork"
    for kata in manifest.load():
        (fork / "katas" / kata.dir).mkdir(parents=True)
        for name in kata.files:
            shutil.copy(ROOT / "solutions" / kata.dir / name, fork / "katas" / kata.dir / name)
    for rel, text in (files or {}).items():
        (fork / rel).write_text(text, encoding="utf-8")
    return fork


def with_call(code: str) -> str:
    """Kata 02's queries.py, whose author_name runs ``code`` (one line) first."""
    text = (ROOT / "solutions" / QUERIES.removeprefix("katas/")).read_text(encoding="utf-8")
    return text + AT_CALL_TIME.format(code=code)


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def assert_refused(entry: dict, event: str, file: str, line: int) -> None:
    assert entry["error"] is None, entry["error"]
    refused = [f for f in entry["flags"] if f["reason"].startswith(f"refused {event}")]
    assert refused, entry["flags"]
    assert (refused[0]["file"], refused[0]["line"]) == (file, line)
    # No kata of the run counts, not even the honest kata 01.
    assert all(k["flagged"] and not k["solved"] for k in entry["katas"].values()), entry["katas"]


# --- Refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "event"),
    [
        ("__import__('gc').get_objects()", "gc.get_objects@kata"),
        ("__import__('gc').get_referrers(post)", "gc.get_referrers:other@kata"),
        # The code object from the standard library: any other will do.
        (
            "_author_name.__code__ = __import__('dis').Bytecode(lambda post: 'x').codeobj",
            "object.__setattr__:function.__code__@kata",
        ),
        ("__import__('subprocess').run(['true'])", "subprocess.Popen"),
        ("__import__('socket').socket()", "socket.__new__"),
        ("__import__('ctypes').CDLL(None)", "ctypes.dlopen"),
        ("open('/tmp/kata-was-here', 'w')", "open:outside"),
        # At exit, after pytest wrote its JUnit XML: rewrite the verdict file.
        (
            (
                "__import__('atexit').register(lambda: open(next(a[11:] for a in "
                "__import__('sys').argv if a.startswith('--junitxml=')), 'a').write('<!-- -->'))"
            ),
            "open:sealed",
        ),
    ],
    ids=[
        "gc-objects", "gc-referrers", "code-write", "subprocess", "socket", "ctypes",
        "write-out", "forge-verdict",
    ],
)  # fmt: skip
def test_a_refused_event_at_call_time_flags_the_copy(
    upstream: Upstream, tmp_path: Path, no_scan: None, code: str, event: str
) -> None:
    text = with_call(code)
    entry = grade_fork(str(solved_fork(tmp_path, {QUERIES: text})), upstream)
    assert_refused(entry, event, QUERIES, line_of(text, code))
    assert not Path("/tmp/kata-was-here").exists()  # refused before it happened


@pytest.mark.parametrize("probe", ["fork", "0"])
def test_the_hook_is_in_place_before_a_kata_file_loads(
    upstream: Upstream,
    tmp_path: Path,
    no_scan: None,
    monkeypatch: pytest.MonkeyPatch,
    probe: str,
) -> None:
    """models.py raises an event at import: in the import probe's forked child (fork), or in
    pytest itself while pytest-django's django.setup() imports the kata apps (0: no probe)."""
    monkeypatch.setenv("KATA_PROBE", probe)
    text = (ROOT / "solutions" / MODELS.removeprefix("katas/")).read_text(encoding="utf-8")
    text += "\n__import__('gc').get_objects()\n"
    entry = grade_fork(str(solved_fork(tmp_path, {MODELS: text})), upstream)
    assert_refused(entry, "gc.get_objects@kata", MODELS, len(text.splitlines()))


def test_a_refusal_from_a_thread_with_no_kata_frame_is_flagged(
    upstream: Upstream, tmp_path: Path, no_scan: None
) -> None:
    # The thread runs gc.get_objects itself: no frame of the kata file is on its stack.
    code = "t = __import__('threading').Thread(target=__import__('gc').get_objects)\n    "
    code += "t.start(); t.join()"
    entry = grade_fork(str(solved_fork(tmp_path, {QUERIES: with_call(code)})), upstream)
    assert_refused(entry, "gc.get_objects@stdlib", "(the run)", 0)


def test_a_kata_cannot_silence_the_report(
    upstream: Upstream, tmp_path: Path, no_scan: None
) -> None:
    """Closing every file descriptor first loses the report, never the verdict: the hook ends
    the run, and an ended run with no report is flagged too."""
    code = "__import__('os').closerange(3, 4096); __import__('gc').get_objects()"
    entry = grade_fork(str(solved_fork(tmp_path, {QUERIES: with_call(code)})), upstream)
    assert entry["error"] is None, entry["error"]
    ended = [f for f in entry["flags"] if f["file"] == "(the run)"]
    assert len(ended) == 1 and "tampered" in ended[0]["reason"], entry["flags"]
    assert not any(k["solved"] for k in entry["katas"].values())


# --- Honest runs -------------------------------------------------------------------------------


def test_no_honest_copy_trips_the_hook(tmp_path: Path) -> None:
    """The stubs, the solutions and every ok_ variant, all katas, graded with the hook on."""
    forks = [f for f in record.honest_forks(tmp_path) if not f[0].startswith("wrong_")]
    upstream = load_upstream(ROOT)
    graded = grade_all([str(p) for _, p, _ in forks], upstream, 600, 2, quiet=True)
    for (name, _, solved), entry in zip(forks, graded, strict=True):
        assert (name, entry["error"], entry["flags"]) == (name, None, [])
        assert all(k["solved"] == solved for k in entry["katas"].values()), (name, entry)
        assert entry["environment"]["sandbox"]["audit_hook"].startswith("enforce")


def test_the_allowlist_holds_none_of_what_must_be_refused() -> None:
    keys = guard.allowed_keys()
    assert "import" in keys and "sys._getframe" in keys  # recorded, not empty
    forbidden = ("gc.get_objects", "subprocess.", "socket.", "ctypes.", "os.system", "os.exec")
    forbidden += ("os.fork", "os.posix_spawn", "sys.addaudithook", "os.kill")
    assert [k for k in keys if k.startswith(forbidden)] == []
    # Nothing a kata file's own code raises, and no file changed outside the scratch folder.
    assert [k for k in keys if k.endswith("@kata") or ":outside" in k] == []
    data = json.loads(guard.EVENTS_FILE.read_text(encoding="utf-8"))
    assert data["events"] == sorted(set(data["events"]))  # written by --record
    assert all(guard.current_key(k) == k for k in data["events"])  # in today's key scheme
    assert set(data["also"]) == set(guard.ALSO)


def test_keys_of_events_no_longer_qualified_lose_their_place() -> None:
    assert guard.current_key("sys.settrace@hypothesis") == "sys.settrace"
    assert guard.current_key("exec@frozen") == "exec@frozen"
    assert guard.current_key("object.__setattr__:function.__code__@stdlib").endswith("@stdlib")


# --- The OS around it --------------------------------------------------------------------------


@pytest.fixture
def record_only(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The hook records instead of refusing: what is tested is the layer under it."""
    monkeypatch.setattr(jail, "GUARD_MODE", "record")
    monkeypatch.setattr(jail, "RECORD_TO", tmp_path / "keys.txt")


@pytest.mark.skipif(jail.namespaces_refusal() is not None, reason="no user+net namespaces here")
def test_the_run_has_no_network(
    upstream: Upstream, tmp_path: Path, no_scan: None, record_only: None
) -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]  # listening: a connection would be accepted
        # Right only when the grader's own loopback server cannot be reached.
        code = (
            "return 'reached' if __import__('socket').socket().connect_ex(('127.0.0.1', "
            f"{port})) == 0 else _author_name(post)"
        )
        entry = grade_fork(str(solved_fork(tmp_path, {QUERIES: with_call(code)})), upstream)
    assert entry["katas"]["02_many_to_one"]["solved"] is True, entry  # not reached
    assert entry["environment"]["sandbox"]["network"].startswith("none")


def test_the_run_sees_no_secrets_and_a_throwaway_home(
    upstream: Upstream, tmp_path: Path, no_scan: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("GITHUB_TOKEN", "KATA_API_KEY", "AWS_ACCESS_KEY_ID", "DEPLOY_PASSWORD"):
        monkeypatch.setenv(name, "s3cret-value")
    home = os.path.expanduser("~")
    # Right only when no variable holds the secret and HOME is not the grader's.
    code = (
        "env = __import__('os').environ\n    "
        "if any('s3cret' in v for v in env.values()) or env.get('HOME') == "
        f"{home!r}: return 'seen'"
    )
    entry = grade_fork(str(solved_fork(tmp_path, {QUERIES: with_call(code)})), upstream)
    assert entry["flags"] == [] and entry["error"] is None, entry
    assert entry["katas"]["02_many_to_one"]["solved"] is True, entry


def test_limits_fail_the_kata_not_the_grader(
    upstream: Upstream, tmp_path: Path, no_scan: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not jail.limits_available():
        pytest.skip("no resource limits on this platform")
    monkeypatch.setattr(jail, "MEMORY", 1024**3)
    monkeypatch.setattr(jail, "FILE_SIZE", 1024**2)
    memory = with_call("bytearray(2 * 1024**3)")  # more than the address space allows
    disk = with_call("open('big.bin', 'wb').write(bytes(2 * 1024**2))")  # a file past the limit
    for text in (memory, disk):
        fork = solved_fork(tmp_path / str(len(text)), {QUERIES: text})
        entry = grade_fork(str(fork), upstream)
        assert entry["error"] is None and entry["flags"] == [], entry
        assert entry["katas"]["02_many_to_one"]["solved"] is False  # its tests failed
        assert entry["katas"]["01_foreign_key_blanks"]["solved"] is True  # the run went on
        limits = entry["environment"]["sandbox"]["limits"]
        assert (limits["memory"], limits["file_size"]) == (1024**3, 1024**2)


def test_the_environment_keeps_only_the_allowlist() -> None:
    env = {
        "PATH": "/bin", "LANG": "C.UTF-8", "DATABASE_URL": "postgres://u:p@db/x",
        "KATA_TARGET": "katas", "KATA_SECRET": "x", "GITHUB_TOKEN": "x", "AWS_REGION": "x",
        "HOME": "/root", "SSH_AUTH_SOCK": "/x", "HYPOTHESIS_PROFILE": "ci",
        "KATA_PROBE_LOG": "/home/teacher/probe.log",
    }  # fmt: skip
    assert set(jail.clean_env(env)) == {
        "PATH", "LANG", "DATABASE_URL", "KATA_TARGET", "HYPOTHESIS_PROFILE",
    }  # fmt: skip


def test_a_database_server_keeps_the_network_and_says_why() -> None:
    assert "db.example" in (jail.network_refusal("postgres://u@db.example:5432/k") or "")
    assert jail.network_refusal("") == jail.namespaces_refusal()  # SQLite in memory
