"""Tests for kata 10. Don't edit this file: edit queries.py until these pass."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from django.db.models.signals import post_init

from katalib.base.seed import words
from katalib.core.answers import as_list
from katalib.teach.sql import capture_queries, expect_at_most, expect_same_count

pytestmark = pytest.mark.django_db

# Sizes of the blog the query counts are compared at: this many authors with 1 or 2 posts
# each, plus Zoe, who has none. Size 1: 1 post, 2 authors; size 5: 7 posts, 6 authors;
# size 20: 30 posts, 21 authors (as the README says). The same function must make the same
# number of queries at each.
SIZES = [1, 5, 20]
# The budgets stated in the README.
BUDGET = {
    "post_bylines": 2,
    "post_cards": 3,
    "author_post_titles": 2,
    "authors_with_published_posts": 2,
}

NAMES = ["Ada", "Ben", "Cleo", "Dan", "Eve", "Finn", "Gus", "Hana", "Ivan", "Jade"]
NAMES += ["Kai", "Lena", "Milo", "Nora", "Omar", "Pia", "Quinn", "Rosa", "Sami", "Theo"]
WORDS = ["Queries", "Models", "Joins", "Admin", "Views", "Forms", "Zen", "Tests", "Caching"]
TAG_SETS = [[], ["sql"], ["django", "orm"], ["orm", "python", "sql"]]
# This run's spelling of the data (katalib.base.seed); a learner's run keeps it as written.
NAMES, WORDS, TAG_SETS = words(NAMES), words(WORDS), words(TAG_SETS)


@pytest.fixture
def queries(kata_module: Callable[[str], ModuleType]) -> ModuleType:
    return kata_module("queries")


class Blog:
    """Builds a blog in the database and remembers it as plain data (the expected answers).

    Author number k writes 1 or 2 posts with 0 to 3 tags; some posts are unpublished and
    some authors have only unpublished posts, others two published posts saved in an order
    that is not their titles'. "Zoe" never writes anything.
    """

    def __init__(self, models: ModuleType) -> None:
        self.models = models
        names = words(["sql", "python", "django", "orm"])
        created = models.Tag.objects.bulk_create(models.Tag(name=name) for name in names)
        self.tags = dict(zip(names, created, strict=True))
        zoe = words("Zoe")
        self.authors: dict[str, list[tuple[str, bool, list[str]]]] = {zoe: []}
        self.size = 0
        models.Author.objects.create(name=zoe)

    def grow(self, size: int) -> None:
        """Add authors (with their posts) until there are ``size`` of them, besides Zoe.

        Three bulk inserts, whatever the size: the rows one create() per row would give."""
        Author, Post = self.models.Author, self.models.Post
        new = list(reversed(range(self.size, size)))  # newest rows sort first: ids != order
        authors = Author.objects.bulk_create(Author(name=NAMES[k]) for k in new)
        rows = []
        for k, author in zip(new, authors, strict=True):
            self.authors[author.name] = []
            for j in range(1 + k % 2):
                title = f"{WORDS[(5 * k + 3 * j) % len(WORDS)]} {k:02d}{j}"
                # Authors 3, 7, 15 and 19 publish both posts (saved in an order that is
                # not the titles': author 3's "Zen 030" before "Queries 031").
                published = (j == 0 and k % 3 != 2) or (j == 1 and k % 4 == 3)
                tags = TAG_SETS[(k + j) % len(TAG_SETS)]
                rows.append((author, title, published, tags))
                self.authors[author.name].append((title, published, sorted(tags)))
        posts = Post.objects.bulk_create(
            Post(title=title, author=author, published=published)
            for author, title, published, _ in rows
        )
        Link = Post.tags.through
        Link.objects.bulk_create(
            Link(post=post, tag=self.tags[name])
            for post, (_, _, _, tags) in zip(posts, rows, strict=True)
            for name in tags
        )
        self.size = max(self.size, size)

    @property
    def post_count(self) -> int:
        return sum(len(posts) for posts in self.authors.values())

    def describe(self) -> str:
        """The blog's size in words, counted as the README does (Zoe is one of the authors)."""
        posts = self.post_count
        return f"{posts} {'post' if posts == 1 else 'posts'} and {len(self.authors)} authors"

    # The expected answers, computed in plain Python from the data above.
    def posts(self) -> list[tuple[str, str, bool, list[str]]]:
        rows = [(t, name, pub, tags) for name, ps in self.authors.items() for t, pub, tags in ps]
        return sorted(rows)

    def post_bylines(self) -> list[tuple[str, str]]:
        return [(title, name) for title, name, _, _ in self.posts()]

    def post_cards(self) -> list[tuple[str, str, list[str]]]:
        return [(title, name, tags) for title, name, _, tags in self.posts()]

    def author_post_titles(self) -> list[tuple[str, list[str]]]:
        return [(name, sorted(t for t, _, _ in ps)) for name, ps in sorted(self.authors.items())]

    def authors_with_published_posts(self) -> list[tuple[str, list[str]]]:
        return [
            (name, sorted(t for t, pub, _ in ps if pub))
            for name, ps in sorted(self.authors.items())
        ]


# What each function's rows are, for the message when they are not a list of tuples.
ROWS = {
    "post_bylines": "(title, author name) pairs sorted by title",
    "post_cards": "(title, author name, tag names A-Z) for every post",
    "author_post_titles": "(name, titles A-Z) for every author",
}


def as_rows(got: Any, name: str) -> list[tuple[Any, ...]]:
    """A function's rows as plain data: a list (not a QuerySet) of tuples."""
    return as_list(got, of=tuple, call=f"{name}()", expected=ROWS[name])


def published_shape(authors: Any) -> list[tuple[str, list[str]]]:
    """authors_with_published_posts() as plain data: (name, published titles)."""
    return [(a.name, [p.title for p in a.published_posts]) for a in authors]


# How each function's result is turned into plain data. This runs inside the query count,
# so anything the function leaves for later (a lazy queryset, a lazy attribute) is counted.
SHAPES: dict[str, Callable[[Any], Any]] = {
    "post_bylines": lambda got: [tuple(row) for row in as_rows(got, "post_bylines")],
    "post_cards": lambda got: [(t, a, list(tags)) for t, a, tags in as_rows(got, "post_cards")],
    "author_post_titles": lambda got: [
        (name, list(titles)) for name, titles in as_rows(got, "author_post_titles")
    ],
    "authors_with_published_posts": published_shape,
}


def first_difference(got: list[Any], expected: list[Any]) -> str:
    for index, (g, e) in enumerate(zip(got, expected, strict=False)):
        if g != e:
            return f"item {index} is {g!r}; expected {e!r}."
    return f"{len(got)} items; expected {len(expected)}."


def check_fixed_query_count(name: str, size: int, models: ModuleType, queries: ModuleType) -> None:
    """Same answer as the oracle and the same number of queries for 1 author as for `size`.

    A failure shows the SQL that ran (the query repeated once per row marked with >>), and the
    explanation below it says which relation that query follows and how to fetch it up front.
    """
    shape, function = SHAPES[name], getattr(queries, name)
    blog = Blog(models)
    blog.grow(1)
    smallest = f"the blog of size 1 ({blog.describe()})"
    with capture_queries() as small:
        got_small = shape(function())
    # With 1 author (and 1 post) the answer is already right.
    assert got_small == getattr(blog, name)(), (
        f"{name}() returned {got_small!r} for {smallest}; expected {getattr(blog, name)()!r}."
    )

    blog.grow(size)
    bigger = f"the blog of size {size} ({blog.describe()})"
    with capture_queries() as big:
        got = shape(function())
    # The bigger blog costs exactly as many queries as the small one.
    expect_same_count(small, big, call=f"{name}()", small_what=smallest, big_what=bigger)
    expected = getattr(blog, name)()
    assert got == expected, (
        f"{name}() returned the wrong data for {bigger}: {first_difference(got, expected)}"
    )
    # A fixed number of queries, and within the budget the README gives.
    expect_at_most(small, BUDGET[name], call=f"{name}()", what=smallest)


def small_blog(models: ModuleType) -> None:
    """The blog of the README's examples."""
    Author, Post, Tag = models.Author, models.Post, models.Tag
    alice, bob, _ = (Author.objects.create(name=name) for name in words(["Alice", "Bob", "Carol"]))
    tags = {
        name: Tag.objects.create(name=words(name)) for name in ["python", "sql", "orm", "django"]
    }
    zen = Post.objects.create(title=words("Zen of Django"), author=alice, published=True)
    zen.tags.set([tags["python"], tags["django"]])
    joins = Post.objects.create(title=words("Joins explained"), author=bob, published=True)
    joins.tags.set([tags["sql"], tags["orm"]])
    Post.objects.create(title=words("Admin tricks"), author=alice, published=False)


@pytest.mark.task(1)
def test_post_bylines(kata_models: ModuleType, queries: ModuleType) -> None:
    """post_bylines() lists every post with its author's name, ordered by title."""
    small_blog(kata_models)
    got = queries.post_bylines()
    # One (title, author name) pair per post, sorted by title.
    assert [tuple(row) for row in as_rows(got, "post_bylines")] == words(
        [("Admin tricks", "Alice"), ("Joins explained", "Bob"), ("Zen of Django", "Alice")]
    ), f"post_bylines() returned {got!r}; expected (title, author name) pairs sorted by title."


@pytest.mark.task(1)
@pytest.mark.parametrize("size", SIZES)
def test_post_bylines_query_count(size: int, kata_models: ModuleType, queries: ModuleType) -> None:
    """post_bylines() makes the same number of queries (at most 2) for any number of posts."""
    check_fixed_query_count("post_bylines", size, kata_models, queries)


@pytest.mark.task(2)
def test_post_cards(kata_models: ModuleType, queries: ModuleType) -> None:
    """post_cards() adds each post's tag names, alphabetically; a post without tags has []."""
    small_blog(kata_models)
    got = queries.post_cards()
    # Title, author name and the sorted tag names of every post, sorted by title.
    assert [(t, a, list(tags)) for t, a, tags in as_rows(got, "post_cards")] == words(
        [
            ("Admin tricks", "Alice", []),
            ("Joins explained", "Bob", ["orm", "sql"]),
            ("Zen of Django", "Alice", ["django", "python"]),
        ]
    ), f"post_cards() returned {got!r}; expected (title, author name, tag names A-Z)."


@pytest.mark.task(2)
@pytest.mark.parametrize("size", SIZES)
def test_post_cards_query_count(size: int, kata_models: ModuleType, queries: ModuleType) -> None:
    """post_cards() makes the same number of queries (at most 3) for any number of posts."""
    check_fixed_query_count("post_cards", size, kata_models, queries)


@pytest.mark.task(3)
def test_author_post_titles(kata_models: ModuleType, queries: ModuleType) -> None:
    """author_post_titles() lists every author with their post titles; Carol has none."""
    small_blog(kata_models)
    got = queries.author_post_titles()
    # Every author, sorted by name, with their titles sorted; an empty list for Carol.
    assert [(name, list(titles)) for name, titles in as_rows(got, "author_post_titles")] == words(
        [
            ("Alice", ["Admin tricks", "Zen of Django"]),
            ("Bob", ["Joins explained"]),
            ("Carol", []),
        ]
    ), f"author_post_titles() returned {got!r}; expected (name, titles A-Z) for every author."


@pytest.mark.task(3)
@pytest.mark.parametrize("size", SIZES)
def test_author_post_titles_query_count(
    size: int, kata_models: ModuleType, queries: ModuleType
) -> None:
    """author_post_titles() makes the same number of queries (at most 2) for any number of authors."""
    check_fixed_query_count("author_post_titles", size, kata_models, queries)


@pytest.mark.task(4)
def test_authors_with_published_posts(kata_models: ModuleType, queries: ModuleType) -> None:
    """Each author carries a published_posts list with only their published posts."""
    small_blog(kata_models)
    got = published_shape(queries.authors_with_published_posts())
    # "Admin tricks" is unpublished, so Alice has only "Zen of Django"; Carol has nothing.
    assert got == words(
        [("Alice", ["Zen of Django"]), ("Bob", ["Joins explained"]), ("Carol", [])]
    ), (
        f"authors_with_published_posts() gave {got!r} as (name, published_posts titles); "
        "expected every author by name (Carol too, with []), each with only their published "
        "posts, sorted by title."
    )


@pytest.mark.task(4)
@pytest.mark.parametrize("size", SIZES)
def test_authors_with_published_posts_query_count(
    size: int, kata_models: ModuleType, queries: ModuleType
) -> None:
    """authors_with_published_posts() makes the same number of queries (at most 2) at any size."""
    check_fixed_query_count("authors_with_published_posts", size, kata_models, queries)


@pytest.mark.task(4)
def test_unpublished_posts_stay_in_the_database(
    kata_models: ModuleType, queries: ModuleType
) -> None:
    """The published filter runs in the database: no unpublished Post object is ever built."""
    Post = kata_models.Post
    blog = Blog(kata_models)
    blog.grow(6)
    loaded: list[Any] = []

    def remember(sender: type, instance: Any, **kwargs: Any) -> None:
        loaded.append(instance)

    post_init.connect(remember, sender=Post)
    try:
        got = published_shape(queries.authors_with_published_posts())
    finally:
        post_init.disconnect(remember, sender=Post)
    # The answer is right...
    assert got == blog.authors_with_published_posts(), (
        f"authors_with_published_posts() gave {got!r}; expected "
        f"{blog.authors_with_published_posts()!r}."
    )
    # ...and the unpublished posts were never fetched (filtering in Python fetches them all).
    unpublished = sorted(p.title for p in loaded if p.__dict__.get("published") is False)
    assert unpublished == [], (
        f"authors_with_published_posts() loaded unpublished posts {unpublished} and threw "
        "them away in Python. Let the database filter: Prefetch('posts', "
        "queryset=Post.objects.filter(...), to_attr=...)."
    )
