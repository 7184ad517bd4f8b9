"""Tests for kata 08. Don't edit this file: edit models.py and queries.py until these pass."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from types import ModuleType

import pytest
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from katalib.base.seed import words
from katalib.core.answers import as_dict
from katalib.core.testcase import KataHypothesisTestCase

pytestmark = pytest.mark.django_db

# A blog as plain data: (number of authors, number of tags, posts), where each post is
# (index of its author, indexes of its tags, index of its title). Names are derived: author0,
# tag0, title0... (through words(), as all the test data here). Titles repeat on purpose: two
# posts may have the same title (post3 and post5 can both be called title1), and each still counts.
Graph = tuple[int, int, list[tuple[int, frozenset[int], int]]]


@st.composite
def blog_graphs(draw: st.DrawFn) -> Graph:
    """Small random blogs: tags nobody uses, untagged posts, shared tags, shared titles."""
    n_authors = draw(st.integers(1, 4))
    n_tags = draw(st.integers(1, 5))
    post = st.tuples(
        st.integers(0, n_authors - 1), st.frozensets(st.integers(0, n_tags - 1)), st.integers(0, 2)
    )
    return n_authors, n_tags, draw(st.lists(post, max_size=8))


def as_blog_data(graph: Graph) -> tuple[list[str], list[tuple[str, str, list[str]]]]:
    """The graph in build_blog's terms: (tag names, [(title, author name, tag names)])."""
    _, n_tags, posts = graph
    tags = [words(f"tag{i}") for i in range(n_tags)]
    return tags, [
        (words(f"title{k}"), words(f"author{a}"), [tags[t] for t in sorted(tag_ids)])
        for a, tag_ids, k in posts
    ]


def expected_counts(graph: Graph) -> dict[str, int]:
    """The oracle: count the tag indexes of every post in plain Python."""
    _, n_tags, posts = graph
    uses = Counter(t for _, tag_ids, _ in posts for t in tag_ids)
    return {words(f"tag{i}"): uses[i] for i in range(n_tags)}


def describe(graph: Graph) -> str:
    """The blog in words: the posts that carry each tag (by position and title, as titles
    repeat), and the posts without tags."""
    _, n_tags, posts = graph
    if not posts:
        tags = ", ".join(words(f"tag{i}") for i in range(n_tags))
        return f"{'the tag' if n_tags == 1 else 'the tags'} {tags} and no posts at all"
    parts = []
    named = [f"post #{n} ('{words(f'title{k}')}')" for n, (_, _, k) in enumerate(posts)]
    for i in range(n_tags):
        on = [named[n] for n, (_, tag_ids, _) in enumerate(posts) if i in tag_ids]
        tag = words(f"tag{i}")
        parts.append(f"{tag} is on {', '.join(on)}" if on else f"{tag} is on no post")
    untagged = [named[n] for n, (_, tag_ids, _) in enumerate(posts) if not tag_ids]
    if untagged:
        parts.append(f"{', '.join(untagged)} {'has' if len(untagged) == 1 else 'have'} no tag")
    return "; ".join(parts)


def not_a_dict(got: object) -> str:
    """What the answer is when it is no dict ("" for a dict): a list of pairs is named so."""
    if isinstance(got, dict):
        return ""
    try:
        rows = list(got)  # type: ignore[call-overload]
    except TypeError:
        rows = None
    kind = type(got).__name__
    if (
        rows is not None
        and rows
        and all(isinstance(r, (tuple, list)) and len(r) == 2 for r in rows)
    ):
        return (
            f"expected a dict {{tag name: count}}, not a {kind} of (name, count) pairs: "
            "turn the pairs into a dict with dict(...)"
        )
    return f"expected a dict {{tag name: count}}, not a {kind}"


def differences(got: object, expected: dict[str, int]) -> str:
    """Tag by tag, where the returned counts differ from the expected ones."""
    if not isinstance(got, dict):
        return not_a_dict(got)
    wrong = []
    for name in sorted(set(got) | set(expected), key=str):
        if name not in got:
            wrong.append(f"{name} is missing (expected {expected[name]})")
        elif name not in expected:
            wrong.append(f"{name!r} is not a tag name (counted {got[name]!r})")
        elif got[name] != expected[name]:
            wrong.append(f"{name} counted {got[name]!r}, expected {expected[name]}")
    return "; ".join(wrong)


def plain_counts(got: object, call: str) -> dict[str, int]:
    """tag_post_counts()'s answer as plain data: a dict of str to int, its types checked (a
    dict subclass such as Counter or defaultdict may compare equal without being the answer)."""
    return as_dict(got, key=str, of=int, call=call, expected="a dict {tag name: count}")


def require_tags_field(kata_models: ModuleType) -> None:
    """Fail with a pointer to task 1 while Post.tags doesn't exist yet."""
    try:
        kata_models.Post._meta.get_field("tags")
        return
    except FieldDoesNotExist:
        pass
    pytest.fail(  # outside `except`: no "during handling" noise
        "Post has no field named tags yet, so no test can link posts to tags. "
        "Do task 1 first: declare Post.tags in models.py.",
        pytrace=False,
    )


def make_blog(
    kata_models: ModuleType, tags: list[str], posts: list[tuple[str, str, list[str]]]
) -> None:
    """Create the rows with the test's own code (independent of your build_blog)."""
    require_tags_field(kata_models)
    Author, Post, Tag = kata_models.Author, kata_models.Post, kata_models.Tag
    tag_rows = {tag.name: tag for tag in Tag.objects.bulk_create(Tag(name=n) for n in tags)}
    author_names = sorted({author for _, author, _ in posts})
    author_rows = {
        a.name: a for a in Author.objects.bulk_create(Author(name=n) for n in author_names)
    }
    post_rows = Post.objects.bulk_create(
        Post(title=title, author=author_rows[author]) for title, author, _ in posts
    )
    Post.tags.through.objects.bulk_create(
        Post.tags.through(post=post, tag=tag_rows[name])
        for post, (_, _, tag_names) in zip(post_rows, posts, strict=True)
        for name in tag_names
    )


def blog_contents(kata_models: ModuleType) -> list[tuple[str, str, list[str]]]:
    """What the database holds: [(title, author name, tag names)] ordered by title."""
    posts = kata_models.Post.objects.select_related("author").prefetch_related("tags")
    return [
        (post.title, post.author.name, sorted(tag.name for tag in post.tags.all()))
        for post in posts.order_by("title")
    ]


@pytest.fixture
def queries(kata_module: Callable[[str], ModuleType]) -> ModuleType:
    return kata_module("queries")


# --- Task 1: the many-to-many field -----------------------------------------------------------


@pytest.mark.task(1)
def test_post_tags_is_a_many_to_many_to_tag(kata_models: ModuleType) -> None:
    """Post.tags is a ManyToManyField to Tag: many posts, many tags."""
    require_tags_field(kata_models)
    field = kata_models.Post._meta.get_field("tags")
    # The declaration itself is the concept here, so the model's _meta is inspected.
    assert type(field) is models.ManyToManyField, (
        f"Post.tags is a {type(field).__name__}; expected a ManyToManyField "
        "(a post has many tags AND a tag is on many posts)."
    )
    assert field.related_model is kata_models.Tag, (
        f"Post.tags points at {field.related_model.__name__}; expected Tag."
    )


@pytest.mark.task(1)
def test_tag_posts_lists_the_posts_of_a_tag(kata_models: ModuleType) -> None:
    """post.tags.add(tag) links a post to a tag; tag.posts.all() walks the link backward."""
    require_tags_field(kata_models)
    Author, Post, Tag = kata_models.Author, kata_models.Post, kata_models.Tag
    alice = Author.objects.create(name=words("Alice"))
    django, python = (Tag.objects.create(name=name) for name in words(["django", "python"]))
    hello = Post.objects.create(title=words("Hello"), author=alice)
    again = Post.objects.create(title=words("Again"), author=alice)
    hello.tags.add(django, python)
    again.tags.add(django)

    # The reverse side of Post.tags is a manager named by related_name.
    assert hasattr(django, "posts"), (
        "django.posts does not exist. Set related_name='posts' on Post.tags "
        "(without it the reverse manager is called tag.post_set)."
    )
    # The name comes from the declaration, not from a property added to Tag.
    related_name = kata_models.Post._meta.get_field("tags").remote_field.related_name
    assert related_name == "posts", (
        f"Post.tags is declared with related_name={related_name!r}; expected "
        "related_name='posts' (a property or method called posts on Tag is no reverse name: "
        'queries such as Count("posts") need the declared one).'
    )
    got = [str(post) for post in django.posts.order_by("title")]
    expected = words(["Again", "Hello"])
    # Both posts carry the django tag...
    assert got == expected, f"django.posts.order_by('title') gave {got}; expected {expected}."
    # ...and only Hello carries python.
    got = [str(post) for post in python.posts.all()]
    expected = words(["Hello"])
    assert got == expected, f"python.posts.all() gave {got}; expected {expected}."


# --- Task 2: build the blog -------------------------------------------------------------------


@pytest.mark.task(2)
def test_build_blog_stores_the_example(kata_models: ModuleType, queries: ModuleType) -> None:
    """build_blog creates every tag (used or not), each author once, each post with its tags."""
    require_tags_field(kata_models)
    queries.build_blog(
        tags=words(["django", "python", "news"]),
        posts=words(
            [
                ("Hello", "Alice", ["django", "python"]),
                ("Again", "Alice", ["django"]),
                ("Bye", "Bob", []),
            ]
        ),
    )
    Author, Tag = kata_models.Author, kata_models.Tag
    authors = list(Author.objects.order_by("name").values_list("name", flat=True))
    expected = words(["Alice", "Bob"])
    # Alice wrote two posts but is one Author row.
    assert authors == expected, (
        f"After build_blog(...), the authors are {authors}; expected {expected}: "
        "one row per author, shared by all their posts."
    )
    tags = list(Tag.objects.order_by("name").values_list("name", flat=True))
    expected = words(["django", "news", "python"])
    # Every tag exists, even news, which no post uses.
    assert tags == expected, (
        f"After build_blog(...), the tags are {tags}; expected {expected}: "
        "create every tag in `tags`, used or not, and each only once."
    )
    got = blog_contents(kata_models)
    # Each post has its author and exactly its own tags (Bye has none).
    assert got == words(
        [
            ("Again", "Alice", ["django"]),
            ("Bye", "Bob", []),
            ("Hello", "Alice", ["django", "python"]),
        ]
    ), f"After build_blog(...), the posts (title, author, tags) are {got}."


@pytest.mark.task(2)
def test_build_blog_keeps_posts_with_the_same_title(
    kata_models: ModuleType, queries: ModuleType
) -> None:
    """Two posts may have the same title: each (title, author, tags) is a post of its own."""
    require_tags_field(kata_models)
    posts = words(
        [
            ("Hello", "Alice", ["django"]),
            ("Hello", "Bob", ["python"]),
            ("Hello", "Alice", []),
        ]
    )
    tags = words(["django", "python"])
    queries.build_blog(tags=tags, posts=posts)
    got = sorted(blog_contents(kata_models))
    # Three posts, although they share one title.
    assert got == sorted(posts), (
        f"build_blog(tags={tags}, posts={posts}) stored the posts {got}; "
        "expected all three: a title does not identify a post."
    )


@pytest.mark.task(2)
def test_build_blog_without_posts(kata_models: ModuleType, queries: ModuleType) -> None:
    """Tags are created even when no post uses them; no posts means no authors."""
    require_tags_field(kata_models)
    given = words(["django", "news"])
    queries.build_blog(tags=given, posts=[])
    tags = list(kata_models.Tag.objects.order_by("name").values_list("name", flat=True))
    # Both tags exist although nothing uses them.
    assert tags == given, (
        f"build_blog(tags={given}, posts=[]) created the tags {tags}; expected {given}."
    )
    # Authors come from the posts only.
    assert kata_models.Author.objects.count() == 0, "build_blog(..., posts=[]) created authors."
    assert kata_models.Post.objects.count() == 0, "build_blog(..., posts=[]) created posts."


# --- Task 3: count the posts of every tag -------------------------------------------------------


@pytest.mark.task(3)
def test_tag_post_counts_example(
    kata_models: ModuleType, queries: ModuleType, django_assert_num_queries: Callable
) -> None:
    """A shared tag counts each of its posts; a tag without posts counts 0, in ONE query."""
    make_blog(
        kata_models,
        tags=words(["django", "news", "python"]),  # no post uses news
        posts=words(
            [
                ("Hello", "Alice", ["django", "python"]),
                ("Again", "Bob", ["django"]),
                ("Hello", "Bob", ["django"]),  # a second post called Hello
                ("Bye", "Bob", []),
            ]
        ),
    )

    # One query, whatever the number of tags: the database counts, not a Python loop.
    with django_assert_num_queries(
        1,
        info="tag_post_counts() must count in the database with ONE query, not one query "
        "per tag: annotate the tags with a Count over their posts.",
    ):
        got = queries.tag_post_counts()
    # Every tag is there, news with 0; the untagged post Bye counts for no tag; the two
    # posts called Hello are two posts.
    expected = words({"django": 3, "news": 0, "python": 1})
    values = list(got.values()) if isinstance(got, dict) else []
    if not isinstance(got, dict):
        hint = not_a_dict(got) + "."  # the shape first: no tag is missing from pairs
    elif words("news") not in got:
        hint = (
            "Is the unused tag news missing? Start the query from Tag so tags without posts stay."
        )
    elif None in values or any(isinstance(v, int) and v > 4 for v in values):
        hint = (
            "A count is never None and never more than the 4 posts: this adds up values "
            "(Sum gives None for no rows and totals the ids). Count the posts."
        )
    else:
        hint = "Count the posts (two of them are called Hello), not their titles or authors."
    assert got == expected, f"tag_post_counts() returned {got!r}; expected {expected}. {hint}"
    # The same answer as plain data: a dict subclass that compares equal is not it.
    assert plain_counts(got, "tag_post_counts()") == expected, (
        f"tag_post_counts() returned {got!r}."
    )


@pytest.mark.task(3)
def test_tag_post_counts_of_an_empty_blog(kata_models: ModuleType, queries: ModuleType) -> None:
    """Without tags the answer is an empty dict; tags without posts are all 0."""
    require_tags_field(kata_models)
    got = queries.tag_post_counts()
    # No tags at all: nothing to count.
    assert got == {}, (
        f"tag_post_counts() with no rows returned {got!r}; expected {{}}. {not_a_dict(got)}"
    )
    # A plain dict, even empty.
    assert plain_counts(got, "tag_post_counts()") == {}, f"tag_post_counts() returned {got!r}."
    for name in words(["django", "python"]):
        kata_models.Tag.objects.create(name=name)
    got = queries.tag_post_counts()
    expected = words({"django": 0, "python": 0})
    # Tags exist but no post uses them: each counts 0.
    assert got == expected, (
        f"tag_post_counts() with two unused tags returned {got!r}; expected {expected}."
    )
    # The same answer as plain data.
    assert plain_counts(got, "tag_post_counts()") == expected, (
        f"tag_post_counts() returned {got!r}."
    )


class TestTagPostCountsProperty(KataHypothesisTestCase):
    """tag_post_counts agrees with a plain-Python count on random blogs."""

    def setUp(self) -> None:
        require_tags_field(self.kata_models())

    @pytest.mark.task(3)
    @settings(report_multiple_bugs=False)  # one clear counterexample is enough
    @given(graph=blog_graphs())
    def test_counts_match_a_python_counter(self, graph: Graph) -> None:
        """Random blogs: every tag's count equals the Counter of the plain data, in one query."""
        tags, posts = as_blog_data(graph)
        make_blog(self.kata_models(), tags, posts)
        queries = self.kata_module("queries")

        with CaptureQueriesContext(connection) as captured:
            got = queries.tag_post_counts()
        ran = len(captured)
        # One query whatever the size of the blog.
        assert ran == 1, (
            f"tag_post_counts() ran {ran} queries for this blog: {describe(graph)}. Expected "
            "ONE query, whatever the number of tags: a query per tag means the counting "
            "happens in a Python loop. Annotate the tags with a Count over their posts."
        )
        expected = expected_counts(graph)
        # The database's counts equal the Python counts, tag by tag.
        assert got == expected, (
            f"tag_post_counts() returned {got!r}; expected {expected!r}. The blog: "
            f"{describe(graph)}. Wrong: {differences(got, expected)}."
        )
        # The same answer as plain data.
        assert plain_counts(got, "tag_post_counts()") == expected, (
            f"tag_post_counts() returned {got!r}."
        )
