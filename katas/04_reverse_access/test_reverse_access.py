"""Tests for kata 04. Don't edit this file: edit models.py and queries.py until these pass."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from types import ModuleType

import pytest
from django.apps import apps
from django.core import checks
from hypothesis import given
from hypothesis import strategies as st

from katalib.base.seed import words
from katalib.core.answers import as_int, as_list
from katalib.core.testcase import KataHypothesisTestCase

pytestmark = pytest.mark.django_db


@pytest.fixture
def queries(kata_module: Callable[[str], ModuleType]) -> ModuleType:
    return kata_module("queries")


# --- Task 1: two ForeignKeys to one model ------------------------------------------------------


@pytest.mark.task(1)
def test_the_models_pass_djangos_checks(kata_models: ModuleType) -> None:
    """Django's system checks find no reverse-accessor clash (fields.E304) in the models."""
    found = checks.run_checks(app_configs=[apps.get_app_config("k04_reverse_access")])
    errors = [f"{e.id}: {e.obj}: {e.msg}" for e in found if e.level >= checks.ERROR]
    # Every relation has a reverse name of its own.
    assert errors == [], f"Django's system checks report {errors}; expected none."


@pytest.mark.task(1)
def test_written_and_edited_articles_are_two_managers(kata_models: ModuleType) -> None:
    """person.written_articles follows Article.writer; person.edited_articles Article.editor."""
    Person, Article = kata_models.Person, kata_models.Article
    ann = Person.objects.create(name=words("Ann"))
    bob = Person.objects.create(name=words("Bob"))
    Article.objects.create(title=words("Apples"), writer=ann, editor=bob)
    Article.objects.create(title=words("Bananas"), writer=ann)
    Article.objects.create(title=words("Cherries"), writer=bob, editor=ann)

    for name in ("written_articles", "edited_articles"):
        # Each ForeignKey to Person has its own reverse manager, named by its related_name.
        assert hasattr(ann, name), (
            f"person.{name} does not exist. Which argument of the ForeignKey names the "
            "reverse manager on Person?"
        )
    got = {
        person.name: (
            [a.title for a in person.written_articles.order_by("title")],
            [a.title for a in person.edited_articles.order_by("title")],
        )
        for person in (ann, bob)
    }
    # Ann wrote Apples and Bananas and edited Cherries; Bob wrote Cherries and edited Apples.
    expected = words(
        {"Ann": (["Apples", "Bananas"], ["Cherries"]), "Bob": (["Cherries"], ["Apples"])}
    )
    assert got == expected, (
        f"(written_articles, edited_articles) per person are {got}; expected Ann to have "
        "written Apples and Bananas and edited Cherries, Bob to have written Cherries and "
        "edited Apples. Does each related_name sit on the right ForeignKey?"
    )
    # The names come from the declarations, not from properties added to Person.
    for field, name in (("writer", "written_articles"), ("editor", "edited_articles")):
        declared = Article._meta.get_field(field).remote_field.related_name
        assert declared == name, (
            f"Article.{field} is declared with related_name={declared!r}; "
            f"expected related_name={name!r}."
        )


# --- Task 2: count through <model>_set ---------------------------------------------------------


@pytest.mark.task(2)
def test_post_count_is_one_count_query(
    kata_models: ModuleType, queries: ModuleType, django_assert_num_queries
) -> None:
    """post_count(author) asks the database for a COUNT: one query, no rows fetched."""
    Author, Post = kata_models.Author, kata_models.Post
    alice = Author.objects.create(name=words("Alice"))
    bob = Author.objects.create(name=words("Bob"))
    namesake = Author.objects.create(name=words("Alice"))  # another author with the same name
    posts = [("Hello", alice), ("World", alice), ("Spam", alice), ("Nope", bob)]
    for title, author in words([*posts, ("Hi", namesake)]):
        Post.objects.create(title=title, author=author)

    with django_assert_num_queries(1) as captured:
        got = queries.post_count(alice)
    got = as_int(got, call="post_count(<Author: Alice>)", expected="3")
    # Only this Alice's posts are counted (not Bob's, not the other Alice's)...
    assert got == 3, (
        f"post_count(<Author: Alice>) returned {got!r}; expected 3 (her own posts; another "
        "author, also called Alice, wrote one more)."
    )
    # ...by the database itself, not by loading every post into Python and taking len().
    sql = captured.captured_queries[0]["sql"]
    counted_by_the_database = "COUNT(" in sql.upper()
    assert counted_by_the_database, (
        f"post_count ran `{sql}`, which fetches the rows; expected a SELECT COUNT(*). "
        "A reverse manager can count without loading the posts."
    )


@pytest.mark.task(2)
def test_post_count_of_an_author_without_posts_is_zero(
    kata_models: ModuleType, queries: ModuleType
) -> None:
    """An author with no posts has a count of 0, not an error."""
    carol = kata_models.Author.objects.create(name=words("Carol"))
    got = as_int(queries.post_count(carol), call="post_count(<Author: Carol>)", expected="0")
    # The reverse manager of an author without posts is empty, not missing.
    assert got == 0, f"post_count(<Author: Carol>) returned {got!r}; expected 0."


class TestPostCountMatchesEveryAuthor(KataHypothesisTestCase):
    """post_count agrees with a plain-Python count for any set of authors and posts."""

    def setUp(self) -> None:
        self.models = self.kata_models()
        self.queries = self.kata_module("queries")

    @pytest.mark.task(2)
    @given(
        n_authors=st.integers(min_value=1, max_value=4),
        owners=st.lists(st.integers(min_value=0, max_value=3), max_size=10),
    )
    def test_counts(self, n_authors: int, owners: list[int]) -> None:
        """Each author's post_count is the number of posts that point at that author."""
        Author, Post = self.models.Author, self.models.Post
        # Names repeat (a0, a1, a0, a1): an author is a row, not a name.
        authors = [Author.objects.create(name=words(f"a{i % 2}")) for i in range(n_authors)]
        owners = [i % n_authors for i in owners]
        for n, i in enumerate(owners):
            Post.objects.create(title=words(f"p{n}"), author=authors[i])
        expected = Counter(owners)
        for i, author in enumerate(authors):
            with self.assertNumQueries(1):
                got = self.queries.post_count(author)
            got = as_int(got, call=f"post_count(<Author: a{i % 2}>)", expected=str(expected[i]))
            # Each author counts exactly the posts that point at them.
            assert got == expected[i], (
                f"post_count(<Author: a{i % 2}>) of author #{i} returned {got}; expected "
                f"{expected[i]} (post owners by author index: {owners}; authors #{i} and "
                f"#{i ^ 1} may share a name, and each counts only their own posts)."
            )


# --- Task 3: a manager is not a list -----------------------------------------------------------


@pytest.mark.task(3)
def test_post_titles_lists_the_authors_posts(kata_models: ModuleType, queries: ModuleType) -> None:
    """post_titles(author) lists only that author's posts, alphabetically, one title a post."""
    Author, Post = kata_models.Author, kata_models.Post
    alice = Author.objects.create(name=words("Alice"))
    bob = Author.objects.create(name=words("Bob"))
    namesake = Author.objects.create(name=words("Alice"))  # another author with the same name
    posts = [("World", alice), ("Nope", bob), ("Hello", alice), ("Hello", alice), ("Hi", namesake)]
    for title, author in words(posts):
        Post.objects.create(title=title, author=author)

    call = "post_titles(<Author: Alice>)"
    hers = words(["Hello", "Hello", "World"])
    expected = repr(hers)
    got = as_list(queries.post_titles(alice), of=str, call=call, expected=expected)
    # Bob's post and the other Alice's are not hers; her two posts called Hello are two
    # titles; the titles come back sorted, as a list.
    assert got == hers, (
        f"{call} returned {got!r}; expected {expected}: "
        "her three posts (two of them are called Hello), not those of the other author who is "
        "also called Alice."
    )
    # An author without posts gets an empty list, not an error.
    carol = Author.objects.create(name=words("Carol"))
    call = "post_titles(<Author: Carol>)"
    got = as_list(queries.post_titles(carol), of=str, call=call, expected="[]")
    assert got == [], f"{call} returned {got!r}; expected []."


# --- Task 4: related_name replaces <model>_set -------------------------------------------------


@pytest.mark.task(4)
def test_comment_texts_lists_the_posts_comments(
    kata_models: ModuleType, queries: ModuleType
) -> None:
    """comment_texts(post) lists only that post's comments, alphabetically."""
    Author, Post, Comment = kata_models.Author, kata_models.Post, kata_models.Comment
    alice = Author.objects.create(name=words("Alice"))
    hello = Post.objects.create(title=words("Hello"), author=alice)
    world = Post.objects.create(title=words("World"), author=alice)
    namesake = Post.objects.create(title=words("Hello"), author=alice)  # another post, same title
    comments = [("Thanks", hello), ("Meh", world), ("Great!", hello), ("Thanks", hello)]
    for text, post in words([*comments, ("Spam", namesake)]):
        Comment.objects.create(text=text, post=post)

    call = "comment_texts(<Post: Hello>)"
    its_texts = words(["Great!", "Thanks", "Thanks"])
    expected = repr(its_texts)
    got = as_list(queries.comment_texts(hello), of=str, call=call, expected=expected)
    # The other posts' comments are left out (one of them is also called Hello); two
    # comments that say Thanks are two texts; the texts come back sorted.
    assert got == its_texts, (
        f"comment_texts(<Post: Hello>) returned {got!r}; expected ['Great!', 'Thanks', "
        "'Thanks']: its three comments (two of them say Thanks), not those of the other post "
        "called Hello."
    )
    # A post without comments gets an empty list.
    quiet = Post.objects.create(title=words("Quiet"), author=alice)
    call = "comment_texts(<Post: Quiet>)"
    got = as_list(queries.comment_texts(quiet), of=str, call=call, expected="[]")
    assert got == [], f"{call} returned {got!r}; expected []."
