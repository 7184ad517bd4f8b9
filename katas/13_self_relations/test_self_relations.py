"""Tests for kata 13. Don't edit this file: edit models.py and queries.py until these pass."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any

import pytest
from django.db import models as django_models
from hypothesis import given
from hypothesis import strategies as st

from katalib.base.seed import words
from katalib.core.answers import as_list
from katalib.core.testcase import KataHypothesisTestCase

pytestmark = pytest.mark.django_db


@pytest.fixture
def queries(kata_module: Callable[[str], ModuleType]) -> ModuleType:
    return kata_module("queries")


def names(rows: Iterable[object]) -> list[str]:
    return [str(row) for row in rows]


def authors(models: ModuleType, *names: str) -> list[Any]:
    """One author per name, with this run's spelling of the name (see katalib.base.seed)."""
    return [models.Author.objects.create(name=words(name)) for name in names]


def declared(model: Any, field: str, option: str, value: object) -> None:
    """The option as the field declares it (read from _meta), not as code imitates it."""
    remote = model._meta.get_field(field).remote_field
    found = remote.on_delete if option == "on_delete" else getattr(remote, option)
    shown = getattr(found, "__name__", None) or repr(found)
    want = f"models.{value.__name__}" if callable(value) else repr(value)
    assert found is value if callable(value) else found == value, (
        f"{model.__name__}.{field} is declared with {option}={shown}; expected {option}={want}."
    )


def fof(queries: ModuleType, author: Any, expected: str) -> list[str]:
    """followers_of_followers(author) as a plain list of names (a list is what it promises)."""
    call = f"followers_of_followers(<Author: {author.name}>)"
    return as_list(queries.followers_of_followers(author), of=str, call=call, expected=expected)


# --- Task 1: replies ----------------------------------------------------------------------------


def thread(models: ModuleType) -> dict[str, Any]:
    """Two threads: "First!" <- "Welcome" <- "Thanks", "First!" <- "Me too"; and "Other".

    Keyed by the public text; each comment's text is this run's spelling of it."""
    Comment = models.Comment
    rows = {"First!": Comment.objects.create(text=words("First!"))}
    for text, parent in [("Welcome", "First!"), ("Thanks", "Welcome"), ("Me too", "First!")]:
        rows[text] = Comment.objects.create(text=words(text), parent=rows[parent])
    rows["Other"] = Comment.objects.create(text=words("Other"))
    return rows


@pytest.mark.task(1)
def test_a_reply_points_at_its_parent(kata_models: ModuleType) -> None:
    """A reply's parent is the comment it answers; a comment that starts a thread has none."""
    rows = thread(kata_models)
    # Forward: one parent per reply...
    assert rows["Welcome"].parent == rows["First!"], (
        f"Welcome's parent is {rows['Welcome'].parent}; expected First!."
    )
    # ...and no parent at all for the first comment of a thread.
    assert rows["First!"].parent is None, f"First!'s parent is {rows['First!'].parent}."
    top = names(kata_models.Comment.objects.filter(parent=None))
    assert top == words(["First!", "Other"]), (
        f"Comment.objects.filter(parent=None) gave {top}; expected ['First!', 'Other']."
    )
    # The column allows NULL because the field says so.
    assert kata_models.Comment._meta.get_field("parent").null, (
        "Comment.parent is declared without null=True."
    )


@pytest.mark.task(1)
def test_replies_lists_the_answers(kata_models: ModuleType) -> None:
    """comment.replies.all() lists the direct answers to a comment (related_name='replies')."""
    rows = thread(kata_models)
    first = rows["First!"]
    # The reverse side of the ForeignKey to "self" is a manager named by related_name.
    assert hasattr(first, "replies"), (
        "first.replies does not exist. Name the reverse side of Comment.parent with "
        "related_name='replies'."
    )
    assert names(first.replies.all()) == words(["Welcome", "Me too"]), (
        f"First!.replies.all() is {names(first.replies.all())}; expected its direct answers "
        "['Welcome', 'Me too'] (not the answer to an answer)."
    )
    # A comment nobody answered has no replies.
    assert names(rows["Thanks"].replies.all()) == [], "Thanks.replies.all() should be empty."
    declared(kata_models.Comment, "parent", "related_name", "replies")


@pytest.mark.task(1)
def test_deleting_a_comment_deletes_its_replies(kata_models: ModuleType) -> None:
    """Deleting a comment deletes its replies, their replies, and so on; other threads stay."""
    rows = thread(kata_models)
    rows["First!"].delete()
    left = names(kata_models.Comment.objects.all())
    # The whole thread under First! went with it; Other is untouched.
    assert left == words(["Other"]), (
        f"After deleting First!, the comments left are {left}; expected ['Other']. "
        "Which on_delete rule takes the replies (and their replies) along?"
    )
    declared(kata_models.Comment, "parent", "on_delete", django_models.CASCADE)


# --- Tasks 2 and 3: following -------------------------------------------------------------------


@pytest.mark.task(2)
def test_following_is_one_way(kata_models: ModuleType) -> None:
    """alice.following.add(bob) doesn't make Bob follow Alice."""
    alice, bob = authors(kata_models, "Alice", "Bob")
    alice.following.add(bob)
    # Alice follows Bob...
    assert names(alice.following.all()) == words(["Bob"]), (
        f"alice.following.all() is {names(alice.following.all())}; expected ['Bob']."
    )
    # ...and Bob follows nobody.
    assert names(bob.following.all()) == [], (
        f"After alice.following.add(bob), bob.following.all() is "
        f"{names(bob.following.all())}; expected []. A ManyToManyField to 'self' is "
        "symmetrical unless you say otherwise: following isn't friendship."
    )
    bob.following.add(alice)
    # Following back is a second link of its own.
    assert names(bob.following.all()) == words(["Alice"]), (
        f"After bob.following.add(alice), bob.following.all() is {names(bob.following.all())}."
    )
    # One-way by declaration, not by a signal that undoes the link back.
    declared(kata_models.Author, "following", "symmetrical", False)


@pytest.mark.task(3)
def test_followers_is_the_reverse_side(kata_models: ModuleType) -> None:
    """bob.followers.all() lists who follows Bob (related_name='followers')."""
    alice, bob, carol = authors(kata_models, "Alice", "Bob", "Carol")
    alice.following.add(bob)
    carol.following.add(bob, alice)
    # The reverse side of `following` is a manager named by related_name.
    assert hasattr(bob, "followers"), (
        "bob.followers does not exist. Name the reverse side of Author.following with "
        "related_name='followers' (Django gives a one-way link to 'self' a reverse side)."
    )
    assert names(bob.followers.all()) == words(["Alice", "Carol"]), (
        f"bob.followers.all() is {names(bob.followers.all())}; expected ['Alice', 'Carol']."
    )
    assert names(alice.followers.all()) == words(["Carol"]), (
        f"alice.followers.all() is {names(alice.followers.all())}; expected ['Carol']."
    )
    # Nobody follows Carol, even though she follows two people.
    assert names(carol.followers.all()) == [], (
        f"carol.followers.all() is {names(carol.followers.all())}; expected []."
    )
    declared(kata_models.Author, "following", "related_name", "followers")


# --- Task 4: followers of followers --------------------------------------------------------------


@pytest.mark.task(4)
def test_followers_of_followers(kata_models: ModuleType, queries: ModuleType) -> None:
    """Two steps back along `following`, each author once, without the author themself."""
    # Eve joins before Carol: the order asked for is by name, not the order of joining.
    alice, bob, eve, dan, carol = authors(kata_models, "Alice", "Bob", "Eve", "Dan", "Carol")
    bob.following.add(alice)  # Alice's followers: Bob and Dan
    dan.following.add(alice)
    carol.following.add(bob, dan)  # Carol follows both of them
    eve.following.add(dan)
    alice.following.add(dan)  # Alice follows one of her own followers
    got = fof(queries, alice, "['Carol', 'Eve']")
    # Carol once (she follows two of Alice's followers), Eve, and not Alice herself.
    names = list(got)
    assert names == words(["Carol", "Eve"]), (
        f"followers_of_followers(<Author: Alice>) returned {got!r}; expected ['Carol', 'Eve']."
        + (
            " Carol follows two of Alice's followers, so the join finds her twice: each author once."
            if names.count(words("Carol")) > 1
            else ""
        )
        + (
            " Alice follows Dan, who follows her, but she is not her own follower's follower."
            if words("Alice") in names
            else ""
        )
    )
    (other_alice,) = authors(kata_models, "Alice")  # another author with the same name
    other_alice.following.add(bob)
    bob.following.add(dan)  # Bob follows Alice AND follows Dan, one of her followers
    got = fof(queries, alice, "['Alice', 'Bob', 'Carol', 'Eve']")
    # "Never the author" is this Alice, not her name; a follower can also be a follower's
    # follower.
    assert list(got) == words(["Alice", "Bob", "Carol", "Eve"]), (
        f"followers_of_followers(<Author: Alice>) returned {got!r} once another author called "
        "Alice follows Bob and Bob follows Dan; expected ['Alice', 'Bob', 'Carol', 'Eve']. "
        "The other Alice is not the author (leave out the author, not everyone with her "
        "name), and Bob follows Dan, who follows Alice, even though Bob follows Alice too."
    )
    # Bob's only follower is Carol, who has no followers.
    got = fof(queries, bob, "[]")
    assert got == [], f"followers_of_followers(<Author: Bob>) returned {got!r}; expected []."


@pytest.mark.task(4)
def test_followers_of_followers_keeps_namesakes_apart(
    kata_models: ModuleType, queries: ModuleType
) -> None:
    """Two authors called Carol are two people: each gives her name once, so "Carol" twice."""
    alice, bob, dan, carol, other_carol = authors(
        kata_models, "Alice", "Bob", "Dan", "Carol", "Carol"
    )
    bob.following.add(alice)  # Alice's followers: Bob and Dan
    dan.following.add(alice)
    carol.following.add(bob, dan)  # one Carol follows both of them: still one person
    other_carol.following.add(dan)  # another author called Carol follows Dan
    got = fof(queries, alice, "['Carol', 'Carol']")
    # One name per author: each Carol once, so the name twice.
    assert got == words(["Carol", "Carol"]), (
        f"followers_of_followers(<Author: Alice>) returned {got!r}; expected ['Carol', 'Carol']: "
        "two different authors are called Carol, and each follows one of Alice's followers."
        + (
            " Authors are people and a name is only a label: distinct() with "
            "values_list('name') is SELECT DISTINCT name, which merges the two. Make the "
            "authors distinct, then take their names."
            if got.count(words("Carol")) == 1
            else ""
        )
        + (
            " One Carol follows two of Alice's followers, so the join finds her twice: each "
            "author once."
            if got.count(words("Carol")) > 2
            else ""
        )
    )


class TestFollowersOfFollowersProperty(KataHypothesisTestCase):
    """followers_of_followers agrees with plain Python on any small follow graph."""

    def setUp(self) -> None:
        self.models = self.kata_models()
        self.queries = self.kata_module("queries")

    @pytest.mark.task(4)
    @given(
        follows=st.sets(st.tuples(st.integers(0, 4), st.integers(0, 4)), max_size=12),
        who=st.integers(0, 4),
    )
    def test_matches_python(self, follows: set[tuple[int, int]], who: int) -> None:
        """For every graph: the followers of the author's followers, once each, minus the author."""
        people = authors(self.models, *(f"a{i}" for i in range(5)))
        follows = {(x, y) for x, y in follows if x != y}  # nobody follows themself
        for x, y in follows:
            people[x].following.add(people[y])
        followers = {x for x, y in follows if y == who}
        expected = sorted({words(f"a{x}") for x, y in follows if y in followers and x != who})
        got = fof(self.queries, people[who], str(expected))
        # The same names as the Python answer, sorted, each author once (every name differs).
        assert list(got) == expected, (
            f"followers_of_followers(<Author: a{who}>) returned {got!r}; expected {expected} "
            f"(x follows y for (x, y) in {sorted(follows)})."
        )
