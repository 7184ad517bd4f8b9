"""Harness tests: explanations in a real pytest run fit the kata they come from.

A scratch repository holds the real harness and small katas shaped like the real ones, each
with the mistake a learner made (measured in the run-throughs): a retag() that deletes tags and
links them again (kata 05 has no DO_NOTHING), unique=True on each ForeignKey of a link model
(kata 11 has no User or Profile), an N+1 loop counted by pytest-django, a `while` loop that
never ends. pytest runs there in a subprocess, as a learner runs it; each test's failure report
must say what fits its kata and nothing that doesn't.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.scratch import kata_repo

ROOT = Path(__file__).resolve().parents[2]

M2M_MODELS = """
from django.db import models


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)


class Post(models.Model):
    title = models.CharField(max_length=50)
    tags = models.ManyToManyField(Tag, related_name="posts")
"""

KATA_13_NO_PARENT = """
from django.db import models


class Comment(models.Model):
    text = models.CharField(max_length=200)
    # TODO: a comment can answer another comment (its parent); a comment that starts a
    # thread answers nothing.
"""

KATAS: dict[str, dict[str, str]] = {
    # Kata 05's retag(), measured: delete the post's tags, then link the deleted objects again.
    "01_retag": {
        "models.py": M2M_MODELS,
        "queries.py": """
def retag(post, *names):
    from .models import Tag

    kept = list(post.tags.filter(name__in=names))
    post.tags.all().delete()
    post.tags.add(*kept, *(Tag.objects.create(name=n) for n in names if n == "new"))
""",
        "test_kata.py": """
import pytest

pytestmark = pytest.mark.django_db


def test_retag(kata_models, kata_module):
    post = kata_models.Post.objects.create(title="Hello")
    post.tags.add(kata_models.Tag.objects.create(name="django"))
    kata_module("queries").retag(post, "django")
""",
    },
    # Kata 03's scenario: Comment.post with DO_NOTHING, the post deleted.
    "02_do_nothing": {
        "models.py": """
from django.db import models


class Post(models.Model):
    title = models.CharField(max_length=50)


class Comment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.DO_NOTHING)
""",
        "queries.py": "",
        "test_kata.py": """
import pytest

pytestmark = pytest.mark.django_db


def test_delete_post(kata_models):
    post = kata_models.Post.objects.create(title="Hello")
    kata_models.Comment.objects.create(post=post)
    post.delete()
""",
    },
    # Kata 11, measured: unique=True on each ForeignKey of the link model.
    "03_unique_fks": {
        "models.py": """
from django.db import models


class Tag(models.Model):
    name = models.CharField(max_length=50)


class Post(models.Model):
    title = models.CharField(max_length=50)
    tags = models.ManyToManyField(Tag, through="Tagging", related_name="posts")


class Tagging(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, unique=True)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, unique=True)
""",
        "queries.py": "",
        "test_kata.py": """
import pytest

pytestmark = pytest.mark.django_db


def test_two_tags_on_a_post(kata_models):
    post = kata_models.Post.objects.create(title="Hello")
    for name in ["python", "django"]:
        tag = kata_models.Tag.objects.create(name=name)
        kata_models.Tagging.objects.create(post=post, tag=tag)
""",
    },
    # Kata 06 solved, and a second Profile for the same User.
    "04_profile": {
        "models.py": """
from django.contrib.auth.models import User
from django.db import models


class Profile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
""",
        "queries.py": "",
        "test_kata.py": """
import pytest
from django.contrib.auth.models import User

pytestmark = pytest.mark.django_db


def test_second_profile(kata_models):
    user = User.objects.create(username="ada")
    kata_models.Profile.objects.create(user=user)
    kata_models.Profile.objects.create(user=user)
""",
    },
    # An N+1 loop, counted the way katas 04-08 and 12 count: pytest-django's fixture.
    "05_n_plus_one": {
        "models.py": """
from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=50)


class Post(models.Model):
    title = models.CharField(max_length=50)
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="posts")
""",
        "queries.py": """
from .models import Post


def bylines():
    return [(post.title, post.author.name) for post in Post.objects.order_by("title")]
""",
        "test_kata.py": """
import pytest

pytestmark = pytest.mark.django_db


def test_bylines_in_one_query(kata_models, kata_module, django_assert_num_queries):
    for name in ["Ada", "Bob", "Cleo"]:
        author = kata_models.Author.objects.create(name=name)
        kata_models.Post.objects.create(title=f"By {name}", author=author)
    with django_assert_num_queries(1):
        kata_module("queries").bylines()
""",
    },
    # A kata function whose `while` loop never ends: pytest-timeout stops it.
    "06_endless": {
        "models.py": "",
        "queries.py": """
def thread_root(comment):
    while comment.parent is not None:
        parent = comment.parent
    return comment
""",
        "test_kata.py": """
from types import SimpleNamespace


def test_thread_root(kata_module):
    comment = SimpleNamespace(parent=SimpleNamespace(parent=None))
    kata_module("queries").thread_root(comment)
""",
    },
    # Kata 13's stub, measured: the tests create comments with parent=..., Comment has none yet.
    "07_no_parent": {
        "models.py": KATA_13_NO_PARENT,
        "queries.py": "",
        "test_kata.py": """
import pytest

pytestmark = pytest.mark.django_db


def test_reply_has_a_parent(kata_models):
    first = kata_models.Comment.objects.create(text="First!")
    kata_models.Comment.objects.create(text="Welcome", parent=first)
""",
    },
    # Kata 13, measured: parent added without null=True; the tests create a thread's first
    # comment (the create() is in the test file, which the learner may not edit).
    "08_parent_required": {
        "models.py": """
from django.db import models


class Comment(models.Model):
    text = models.CharField(max_length=200)
    parent = models.ForeignKey("self", on_delete=models.CASCADE, related_name="replies")
""",
        "queries.py": "",
        "test_kata.py": """
import pytest

pytestmark = pytest.mark.django_db


def test_first_comment_of_a_thread(kata_models):
    kata_models.Comment.objects.create(text="First!")
""",
    },
}


def make_repo(tmp_path: Path) -> Path:
    return kata_repo(tmp_path / "repo", KATAS)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Each failing test's report (failure and explanation), by test name."""
    repo = make_repo(tmp_path_factory.mktemp("explain-runs"))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            "--show-all",
            "--timeout=3",
            "--kata-results=",
        ],  # every kata's failures in full
        check=False,
        cwd=repo,
        env={**os.environ, "KATA_TARGET": "katas", "KATA_PROBE": "0"},
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=300,
    )
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    header = r"^_{3,} (?:ERROR at \w+ of )?(test_\w+) _{3,}$"
    sections = re.split(header, done.stdout, flags=re.MULTILINE)
    found: dict[str, str] = {}
    for name, text in zip(sections[1::2], sections[2::2], strict=True):
        found[name] = found.get(name, "") + text
    return found


def test_retag_that_deleted_tags_is_not_blamed_on_do_nothing(report: dict[str, str]) -> None:
    """Kata 05, measured: the dangling tag_id is a deleted Tag linked again, not DO_NOTHING."""
    text = report["test_retag"]
    assert "invalid foreign key" in text  # Django's message comes first...
    assert "link of Post.tags points at a Tag that was deleted" in text  # ...then ours
    assert "DO_NOTHING" not in text


def test_do_nothing_is_named_where_the_kata_has_it(report: dict[str, str]) -> None:
    text = report["test_delete_post"]
    assert "Comment.post has on_delete=models.DO_NOTHING" in text


def test_unique_foreign_keys_are_not_called_a_profile(report: dict[str, str]) -> None:
    """Kata 11, measured: unique=True on each ForeignKey of Tagging."""
    text = report["test_two_tags_on_a_post"]
    assert "Tagging.post has unique=True" in text and "UniqueConstraint" in text
    for absent in ("OneToOneField", "profile", "user"):
        assert absent not in text, absent


def test_second_profile_is_called_one_to_one(report: dict[str, str]) -> None:
    """The test itself (not the learner's code) gives the user two profiles: the model has to
    allow many, so the fix is in models.py, not "reuse user.profile"."""
    text = report["test_second_profile"]
    assert "Profile.user is a OneToOneField" in text
    assert "The tests give a User several Profile rows (test_kata.py, line 11)" in text
    assert "make Profile.user a models.ForeignKey in models.py" in text
    assert "update_or_create" not in text


def test_pytest_django_count_shows_the_sql_and_derived_advice(report: dict[str, str]) -> None:
    text = report["test_bylines_in_one_query"]
    assert "Expected to perform 1 queries but 4 were done" in text
    assert ">>   3x  SELECT ... FROM author WHERE author.id = " in text
    assert "post.author is read with one query per post" in text
    assert "Post.objects.select_related('author')" in text


def test_endless_while_loop_is_found_in_the_kata_function(report: dict[str, str]) -> None:
    text = report["test_thread_root"]
    assert "Timeout" in text
    assert "the loop in thread_root() in queries.py, line 3 never ends" in text
    assert "Nothing in the loop changes comment" in text


def test_keyword_the_model_lacks_yet_is_explained(report: dict[str, str]) -> None:
    """Kata 13's stub, measured: TypeError from the test's create(); the fix is in models.py."""
    text = report["test_reply_has_a_parent"]
    assert "Comment() got unexpected keyword arguments: 'parent'" in text  # Django's message
    todo = next(n for n, line in enumerate(KATA_13_NO_PARENT.splitlines(), 1) if "TODO" in line)
    assert "Comment has no field 'parent' yet" in text
    assert "The tests create Comment objects with parent=... (test_kata.py, line 9)" in text
    assert f"add parent to class Comment in models.py: the # TODO there (line {todo})" in text


def test_not_null_from_the_tests_is_fixed_in_the_model(report: dict[str, str]) -> None:
    """Kata 13, measured: the tests' create() can't be changed; the column must allow NULL."""
    text = report["test_first_comment_of_a_thread"]
    assert "NOT NULL constraint failed" in text
    assert "add null=True, blank=True to Comment.parent in models.py" in text
    assert "pass it when you create" not in text and "objects.create(parent" not in text


def test_explanations_fit_only_their_kata(report: dict[str, str]) -> None:
    """The rules of kata 13's scenarios stay silent in the other katas' failures."""
    for name in ["test_retag", "test_delete_post", "test_two_tags_on_a_post", "test_thread_root"]:
        assert "has no field" not in report[name] and "null=True" not in report[name], name
