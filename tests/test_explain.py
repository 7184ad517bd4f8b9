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
import textwrap
from collections.abc import Callable
from itertools import count
from pathlib import Path
from types import SimpleNamespace

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


def learner_code(kata_dir: str, source: str, **names: object) -> dict[str, object]:
    """Run ``source`` as if it were a file of the kata ``kata_dir``: its frames point there."""
    filename = str(manifest.ROOT / "katas" / kata_dir / f"_learner_{next(_files)}.py")
    LEARNER_FILES.setdefault(kata_dir, []).append(Path(filename))
    source = textwrap.dedent(source)
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace: dict[str, object] = {"models": models, **names}
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - the test's own code
    return namespace


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
