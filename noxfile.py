"""Version matrix: ``nox`` (every row) or one row: ``nox -s "katas(3.13-djangonewest-sqlite)"``.

Each row installs the project with one Django line into a fresh virtualenv and runs the two-way
verification (every kata test fails on katas/ and passes on solutions/). .ci/run runs the
3.11 rows as its main run (with the wrong/valid variants too) and the other rows through nox.
PostgreSQL rows use
KATAS_POSTGRES_URL (a server URL; .ci/run starts one on loopback) and fail if it is unset.
"""

from __future__ import annotations

import os

import nox

nox.options.error_on_missing_interpreters = True  # a missing Python is a failure, not a skip
nox.options.default_venv_backend = "uv|venv"  # uv when installed (.[dev]): seconds, not minutes
nox.options.reuse_venv = "yes"

DJANGO = {
    "5.2": "django>=5.2,<6",  # the LTS; the newest release that Python 3.10/3.11 can run
    "newest": "django>=6.0",  # the newest release; needs Python 3.12+
}
ROWS = [
    ("3.10", "5.2", "sqlite"),
    ("3.11", "5.2", "sqlite"),
    ("3.11", "5.2", "postgres"),
    ("3.12", "newest", "sqlite"),
    ("3.13", "newest", "sqlite"),
    ("3.13", "newest", "postgres"),
]


@nox.session
@nox.parametrize(
    ("python", "django", "db"),
    [nox.param(*row, id=f"{row[0]}-django{row[1]}-{row[2]}") for row in ROWS],
)
def katas(session: nox.Session, django: str, db: str) -> None:
    env = {"DATABASE_URL": ""}  # empty: SQLite in memory (settings.py)
    if db == "postgres":
        url = os.environ.get("KATAS_POSTGRES_URL")
        if not url:
            session.error("KATAS_POSTGRES_URL is not set: start PostgreSQL first (see .ci/run)")
        env["DATABASE_URL"] = url
    session.install("-e", ".[postgres]", DJANGO[django])
    session.run(
        "python",
        "-c",
        "import django, sys; print('Django', django.get_version(), 'on Python', sys.version.split()[0])",
    )
    # Runs the whole suite on solutions/ (must pass) and on katas/ (must fail), per test id.
    session.run("python", "-m", "katalib.verify", "--skip-variants", env=env)
