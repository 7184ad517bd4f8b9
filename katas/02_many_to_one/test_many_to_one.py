"""Tests for kata 02. Don't edit this file: edit models.py and queries.py until these pass."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import pytest
from django.db import connection, models

from katalib.base.seed import words
from katalib.core.answers import as_list, as_str

pytestmark = pytest.mark.django_db

# The test data: a grading run redraws these names and titles (katalib.base.seed), a learner's run
# reads them as written.
AARON, ALICE, BOB, CAROL, DE_VRIES = words(["Aaron", "Alice", "Bob", "Carol", "de Vries"])
BYE, DAG, HELLO, HI, NOPE, WORLD = words(["Bye", "Dag", "Hello", "Hi", "Nope", "World"])


@pytest.fixture
def queries(kata_module: Callable[[str], ModuleType]) -> ModuleType:
    return kata_module("queries")


@pytest.mark.task(1)
def test_post_has_a_foreign_key_to_author(kata_models: ModuleType) -> None:
    """Post.author is a ForeignKey to Author: many posts, one author."""
    field = kata_models.Post._meta.get_field("author")
    # The declaration itself is the concept here, so the model's _meta is inspected.
    assert type(field) is models.ForeignKey, (
        f"Post.author is a {type(field).__name__}; expected a ForeignKey."
    )
    assert field.related_model is kata_models.Author, (
        f"Post.author points at {field.related_model.__name__}; expected Author."
    )


@pytest.mark.task(1)
def test_deleting_an_author_deletes_their_posts(kata_models: ModuleType) -> None:
    """on_delete=CASCADE: an author's posts go with the author, other posts stay."""
    Author, Post = kata_models.Author, kata_models.Post
    alice = Author.objects.create(name=ALICE)
    bob = Author.objects.create(name=BOB)
    Post.objects.create(title=HELLO, author=alice)
    Post.objects.create(title=BYE, author=bob)

    alice.delete()

    titles = list(Post.objects.values_list("title", flat=True))
    # Alice's post went with her; Bob's post is untouched.
    assert titles == [BYE], (
        f"After alice.delete(), Post.objects holds {titles}; expected {[BYE]}. "
        "Which on_delete rule deletes the dependent posts?"
    )
    # The option itself, read from the declaration: a signal that deletes the posts is not it.
    on_delete = Post._meta.get_field("author").remote_field.on_delete
    assert on_delete is models.CASCADE, (
        f"Post.author is declared with on_delete={getattr(on_delete, '__name__', on_delete)}; "
        "expected on_delete=models.CASCADE."
    )


@pytest.mark.task(1)
def test_the_column_lives_on_the_post_table(kata_models: ModuleType) -> None:
    """The ForeignKey's column, author_id, is on the table of the model that declares it."""
    Author, Post = kata_models.Author, kata_models.Post
    with connection.cursor() as cursor:
        post_columns = {
            c.name
            for c in connection.introspection.get_table_description(cursor, Post._meta.db_table)
        }
        author_columns = {
            c.name
            for c in connection.introspection.get_table_description(cursor, Author._meta.db_table)
        }
    # Post's table stores which author each post belongs to...
    assert "author_id" in post_columns, f"{Post._meta.db_table} has columns {sorted(post_columns)}"
    # ...and Author's table knows nothing about posts.
    assert author_columns == {"id", "name"}, (
        f"{Author._meta.db_table} has columns {sorted(author_columns)}; expected only id and name."
    )


@pytest.mark.task(2)
def test_related_name_is_posts(kata_models: ModuleType) -> None:
    """author.posts is the reverse manager (related_name='posts')."""
    Author, Post = kata_models.Author, kata_models.Post
    alice = Author.objects.create(name=ALICE)
    post = Post.objects.create(title=HELLO, author=alice)
    # The reverse side is a manager; .all() asks it for the rows.
    assert hasattr(alice, "posts"), (
        "alice.posts does not exist. Set related_name='posts' on Post.author."
    )
    assert list(alice.posts.all()) == [post], (
        f"alice.posts.all() returned {list(alice.posts.all())}; expected [{post}]."
    )
    # The name comes from the declaration, not from a property added to Author.
    related_name = Post._meta.get_field("author").remote_field.related_name
    assert related_name == "posts", (
        f"Post.author is declared with related_name={related_name!r}; expected related_name='posts'."
    )


@pytest.mark.task(3)
def test_forward_access(kata_models: ModuleType, queries: ModuleType) -> None:
    """author_name(post) follows the ForeignKey forward: post.author.name."""
    Author, Post = kata_models.Author, kata_models.Post
    Author.objects.create(name=AARON)  # an author without posts, first by name
    alice, bob = Author.objects.create(name=ALICE), Author.objects.create(name=BOB)
    post = Post.objects.create(title=HELLO, author=alice)
    call = f"author_name(<Post: {HELLO}>)"
    got = as_str(queries.author_name(post), call=call, expected=repr(ALICE))
    # The forward side is a single Author object: this post's author, not any author.
    assert got == ALICE, f"{call} returned {got!r}; expected {ALICE!r}."
    call = f"author_name(<Post: {BYE}>)"
    got = as_str(
        queries.author_name(Post.objects.create(title=BYE, author=bob)),
        call=call,
        expected=repr(BOB),
    )
    assert got == BOB, f"{call} returned {got!r}; expected {BOB!r}."
    # The name as it is stored: no change of case.
    de_vries = Author.objects.create(name=DE_VRIES)
    call = f"author_name(<Post: {DAG}>)"
    got = as_str(
        queries.author_name(Post.objects.create(title=DAG, author=de_vries)),
        call=call,
        expected=repr(DE_VRIES),
    )
    assert got == DE_VRIES, (
        f"{call} returned {got!r}; expected {DE_VRIES!r}: the name as stored, its case unchanged."
    )


@pytest.mark.task(4)
def test_reverse_access(kata_models: ModuleType, queries: ModuleType) -> None:
    """post_titles(author) lists only that author's posts, alphabetically, one title a post."""
    Author, Post = kata_models.Author, kata_models.Post
    alice = Author.objects.create(name=ALICE)
    bob = Author.objects.create(name=BOB)
    namesake = Author.objects.create(name=ALICE)  # another author with the same name
    posts = [(WORLD, alice), (NOPE, bob), (HELLO, alice), (HELLO, alice), (HI, namesake)]
    for title, author in posts:
        Post.objects.create(title=title, author=author)

    call = f"post_titles(<Author: {ALICE}>)"
    titles = [HELLO, HELLO, WORLD]
    got = as_list(queries.post_titles(alice), of=str, call=call, expected=str(titles))
    # Bob's post and the other Alice's are not hers; her two posts called Hello are two
    # titles; the titles come back sorted.
    assert got == titles, (
        f"{call} returned {got!r}; expected {titles}: "
        f"her three posts (two of them are called {HELLO}), not those of the other author who "
        f"is also called {ALICE}."
    )
    # An author without posts gets an empty list, not an error.
    carol = Author.objects.create(name=CAROL)
    call = f"post_titles(<Author: {CAROL}>)"
    got = as_list(queries.post_titles(carol), of=str, call=call, expected="[]")
    assert got == [], f"{call} returned {got!r}; expected []."
