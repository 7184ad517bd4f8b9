"""Django settings for running the katas. Learners don't need to edit this file.

The database is SQLite in memory unless DATABASE_URL is set, e.g.
``DATABASE_URL=postgres://user:password@localhost:5432/katas pytest``.
"""

import os

import dj_database_url

from katalib.base import env
from katalib.core.apps import INSTALLED_KATAS

SECRET_KEY = "katas-only-not-a-secret"
DEBUG = False
USE_TZ = True
TIME_ZONE = "UTC"

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",  # the User model of the one-to-one kata
    *INSTALLED_KATAS,  # one app per kata folder, in katas.toml order
]

# An unset or empty DATABASE_URL means SQLite in memory.
DATABASES = {
    "default": dj_database_url.parse(os.environ.get("DATABASE_URL") or "sqlite://:memory:")
}
# Parallel runs against one server (the verification does this) each need their own test database.
if os.environ.get(env.TEST_DB_NAME):
    DATABASES["default"]["TEST"] = {"NAME": os.environ[env.TEST_DB_NAME]}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
