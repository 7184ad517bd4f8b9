"""Check where learners work: the dev containers (Codespaces) and the GitHub workflows.

    python .ci/check_workspace.py                # everything (the install needs PyPI)
    python .ci/check_workspace.py --skip-install # offline: no throwaway install

1. Both dev-container configurations parse (JSON with comments) and have the keys Codespaces
   needs: an image, or a compose file and service; waitFor; the install in
   updateContentCommand; the pytest settings of VS Code's test explorer; files to open that exist.
2. The PostgreSQL compose file passes the compose-spec schema and has the template's shape:
   the app on the database's network, no "ports", DATABASE_URL matching the database's account.
3. Every workflow passes the GitHub workflow schema, names a timeout for every job
   (check-jsonschema), and has no zizmor findings (offline); so does each workflow teachers copy
   (docs/teaching/grade-classroom.yml), which must also not be active in this repository.
4. The first configuration's updateContentCommand runs for real, in a throwaway virtual
   environment and a clean copy of the repository, and the katas are then collected.

Run with the project's virtual environment (check-jsonschema and zizmor come from ``.[dev]``).
Exits 1 on any problem, listing each one.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEVCONTAINER = ROOT / ".devcontainer" / "devcontainer.json"
POSTGRES = ROOT / ".devcontainer" / "postgres" / "devcontainer.json"
WORKFLOWS = ROOT / ".github" / "workflows"
# Workflows that teachers copy into their own repository: not active here, checked the same way.
TEMPLATES = [ROOT / "docs" / "teaching" / "grade-classroom.yml"]
ZIZMOR_CONFIG = ROOT / ".github" / "zizmor.yml"
IMAGE_PREFIX = "mcr.microsoft.com/devcontainers/python:"
LIFECYCLE = (
    "initializeCommand",
    "onCreateCommand",
    "updateContentCommand",
    "postCreateCommand",
    "postStartCommand",
    "postAttachCommand",
)
# Left out of the copy the install runs in: what a fresh clone would not have.
NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv", "venv", ".nox", ".tox", "__pycache__", ".pytest_cache", ".hypothesis",
    ".ruff_cache", "*.egg-info", "build", "dist", "kata-results.json", "node_modules",
)  # fmt: skip

problems: list[str] = []


def ok(message: str) -> None:
    print(f"  ok   {message}")


def problem(message: str) -> None:
    problems.append(message)
    print(f"  FAIL {message}")


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


# --- dev containers ---------------------------------------------------------------------------


def strip_jsonc(text: str) -> str:
    """JSON with comments (what devcontainer.json allows) -> JSON: comments, trailing commas."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            end = i + 1
            while end < n and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            out.append(text[i : end + 1])
            i = end + 1
        elif text.startswith("//", i):
            i = text.find("\n", i)
            i = n if i < 0 else i
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
        else:
            out.append(c)
            i += 1
    return re.sub(r",(\s*[}\]])", r"\1", "".join(out))


def load_devcontainer(path: Path) -> dict | None:
    try:
        data = json.loads(strip_jsonc(path.read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:
        problem(f"{rel(path)} does not parse: {exc}")
        return None
    if not isinstance(data, dict):
        problem(f"{rel(path)}: the top level is not an object")
        return None
    return data


def get(data: dict, dotted: str):
    for key in dotted.split("."):
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def check_image(image: object, where: str) -> None:
    if not isinstance(image, str) or not image.startswith(IMAGE_PREFIX):
        problem(f"{where}: image should be the official {IMAGE_PREFIX}<tag>, not {image!r}")
        return
    tag = image.removeprefix(IMAGE_PREFIX)
    # <image major>-<python>-<debian>; majors 1 and 2 are stale since the 2026-02 template sync.
    match = re.fullmatch(r"(\d+)-3\.(\d+)-([a-z]+)", tag)
    if not match:
        problem(f"{where}: image tag {tag!r} is not <major>-3.<minor>-<debian>, e.g. 3-3.13-trixie")
    elif int(match[1]) < 3:
        problem(f"{where}: image major {match[1]} is stale: use 3-3.<minor>-<debian>")
    elif int(match[2]) < 10:
        problem(f"{where}: Python 3.{match[2]} is older than the katas support (3.10+)")
    else:
        ok(f"{where}: image {image}")


def extras() -> set[str]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    with open(ROOT / "pyproject.toml", "rb") as fh:
        data = tomllib.load(fh)
    return set(data["project"].get("optional-dependencies", {}))


def check_devcontainer(path: Path) -> dict | None:
    print(f"{rel(path)}")
    data = load_devcontainer(path)
    if data is None:
        return None
    where = rel(path)
    if "image" in data:
        check_image(data["image"], where)
    elif data.get("dockerComposeFile") and data.get("service"):
        ok(f"{where}: compose file {data['dockerComposeFile']}, service {data['service']}")
    else:
        problem(f"{where}: needs either image, or dockerComposeFile and service")

    wait_for = data.get("waitFor")
    if wait_for not in LIFECYCLE:
        problem(
            f"{where}: waitFor should name a lifecycle command (onCreateCommand), not {wait_for!r}"
        )
    else:
        ok(f"{where}: waitFor {wait_for}")

    command = data.get("updateContentCommand")
    if not isinstance(command, str) or not re.search(r"pip install -e ['\"]?\.", command):
        problem(
            f"{where}: updateContentCommand should install the katas (python -m pip install -e .)"
            " so that prebuilds include the dependencies"
        )
    else:
        wanted = set(re.findall(r"\.\[([\w,-]+)\]", command))
        unknown = {e for group in wanted for e in group.split(",")} - extras()
        if unknown:
            problem(f"{where}: updateContentCommand asks for unknown extras {sorted(unknown)}")
        else:
            ok(f"{where}: updateContentCommand {command}")

    settings = get(data, "customizations.vscode.settings") or {}
    expected = {
        "python.testing.pytestEnabled": True,
        "python.testing.unittestEnabled": False,
        "python.testing.pytestArgs": ["katas"],
    }
    wrong = {k: settings.get(k) for k, v in expected.items() if settings.get(k) != v}
    if wrong:
        problem(f"{where}: customizations.vscode.settings should set {expected}; found {wrong}")
    else:
        ok(f"{where}: VS Code test explorer runs pytest on katas/")
    legacy = [k for k in settings if k.startswith(("python.linting.", "python.formatting."))]
    if legacy:
        problem(f"{where}: legacy Python-extension settings {legacy}: remove them")
    extensions = get(data, "customizations.vscode.extensions") or []
    if "ms-python.python" not in extensions:
        problem(f"{where}: customizations.vscode.extensions should include ms-python.python")

    open_files = get(data, "customizations.codespaces.openFiles")
    if not open_files or not isinstance(open_files, list):
        problem(f"{where}: customizations.codespaces.openFiles should list README.md and kata 01")
    else:
        missing = [f for f in open_files if not (ROOT / f).is_file()]
        if missing:
            problem(f"{where}: openFiles that don't exist: {missing}")
        else:
            ok(f"{where}: opens {', '.join(open_files)}")
    return data


def check_compose(config: dict, config_path: Path) -> None:
    compose_path = config_path.parent / str(config.get("dockerComposeFile"))
    where = rel(compose_path)
    print(where)
    if not compose_path.is_file():
        problem(f"{rel(config_path)}: dockerComposeFile {where} does not exist")
        return
    run_schema("vendor.compose-spec", [compose_path])
    try:
        from ruamel.yaml import YAML
    except ImportError:
        problem("ruamel.yaml is missing: install the dev extra (python -m pip install -e '.[dev]')")
        return
    compose = YAML(typ="safe").load(compose_path.read_text(encoding="utf-8")) or {}
    services = compose.get("services") or {}
    app_name = config.get("service")
    app = services.get(app_name)
    if not isinstance(app, dict):
        problem(f"{where}: no service {app_name!r} (the devcontainer's service)")
        return
    network = str(app.get("network_mode", ""))
    db_name = network.removeprefix("service:")
    db = services.get(db_name) if network.startswith("service:") else None
    if not isinstance(db, dict):
        problem(
            f"{where}: {app_name} should run on the database's network (network_mode: service:db)"
        )
        return
    ok(f"{where}: {app_name} shares the network of {db_name} ({db.get('image')})")
    with_ports = [
        name for name, svc in services.items() if isinstance(svc, dict) and "ports" in svc
    ]
    if with_ports:
        problem(f"{where}: {with_ports} use ports, which don't forward from a Codespace: "
                "use forwardPorts in devcontainer.json")  # fmt: skip
    if 5432 not in (config.get("forwardPorts") or []):
        problem(f"{rel(config_path)}: forwardPorts should include 5432 (PostgreSQL)")

    db_env = _environment(db)
    needed = ("POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB")
    if any(not db_env.get(k) for k in needed):
        problem(f"{where}: {db_name} needs environment {', '.join(needed)}")
        return
    url = _environment(app).get("DATABASE_URL") or get(config, "remoteEnv.DATABASE_URL")
    if not url:
        problem(f"{where}: {app_name} needs DATABASE_URL (settings.py reads it)")
        return
    parts = urlsplit(url)
    if (
        parts.scheme not in {"postgres", "postgresql"}
        or parts.hostname != "localhost"
        or parts.username != db_env["POSTGRES_USER"]
        or parts.password != db_env["POSTGRES_PASSWORD"]
        or parts.path.lstrip("/") != db_env["POSTGRES_DB"]
    ):
        problem(f"{where}: DATABASE_URL {url} does not match the database's POSTGRES_* account")
    else:
        ok(f"{where}: DATABASE_URL matches the {db_name} service's account")


def _environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # ["KEY=value", ...]
        env = dict(item.split("=", 1) for item in env if "=" in item)
    return {str(k): str(v) for k, v in env.items()}


# --- workflows -----------------------------------------------------------------------------------


def tool(name: str) -> str | None:
    here = Path(sys.executable).parent / (name + (".exe" if os.name == "nt" else ""))
    found = str(here) if here.is_file() else shutil.which(name)
    if found is None:
        problem(f"{name} is not installed: python -m pip install -e '.[dev]'")
    return found


def run_schema(schema: str, files: list[Path]) -> None:
    exe = tool("check-jsonschema")
    if exe is None:
        return
    done = subprocess.run(
        [exe, "--builtin-schema", schema, *map(str, files)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    names = ", ".join(rel(f) for f in files)
    if done.returncode:
        problem(f"{names} fail the {schema} schema:\n{done.stdout}{done.stderr}")
    else:
        ok(f"{names}: {schema} schema")


def check_workflows() -> None:
    print(rel(WORKFLOWS))
    files = sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")])
    if not files:
        problem(f"no workflows in {rel(WORKFLOWS)}")
        return
    run_schema("vendor.github-workflows", files)
    run_schema("custom.github-workflows-require-timeout", files)
    exe = tool("zizmor")
    if exe is None:
        return
    # --offline: no network and no online audits; .github/zizmor.yml is found from the folder.
    done = subprocess.run(
        [exe, "--offline", "--no-progress", "--color=never", str(WORKFLOWS)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode:
        problem(f"zizmor found problems (exit code {done.returncode}):\n{done.stdout}{done.stderr}")
    else:
        ok(f"zizmor --offline: {done.stdout.strip().splitlines()[-1] if done.stdout else 'clean'}")


def check_templates() -> None:
    """Workflows for teachers to copy: valid, timed, zizmor-clean, and not active here."""
    for path in TEMPLATES:
        print(rel(path))
        if not path.is_file():
            problem(f"{rel(path)} is missing")
            continue
        if (WORKFLOWS / path.name).exists():
            problem(
                f"{rel(path)} is for teachers to copy: it must not be active in {rel(WORKFLOWS)}"
            )
        run_schema("vendor.github-workflows", [path])
        run_schema("custom.github-workflows-require-timeout", [path])
        exe = tool("zizmor")
        if exe is None:
            return
        done = subprocess.run(
            [exe, "--offline", "--no-progress", "--color=never",
             f"--config={ZIZMOR_CONFIG}", str(path)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode:
            problem(f"zizmor found problems in {rel(path)}:\n{done.stdout}{done.stderr}")
        else:
            ok(f"{rel(path)}: zizmor --offline clean")


# --- the install, for real -------------------------------------------------------------------


def run_install(config: dict) -> None:
    command = config.get("updateContentCommand")
    print(f"updateContentCommand of {rel(DEVCONTAINER)}, in a throwaway environment")
    if not isinstance(command, str):
        return  # already reported
    with tempfile.TemporaryDirectory(prefix="katas-devcontainer-") as tmp:
        work, env_dir = Path(tmp) / "repo", Path(tmp) / "venv"
        shutil.copytree(ROOT, work, ignore=NOT_COPIED)
        start = time.perf_counter()
        venv.EnvBuilder(with_pip=True).create(env_dir)
        bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
        env = dict(
            os.environ, VIRTUAL_ENV=str(env_dir), PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}"
        )
        for key in ("PYTHONPATH", "PYTHONHOME", "KATA_TARGET", "DATABASE_URL"):
            env.pop(key, None)
        steps = [("updateContentCommand", command)]
        if isinstance(config.get("postCreateCommand"), str):
            steps.append(("postCreateCommand", config["postCreateCommand"]))
        for name, line in steps:
            began = time.perf_counter()
            done = subprocess.run(
                line, shell=True, cwd=work, env=env, capture_output=True, text=True, check=False
            )
            seconds = time.perf_counter() - began
            if done.returncode:
                tail = "\n".join((done.stdout + done.stderr).splitlines()[-25:])
                problem(f"{name} `{line}` failed (exit code {done.returncode}):\n{tail}")
                return
            ok(f"{name} `{line}` ({seconds:.1f} s)")
        ok(f"fresh environment to collected katas in {time.perf_counter() - start:.1f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--skip-install", action="store_true", help="don't run updateContentCommand (no network)"
    )
    args = parser.parse_args(argv)

    first = check_devcontainer(DEVCONTAINER)
    second = check_devcontainer(POSTGRES)
    if second is not None:
        if second.get("dockerComposeFile"):
            check_compose(second, POSTGRES)
        else:
            problem(f"{rel(POSTGRES)}: the PostgreSQL configuration should use a compose file")
    check_workflows()
    check_templates()
    if first is not None and not args.skip_install:
        run_install(first)

    if problems:
        print(f"\n{len(problems)} problem(s) in the dev containers or workflows (see FAIL above).")
        return 1
    print("\nDev containers and workflows: all checks passed.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
