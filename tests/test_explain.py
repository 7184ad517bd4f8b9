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
from katalib import manifest
from katalib.explain import KataContents, explain, explain_check, symbols_for

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


# --- The lesson's common errors ----------------------------------------------------------------


def test_missing_on_delete() -> None:
    """The lesson's first common error: a ForeignKey without on_delete."""
    text = explain(raised(lambda: models.ForeignKey("auth.User")))
    assert text and "ForeignKey without on_delete" in text and "on_delete=models.CASCADE" in text
    text = explain(raised(lambda: models.OneToOneField("auth.User")))
    assert text and "OneToOneField without on_delete" in text


def test_missing_on_delete_fix_repeats_the_learners_line() -> None:
    """The fix is the learner's own field with on_delete added."""
    error = raised(
        lambda: learner_code(
            "02_many_to_one",
            """
            class Writer: pass
            author = models.ForeignKey(Writer, related_name="posts")
            """,
        )
    )
    text = explain(error, learner_kata("02_many_to_one")) or ""
    assert 'models.ForeignKey(Writer, related_name="posts", on_delete=models.CASCADE)' in text


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
    """cp1252 (old Windows consoles) gets [X]/[FIX] instead of ❌/✅."""
    assert symbols_for("cp1252") == ("[X]", "[FIX]")
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
    error = IntegrityError("NOT NULL constraint failed: k03_on_delete_post.category_id")
    text = explain(error, kata_03().contents) or ""
    assert "on_delete=models.SET_NULL" in text and "null=True" in text


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
    text = explain(error, learner_kata("07_filter_across")) or ""
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
    text = explain(error, learner_kata("10_n_plus_one")) or ""
    assert "post_bylines() in _learner_" in text and "still a stub" in text
    # A file the learner doesn't edit (a given one) is not called their stub.
    given = KataContents(files=(manifest.ROOT / "katas" / "10_n_plus_one" / "models.py",))
    assert explain(error, given) is None


def test_query_while_models_load_with_a_called_default() -> None:
    """default=f() with brackets queries while models.py loads, before the tables exist."""

    def first_queue() -> None:
        raise OperationalError("no such table: k03_on_delete_queue")

    source = "queue = models.ForeignKey('Queue', models.CASCADE, default=first_queue())"
    error = raised(lambda: learner_code("03_on_delete", source, first_queue=first_queue))
    assert "without brackets" in (explain(error, learner_kata("03_on_delete")) or "")


def test_missing_table_outside_loading_is_not_called_a_default() -> None:
    text = explain(OperationalError("no such table: k03_on_delete_queue"), UNKNOWN) or ""
    assert "does not exist" in text and "brackets" not in text


def test_name_defined_further_down() -> None:
    """ForeignKey(Post) above class Post: the fix is the name as a string."""
    error = raised(
        lambda: learner_code(
            "02_many_to_one",
            """
            class Comment:
                post = models.ForeignKey(Post, on_delete=models.CASCADE)

            class Post:
                pass
            """,
        )
    )
    text = explain(error, learner_kata("02_many_to_one")) or ""
    assert "defined further down" in text and 'models.ForeignKey("Post"' in text


def test_name_misspelled_or_not_imported() -> None:
    misspelled = raised(lambda: learner_code("02_many_to_one", "class Author: pass\nx = Autor\n"))
    assert "did you mean 'Author'?" in (explain(misspelled, learner_kata("02_many_to_one")) or "")
    not_imported = raised(lambda: learner_code("02_many_to_one", "x = timezone.now\n"))
    text = explain(not_imported, learner_kata("02_many_to_one")) or ""
    assert "from django.utils import timezone" in text


# --- Endless loops (pytest-timeout) -------------------------------------------------------------


def timeout_after(passes: int) -> Callable[[], None]:
    """Stands in for pytest-timeout's signal: fails inside the loop after a few passes."""
    left = iter(range(passes))

    def tick() -> None:
        if next(left, None) is None:
            pytest.fail("Timeout (>30.0s) from pytest-timeout.")

    return tick


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
    text = explain(error, learner_kata("13_self_relations")) or ""
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
    text = explain(error, learner_kata("13_self_relations")) or ""
    assert "the query in" in text.lower() and "same answer" in text


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


def test_keyword_the_model_lacks_yet_is_added_in_models_py(monkeypatch: pytest.MonkeyPatch) -> None:
    """Kata 13, measured: the tests create comments with parent=..., the stub has no parent."""
    kata = learner_models(monkeypatch, "13_self_relations", "k13_self_relations", KATA_13_NO_PARENT)
    given = kata_test_code(
        "13_self_relations",
        """
        def thread(Comment):
            first = Comment(text="First!")
            return Comment(text="Welcome", parent=first)
        """,
    )
    error = raised(lambda: given["thread"](kata.Comment))
    text = explain(error, learner_kata("13_self_relations", *kata.models)) or ""
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
    text = explain(error, learner_kata("07_filter_across", kata.Tag, kata.Post)) or ""
    assert "Post has no field 'titel'" in text and "did you mean title?" in text
    assert "models.py" not in text and "yet" not in text and "TODO" not in text


def test_keyword_of_a_model_outside_the_kata_is_not_explained() -> None:
    """Group is no model of these katas: its TypeError gets no words about models.py."""
    error = raised(lambda: Group(name="g", parent=None))
    assert "unexpected keyword" in str(error)
    assert explain(error, UNKNOWN) is None
    assert explain(error, kata_05().contents) is None


def test_not_null_from_the_tests_asks_the_model_to_allow_null(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Kata 13, measured: the tests create a thread's first comment, parent can't be NULL. The
    create() is in the test file, which the learner may not edit: the fix is in the model."""
    kata = learner_models(
        monkeypatch, "13_self_relations", "k13_self_relations", KATA_13_PARENT_REQUIRED
    )
    given = kata_test_code(
        "13_self_relations",
        """
        def thread():
            raise IntegrityError(NULL_PARENT)  # Comment.objects.create(text="First!")
        """,
        IntegrityError=IntegrityError,
        NULL_PARENT=NULL_PARENT,
    )
    text = explain(raised(given["thread"]), learner_kata("13_self_relations", *kata.models)) or ""
    assert "add null=True, blank=True to Comment.parent in models.py" in text
    assert "a thread's first comment has no parent" in text
    assert "pass it when you create" not in text and "objects.create(parent" not in text


def test_not_null_from_kata_code_is_fixed_where_the_row_is_created(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same NOT NULL from the learner's queries.py: pass the value there (or allow NULL)."""
    kata = learner_models(
        monkeypatch, "13_self_relations", "k13_self_relations", KATA_13_PARENT_REQUIRED
    )
    code = learner_code(
        "13_self_relations",
        """
        def start_thread():
            raise IntegrityError(NULL_PARENT)
        """,
        IntegrityError=IntegrityError,
        NULL_PARENT=NULL_PARENT,
    )
    text = explain(raised(code["start_thread"]), learner_kata("13_self_relations", *kata.models))
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
