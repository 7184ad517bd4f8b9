"""Harness tests: each ❌/✅ explanation fires when the learner's kata has what it talks about,
and stays silent (or speaks in general terms) when it doesn't.

Models are declared here in a registry of their own (shaped like the katas': a many-to-many
Post.tags, a Tagging link model, a Profile for each User...) and handed to explain() as the
kata's contents. Learner code runs from a file name inside a kata folder, so tracebacks point
into "the kata" as they do in a real run. Django raises the exceptions itself wherever that is
possible without a database; the database's own messages are quoted as SQLite and PostgreSQL
write them.
"""

from __future__ import annotations

import linecache
import sys
import textwrap
from collections.abc import Callable
from itertools import count
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest
from django.apps import AppConfig
from django.apps.registry import Apps
from django.contrib.auth.models import Group, User
from django.core.exceptions import FieldError
from django.db import IntegrityError, OperationalError, models
from django.db.models.deletion import ProtectedError, RestrictedError

import katalib
from katalib.base import manifest
from katalib.teach.explain import KataContents, explain, explain_check, symbols_for

UNKNOWN = KataContents()  # a kata we know nothing about: only general wordings may fire


def raised(func: Callable[[], object]) -> BaseException:
    with pytest.raises(BaseException) as info:
        func()
    return info.value


def registry(label: str) -> Apps:
    """A model registry of its own, with one app: models declared in it see each other."""
    config = AppConfig("katalib", katalib)  # any package will do: it has no models module
    config.label = label
    return Apps([config])


def meta(apps: Apps, **extra: object) -> type:
    label = next(iter(apps.app_configs))
    return type("Meta", (), {"apps": apps, "app_label": label, **extra})


def kata_05() -> SimpleNamespace:
    """Like kata 05: Post.tags is a many-to-many, Tag.name is unique; no DO_NOTHING anywhere."""
    apps = registry("k05_many_to_many")

    class Tag(models.Model):
        name = models.CharField(max_length=50, unique=True)
        Meta = meta(apps)

        def __str__(self) -> str:
            return self.name

    class Post(models.Model):
        title = models.CharField(max_length=200)
        tags = models.ManyToManyField(Tag, related_name="posts")
        Meta = meta(apps)

    return SimpleNamespace(Tag=Tag, Post=Post, contents=KataContents((Tag, Post)))


def kata_11_unique_fks() -> SimpleNamespace:
    """Kata 11 as a learner got it wrong: unique=True on each ForeignKey of the link model."""
    apps = registry("k11_through_models")

    class Tag(models.Model):
        name = models.CharField(max_length=50)
        Meta = meta(apps)

    class Post(models.Model):
        title = models.CharField(max_length=200)
        tags = models.ManyToManyField(Tag, through="Tagging", related_name="posts")
        Meta = meta(apps)

    class Tagging(models.Model):
        post = models.ForeignKey(Post, on_delete=models.CASCADE, unique=True)
        tag = models.ForeignKey(Tag, on_delete=models.CASCADE, unique=True)
        Meta = meta(apps)

    return SimpleNamespace(
        Tag=Tag, Post=Post, Tagging=Tagging, contents=KataContents((Tag, Post, Tagging))
    )


def kata_11_pair() -> SimpleNamespace:
    """Kata 11 solved: the pair (post, tag) is unique on the link model."""
    apps = registry("k11_through_models")

    class Tag(models.Model):
        name = models.CharField(max_length=50)
        Meta = meta(apps)

    class Post(models.Model):
        title = models.CharField(max_length=200)
        tags = models.ManyToManyField(Tag, through="Tagging", related_name="posts")
        Meta = meta(apps)

    class Tagging(models.Model):
        post = models.ForeignKey(Post, on_delete=models.CASCADE)
        tag = models.ForeignKey(Tag, on_delete=models.CASCADE)
        Meta = meta(
            apps,
            constraints=[models.UniqueConstraint(fields=["post", "tag"], name="k11_pair")],
        )

    return SimpleNamespace(Tagging=Tagging, contents=KataContents((Tag, Post, Tagging)))


def kata_06() -> SimpleNamespace:
    """Like kata 06 solved: a Profile for each User (a OneToOneField)."""
    apps = registry("k06_one_to_one")

    class Profile(models.Model):
        user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
        bio = models.CharField(max_length=200, blank=True)
        Meta = meta(apps)

    return SimpleNamespace(Profile=Profile, contents=KataContents((Profile,)))


def kata_03() -> SimpleNamespace:
    """Like kata 03 before it is solved: Comment.post with DO_NOTHING, Post.category SET_NULL."""
    apps = registry("k03_on_delete")

    class Category(models.Model):
        name = models.CharField(max_length=50)
        Meta = meta(apps)

    class Post(models.Model):
        title = models.CharField(max_length=200)
        category = models.ForeignKey(Category, on_delete=models.SET_NULL)
        Meta = meta(apps)

    class Comment(models.Model):
        text = models.CharField(max_length=200)
        post = models.ForeignKey(Post, on_delete=models.DO_NOTHING)
        Meta = meta(apps)

    return SimpleNamespace(
        Post=Post, Comment=Comment, contents=KataContents((Category, Post, Comment))
    )


_files = count()
LEARNER_FILES: dict[str, list[Path]] = {}


def run_as(filename: Path, source: str, namespace: dict[str, object]) -> dict[str, object]:
    """Run ``source`` as the file ``filename``: its frames (and linecache) point there."""
    source = textwrap.dedent(source)
    linecache.cache[str(filename)] = (len(source), None, source.splitlines(True), str(filename))
    namespace.setdefault("models", models)
    exec(compile(source, str(filename), "exec"), namespace)  # noqa: S102 - the test's own code
    return namespace


def learner_code(kata_dir: str, source: str, **names: object) -> dict[str, object]:
    """Run ``source`` as if it were a file of the kata ``kata_dir``: its frames point there."""
    filename = manifest.ROOT / "katas" / kata_dir / f"_learner_{next(_files)}.py"
    LEARNER_FILES.setdefault(kata_dir, []).append(filename)
    return run_as(filename, source, dict(names))


def kata_test_code(kata_dir: str, source: str, **names: object) -> dict[str, object]:
    """Run ``source`` as a test file of the kata ``kata_dir``: given, not the learner's."""
    filename = manifest.ROOT / "katas" / kata_dir / f"test_given_{next(_files)}.py"
    return run_as(filename, source, dict(names))


def learner_models(
    monkeypatch: pytest.MonkeyPatch, kata_dir: str, label: str, source: str
) -> SimpleNamespace:
    """Models declared in a models.py the learner edits (a module of its own, as Django
    imports the kata's models.py), in a registry labelled ``label``."""
    number = next(_files)
    filename = manifest.ROOT / "katas" / kata_dir / f"_learner_{number}" / "models.py"
    LEARNER_FILES.setdefault(kata_dir, []).append(filename)
    module = ModuleType(f"_learner_models_{number}")
    module.__file__ = str(filename)
    monkeypatch.setitem(sys.modules, module.__name__, module)
    module.APPS, module.LABEL = registry(label), label  # for the models' class Meta
    run_as(filename, source, vars(module))
    names = {k: v for k, v in vars(module).items() if isinstance(v, type) and k[:1].isupper()}
    models_found = [v for v in names.values() if issubclass(v, models.Model)]
    return SimpleNamespace(**names, models=tuple(models_found))


def learner_kata(kata_dir: str, *models_of_kata: type) -> KataContents:
    """The kata whose editable files are the learner code run for ``kata_dir``."""
    return KataContents(models_of_kata, tuple(LEARNER_FILES.get(kata_dir, ())))


def explained(error: BaseException, kata_dir: str, *models_of_kata: type) -> str:
    """What explain() tells the learner of ``kata_dir`` (its ``models_of_kata``, the learner
    code run for it so far) about ``error``; "" when it says nothing."""
    return explain(error, learner_kata(kata_dir, *models_of_kata)) or ""


def explained_loading(kata_dir: str, source: str, **names: object) -> str:
    """What explain() says when the learner's file ``source`` of ``kata_dir`` fails to load
    (``names``: what else the file sees, as for learner_code)."""
    return explained(raised(lambda: learner_code(kata_dir, source, **names)), kata_dir)


@pytest.fixture
def kata_12() -> ModuleType:
    """Kata 12's own models (katalib.core.loader loads them as a learner's run does)."""
    from katalib.core import loader

    module = loader.kata_models("k12_aggregation_traps")
    assert module is not None  # Django's models_module of an app that has models
    return module


@pytest.fixture
def kata_13_models(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], SimpleNamespace]:
    """Kata 13's models.py as the learner wrote it: ``kata_13_models(source)``."""
    return lambda source: learner_models(
        monkeypatch, "13_self_relations", "k13_self_relations", source
    )


# --- The lesson's common errors ----------------------------------------------------------------


def test_missing_on_delete() -> None:
    """The lesson's first common error: a ForeignKey without on_delete."""
    text = explain(raised(lambda: models.ForeignKey("auth.User")))
    assert text and "ForeignKey without on_delete" in text and "on_delete=models.CASCADE" in text
    text = explain(raised(lambda: models.OneToOneField("auth.User")))
    assert text and "OneToOneField without on_delete" in text


def test_missing_on_delete_fix_repeats_the_learners_line() -> None:
    """The fix is the learner's own field with on_delete added."""
    text = explained_loading(
        "02_many_to_one",
        """
        class Writer: pass
        author = models.ForeignKey(Writer, related_name="posts")
        """,
    )
    assert 'models.ForeignKey(Writer, related_name="posts", on_delete=models.CASCADE)' in text


def test_missing_on_delete_in_a_class_body_repeats_the_field_line() -> None:
    """In a model's body the outermost line is `class Post:`; the fix repeats the field's."""
    source = """
        class Author:
            pass

        class Post:
            author = models.ForeignKey(Author, related_name="posts")
        """
    text = explained_loading("02_many_to_one", source)
    assert 'models.ForeignKey(Author, related_name="posts", on_delete=models.CASCADE)' in text


def test_add_before_save_names_the_kata_field() -> None:
    """A many-to-many manager on an unsaved object: the fix uses the kata's own names."""
    kata = kata_05()
    text = explain(raised(lambda: kata.Post(title="Hello").tags), kata.contents) or ""
    assert 'needs to have a value for field "id"' in text
    assert "post.save() first" in text and "post.tags.add(" in text


def test_add_before_save_in_an_unknown_kata_is_general() -> None:
    """Without the kata, the same error is explained without names it may not have."""
    text = explain(raised(lambda: User(username="u").groups), UNKNOWN) or ""
    assert 'needs to have a value for field "id"' in text and "save()" in text
    assert "post" not in text and "tags" not in text


def test_reverse_manager_of_an_unsaved_object() -> None:
    """Kata 08, measured on Django 5.2: author.posts.create() names the object and its field,
    author.posts.all() names the class; both are the reverse manager of an unsaved Author."""
    kata = kata_07()
    Author = kata.models[0]
    for use in (lambda: Author(name="Alice").posts.create(title="Hi"),
                lambda: Author(name="Alice").posts.all()):  # fmt: skip
        text = explain(raised(use), KataContents(kata.models)) or ""
        assert "the object is not saved yet, so its reverse manager can't be used" in text
        assert "author.posts reads (and creates) the rows that point at author by author.id" in text
        assert "author.save(), or create it with Author.objects.create(...)" in text


def test_empty_forward_link_shown_by_str_blames_the_object(monkeypatch: pytest.MonkeyPatch) -> None:
    """Kata 06, measured: ensure_profile() returned Profile(); the test's message shows it, and
    Profile.__str__ reads profile.user. The Profile was made without its user (never saved):
    the fix makes it with one, not a check in __str__."""
    kata = learner_models(
        monkeypatch,
        "06_one_to_one",
        "k06_one_to_one",
        """
from django.contrib.auth.models import User


class Profile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE)

    class Meta:
        apps = APPS
        app_label = LABEL

    def __str__(self):
        return f"Profile of {self.user}"
""",
    )
    given = kata_test_code("06_one_to_one", "def shown(profile):\n    return f'{profile!r}'\n")
    error = raised(lambda: given["shown"](kata.Profile()))
    text = explained(error, "06_one_to_one", *kata.models)
    assert "Profile.__str__ (models.py, line 13) shows profile.user" in text
    assert "user_id is NULL" in text and "Profile.objects.create(user=...)" in text
    assert "is not None first" not in text


@pytest.mark.django_db
def test_unsaved_object_added() -> None:
    """Adding an object that was never saved is explained, with its model's name."""
    user = User.objects.create(username="u")
    text = explain(raised(lambda: user.groups.add(Group(name="g")))) or ""
    assert "not saved" in text and "Group.objects.create" in text


@pytest.mark.django_db
def test_reverse_side_used_as_attribute() -> None:
    """The lesson's third common error: author.post where the reverse side is a manager."""
    group = Group.objects.create(name="g")
    text = explain(raised(lambda: group.user))
    assert text and "'Group' object has no attribute 'user'" in text
    # The explanation lists the reverse managers that do exist.
    assert "group.user_set" in text


def test_misspelled_field_is_not_called_a_reverse_manager() -> None:
    """group.nmae is a typo of a field, not a confusion of forward and reverse access."""
    text = explain(raised(lambda: Group(name="g").nmae)) or ""
    assert "did you mean group.name?" in text
    assert "reverse" not in text


@pytest.mark.django_db
def test_manager_used_as_object() -> None:
    """Asking a reverse manager for a field of one object is explained."""
    group = Group.objects.create(name="g")
    text = explain(raised(lambda: group.user_set.username))
    assert text and "manager of many rows" in text


def test_unrelated_errors_are_left_alone() -> None:
    """Errors that aren't about relationships get no explanation."""
    assert explain(ZeroDivisionError("division by zero")) is None
    assert explain(FieldError("something else entirely")) is None
    assert explain(NotImplementedError("annotate() + distinct(fields) is not implemented.")) is None


def test_plain_markers_where_the_console_cannot_print_emoji() -> None:
    """cp1252 (old Windows consoles) gets [X]/[OK] instead of ❌/✅ (as katas' status line)."""
    assert symbols_for("cp1252") == ("[X]", "[OK]")
    assert symbols_for("utf-8") == ("❌", "✅")


def test_chained_exceptions_are_searched() -> None:
    """The explanation is found through __cause__ (pytest-django wraps some errors)."""
    try:
        try:
            models.ForeignKey("auth.User")
        except TypeError as inner:
            raise RuntimeError("wrapper") from inner
    except RuntimeError as outer:
        assert "on_delete" in (explain(outer) or "")


# --- Paths with double underscores -------------------------------------------------------------


def test_field_error_suggests_the_closest_choice() -> None:
    """A misspelled path names the closest real field; the example comes from the kata."""
    kata = kata_05()
    error = raised(lambda: kata.Tag.objects.filter(postz__title="x").query)
    text = explain(error, kata.contents) or ""
    assert "'postz' is not a field" in text and "did you mean 'posts'?" in text
    assert "Post.objects.filter(" not in text or "tags" in text  # only the kata's own names
    assert "author__name" not in text  # kata 05 has no author


def test_field_error_in_an_unknown_kata_has_no_invented_example() -> None:
    text = explain(raised(lambda: User.objects.filter(groupz__name="x")), UNKNOWN) or ""
    assert "'groupz' is not a field" in text and "did you mean 'groups'?" in text
    assert "author" not in text and "Alice" not in text


@pytest.mark.django_db
def test_relation_compared_with_a_name_in_kata_code() -> None:
    """filter(author=name) in the learner's code: the fix is the kata's own path."""
    code = learner_code(
        "07_filter_across",
        """
        def in_group(User, name):
            return list(User.objects.filter(groups=name))
        """,
    )
    kata = learner_kata("07_filter_across", User)
    text = explain(raised(lambda: code["in_group"](User, "admins")), kata) or ""
    assert "compared with the text 'admins'" in text
    assert "filter(groups__name='admins')" in text


@pytest.mark.django_db
def test_relation_compared_with_a_name_elsewhere_is_general() -> None:
    text = explain(raised(lambda: list(User.objects.filter(groups="admins"))), UNKNOWN) or ""
    assert "compared with the text 'admins'" in text
    assert "author" not in text


# --- on_delete ---------------------------------------------------------------------------------


def test_protected_and_restricted() -> None:
    """PROTECT and RESTRICT refusals name the rule that refused."""
    protected = ProtectedError(
        "Cannot delete some instances of model 'Author' because they are referenced through "
        "protected foreign keys: 'Book.author'.",
        set(),
    )
    assert "on_delete=models.PROTECT on Book.author" in (explain(protected) or "")
    restricted = RestrictedError(
        "Cannot delete some instances of model 'Author' because they are referenced through "
        "restricted foreign keys: 'Essay.author'.",
        set(),
    )
    assert "same CASCADE" in (explain(restricted) or "")


DANGLING_COMMENT = IntegrityError(
    "The row in table 'k03_on_delete_comment' with primary key '1' has an invalid foreign "
    "key: k03_on_delete_comment.post_id contains a value '5' that does not have a "
    "corresponding value in k03_on_delete_post.id."
)
# Kata 05, measured: retag() deleted the post's tags, then added the deleted Tag objects again.
DANGLING_LINK = IntegrityError(
    "The row in table 'k05_many_to_many_post_tags' with primary key '2' has an invalid foreign "
    "key: k05_many_to_many_post_tags.tag_id contains a value '1' that does not have a "
    "corresponding value in k05_many_to_many_tag.id."
)
DANGLING_LINK_POSTGRES = IntegrityError(
    'insert or update on table "k05_many_to_many_post_tags" violates foreign key constraint '
    '"k05_many_to_many_pos_tag_id_1a2b3c_fk_k05_many_"\n'
    'DETAIL:  Key (tag_id)=(1) is not present in table "k05_many_to_many_tag".'
)


def test_dangling_id_blames_do_nothing_where_the_field_has_it() -> None:
    """Kata 03's Comment.post with DO_NOTHING: the explanation names the rule and the column."""
    text = explain(DANGLING_COMMENT, kata_03().contents) or ""
    assert "Comment.post has on_delete=models.DO_NOTHING" in text and "post_id" in text


def test_dangling_link_in_kata_05_does_not_blame_do_nothing() -> None:
    """Kata 05 has no DO_NOTHING: a dangling tag_id is a deleted Tag that was linked again."""
    for error in (DANGLING_LINK, DANGLING_LINK_POSTGRES):
        text = explain(error, kata_05().contents) or ""
        assert "DO_NOTHING" not in text, text
        assert "link of Post.tags points at a Tag that was deleted" in text
        assert "post.tags.set(" in text


def test_dangling_id_in_an_unknown_kata_is_general() -> None:
    text = explain(DANGLING_COMMENT, UNKNOWN) or ""
    assert "points at a row that does not exist" in text and "dangling post_id" in text
    assert "DO_NOTHING" not in text


def test_dangling_id_in_a_kata_whose_field_is_not_do_nothing() -> None:
    """DO_NOTHING elsewhere in the kata is not blamed for a column that doesn't use it."""
    kata = kata_03()
    error = IntegrityError(
        "The row in table 'k03_on_delete_post' with primary key '1' has an invalid foreign "
        "key: k03_on_delete_post.category_id contains a value '9' that does not have a "
        "corresponding value in k03_on_delete_category.id."
    )
    text = explain(error, kata.contents) or ""
    assert "DO_NOTHING" not in text and "Post.category" in text


# --- Unique constraints ------------------------------------------------------------------------

SECOND_PROFILE = IntegrityError("UNIQUE constraint failed: k06_one_to_one_profile.user_id")
SECOND_TAGGING_OF_A_POST = IntegrityError(
    "UNIQUE constraint failed: k11_through_models_tagging.post_id"
)


def test_second_one_to_one_row() -> None:
    """A second Profile for a User is explained as one-to-one, with the kata's names."""
    text = explain(SECOND_PROFILE, kata_06().contents) or ""
    assert "Profile.user is a OneToOneField" in text and "user.profile" in text


def test_unique_foreign_keys_on_a_link_model_are_not_called_one_to_one() -> None:
    """Kata 11, measured: unique=True on each ForeignKey is not a User/Profile story."""
    text = explain(SECOND_TAGGING_OF_A_POST, kata_11_unique_fks().contents) or ""
    for absent in ("OneToOneField", "profile", "User"):
        assert absent not in text, text
    assert "Tagging.post has unique=True" in text
    assert "UniqueConstraint(fields=['post', 'tag']" in text


def test_unique_violation_in_an_unknown_kata_is_general() -> None:
    for error in (SECOND_PROFILE, SECOND_TAGGING_OF_A_POST):
        text = explain(error, UNKNOWN) or ""
        assert "unique" in text and "OneToOneField" not in text and "profile" not in text


def test_unique_value_suggests_get_or_create() -> None:
    """Tag.name is unique: creating a second tag of the same name."""
    error = IntegrityError("UNIQUE constraint failed: k05_many_to_many_tag.name")
    text = explain(error, kata_05().contents) or ""
    assert "Tag.objects.get_or_create(name=...)" in text and "OneToOneField" not in text


def test_second_link_for_the_same_pair() -> None:
    """A duplicate link-model row is explained as a pair, not as one-to-one."""
    sqlite = IntegrityError(
        "UNIQUE constraint failed: k11_through_models_tagging.post_id, "
        "k11_through_models_tagging.tag_id"
    )
    postgres = IntegrityError(
        'duplicate key value violates unique constraint "k11_pair"\n'
        "DETAIL:  Key (post_id, tag_id)=(1, 1) already exists."
    )
    for error in (sqlite, postgres):
        text = explain(error, kata_11_pair().contents) or ""
        assert "already linked" in text and "post.tags.add(" in text, error


def test_same_pair_in_an_unknown_kata_is_general() -> None:
    error = IntegrityError("UNIQUE constraint failed: k11_tagging.post_id, k11_tagging.tag_id")
    text = explain(error, UNKNOWN) or ""
    assert "(post_id, tag_id) exists already" in text and "Tagging" not in text


# --- NOT NULL, one-to-one objects, get() -------------------------------------------------------


def test_not_null_from_set_null_without_null() -> None:
    """A delete emptied the SET_NULL column, which doesn't allow NULL."""

    def refused() -> None:
        raise IntegrityError("NOT NULL constraint failed: k03_on_delete_post.category_id")

    code = learner_code("03_on_delete", "def remove(category):\n    category.delete()\n")
    error = raised(lambda: code["remove"](SimpleNamespace(delete=refused)))
    text = explain(error, kata_03().contents) or ""
    assert "on_delete=models.SET_NULL" in text and "null=True" in text


def test_not_null_of_a_set_null_field_without_a_delete_blames_no_delete() -> None:
    """A Post created without its category: no delete set anything to NULL."""
    error = IntegrityError("NOT NULL constraint failed: k03_on_delete_post.category_id")
    text = explain(error, kata_03().contents) or ""
    assert "Post was saved without its category" in text
    # The words blame no delete (the slice of the table under them shows the column's rule).
    words = text.split("Your table ")[0]
    assert "SET_NULL" not in words and "is deleted" not in words


def kata_02_foreign_key_on_author() -> SimpleNamespace:
    """Kata 02 upside down: Author.posts = ForeignKey(Post), one post per author."""
    apps = registry("k02_many_to_one")

    class Post(models.Model):
        title = models.CharField(max_length=200)
        Meta = meta(apps)

    class Author(models.Model):
        name = models.CharField(max_length=100)
        posts = models.ForeignKey(Post, on_delete=models.CASCADE)
        Meta = meta(apps)

    return SimpleNamespace(contents=KataContents((Post, Author)))


def test_required_foreign_key_named_for_many_is_on_the_wrong_side() -> None:
    """Author.posts is a ForeignKey: the fix moves it to Post, never null=True on Author.posts."""
    error = IntegrityError("NOT NULL constraint failed: k02_many_to_one_author.posts_id")
    text = explain(error, kata_02_foreign_key_on_author().contents) or ""
    assert "an Author was saved without its posts" in text and "ONE Post" in text
    assert "give Post the ForeignKey: author = models.ForeignKey(Author" in text
    assert "null=True" not in text and "a Author" not in text
    # Under the words, the learner's author table with the column that shouldn't be there.
    slice_ = " ".join(text.split("Your table k02_many_to_one_author now")[1].split())
    assert "posts_id bigint NOT NULL FK" in slice_ and "k02_many_to_one_post.id" in slice_


def kata_03_ticket(default: object) -> SimpleNamespace:
    """Kata 03's tickets, with the default the learner gave Ticket.queue."""
    apps = registry("k03_on_delete")

    class Queue(models.Model):
        name = models.CharField(max_length=100, unique=True)
        Meta = meta(apps)

    class Ticket(models.Model):
        title = models.CharField(max_length=200)
        queue = models.ForeignKey(Queue, on_delete=models.SET_DEFAULT, default=default)
        Meta = meta(apps)

    return SimpleNamespace(contents=KataContents((Queue, Ticket)))


@pytest.mark.parametrize(
    "message",
    [
        (
            "The row in table 'k03_on_delete_ticket' with primary key '1' has an invalid "
            "foreign key: k03_on_delete_ticket.queue_id contains a value '1' that does not "
            "have a corresponding value in k03_on_delete_queue.id."
        ),
        (
            'insert or update on table "k03_on_delete_ticket" violates foreign key '
            'constraint "k03_fk"\nDETAIL:  Key (queue_id)=(1) is not present in table '
            '"k03_on_delete_queue".'
        ),
    ],
)
def test_dangling_id_that_is_the_fields_fixed_default(message: str) -> None:
    text = explain(IntegrityError(message), kata_03_ticket(1).contents) or ""
    assert "Ticket.queue has default=1, and no Queue has that id" in text
    assert "without brackets" in text


@pytest.mark.parametrize(
    "message",
    [
        (
            "The row in table 'k03_on_delete_ticket' with primary key '1' has an invalid "
            "foreign key: k03_on_delete_ticket.queue_id contains a value '1' that does not "
            "have a corresponding value in k03_on_delete_queue.id."
        ),
        (
            'insert or update on table "k03_on_delete_ticket" violates foreign key '
            'constraint "k03_fk"\nDETAIL:  Key (queue_id)=(1) is not present in table '
            '"k03_on_delete_queue".'
        ),
    ],
)
def test_dangling_id_with_a_default_function_names_the_function(message: str) -> None:
    """Kata 03, measured: inbox_queue_id() returns 1, a guessed id. The default function is
    one way the id got there; "set queue= rather than queue_id=" would blame code not written."""

    def inbox_queue_id() -> int:
        return 1

    text = explain(IntegrityError(message), kata_03_ticket(inbox_queue_id).contents) or ""
    assert "a Ticket points at a Queue that does not exist" in text
    assert "the field's default function, inbox_queue_id(), returned such a number" in text
    assert "make inbox_queue_id() return the id of a Queue that exists" in text
    assert "rather than queue_id=<a number>" not in text


def test_text_default_of_a_foreign_key_is_not_called_a_comparison() -> None:
    """default="Inbox" on Ticket.queue: Django needs an id; nothing compared anything."""
    error = ValueError("Field 'id' expected a number but got 'Inbox'.")
    text = explain(error, kata_03_ticket("Inbox").contents) or ""
    assert "Ticket.queue has default='Inbox'" in text and "a Queue id" in text
    assert "compared" not in text and "__" not in text
    assert "compared" not in (explain(error, UNKNOWN) or "")


def test_not_null_of_a_required_relation() -> None:
    error = IntegrityError("NOT NULL constraint failed: k03_on_delete_comment.post_id")
    text = explain(error, kata_03().contents) or ""
    assert "Comment was saved without its post" in text and "SET_NULL" not in text


def test_not_null_in_an_unknown_kata_is_general() -> None:
    error = IntegrityError("NOT NULL constraint failed: k03_on_delete_comment.post_id")
    text = explain(error, UNKNOWN) or ""
    assert "post_id can't be empty" in text and "SET_NULL" not in text


def related_object_missing(message: str) -> BaseException:
    base = User.groups.rel.model.DoesNotExist
    return type("RelatedObjectDoesNotExist", (base, AttributeError), {})(message)


def test_missing_profile_is_explained_as_one_to_one() -> None:
    """user.profile missing, in a kata with Profile.user as a OneToOneField."""
    text = explain(related_object_missing("User has no profile."), kata_06().contents) or ""
    assert "OneToOneField Profile.user" in text and "has none yet" in text
    assert "Profile.objects.create(user=user)" in text
    assert "forward and reverse" not in text  # an AttributeError, but not a wrong name


def test_empty_forward_relation_is_not_called_one_to_one() -> None:
    """comment.post on a Comment without a post: a forward ForeignKey that is empty."""
    text = explain(related_object_missing("Comment has no post."), kata_03().contents) or ""
    assert "comment.post is empty" in text and "OneToOneField" not in text


def test_missing_related_object_in_an_unknown_kata_is_general() -> None:
    text = explain(related_object_missing("User has no profile."), UNKNOWN) or ""
    assert "RelatedObjectDoesNotExist" in text and "OneToOneField" not in text


@pytest.mark.django_db
def test_get_that_finds_nothing_in_kata_code() -> None:
    """Tag.objects.get(name=...) for a tag that doesn't exist, inside a kata function."""
    code = learner_code(
        "07_filter_across",
        """
        def count_in_group(Group, name):
            return Group.objects.get(name=name).user_set.count()
        """,
    )
    error = raised(lambda: code["count_in_group"](Group, "fortran"))
    text = explained(error, "07_filter_across")
    assert "get() found no Group" in text and "filter(" in text


@pytest.mark.django_db
def test_get_outside_kata_code_is_not_blamed_on_the_learner() -> None:
    assert explain(raised(lambda: Group.objects.get(name="nobody"))) is None


# --- The learner's files -----------------------------------------------------------------------


def test_stub_is_named() -> None:
    """A kata function that still raises NotImplementedError is named with its file and line."""
    code = learner_code(
        "10_n_plus_one",
        '''
        def post_bylines():
            """Return every post."""
            raise NotImplementedError
        ''',
    )
    error = raised(code["post_bylines"])
    text = explained(error, "10_n_plus_one")
    assert "post_bylines() in _learner_" in text and "still a stub" in text
    # A file the learner doesn't edit (a given one) is not called their stub.
    given = KataContents(files=(manifest.ROOT / "katas" / "10_n_plus_one" / "models.py",))
    assert explain(error, given) is None


def test_query_while_models_load_with_a_called_default() -> None:
    """default=f() with brackets queries while models.py loads, before the tables exist."""

    def first_queue() -> None:
        raise OperationalError("no such table: k03_on_delete_queue")

    source = "queue = models.ForeignKey('Queue', models.CASCADE, default=first_queue())"
    text = explained_loading("03_on_delete", source, first_queue=first_queue)
    assert "without brackets" in text


def test_missing_table_outside_loading_is_not_called_a_default() -> None:
    text = explain(OperationalError("no such table: k03_on_delete_queue"), UNKNOWN) or ""
    assert "does not exist" in text and "brackets" not in text


def test_name_defined_further_down() -> None:
    """ForeignKey(Post) above class Post: the fix is the name as a string."""
    text = explained_loading(
        "02_many_to_one",
        """
        class Comment:
            post = models.ForeignKey(Post, on_delete=models.CASCADE)

        class Post:
            pass
        """,
    )
    assert "defined further down" in text and 'models.ForeignKey("Post"' in text


def test_query_while_models_load_points_at_the_call() -> None:
    """SET(deleted_member()) in a model's body: the fix is on that line, without brackets."""

    def refuse(**lookup: object) -> None:
        raise OperationalError("no such table: k03_on_delete_member")

    source = """
        def deleted_member():
            return Member.objects.get_or_create(name="[deleted]")[0]

        class Message:
            author = models.ForeignKey("Member", on_delete=models.SET(deleted_member()))
        """
    member = SimpleNamespace(objects=SimpleNamespace(get_or_create=refuse))
    text = explained_loading("03_on_delete", source, Member=member)
    assert "line 6 calls deleted_member() while the file loads" in text
    assert "on_delete=models.SET(deleted_member))" in text
    assert "move that query" not in text and "line 5" not in text


def test_bare_on_delete_rule_is_reached_through_models() -> None:
    """on_delete=CASCADE: the rule is models.CASCADE, never a model called "CASCADE"."""
    source = """
        class Author:
            pass

        class Post:
            author = models.ForeignKey(Author, on_delete=CASCADE)
        """
    text = explained_loading("02_many_to_one", source)
    assert "one of Django's on_delete rules" in text and "on_delete=models.CASCADE" in text
    assert 'ForeignKey("CASCADE"' not in text and "did you mean" not in text
    general = explain(NameError("name 'SET_NULL' is not defined"), UNKNOWN) or ""
    assert "on_delete=models.SET_NULL" in general and 'ForeignKey("SET_NULL"' not in general


def test_name_error_far_from_any_model_says_nothing_of_models() -> None:
    text = explain(NameError("name 'titel' is not defined"), UNKNOWN) or ""
    assert "'titel' is not defined" in text
    assert "ForeignKey" not in text and "model" not in text


def test_bare_name_where_the_file_wants_text() -> None:
    """Kata 01's blanks are text: DELETE_RULE = CASCADE needs quotes, not an import."""
    source = """
        DELETE_RULE = CASCADE  # the rule

        def line():
            return f"author = models.ForeignKey(Author, on_delete=models.{DELETE_RULE})"
        """
    text = explained_loading("01_foreign_key_blanks", source)
    assert 'put the text in quotes: DELETE_RULE = "CASCADE"' in text
    assert "import" not in text and 'ForeignKey("CASCADE"' not in text


def test_class_that_names_itself() -> None:
    source = """
        class Post:
            author = models.ForeignKey(Post, on_delete=models.CASCADE)
        """
    text = explained_loading("02_many_to_one", source)
    assert "'Post' is the class being defined" in text and '"self"' in text
    assert "did you mean" not in text


def test_class_that_names_itself_misspelt() -> None:
    """`comment` inside class Comment: not "did you mean 'Comment'" (that fails too), but that
    a model can't name itself while it is being defined: the string "self"."""
    source = """
        class Comment:
            parent = models.ForeignKey(
                comment, null=True, on_delete=models.CASCADE
            )
        """
    text = explained_loading("13_self_relations", source)
    assert "Comment is the class being defined" in text
    assert "can't name itself while it is being defined" in text
    assert '(or "Comment")' in text
    assert 'parent = models.ForeignKey("self", null=True, on_delete=models.CASCADE)' in text
    assert "did you mean" not in text


def test_self_without_quotes() -> None:
    """ForeignKey(self, ...) in a class body: self is the text "self", not a variable."""
    source = """
        class Comment:
            parent = models.ForeignKey(self, null=True, on_delete=models.CASCADE)
        """
    text = explained_loading("13_self_relations", source)
    assert "the target of a link to its own model is text" in text
    assert 'parent = models.ForeignKey("self", null=True, on_delete=models.CASCADE)' in text
    assert "import" not in text


def test_many_to_many_that_names_itself() -> None:
    """The fix is the learner's own ManyToManyField line with "self", not a ForeignKey."""
    source = """
        class Author:
            following = models.ManyToManyField(Author, symmetrical=False, blank=True)
        """
    text = explained_loading("13_self_relations", source)
    assert "'Author' is the class being defined" in text and "a link from an Author" in text
    assert 'following = models.ManyToManyField("self", symmetrical=False, blank=True)' in text
    assert "ForeignKey" not in text


def test_field_name_without_quotes(kata_12: ModuleType) -> None:
    """Count(posts): a field's name is text, not a variable of the file."""
    source = """
        def tag_stats(Tag, Count):
            return Tag.objects.annotate(n_posts=Count(posts, distinct=True))
        """
    code = learner_code("12_aggregation_traps", source)
    error = raised(lambda: code["tag_stats"](kata_12.Tag, models.Count))
    text = explained(error, "12_aggregation_traps", kata_12.Tag, kata_12.Post)
    assert "posts is the name of a field" in text
    assert 'Tag.objects.annotate(n_posts=Count("posts", distinct=True))' in text
    assert "import" not in text


def test_one_underscore_after_a_relation(kata_12: ModuleType) -> None:
    """posts__tags_name: tags is a relation of Post, name a field of Tag: posts__tags__name."""
    source = """
        def tagged(Author, name):
            return Author.objects.filter(posts__tags_name=name)
        """
    code = learner_code("12_aggregation_traps", source)
    error = raised(lambda: code["tagged"](kata_12.Author, "django"))
    contents = learner_kata("12_aggregation_traps", kata_12.Author, kata_12.Post, kata_12.Tag)
    text = explain(error, contents) or ""
    assert "write posts__tags__name=... instead of posts__tags_name=..." in text
    assert "Write posts__tags." not in text


def test_query_on_the_model_class(kata_12: ModuleType) -> None:
    """Tag.annotate(...): the query methods belong to Tag.objects; other names are not queries."""
    contents = learner_kata("12_aggregation_traps", kata_12.Tag)
    text = explain(raised(lambda: kata_12.Tag.annotate()), contents) or ""
    assert "queries start at Tag.objects" in text and "write Tag.objects.annotate(...)" in text
    text = explain(raised(lambda: kata_12.Tag.shout()), contents) or ""
    assert "Tag.objects.shout" not in text


def test_on_delete_rule_called() -> None:
    error = raised(lambda: models.ForeignKey("auth.User", on_delete=models.PROTECT()))
    text = explain(error) or ""
    assert "without brackets: on_delete=models.PROTECT." in text


def test_misspelt_name_of_django_db_models() -> None:
    text = explain(raised(lambda: models.SET_DEFAULTS)) or ""  # type: ignore[attr-defined]
    assert "did you mean models.SET_DEFAULT" in text


def test_len_of_a_related_manager_counts_in_the_database() -> None:
    manager = type("RelatedManager", (), {})()
    text = explain(raised(lambda: len(manager))) or ""  # type: ignore[arg-type]
    assert ".count()" in text and "has no len()" in text


def test_get_or_create_pair_used_as_the_object() -> None:
    """return Member.objects.get_or_create(...): the pair, not the member."""
    code = learner_code(
        "03_on_delete",
        """
        def deleted_member(Member):
            return Member.objects.get_or_create(name="[deleted]")
        """,
    )
    member = SimpleNamespace(objects=SimpleNamespace(get_or_create=lambda **kw: ("m", True)))
    error = raised(lambda: code["deleted_member"](member).pk)
    text = explained(error, "03_on_delete")
    assert "get_or_create() returns a pair" in text
    assert "unpack it: member, created = Member.objects.get_or_create(...)" in text


def test_name_misspelled_or_not_imported() -> None:
    text = explained_loading("02_many_to_one", "class Author: pass\nx = Autor\n")
    assert "did you mean 'Author'?" in text
    text = explained_loading("02_many_to_one", "x = timezone.now\n")
    assert "from django.utils import timezone" in text


# --- Endless loops (pytest-timeout) -------------------------------------------------------------


def timeout_after(passes: int) -> Callable[[], None]:
    """Stands in for pytest-timeout's signal: fails inside the loop after a few passes."""
    left = iter(range(passes))

    def tick() -> None:
        if next(left, None) is None:
            pytest.fail("Timeout (>30.0s) from pytest-timeout.")

    return tick


@pytest.fixture
def alice() -> SimpleNamespace:
    """An author in a cycle of followers: Bob follows Alice, and Alice follows Bob."""
    alice, bob = SimpleNamespace(name="Alice"), SimpleNamespace(name="Bob")
    alice.followers = SimpleNamespace(all=lambda: [bob])  # Bob follows Alice...
    bob.followers = SimpleNamespace(all=lambda: [alice])  # ...and Alice follows Bob
    return alice


def test_timeout_in_a_while_loop_whose_condition_never_changes() -> None:
    code = learner_code(
        "13_self_relations",
        """
        def thread_root(comment, tick):
            while comment.parent is not None:
                tick()
            return comment
        """,
    )
    comment = SimpleNamespace(parent=object())
    error = raised(lambda: code["thread_root"](comment, timeout_after(3)))
    text = explained(error, "13_self_relations")
    assert "the loop in thread_root()" in text and "never ends" in text
    assert "Nothing in the loop changes comment" in text
    assert "comment its next value" in text


def test_timeout_in_a_while_loop_around_a_query() -> None:
    code = learner_code(
        "13_self_relations",
        """
        def drain(Comment, tick):
            while Comment.objects.filter(parent=None).exists():
                tick()
        """,
    )
    rows = SimpleNamespace(exists=lambda: True)
    fake = SimpleNamespace(objects=SimpleNamespace(filter=lambda **lookups: rows))
    error = raised(lambda: code["drain"](fake, timeout_after(2)))
    text = explained(error, "13_self_relations")
    assert "the query in" in text.lower() and "same answer" in text


def test_timeout_in_a_walk_that_revisits_a_cycle(alice: SimpleNamespace) -> None:
    """A work list that never runs out because the graph has a cycle: the words name the
    revisiting (a set of what was seen), not the query in the loop."""
    code = learner_code(
        "13_self_relations",
        """
        def everyone_above(author, tick):
            names, todo = set(), [author]
            while todo:
                tick()
                person = todo.pop()
                for follower in person.followers.all():
                    names.add(follower.name)
                    todo.append(follower)
            return names
        """,
    )
    error = raised(lambda: code["everyone_above"](alice, timeout_after(5)))
    text = explained(error, "13_self_relations")
    assert "the loop in everyone_above()" in text and "never ends" in text
    assert "already visited" in text and "puts them back into todo" in text
    assert "keep a set of what you have already seen" in text
    assert "same answer" not in text and "query in" not in text.lower()


def test_timeout_in_a_for_loop_over_a_list_it_grows(alice: SimpleNamespace) -> None:
    """`for person in todo: ... todo.append(...)` goes on as long as the list grows."""
    code = learner_code(
        "13_self_relations",
        """
        def everyone_above(author, tick):
            todo = [author]
            for person in todo:
                tick()
                todo.extend(person.followers.all())
            return todo
        """,
    )
    error = raised(lambda: code["everyone_above"](alice, timeout_after(5)))
    text = explained(error, "13_self_relations")
    assert "`for person in todo` never ended" in text and "already visited" in text


def test_timeout_outside_a_while_loop_is_general() -> None:
    """No loop in kata code to blame: the general wording, without a made-up loop."""
    text = explain(raised(timeout_after(0))) or ""
    assert text.startswith(symbols_for("utf-8")[0] + " Timeout") or "Timeout" in text
    assert "loop in" not in text and "Ctrl+C" in text


# --- System checks -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("check_id", "words"),
    [
        ("fields.E120", "max_length=100"),
        ("fields.E121", "above 0"),
        ("models.E007", "db_column"),
        ("models.E028", "db_table"),
        ("fields.E302", "related_name"),
        ("fields.E303", "related_name"),
        ("fields.E304", "related_name"),
    ],
)
def test_common_checks_have_their_own_fix(check_id: str, words: str) -> None:
    assert words in explain_check(check_id)


def check_ids(label: str, **model_bodies: dict[str, object]) -> dict[str, list[str]]:
    """Run Django's model checks on models declared from ``model_bodies``: {id: [msg, ...]}."""
    from django.core.checks.model_checks import check_all_models

    apps = registry(label)
    for name, body in model_bodies.items():
        extra = body.pop("Meta", {})
        type(name, (models.Model,), {"__module__": __name__, **body, "Meta": meta(apps, **extra)})
    found: dict[str, list[str]] = {}
    for message in check_all_models(app_configs=[apps.get_app_config(label)]):
        found.setdefault(message.id, []).append(message.msg)
    return found


def test_check_fixes_describe_their_own_check() -> None:
    """Each fix matches what Django's check really says (each check run here)."""
    found = check_ids(
        "k90_checks",
        Author={"name": models.CharField(max_length=10)},
        Post={
            "author": models.ForeignKey("Author", models.CASCADE, related_name="posts_"),
            "editor": models.ForeignKey("Author", models.CASCADE, related_name="edited__posts"),
        },
        Tag={"Meta": {"db_table": "k90_checks_article_tags"}},
        Article={"tags": models.ManyToManyField("Tag")},
        Rating={
            "stars": models.IntegerField(),
            "Meta": {
                "constraints": [
                    models.CheckConstraint(condition=models.Q(stars__gte=0), name="stars"),
                    models.CheckConstraint(condition=models.Q(stars__lte=5), name="stars"),
                ]
            },
        },
    )
    assert "must not end with an underscore" in found["fields.E308"][0]
    assert "end with an underscore" in explain_check("fields.E308")
    assert "must not contain '__'" in found["fields.E309"][0]
    assert "'__'" in explain_check("fields.E309")
    assert "intermediary table" in found["fields.E340"][0]
    fix = explain_check("fields.E340")
    assert "another model's table" in fix and "through model has its own table" not in fix
    assert "is not unique for model" in found["models.E031"][0]
    fix = explain_check("models.E031")
    assert "name=... of its own" in fix and "app_label" not in fix
    assert "app_label" in explain_check("models.E032")


def test_reverse_accessor_clash_ends_with_one_related_name() -> None:
    """fields.E304 clears as soon as one of the two ForeignKeys has a related_name."""
    both_default = check_ids(
        "k91_checks",
        Person={"name": models.CharField(max_length=10)},
        Article={
            "writer": models.ForeignKey("Person", models.CASCADE),
            "editor": models.ForeignKey("Person", models.CASCADE),
        },
    )
    assert len(both_default["fields.E304"]) == 2
    one_named = check_ids(
        "k92_checks",
        Person={"name": models.CharField(max_length=10)},
        Article={
            "writer": models.ForeignKey("Person", models.CASCADE, related_name="written"),
            "editor": models.ForeignKey("Person", models.CASCADE),
        },
    )
    assert "fields.E304" not in one_named
    fix = explain_check("fields.E304")
    assert "A related_name on one of them ends the clash" in fix
    assert "Give each" not in fix


def test_check_without_a_hint_gets_an_actionable_fallback() -> None:
    """No entry and no hint from Django: the fix names the field to edit and where to look."""
    apps = registry("k02_many_to_one")

    class Post(models.Model):
        title = models.CharField(max_length=-1)
        Meta = meta(apps)

    fix = explain_check("fields.E999", obj=Post._meta.get_field("title"), msg="bad", hint=None)
    assert "Post.title in models.py" in fix and "docs.djangoproject.com" in fix
    assert "read Django's message" not in fix
    assert "models.py" in explain_check("fields.E999")


# --- Creating rows: keywords the model doesn't have, NOT NULL from the tests --------------------

# Kata 13's stub: Comment has no parent yet, and a TODO in the class says what it will be.
KATA_13_NO_PARENT = """
class Comment(models.Model):
    text = models.CharField(max_length=200)
    # TODO: a comment can answer another comment (its parent); a comment that starts a
    # thread answers nothing.

    class Meta:
        apps = APPS
        app_label = LABEL
"""
# Kata 13, measured: parent added, but its column can't hold NULL.
KATA_13_PARENT_REQUIRED = """
class Comment(models.Model):
    text = models.CharField(max_length=200)
    parent = models.ForeignKey("self", on_delete=models.CASCADE, related_name="replies")

    class Meta:
        apps = APPS
        app_label = LABEL
"""
NULL_PARENT = "NOT NULL constraint failed: k13_self_relations_comment.parent_id"


def test_keyword_the_model_lacks_yet_is_added_in_models_py(
    kata_13_models: Callable[[str], SimpleNamespace],
) -> None:
    """Kata 13, measured: the tests create comments with parent=..., the stub has no parent."""
    kata = kata_13_models(KATA_13_NO_PARENT)
    given = kata_test_code(
        "13_self_relations",
        """
        def thread(Comment):
            first = Comment(text="First!")
            return Comment(text="Welcome", parent=first)
        """,
    )
    error = raised(lambda: given["thread"](kata.Comment))
    text = explained(error, "13_self_relations", *kata.models)
    lines = KATA_13_NO_PARENT.splitlines()
    todo = next(number for number, line in enumerate(lines, 1) if "# TODO" in line)
    assert "Comment has no field 'parent' yet" in text
    assert "The tests create Comment objects with parent=..." in text
    assert "Its fields now: id, text." in text
    assert f"add parent to class Comment in models.py: the # TODO there (line {todo})" in text


def test_keyword_misspelled_in_kata_code_is_not_added_to_given_models() -> None:
    """Kata 07's models are given: a wrong keyword in queries.py is fixed there, not in them."""
    kata = kata_05()
    code = learner_code(
        "07_filter_across",
        """
        def new_post(Post):
            return Post(titel="Hello")
        """,
    )
    error = raised(lambda: code["new_post"](kata.Post))
    text = explained(error, "07_filter_across", kata.Tag, kata.Post)
    assert "Post has no field 'titel'" in text and "did you mean title?" in text
    assert "models.py" not in text and "yet" not in text and "TODO" not in text


def test_keyword_of_a_model_outside_the_kata_is_not_explained() -> None:
    """Group is no model of these katas: its TypeError gets no words about models.py."""
    error = raised(lambda: Group(name="g", parent=None))
    assert "unexpected keyword" in str(error)
    assert explain(error, UNKNOWN) is None
    assert explain(error, kata_05().contents) is None


def test_not_null_from_the_tests_asks_the_model_to_allow_null(
    kata_13_models: Callable[[str], SimpleNamespace],
) -> None:
    """Kata 13, measured: the tests create a thread's first comment, parent can't be NULL. The
    create() is in the test file, which the learner may not edit: the fix is in the model."""
    kata = kata_13_models(KATA_13_PARENT_REQUIRED)
    given = kata_test_code(
        "13_self_relations",
        """
        def thread():
            raise IntegrityError(NULL_PARENT)  # Comment.objects.create(text="First!")
        """,
        IntegrityError=IntegrityError,
        NULL_PARENT=NULL_PARENT,
    )
    text = explained(raised(given["thread"]), "13_self_relations", *kata.models)
    assert "add null=True, blank=True to Comment.parent in models.py" in text
    assert "a thread's first comment has no parent" in text
    assert "pass it when you create" not in text and "objects.create(parent" not in text


def test_not_null_from_kata_code_is_fixed_where_the_row_is_created(
    kata_13_models: Callable[[str], SimpleNamespace],
) -> None:
    """The same NOT NULL from the learner's queries.py: pass the value there (or allow NULL)."""
    kata = kata_13_models(KATA_13_PARENT_REQUIRED)
    code = learner_code(
        "13_self_relations",
        """
        def start_thread():
            raise IntegrityError(NULL_PARENT)
        """,
        IntegrityError=IntegrityError,
        NULL_PARENT=NULL_PARENT,
    )
    text = explained(raised(code["start_thread"]), "13_self_relations", *kata.models)
    assert text and "pass it when you create the row (_learner_" in text
    assert "Comment.objects.create(parent=..., ...)" in text
    assert "let the column hold NULL" not in text and "thread's first comment" not in text


# --- Lookups after a double underscore -----------------------------------------------------------


def kata_07() -> SimpleNamespace:
    """Like kata 07 (models given): Post.author with related_name='posts', Post.tags."""
    apps = registry("k07_filter_across")

    class Author(models.Model):
        name = models.CharField(max_length=100)
        Meta = meta(apps)

    class Tag(models.Model):
        name = models.CharField(max_length=50, unique=True)
        Meta = meta(apps)

    class Post(models.Model):
        title = models.CharField(max_length=200)
        author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="posts")
        tags = models.ManyToManyField(Tag, related_name="posts", blank=True)
        Meta = meta(apps)

    return SimpleNamespace(Post=Post, models=(Author, Tag, Post))


def test_field_name_in_the_wrong_case_after_a_relation() -> None:
    """Kata 07, measured: author__Name. Names are case-sensitive; Author's fields are listed."""
    kata = kata_07()
    code = learner_code(
        "07_filter_across",
        """
        def posts_by_author(Post, name):
            return Post.objects.filter(author__Name=name)

        def posts_by_autor(Post, name):
            return Post.objects.filter(author__nmae=name)
        """,
    )
    contents = learner_kata("07_filter_across", *kata.models)
    text = explain(raised(lambda: code["posts_by_author"](kata.Post, "Alice")), contents) or ""
    assert "'Name' is neither a field of Author nor a lookup" in text
    assert "(posts, id, name)" in text
    assert "names are case-sensitive: did you mean name? Write author__name." in text
    text = explain(raised(lambda: code["posts_by_autor"](kata.Post, "Alice")), contents) or ""
    assert "did you mean name? Write author__name." in text and "case-sensitive" not in text


def test_not_equal_lookup_points_to_exclude() -> None:
    """Kata 07, measured: author__ne. Django has no 'ne': exclude() leaves rows out."""
    kata = kata_07()
    code = learner_code(
        "07_filter_across",
        """
        def posts_not_by(Post, name):
            return Post.objects.filter(author__name__ne=name)

        def posts_not_by_author(Post, author):
            return Post.objects.filter(author__ne=author)
        """,
    )
    contents = learner_kata("07_filter_across", *kata.models)
    text = explain(raised(lambda: code["posts_not_by"](kata.Post, "Alice")), contents) or ""
    assert "Django has no 'ne' lookup" in text
    assert "exclude(author__name=...) instead of filter(author__name__ne=...)" in text
    assert "neither a field" not in text
    text = explain(raised(lambda: code["posts_not_by_author"](kata.Post, 1)), contents) or ""
    assert "exclude(author=...)" in text and "exclude(author__name=...)" in text


def test_text_lookup_on_the_relation_itself_needs_a_field_in_between() -> None:
    """Kata 07, measured: author__iexact (Django 5: "Unsupported lookup 'iexact' for ForeignKey
    ..., perhaps you meant exact?"). A relation takes exact, in, isnull and the comparisons; a
    text lookup needs a field of the related model in between, never author__exact."""
    kata = kata_07()
    code = learner_code(
        "07_filter_across",
        """
        def posts_by_author_any_case(Post, name):
            return Post.objects.filter(author__iexact=name)
        """,
    )
    contents = learner_kata("07_filter_across", *kata.models)
    error = raised(lambda: code["posts_by_author_any_case"](kata.Post, "alice"))
    text = explain(error, contents) or ""
    assert "a lookup was applied to a relation itself" in text
    assert "author is a relation to Author" in text and "author__name__iexact=..." in text
    assert "author__exact" not in text
    text = explain(raised(lambda: User.objects.filter(groups__icontains="x")), UNKNOWN) or ""
    assert "<relation>__<field>__icontains=..." in text


def test_unknown_lookup_outside_kata_code_is_general() -> None:
    """No path in the learner's code: no kata model is named, and a lookup after a CharField
    is not called a field of a related model."""
    text = explain(raised(lambda: User.objects.filter(username__Exact="x")), UNKNOWN) or ""
    assert "'Exact' is not a lookup of a CharField" in text
    assert "names are case-sensitive: perhaps exact?" in text
    assert "related model" not in text and "Author" not in text
    text = explain(raised(lambda: User.objects.filter(groups__Name="x")), UNKNOWN) or ""
    assert "neither a field of the related model nor a lookup" in text and "Author" not in text
    text = explain(raised(lambda: User.objects.filter(username__ne="x")), UNKNOWN) or ""
    assert "Django has no 'ne' lookup" in text and "exclude(" in text


# --- Reverse names ---------------------------------------------------------------------------------


def kata_02(related_name: str | None) -> SimpleNamespace:
    """Like kata 02: Post.author, with the related_name the learner gave it (or none)."""
    apps = registry("k02_many_to_one")

    class Author(models.Model):
        name = models.CharField(max_length=100)
        Meta = meta(apps)

    class Post(models.Model):
        title = models.CharField(max_length=200)
        author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name=related_name)
        Meta = meta(apps)

    return SimpleNamespace(Author=Author, Post=Post, contents=KataContents((Author, Post)))


def test_wrong_reverse_name_names_the_one_there_is() -> None:
    """Kata 02, measured: author.post with related_name='posts'. The explanation names
    author.posts and never proposes another related_name (the kata's tests ask for 'posts')."""
    kata = kata_02("posts")
    text = explain(raised(lambda: kata.Author(name="Alice").post), kata.contents) or ""
    assert "is author.posts (from Post.author) now, not author.post" in text
    assert "related_name='posts' on Post.author is what names it" in text
    assert "author.posts.all()" in text and "related_name='post'" not in text


def test_wrong_reverse_name_without_related_name_proposes_none() -> None:
    """No related_name yet: the manager is post_set; no made-up related_name='post'."""
    kata = kata_02(None)
    text = explain(raised(lambda: kata.Author(name="Alice").post), kata.contents) or ""
    assert "author.post_set (from Post.author)" in text and "author.post_set.all()" in text
    assert "related_name='post'" not in text


def test_no_reverse_relation_gets_no_reverse_advice() -> None:
    """Nothing points at Post: a missing attribute of a post is not a reverse-name story."""
    kata = kata_02("posts")
    assert explain(raised(lambda: kata.Post(title="Hello").comments), kata.contents) is None


# --- Syntax errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "says", "never"),
    [
        ("queries.py", "Python can load queries.py only once it is valid", "Django"),
        ("models.py", "Django only sees your models once models.py is valid Python", "load"),
    ],
)
def test_syntax_error_fix_names_the_file(name: str, says: str, never: str) -> None:
    """Only models.py is about Django seeing models; any other file just has to load."""
    filename = str(manifest.ROOT / "katas" / "07_filter_across" / name)
    error = raised(lambda: compile("def broken(:\n    pass\n", filename, "exec"))
    text = explain(error, UNKNOWN) or ""
    assert f"Python can't read {name}" in text and says in text and never not in text


# --- The package's layout ------------------------------------------------------------------------

# The order of katalib/teach/explain.py's one table before it became a package: the first rule that
# fits speaks, so composing the subjects' tables must keep it.
RULE_ORDER = [
    "on_delete missing",
    "on_delete not callable",
    "on_delete rule called",
    "field of the link model passed to the manager",
    "constraint without a name",
    "Meta.constraints not a list",
    "argument a field does not take",
    "keyword that is no field of the model",
    "add() before save(), kata model",
    "add() before save()",
    "reverse manager of an unsaved object",
    "add() of an unsaved object",
    "texts handed to a many-to-many manager",
    "text default of a ForeignKey",
    "relation compared with a text",
    "relation compared with a text, general",
    "save() with an unsaved related object",
    "save() with an unsaved related object, general",
    "Prefetch without the to_attr read",
    "prefetch_related() name that is no relation",
    "select_related() on a many-valued relation",
    "select_related() name misspelled",
    "select_related() on a field",
    "reverse one-to-one missing",
    "forward relation empty",
    "related object missing",
    "get() found nothing",
    "get() found several",
    "get_or_create() used as the object",
    "method not called",
    "query on the model class",
    "misspelled field",
    "wrong reverse name",
    "manager used as an object",
    "manager not iterable",
    "add() got a list",
    "set() got several",
    "many-to-many assigned",
    "lookup written as a comparison",
    "unknown keyword in a path",
    "lookup on a relation",
    "unsupported lookup on a path of the kata",
    "unsupported lookup",
    "PROTECT / RESTRICT",
    "unique pair",
    "unique pair, general",
    "second row for a OneToOneField",
    "ForeignKey with unique=True",
    "unique value",
    "unique, general",
    "ForeignKey on the one side",
    "NOT NULL",
    "NOT NULL, general",
    "DO_NOTHING left a dangling id",
    "link to a deleted row",
    "default id that is no row",
    "dangling foreign key",
    "dangling foreign key, general",
    "query while the file loads",
    "missing table",
    "syntax error",
    "name error in a kata file",
    "name error",
    "misspelt name of django.db.models",
    "relation to a missing model",
    "stub",
    "endless while loop",
    "slow kata function",
    "timeout",
    "query count (katalib.teach.sql)",
    "query count (pytest-django)",
]


def test_composed_rules_keep_the_order() -> None:
    """katalib.teach.explain.rules joins the subjects' tables in the order the rules are tried."""
    from katalib.teach.explain import RULES

    assert [rule.name for rule in RULES] == RULE_ORDER


def test_subject_modules_import_only_base() -> None:
    """Subjects import base (and the rest of katalib), never each other, rules or the package."""
    import ast

    import katalib.teach.explain

    folder = Path(katalib.teach.explain.__file__).parent
    layers = {"__init__", "base", "checks", "rules"}
    subjects = {p.stem for p in folder.glob("*.py")} - layers
    assert subjects
    for name in [*subjects, "base"]:
        tree = ast.parse((folder / f"{name}.py").read_text(encoding="utf-8"))
        imported = {
            node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module
        } | {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
             for alias in node.names}  # fmt: skip
        explain_modules = {m for m in imported if m.startswith("katalib.teach.explain")}
        allowed = set() if name == "base" else {"katalib.teach.explain.base"}
        assert explain_modules <= allowed, (name, explain_modules)


# --- Kata 05 to 08: the mistake corpus's misfires, fixed by kind ------------------------------


def test_lookup_written_as_a_comparison_is_a_keyword_argument() -> None:
    """filter(posts__tags__name != tag_name): a NameError, and never a model to define."""
    code = learner_code(
        "07_filter_across",
        """
        def authors_without_tag(Author, tag_name):
            return Author.objects.filter(posts__tags__name != tag_name)

        def posts_by_author(Post, name):
            return Post.objects.filter(author__name == name)
        """,
    )
    rows = SimpleNamespace(objects=SimpleNamespace(filter=lambda *args, **kwargs: None))
    contents = learner_kata("07_filter_across", *kata_07().models)
    text = explain(raised(lambda: code["authors_without_tag"](rows, "django")), contents) or ""
    assert "posts__tags__name is a lookup, not a Python variable" in text
    assert "exclude(posts__tags__name=tag_name)" in text
    assert "ForeignKey" not in text
    text = explain(raised(lambda: code["posts_by_author"](rows, "Alice")), contents) or ""
    assert "Fix: filter(author__name=name)." in text


def test_one_underscore_where_a_path_needs_two() -> None:
    kata = kata_07()
    code = learner_code(
        "07_filter_across",
        """
        def posts_by_author(Post, name):
            return Post.objects.filter(author_name=name)
        """,
    )
    contents = learner_kata("07_filter_across", *kata.models)
    text = explain(raised(lambda: code["posts_by_author"](kata.Post, "Alice")), contents) or ""
    assert "one underscore where a path needs two" in text
    assert "write author__name=... instead of author_name=..." in text


def test_quoted_name_that_is_no_field_is_corrected_in_its_call() -> None:
    """annotate(n=Count("post")) where the reverse side is named posts."""
    from django.db.models import Count

    kata = kata_07()
    tag = kata.models[1]
    code = learner_code(
        "08_tag_counts",
        """
        def counts(Tag):
            return Tag.objects.annotate(n_posts=Count("post"))
        """,
        Count=Count,
    )
    contents = learner_kata("08_tag_counts", *kata.models)
    text = explain(raised(lambda: code["counts"](tag)), contents) or ""
    assert "'post' is not a field of Tag" in text
    assert "did you mean 'posts'? Write Count(\"posts\")." in text
    assert "author__name" not in text


def test_texts_handed_to_a_many_to_many_manager() -> None:
    """post.tags.set(names): set() takes Tag objects (or ids), not names."""
    kata = kata_05()
    code = learner_code(
        "05_many_to_many",
        """
        def retag(post, *names):
            post.tags.set(names)
        """,
    )
    # set() reads each value as an id, as Django's own set() does (without a database).
    manager = SimpleNamespace(set=lambda objs: [kata.Tag._meta.pk.get_prep_value(o) for o in objs])
    error = raised(lambda: code["retag"](SimpleNamespace(tags=manager), "orm"))
    text = explained(error, "05_many_to_many", kata.Tag, kata.Post)
    assert "post.tags.set() got the text 'orm', not a Tag" in text
    assert "[Tag.objects.get_or_create(name=name)[0] for name in names]" in text
    assert "__" not in text.split("Fix:")[1].split("(or")[0]  # no lookup path as the fix


def test_get_or_create_pair_assigned_to_a_foreign_key_or_returned() -> None:
    """Kata 08: author = get_or_create(...) then Post(author=author); kata 06: the pair
    returned, which the test's assertion shows."""
    kata = kata_07()
    author_model, post_model = kata.models[0], kata.Post
    code = learner_code(
        "08_tag_counts",
        """
        def build(Author, Post, pair):
            author = Author.objects.get_or_create(name="Alice")
            return Post(title="Hello", author=pair)
        """,
    )
    alice = author_model(name="Alice")
    manager = SimpleNamespace(get_or_create=lambda **kwargs: (alice, True))
    authors = SimpleNamespace(objects=manager)
    error = raised(lambda: code["build"](authors, post_model, (alice, True)))
    assert 'Cannot assign "(<' in str(error)
    text = explained(error, "08_tag_counts", *kata.models)
    assert "get_or_create() returns a pair, (author, created)" in text
    shown = AssertionError(
        "ensure_profile(<User: alice>) returned (<Profile: Profile of alice>, False); expected "
        "her existing profile, bio 'Hi' kept."
    )
    learner_code(
        "06_one_to_one",
        """
        def ensure_profile(Profile, user):
            return Profile.objects.get_or_create(user=user)
        """,
    )
    text = explained(shown, "06_one_to_one")
    assert "unpack it: profile, created = Profile.objects.get_or_create(...)" in text


def test_many_to_many_field_takes_no_on_delete() -> None:
    text = explained_loading(
        "05_many_to_many",
        """
        tags = models.ManyToManyField("Tag", on_delete=models.CASCADE, related_name="posts")
        """,
        models=models,
    )
    assert "ManyToManyField takes no on_delete" in text
    assert "remove on_delete=... from the ManyToManyField" in text
    misspelt = "x = models.CharField(max_lenght=3)\n"
    text = explained_loading("05_many_to_many", misspelt, models=models)
    assert "did you mean max_length=...?" in text


def test_names_of_django_db_models_and_of_the_kata_not_imported() -> None:
    text = explained_loading(
        "05_many_to_many",
        """
        from django.db import models
        tags = ManyToManyField("Tag", related_name="posts")
        """,
    )
    assert "write models.ManyToManyField" in text and 'ForeignKey("' not in text
    kata = kata_07()
    tag_missing = raised(
        lambda: learner_code(
            "07_filter_across",
            """
            try:  # the file's own import (it has no package here)
                from .models import Author, Post
            except (ImportError, KeyError):
                pass
            x = Tag.objects
            """,
        )
    )
    text = explained(tag_missing, "07_filter_across", *kata.models)
    assert "from .models import Author, Post, Tag" in text
    text = explained_loading(
        "06_one_to_one",
        "user = models.OneToOneField(settings.AUTH_USER_MODEL)\n",
        models=models,
    )
    assert "from django.conf import settings" in text


def test_second_profile_from_a_get_or_create_that_looks_up_too_much() -> None:
    """get_or_create(user=user, bio=""): the bio misses the existing profile."""
    kata = kata_06()
    code = learner_code(
        "06_one_to_one",
        """
        def ensure_profile(Profile, user):
            profile, _ = Profile.objects.get_or_create(user=user, bio="")
            return profile
        """,
    )

    def refuse(**kwargs: object) -> None:
        raise IntegrityError("UNIQUE constraint failed: k06_one_to_one_profile.user_id")

    profiles = SimpleNamespace(objects=SimpleNamespace(get_or_create=refuse))
    error = raised(lambda: code["ensure_profile"](profiles, None))
    text = explained(error, "06_one_to_one", *kata.contents.models)
    assert "with bio=... it found no Profile matching all of them" in text
    assert "Profile.objects.get_or_create(user=..., defaults={'bio': ...})" in text


# --- Fetching up front, link models, constraints (katas 09 to 11) ----------------------------


def kata_10() -> SimpleNamespace:
    """Like kata 10: Post.author (related_name="posts") and Post.tags, with Meta.ordering."""
    apps = registry("k10_n_plus_one")

    class Author(models.Model):
        name = models.CharField(max_length=100)
        Meta = meta(apps)

    class Tag(models.Model):
        name = models.CharField(max_length=50)
        Meta = meta(apps)

    class Post(models.Model):
        title = models.CharField(max_length=200)
        published = models.BooleanField(default=False)
        author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="posts")
        tags = models.ManyToManyField(Tag, related_name="posts", blank=True)
        Meta = meta(apps)

    return SimpleNamespace(Author=Author, Tag=Tag, Post=Post, models=(Author, Tag, Post))


def kata_11_editors() -> SimpleNamespace:
    """Kata 11's link model with its extra column: Tagging.added_by."""
    apps = registry("k11_through_models")

    class Editor(models.Model):
        name = models.CharField(max_length=100)
        Meta = meta(apps)

    class Tag(models.Model):
        name = models.CharField(max_length=50)
        Meta = meta(apps)

    class Post(models.Model):
        title = models.CharField(max_length=200)
        tags = models.ManyToManyField(Tag, through="Tagging", related_name="posts")
        Meta = meta(apps)

    class Tagging(models.Model):
        post = models.ForeignKey(Post, on_delete=models.CASCADE)
        tag = models.ForeignKey(Tag, on_delete=models.CASCADE)
        added_by = models.ForeignKey(Editor, on_delete=models.SET_NULL, null=True)
        Meta = meta(apps)

    return SimpleNamespace(
        Editor=Editor, Tag=Tag, Post=Post, Tagging=Tagging, models=(Editor, Tag, Post, Tagging)
    )


PREFETCH_NO_TO_ATTR = """
def authors_with_published_posts(Author, Post):
    published = Post.objects.filter(published=True)
    return Author.objects.prefetch_related(Prefetch("posts", queryset=published))

def read(author):
    return author.published_posts
"""


def only_file_of(function: Callable[..., object], *models_of_kata: type) -> KataContents:
    """The kata whose one editable file is the learner code that defines ``function``."""
    return KataContents(models_of_kata, (Path(function.__code__.co_filename),))


def test_prefetch_without_to_attr_names_to_attr() -> None:
    """A Prefetch without to_attr fills author.posts: the missing list needs to_attr, not a
    reverse manager."""
    kata = kata_10()
    code = learner_code("10_n_plus_one", PREFETCH_NO_TO_ATTR)
    error = raised(lambda: code["read"](kata.Author(name="Ada")))
    text = explain(error, only_file_of(code["read"], *kata.models)) or ""
    assert "to_attr='published_posts'" in text and "author.posts" in text
    assert "reverse relation that exists" not in text


def test_prefetch_with_another_to_attr_names_the_one_read() -> None:
    kata = kata_10()
    code = learner_code(
        "10_n_plus_one",
        PREFETCH_NO_TO_ATTR.replace("queryset=published)", "queryset=published, to_attr='pub')"),
    )
    error = raised(lambda: code["read"](kata.Author(name="Ada")))
    text = explain(error, only_file_of(code["read"], *kata.models)) or ""
    assert "to_attr='pub'" in text and "to_attr='published_posts'" in text


def test_missing_attribute_without_a_prefetch_is_not_about_to_attr() -> None:
    kata = kata_10()
    code = learner_code("10_n_plus_one", "def read(author):\n    return author.published_posts\n")
    error = raised(lambda: code["read"](kata.Author(name="Ada")))
    text = explain(error, only_file_of(code["read"], *kata.models)) or ""
    assert "to_attr" not in text


@pytest.mark.parametrize(
    ("message", "says"),
    [
        ("Invalid field name(s) given in select_related: 'tags'. Choices are: author",
         ["post.tags", "prefetch_related('tags')", "(author)"]),
        ("Invalid field name(s) given in select_related: 'post_set'. Choices are: (none)",
         ["author.posts", "prefetch_related('posts')", "not post_set"]),
    ],
)  # fmt: skip
def test_select_related_on_a_many_valued_relation(message: str, says: list[str]) -> None:
    """Django's FieldError (verified texts): select_related JOINs forward relations only."""
    kata = kata_10()
    code = learner_code(
        "10_n_plus_one",
        """
        def cards(Post, Author):
            posts = Post.objects.select_related("author", "tags")
            authors = Author.objects.select_related("post_set")
            raise FieldError(MESSAGE)
        """,
        FieldError=FieldError,
        MESSAGE=message,
    )
    error = raised(lambda: code["cards"](kata.Post, kata.Author))
    text = explained(error, "10_n_plus_one", *kata.models)
    assert "select_related() can't follow" in text and all(s in text for s in says), text


def test_select_related_typo_and_field() -> None:
    kata = kata_10()
    code = learner_code(
        "10_n_plus_one",
        """
        def bylines(Post, message):
            posts = Post.objects.select_related("author__name")
            raise FieldError(message)
        """,
        FieldError=FieldError,
    )
    contents = learner_kata("10_n_plus_one", *kata.models)
    typo = "Invalid field name(s) given in select_related: 'autor'. Choices are: author"
    text = explain(raised(lambda: code["bylines"](kata.Post, typo)), contents) or ""
    assert "did you mean 'author'?" in text and "prefetch_related" not in text
    field = "Non-relational field given in select_related: 'name'. Choices are: (none)"
    text = explain(raised(lambda: code["bylines"](kata.Post, field)), contents) or ""
    assert "select_related('author')" in text and "post.author.name" in text


def test_prefetch_related_name_that_is_no_relation() -> None:
    kata = kata_10()
    contents = learner_kata("10_n_plus_one", *kata.models)
    missing = AttributeError(
        "Cannot find 'tag' on Post object, 'tag' is an invalid parameter to prefetch_related()"
    )
    text = explain(missing, contents) or ""
    assert "did you mean 'tags'?" in text and "prefetch_related('tags')" in text
    code = learner_code(
        "10_n_plus_one",
        """
        def published(Author):
            authors = Author.objects.prefetch_related("posts__published")
            raise ValueError(
                "'posts__published' does not resolve to an item that supports prefetching - "
                "this is an invalid parameter to prefetch_related()."
            )
        """,
    )
    text = explain(raised(lambda: code["published"](kata.Author)), contents) or ""
    assert "ends in a field" in text and "Prefetch('posts', queryset=Post.objects.filter(" in text


def test_link_model_field_passed_to_add_is_through_defaults() -> None:
    """Django's own TypeError for add(tag, added_by=...) on a through relation."""
    kata = kata_11_editors()
    code = learner_code(
        "11_through_models",
        """
        def tag_post(post, tag, editor):
            post.tags.add(tag, added_by=editor)
        """,
    )
    post, tag = kata.Post(pk=1, title="Hello"), kata.Tag(pk=2, name="python")
    error = raised(lambda: code["tag_post"](post, tag, kata.Editor(pk=3, name="Ada")))
    assert "unexpected keyword argument 'added_by'" in str(error)
    text = explained(error, "11_through_models", *kata.models)
    assert 'post.tags.add(tag, through_defaults={"added_by": editor})' in text


def test_link_model_field_passed_to_create_is_through_defaults() -> None:
    kata = kata_11_editors()
    code = learner_code(
        "11_through_models",
        """
        def new_tag(post, editor):
            post.tags.create(name="orm", added_by=editor)
        """,
    )
    error = TypeError("Tag() got unexpected keyword arguments: 'added_by'")
    post = SimpleNamespace(tags=SimpleNamespace(create=lambda **kw: (_ for _ in ()).throw(error)))
    raised_error = raised(lambda: code["new_tag"](post, None))
    text = explained(raised_error, "11_through_models", *kata.models)
    assert "post.tags.create(name='orm', through_defaults={\"added_by\": editor})" in text


def test_link_field_given_to_the_model_itself_is_not_through_defaults() -> None:
    """Tag(added_by=...) is a keyword Tag lacks: no many-to-many manager is involved."""
    kata = kata_11_editors()
    code = learner_code("11_through_models", "def make(Tag):\n    return Tag(added_by=None)\n")
    error = raised(lambda: code["make"](kata.Tag))
    text = explained(error, "11_through_models", *kata.models)
    assert "through_defaults" not in text


def test_constraint_without_a_name() -> None:
    """Django's own error for a UniqueConstraint without name (this Django's wording)."""
    text = explained_loading(
        "11_through_models",
        """
        class Tagging:
            constraints = [
                models.UniqueConstraint(fields=["post", "tag"])
            ]
        """,
    )
    assert "the UniqueConstraint has no name" in text
    assert "fields=['post', 'tag'], name=\"%(app_label)s_tagging_post_tag_unique\"" in text


@pytest.mark.parametrize(
    "message",
    [
        "A unique constraint must be named.",  # Django 5.2
        "UniqueConstraint.__init__() missing 1 required keyword-only argument: 'name'",  # 6.x
    ],
)
def test_constraint_without_a_name_is_given_one(message: str) -> None:
    source = """
    class Tagging:
        constraints = [
            models.UniqueConstraint(fields=["post", "tag"], fail=FAIL)
        ]
    """

    def fail(*args: object, **kwargs: object) -> None:
        raise (TypeError if "keyword" in message else ValueError)(message)

    text = explained_loading(
        "11_through_models", source, models=SimpleNamespace(UniqueConstraint=fail), FAIL=1
    )
    assert "the UniqueConstraint has no name" in text
    assert 'name="%(app_label)s_tagging_post_tag_unique"' in text


def test_constraints_not_a_list() -> None:
    text = explain(TypeError("'UniqueConstraint' object is not iterable"), UNKNOWN) or ""
    assert "constraints = [models.UniqueConstraint(...)]" in text


def test_unquoted_answer_is_put_in_quotes() -> None:
    """Kata 09: Q4 = on_delete (no quotes) is a NameError; the fix is the text in quotes."""
    text = explained_loading("09_quiz", 'Q3 = "c"\nQ4 = on_delete\n')
    assert 'Q4 = "on_delete"' in text and "ForeignKey(" not in text


def test_through_model_defined_further_down_is_quoted_in_the_learners_line() -> None:
    text = explained_loading(
        "11_through_models",
        """
        class Post:
            tags = models.ManyToManyField("Tag", through=Tagging, related_name="posts")

        class Tagging:
            pass
        """,
    )
    assert 'through="Tagging"' in text and 'ForeignKey("Tagging"' not in text


def test_missing_profile_read_by_the_learner_who_catches_another_class() -> None:
    """profile_of(): `except User.DoesNotExist` around user.profile catches the wrong class;
    without a try, the learner's own read is guarded, not created (profile_of only looks)."""
    kata = kata_06()
    code = learner_code(
        "06_one_to_one",
        """
        def profile_of(user, missing):
            try:
                raise missing
            except User.DoesNotExist:
                return None

        def profile_of_unguarded(user, missing):
            raise missing
        """,
        User=User,
    )
    contents = learner_kata("06_one_to_one", *kata.contents.models)
    missing = related_object_missing("User has no profile.")
    text = explain(raised(lambda: code["profile_of"](None, missing)), contents) or ""
    assert "The code catches User.DoesNotExist, but a missing profile raises" in text
    assert "catch Profile.DoesNotExist" in text
    missing = related_object_missing("User has no profile.")
    text = explain(raised(lambda: code["profile_of_unguarded"](None, missing)), contents) or ""
    assert "where a User may have no Profile, check with hasattr(user, 'profile')" in text


def test_unknown_field_option_offers_the_option_it_is_built_on() -> None:
    """nullable=True is no option: the fix is null=..., never "remove it" (that brings back
    fields.E320); a close spelling (related_names) still wins, and a keyword close to nothing
    lists the real options."""

    def fix_for(line: str) -> str:
        return explained_loading("03_on_delete", line)

    text = fix_for(
        'field = models.ForeignKey("auth.User", on_delete=models.CASCADE, nullable=True)'
    )
    assert "takes no argument 'nullable'" in text and "did you mean null=...?" in text
    assert "remove nullable" not in text
    text = fix_for('field = models.ForeignKey("auth.User", models.CASCADE, related_names="p")')
    assert "did you mean related_name=...?" in text
    text = fix_for('field = models.CharField(max_length=5, default_value="")')
    assert "did you mean default=...?" in text
    text = fix_for('field = models.ForeignKey("auth.User", models.CASCADE, colour=1)')
    assert "null, blank, default" in text and "swappable" not in text


def test_texts_handed_to_remove_never_create_tags() -> None:
    """post.tags.remove(*names): the fix gets existing tags (filter), never get_or_create()."""
    kata = kata_05()
    code = learner_code(
        "05_many_to_many",
        """
        def untag(post, *names):
            post.tags.remove(*names)
        """,
    )
    manager = SimpleNamespace(
        remove=lambda *objs: [kata.Tag._meta.pk.get_prep_value(o) for o in objs]
    )
    error = raised(lambda: code["untag"](SimpleNamespace(tags=manager), "orm"))
    text = explained(error, "05_many_to_many", kata.Tag, kata.Post)
    assert "post.tags.remove() got the text 'orm', not a Tag" in text
    assert "post.tags.remove(*Tag.objects.filter(name__in=names))" in text
    assert "get_or_create" not in text


def test_queryset_handed_whole_to_remove() -> None:
    """post.tags.remove(queryset) without *: Django reads the queryset as one id."""
    kata = kata_05()
    code = learner_code(
        "05_many_to_many",
        """
        def untag_all(post, tags):
            post.tags.remove(tags)
        """,
    )

    def remove(*objs: object) -> None:
        raise TypeError("Field 'id' expected a number but got <QuerySet [<Tag: orm>]>.")

    error = raised(
        lambda: code["untag_all"](SimpleNamespace(tags=SimpleNamespace(remove=remove)), [])
    )
    text = explained(error, "05_many_to_many", kata.Tag, kata.Post)
    assert "remove() got a queryset" in text and "post.tags.remove(*objects)" in text
    assert "set(objects)" not in text


def test_method_returned_without_brackets() -> None:
    """return qs.count: the test's message shows <bound method ...>; the fix calls it. A method
    named as a statement (post.tags.clear) does nothing; a test naming the function hears so."""
    code = learner_code(
        "07_filter_across",
        """
        def count_posts_tagged(posts):
            return posts.count

        def clear_tags(post):
            post.tags.clear
        """,
    )
    contents = learner_kata("07_filter_across")
    got = code["count_posts_tagged"]([])
    error = raised(lambda: pytest.fail(f"count_posts_tagged gave {{'django': {got!r}}}"))
    assert "<bound method" not in str(error)  # a list's count is a built-in method
    error = AssertionError(
        "count_posts_tagged(tag) gave {'django': <bound method QuerySet.count of <QuerySet []>>}"
    )
    text = explain(error, contents) or ""
    assert "you returned the method itself" in text and "call it: .count()" in text
    assert "return posts.count" in text
    error = AssertionError("clear_tags(post) left 2 tags")
    text = explain(error, contents) or ""
    assert ".clear is named but never called" in text and "call it: .clear()" in text
    other = explain(AssertionError("tagged_titles(tag) gave []"), contents) or ""
    assert "never called" not in other and "method itself" not in other


def test_keyword_named_after_the_related_model_means_its_field() -> None:
    """Kata 11: through_defaults={"editor": ...}: Tagging's ForeignKey to Editor is added_by;
    the fix names it and never asks to add an editor field the tests don't read."""
    apps = registry("k11_editor_keyword")

    class Editor(models.Model):
        name = models.CharField(max_length=50)
        Meta = meta(apps)

    class Tagging(models.Model):
        note = models.CharField(max_length=50)
        added_by = models.ForeignKey(Editor, on_delete=models.SET_NULL, null=True)
        Meta = meta(apps)

    code = learner_code(
        "11_through_models",
        """
        def tag_post(Tagging, editor):
            return Tagging(**{"editor": editor})
        """,
    )
    error = raised(lambda: code["tag_post"](Tagging, None))
    text = explained(error, "11_through_models", Editor, Tagging)
    assert "Tagging has no field 'editor'" in text and "did you mean added_by?" in text
    assert "add editor to class Tagging" not in text


def test_models_name_misspelt_in_another_case() -> None:
    """models.Cascade: django.db.models has CASCADE, found whatever the case (no Error class)."""
    from katalib.teach.explain.loading import needs_misspelt_models_name

    def case(name: str) -> SimpleNamespace:
        return SimpleNamespace(group=lambda _: name)

    assert needs_misspelt_models_name(case("Cascade")) == ["CASCADE"]
    assert needs_misspelt_models_name(case("PROTECTED")) == ["PROTECT"]
    assert needs_misspelt_models_name(case("Foreignkey")) == ["ForeignKey"]
