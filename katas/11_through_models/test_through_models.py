"""Tests for kata 11. Don't edit this file: edit models.py and queries.py until these pass."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta, timezone
from types import ModuleType

import pytest
from django.db import IntegrityError, transaction

from katalib.base.seed import words
from katalib.core.answers import as_list
from katalib.teach.sql import capture_queries, expect_at_most, expect_same_count

pytestmark = pytest.mark.django_db

NOON = datetime(2025, 1, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def queries(kata_module: Callable[[str], ModuleType]) -> ModuleType:
    return kata_module("queries")


def names(rows: Iterable[object]) -> list[str]:
    return [str(row) for row in rows]


def goes_through(models: ModuleType) -> str:
    """What a message can say about Post.tags: why links may not be Tagging rows."""
    through = models.Post._meta.get_field("tags").remote_field.through
    if through is models.Tagging:
        return ""
    return (
        " Post.tags still keeps its links in Django's hidden join table "
        f"({through._meta.db_table}): tell the ManyToManyField to go through Tagging."
    )


def unique_pairs(models: ModuleType) -> list[set[str]]:
    """The sets of Tagging fields declared unique together (constraints or unique_together)."""
    meta = models.Tagging._meta
    declared = [*meta.unique_together, *(c.fields for c in meta.total_unique_constraints)]
    return [{meta.get_field(name).name for name in fields} for fields in declared]


def as_links(value: object, call: str, expected: str) -> list[tuple[str, str, str | None]]:
    """latest_taggings()'s answer as plain data: a list of (str, str, str or None) tuples."""
    links = [tuple(link) for link in as_list(value, of=tuple, call=call, expected=expected)]
    plain = all(
        len(link) == 3
        and type(link[0]) is str
        and type(link[1]) is str
        and (link[2] is None or type(link[2]) is str)
        for link in links
    )
    assert plain, (
        f"{call} returned {value!r}; expected {expected}: each link a tuple of two str and a "
        "str or None."
    )
    return links  # type: ignore[return-value]


def unique_link_columns(models: ModuleType) -> list[str]:
    """The ForeignKeys of Tagging that are unique on their own (unique=True)."""
    return [f.name for f in models.Tagging._meta.concrete_fields if f.is_relation and f.unique]


@pytest.mark.task(1)
def test_adding_a_tag_creates_a_tagging_row(kata_models: ModuleType) -> None:
    """post.tags.add(tag) stores the link as a Tagging row, with added_at filled in."""
    Post, Tag, Tagging = kata_models.Post, kata_models.Tag, kata_models.Tagging
    hello = Post.objects.create(title=words("Hello"))
    python = Tag.objects.create(name=words("python"))

    hello.tags.add(python)

    links = list(Tagging.objects.filter(post=hello, tag=python))
    # The link made through the manager is a Tagging row...
    assert len(links) == 1, (
        f"After hello.tags.add(python), Tagging.objects.filter(post=hello, tag=python) holds "
        f"{len(links)} rows; expected 1." + goes_through(kata_models)
    )
    # ...and the link model filled in its own columns.
    assert links[0].added_at is not None, "The new Tagging row has no added_at."
    # The link model is named by the declaration (through=), not imitated by signals that
    # copy links between Django's hidden table and Tagging.
    through = Post._meta.get_field("tags").remote_field.through
    hidden = ", Django's hidden join table" if through._meta.auto_created else ""
    assert through is Tagging, (
        f"Post.tags is declared with through={through.__name__}{hidden}; "
        'expected through="Tagging": the links must be Tagging rows, not copies of them.'
    )


@pytest.mark.task(1)
def test_tagging_rows_are_the_links(kata_models: ModuleType) -> None:
    """A Tagging row created by hand shows up in post.tags and tag.posts; remove() deletes it."""
    Post, Tag, Tagging = kata_models.Post, kata_models.Tag, kata_models.Tagging
    hello = Post.objects.create(title=words("Hello"))
    zen = Post.objects.create(title=words("Zen"))
    python = Tag.objects.create(name=words("python"))
    Tagging.objects.create(post=hello, tag=python)

    # Both sides of the many-to-many read the Tagging rows.
    assert names(hello.tags.all()) == words(["python"]), (
        f"hello.tags.all() is {names(hello.tags.all())} after "
        "Tagging.objects.create(post=hello, tag=python); expected ['python']."
        + goes_through(kata_models)
    )
    assert names(python.posts.all()) == words(["Hello"]), (
        f"python.posts.all() is {names(python.posts.all())}; expected ['Hello']."
    )
    assert names(zen.tags.all()) == [], f"zen.tags.all() is {names(zen.tags.all())}; expected []."

    hello.tags.remove(python)
    # remove() deletes the Tagging row: the link and its data go together.
    assert not Tagging.objects.filter(post=hello).exists(), (
        "After hello.tags.remove(python) a Tagging row for Hello is still there; expected none."
    )


@pytest.mark.task(2)
def test_tag_post_records_the_editor(kata_models: ModuleType, queries: ModuleType) -> None:
    """tag_post(post, tag, editor) links them and stores the editor on the link."""
    Editor, Post, Tag = kata_models.Editor, kata_models.Post, kata_models.Tag
    ada = Editor.objects.create(name=words("Ada"))
    hello = Post.objects.create(title=words("Hello"))
    python = Tag.objects.create(name=words("python"))

    queries.tag_post(hello, python, ada)

    # The post has the tag...
    assert names(hello.tags.all()) == words(["python"]), (
        f"After tag_post(hello, python, ada), hello.tags.all() is {names(hello.tags.all())}; "
        "expected ['python']."
    )
    link = kata_models.Tagging.objects.get(post=hello, tag=python)
    # ...and the link remembers who made it.
    assert link.added_by == ada, (
        f"After tag_post(hello, python, ada) the Tagging row has added_by={link.added_by}; "
        "expected Ada."
        + (
            " add() only fills the extra columns you pass it (through_defaults)."
            if link.added_by is None
            else ""
        )
    )


@pytest.mark.task(2)
def test_tag_post_twice_keeps_one_link(kata_models: ModuleType, queries: ModuleType) -> None:
    """Tagging a post again with the same tag changes nothing: one link, the first editor."""
    Editor, Post, Tag = kata_models.Editor, kata_models.Post, kata_models.Tag
    ada = Editor.objects.create(name=words("Ada"))
    bob = Editor.objects.create(name=words("Bob"))
    hello = Post.objects.create(title=words("Hello"))
    python = Tag.objects.create(name=words("python"))

    queries.tag_post(hello, python, ada)
    queries.tag_post(hello, python, bob)

    links = [(t.tag.name, str(t.added_by)) for t in kata_models.Tagging.objects.all()]
    if len(links) > 1:
        why = " The second call added a second link: leave a link that exists alone."
    elif links == words([("python", "Bob")]):
        why = " The second call replaced the editor: the first one who tagged it stays."
    else:
        why = ""
    # Still one link, still Ada's.
    assert links == words([("python", "Ada")]), (
        f"After tag_post(hello, python, ada) then tag_post(hello, python, bob), the links are "
        f"{links} as (tag, editor); expected [('python', 'Ada')]." + why
    )


@pytest.mark.task(3)
def test_the_same_tag_twice_on_a_post_is_refused(kata_models: ModuleType) -> None:
    """The database refuses a second Tagging row for the same (post, tag) pair."""
    Post, Tag, Tagging = kata_models.Post, kata_models.Tag, kata_models.Tagging
    hello = Post.objects.create(title=words("Hello"))
    python = Tag.objects.create(name=words("python"))
    Tagging.objects.create(post=hello, tag=python)

    # atomic(): a failed statement inside it is rolled back and the test can go on.
    refused = False
    try:
        with transaction.atomic():
            Tagging.objects.create(post=hello, tag=python)
    except IntegrityError:
        refused = True
    # The duplicate pair raised IntegrityError and was not saved.
    assert refused, (
        "A second Tagging(post=<Hello>, tag=<python>) was saved: the post now has the same "
        "tag twice. A hand-made link table needs a unique constraint on the pair (post, tag) "
        "in Tagging.Meta."
    )
    # The first link is still there, alone.
    assert Tagging.objects.count() == 1, f"{Tagging.objects.count()} Tagging rows; expected 1."
    # The database refuses the pair because Tagging.Meta declares it unique, not because
    # save() or a signal checks first (code that skips them would still save the pair).
    assert {"post", "tag"} in unique_pairs(kata_models), (
        "Tagging.Meta declares no unique constraint on the pair (post, tag); the refusal "
        "came from code that checks before saving. Declare it: "
        'constraints = [models.UniqueConstraint(fields=["post", "tag"], name=...)].'
    )


@pytest.mark.task(3)
def test_posts_and_tags_still_link_many_to_many(kata_models: ModuleType) -> None:
    """Only the pair is unique: a post takes many tags and a tag many posts."""
    Post, Tag, Tagging = kata_models.Post, kata_models.Tag, kata_models.Tagging
    hello = Post.objects.create(title=words("Hello"))
    zen = Post.objects.create(title=words("Zen"))
    python = Tag.objects.create(name=words("python"))
    django = Tag.objects.create(name=words("django"))
    pairs = [(hello, python), (hello, django), (zen, python)]
    refused: IntegrityError | None = None
    try:
        with transaction.atomic():
            for post, tag in pairs:
                Tagging.objects.create(post=post, tag=tag)
    except IntegrityError as exc:
        refused = exc
    unique = unique_link_columns(kata_models)
    # Three different pairs are three valid links.
    assert refused is None, (
        f"Linking Hello to python and django, and Zen to python, raised IntegrityError "
        f"({refused})."
        + (
            f" Tagging.{' and Tagging.'.join(unique)} "
            f"{'has' if len(unique) == 1 else 'have'} unique=True: only the *pair* "
            "(post, tag) must be unique, not the post or the tag on its own."
            if unique
            else " Only the *pair* (post, tag) must be unique, not the post or the tag on its own."
        )
    )
    # Hello has two tags, python has two posts.
    assert names(hello.tags.all()) == words(["django", "python"]), (
        f"hello.tags.all() is {names(hello.tags.all())}; expected ['django', 'python']."
        + goes_through(kata_models)
    )
    assert names(python.posts.all()) == words(["Hello", "Zen"]), (
        f"python.posts.all() is {names(python.posts.all())}; expected ['Hello', 'Zen']."
    )


def newsroom(models: ModuleType) -> dict[str, object]:
    """Three posts, three tags, two editors (and Carol, who tags nothing), five links.

    Keyed by the public names; the rows hold this run's spelling of them."""
    Editor, Post, Tag, Tagging = models.Editor, models.Post, models.Tag, models.Tagging
    rows: dict[str, object] = {}
    for name in ["Ada", "Bob", "Carol"]:
        rows[name] = Editor.objects.create(name=words(name))
    for title in ["Zen", "Hello", "Joins"]:
        rows[title] = Post.objects.create(title=words(title))
    for name in ["python", "django", "sql"]:
        rows[name] = Tag.objects.create(name=words(name))
    # (post, tag, editor, minutes after noon), saved out of time order: the newest link is
    # not the last row saved, so "newest first" is by added_at, not by id.
    links = [
        ("Hello", "python", "Ada", 40),
        ("Zen", "python", "Ada", 0),
        ("Joins", "sql", None, 30),
        ("Hello", "django", "Bob", 10),
        ("Zen", "django", "Ada", 20),
    ]
    for post, tag, editor, minutes in links:
        Tagging.objects.create(
            post=rows[post],
            tag=rows[tag],
            added_by=rows[editor] if editor else None,
            added_at=NOON + timedelta(minutes=minutes),
        )
    return rows


@pytest.mark.task(4)
def test_latest_taggings(kata_models: ModuleType, queries: ModuleType) -> None:
    """latest_taggings(n) lists the n newest links, newest first, with who added them, in one
    query however many links it returns."""
    newsroom(kata_models)
    with capture_queries() as one:
        got_one = [tuple(row) for row in queries.latest_taggings(1)]
    with capture_queries() as five:
        got_five = [tuple(row) for row in queries.latest_taggings(5)]
    # Five links cost as many queries as one: each link's post, tag and editor come in the
    # same query (a JOIN), not one query each per link...
    expect_same_count(
        one, five, call="latest_taggings(n)", small_what="n=1 (1 link)", big_what="n=5 (5 links)"
    )
    # ...and that is one query.
    expect_at_most(one, 1, call="latest_taggings(1)")
    assert (len(got_one), len(got_five)) == (1, 5), (
        f"latest_taggings(1) returned {got_one!r} and latest_taggings(5) {got_five!r}; "
        "expected 1 and 5 links."
    )
    expected = "the two newest links as (post title, tag name, editor name or None)"
    got = as_links(queries.latest_taggings(2), "latest_taggings(2)", expected)
    # The two newest links; the sql link has no editor.
    assert got == words([("Hello", "python", "Ada"), ("Joins", "sql", None)]), (
        f"latest_taggings(2) returned {got!r}; expected the two newest links as "
        "(post title, tag name, editor name or None), newest first by added_at."
    )
    got = as_links(queries.latest_taggings(10), "latest_taggings(10)", "all five links")
    # Asking for more than there are returns all five, still newest first.
    assert got == words(
        [
            ("Hello", "python", "Ada"),
            ("Joins", "sql", None),
            ("Zen", "django", "Ada"),
            ("Hello", "django", "Bob"),
            ("Zen", "python", "Ada"),
        ]
    ), f"latest_taggings(10) returned {got!r}; expected all five links, newest first."


@pytest.mark.task(5)
def test_posts_tagged_by(kata_models: ModuleType, queries: ModuleType) -> None:
    """posts_tagged_by(editor) lists each post the editor tagged once, A-Z."""
    rows = newsroom(kata_models)
    call = "posts_tagged_by(<Editor: Ada>)"
    got = as_list(
        queries.posts_tagged_by(rows["Ada"]), of=str, call=call, expected="['Hello', 'Zen']"
    )
    repeated = sorted({title for title in got if got.count(title) > 1})
    # Ada tagged Zen twice and Hello once: each title appears once.
    assert got == words(["Hello", "Zen"]), (
        f"posts_tagged_by(<Editor: Ada>) returned {got!r}; expected ['Hello', 'Zen']."
        + (
            f" {', '.join(repeated)} comes back once per Tagging row Ada made on it: the join "
            "repeats a post for each matching link, so ask for distinct rows."
            if repeated
            else ""
        )
    )
    # Bob tagged only Hello; Carol tagged nothing.
    call = "posts_tagged_by(<Editor: Bob>)"
    got = as_list(queries.posts_tagged_by(rows["Bob"]), of=str, call=call, expected="['Hello']")
    assert got == words(["Hello"]), f"{call} returned {got!r}; expected ['Hello']."
    call = "posts_tagged_by(<Editor: Carol>)"
    got = as_list(queries.posts_tagged_by(rows["Carol"]), of=str, call=call, expected="[]")
    assert got == [], f"{call} should return []."


@pytest.mark.task(5)
def test_posts_tagged_by_lists_posts_not_titles(
    kata_models: ModuleType, queries: ModuleType
) -> None:
    """Two posts with the same title are two posts: posts_tagged_by lists that title twice."""
    models = kata_models
    Editor, Post, Tag, Tagging = models.Editor, models.Post, models.Tag, models.Tagging
    ada = Editor.objects.create(name=words("Ada"))
    python, django = (Tag.objects.create(name=name) for name in words(["python", "django"]))
    hello, other_hello, zen = (
        Post.objects.create(title=title) for title in words(["Hello", "Hello", "Zen"])
    )
    for post, tag in [(hello, python), (hello, django), (other_hello, python), (zen, python)]:
        Tagging.objects.create(post=post, tag=tag, added_by=ada, added_at=NOON)
    call = "posts_tagged_by(<Editor: Ada>)"
    expected = "['Hello', 'Hello', 'Zen']"
    got = as_list(queries.posts_tagged_by(ada), of=str, call=call, expected=expected)
    # Ada tagged two different posts called "Hello" (one of them twice) and Zen: one title
    # per post, so "Hello" twice and Zen once.
    assert got == words(["Hello", "Hello", "Zen"]), (
        f"posts_tagged_by(<Editor: Ada>) returned {got!r}; expected ['Hello', 'Hello', 'Zen']. "
        "Ada tagged two different posts that are both called 'Hello' (and one of them twice)."
        + (
            " A title is not a post: distinct() with values_list('title') is SELECT DISTINCT "
            "title, which merges the two posts. Make the posts distinct, then take their titles."
            if got.count(words("Hello")) == 1
            else ""
        )
        + (
            " A post comes back once per Tagging row Ada made on it: ask for distinct rows."
            if got.count(words("Hello")) > 2
            else ""
        )
    )
