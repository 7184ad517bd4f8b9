"""Tests for kata 07. Don't edit this file: edit queries.py until these pass."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import ModuleType

import pytest
from django.db.models import QuerySet

from katalib.base.seed import words
from katalib.core.answers import rows
from katalib.teach.sql import capture_queries, expect_count

pytestmark = pytest.mark.django_db

# The blog every example test starts from (also the README's example data):
#   Alice  - "Hello" [django], "World" [django, python]   (two django posts)
#   Bob    - "Admin" [django], "Sleds" [python]
#   Carol  - "Recipes" [python], "Notes" (no tags)
#   Dan    - no posts
#   Eve    - "Ideas" [Django, python3]                    (tags that only look like others)
#   Malice - "Muahaha" [python]                           (her name contains "alice")
#   The tag "cobol" exists but no post carries it. Names and tags match exactly: "Django" is
#   not "django", and "python3" is not "python".
BLOG = words({
    "Malice": {"Muahaha": ["python"]},
    "Eve": {"Ideas": ["Django", "python3"]},
    "Dan": {},
    "Bob": {"Sleds": ["python"], "Admin": ["django"]},
    "Carol": {"Recipes": ["python"], "Notes": []},
    "Alice": {"World": ["django", "python"], "Hello": ["django"]},
})  # fmt: skip
EVERYONE = words(["Alice", "Bob", "Carol", "Dan", "Eve", "Malice"])
TAGS = words(["python", "cobol", "django", "Django", "python3"])
# Why a name is (or isn't) in an answer, when the data hides it. Each note is added to a
# failure message only when the answer shows that very mistake.
UNUSED = (
    "The tag 'cobol' exists, but no post carries it: a question about posts must find "
    "nothing for it. A query that looks at Tag rows only (Tag.objects.filter(name=...)) sees "
    "the tag and answers as if it were used."
)
UNKNOWN = (
    "'fortran' is not a tag at all: no post carries it, so the answer is the same as for cobol."
)
LOOKALIKE = (
    "Eve's post is tagged 'Django' and 'python3': a tag matches only by its whole name, in its "
    "case (name=...), not by a part of it or ignoring case."
)
NO_POSTS = (
    "Dan has no posts at all, so none of his posts carries the tag: he belongs in the "
    "list. A filter() across posts__ drops authors without posts; exclude() keeps them."
)


def repeated(got: list[str]) -> str:
    """The note for names that come back more than once, if any do."""
    twice = sorted({name for name in got if got.count(name) > 1})
    if not twice:
        return ""
    return (
        f" {', '.join(twice)} {'comes' if len(twice) == 1 else 'come'} back once per matching "
        "post: a JOIN across a many-valued relation gives one row per match. Ask the "
        "QuerySet for distinct rows."
    )


@pytest.fixture
def queries(kata_module: Callable[[str], ModuleType]) -> ModuleType:
    return kata_module("queries")


@pytest.fixture
def blog(kata_models: ModuleType) -> ModuleType:
    """Create BLOG (deliberately not in alphabetical order) and return the models module."""
    Author, Post, Tag = kata_models.Author, kata_models.Post, kata_models.Tag
    # Four bulk inserts: the rows and ids one create() per row would give, in a few queries.
    tags = dict(zip(TAGS, Tag.objects.bulk_create(Tag(name=name) for name in TAGS), strict=True))
    authors = Author.objects.bulk_create(Author(name=name) for name in BLOG)
    rows = [
        (author, title, tag_names)
        for author, posts in zip(authors, BLOG.values(), strict=True)
        for title, tag_names in posts.items()
    ]
    posts = Post.objects.bulk_create(Post(title=title, author=author) for author, title, _ in rows)
    Link = Post.tags.through
    Link.objects.bulk_create(
        Link(post=post, tag=tags[name])
        for post, (_, _, tag_names) in zip(posts, rows, strict=True)
        for name in tag_names
    )
    return kata_models


def names(call: str, func: Callable[..., object], *args: object, of: type) -> list[str]:
    """Call a kata function; return the str() of each row of the QuerySet it returns, in order,
    after checking that the rows are ``of`` instances (not their names, not values() dicts)."""
    error = None
    try:
        result = func(*args)
    except ValueError as exc:
        if "expected a number" not in str(exc):
            raise
        error = exc
    if error is not None:  # outside `except`: no "during handling of the above exception" noise
        failure = pytest.fail.Exception(
            f"{call} raised ValueError: {error}\nA relation compared with a value compares the "
            "related row's id with it, not one of its fields.",
            pytrace=False,
        )
        failure.kata_error = error  # the explanation below reads the line that raised it
        raise failure
    assert isinstance(result, QuerySet), (
        f"{call} returned a {type(result).__name__}; expected a QuerySet. "
        "Return the query itself (e.g. Post.objects.filter(...)), not a list made from it."
    )
    # The rows themselves: a QuerySet of titles (values_list) prints the same names.
    rows(result, of, call=call, expected=f"the {of.__name__.lower()}s themselves")
    return [str(row) for row in result]


def sql_of(captured: Iterable[str]) -> str:
    return " ".join(captured)


# --- Task 1 -------------------------------------------------------------------------------------


@pytest.mark.task(1)
def test_posts_by_author_follows_the_foreign_key(blog: ModuleType, queries: ModuleType) -> None:
    """posts_by_author(name) filters posts on their author's name: author__name."""
    got = names('posts_by_author("Alice")', queries.posts_by_author, words("Alice"), of=blog.Post)
    # Only Alice's posts, sorted by title (Post's Meta.ordering).
    assert got == words(["Hello", "World"]), (
        f'posts_by_author("Alice") returned {got}; expected ["Hello", "World"].'
    )
    got = names('posts_by_author("Bob")', queries.posts_by_author, words("Bob"), of=blog.Post)
    # The name decides, whichever author it is.
    assert got == words(["Admin", "Sleds"]), (
        f'posts_by_author("Bob") returned {got}; expected ["Admin", "Sleds"].'
    )


@pytest.mark.task(1)
@pytest.mark.parametrize("typed", ["alice", "ALICE", "Ali", "lice"])
def test_posts_by_author_matches_the_exact_name(
    blog: ModuleType, queries: ModuleType, typed: str
) -> None:
    """Exactly the name: another case, the start or the end of a name match nobody."""
    typed = words(typed)
    call = f"posts_by_author({typed!r})"
    got = names(call, queries.posts_by_author, typed, of=blog.Post)
    # Nobody is called exactly that (Alice is not "alice", and "Ali" is only part of her name).
    assert got == [], (
        f"{call} returned {got}; expected []: no author is called exactly {typed!r}. "
        "Task 1 compares the whole name, in its case (task 2 is the one that ignores case)."
    )


@pytest.mark.task(1)
def test_posts_by_author_without_posts_is_empty(blog: ModuleType, queries: ModuleType) -> None:
    """An author without posts, or a name nobody has, gives an empty QuerySet (no error)."""
    dan = names('posts_by_author("Dan")', queries.posts_by_author, words("Dan"), of=blog.Post)
    nobody = names(
        'posts_by_author("Nobody")', queries.posts_by_author, words("Nobody"), of=blog.Post
    )
    # Dan wrote nothing; nobody is called "Nobody".
    assert (dan, nobody) == ([], []), (
        f'posts_by_author("Dan") returned {dan} and posts_by_author("Nobody") {nobody}; '
        "expected [] for both."
    )


# --- Task 2 -------------------------------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.parametrize("typed", ["alice", "ALICE", "Alice", "aLiCe"])
def test_any_case_finds_the_author_whatever_the_case(
    blog: ModuleType, queries: ModuleType, typed: str
) -> None:
    """posts_by_author_any_case ignores upper/lower case, on SQLite and PostgreSQL alike."""
    typed = words(typed)
    call = f"posts_by_author_any_case({typed!r})"
    got = names(call, queries.posts_by_author_any_case, typed, of=blog.Post)
    # Alice's posts and only hers: Malice's name merely *contains* "alice".
    assert got == words(["Hello", "World"]), (
        f"{call} returned {got}; expected ['Hello', 'World'] (Alice's posts). "
        + (
            "Muahaha is Malice's: the whole name must match, not a part of it. "
            if words("Muahaha") in got
            else "A plain comparison is case-sensitive: which lookup ignores case? "
        )
    )


@pytest.mark.task(2)
@pytest.mark.parametrize("typed", ["lice", "ali", "ALI", "Alic"])
def test_any_case_matches_the_whole_name(blog: ModuleType, queries: ModuleType, typed: str) -> None:
    """A part of a name matches nobody: not its middle, its end, or its start."""
    typed = words(typed)
    call = f"posts_by_author_any_case({typed!r})"
    got = names(call, queries.posts_by_author_any_case, typed, of=blog.Post)
    # "lice" is inside Alice and Malice and "ali" starts Alice, but neither is a whole name.
    assert got == [], (
        f"{call} returned {got}; expected []. "
        "Compare the whole name (ignoring case), not a part of it."
    )


@pytest.mark.task(2)
def test_any_case_finds_a_capital_inside_a_name(blog: ModuleType, queries: ModuleType) -> None:
    """DeShawn (a capital inside the name) is found from any case: the database ignores case."""
    deshawn = blog.Author.objects.create(name=words("DeShawn"))
    blog.Post.objects.create(title=words("Poems"), author=deshawn)
    for typed in words(["deshawn", "DESHAWN", "DeShawn"]):
        call = f"posts_by_author_any_case({typed!r})"
        got = names(call, queries.posts_by_author_any_case, typed, of=blog.Post)
        # Changing the case of the argument (.capitalize() gives "Deshawn") misses him.
        assert got == words(["Poems"]), (
            f"{call} returned {got}; expected {words(['Poems'])} (the author is called "
            f"{words('DeShawn')!r}). Rewriting the name's case in Python (.capitalize(), "
            ".title(), .lower()) only finds names written that way: let the database ignore "
            "case, with a lookup made for it."
        )


# --- Task 3 -------------------------------------------------------------------------------------


@pytest.mark.task(3)
def test_authors_using_tag_goes_backward(blog: ModuleType, queries: ModuleType) -> None:
    """authors_using_tag follows author -> posts -> tags backward: posts__tags__name."""
    got = names(
        'authors_using_tag("python")', queries.authors_using_tag, words("python"), of=blog.Author
    )
    # Every author with at least one python post, once each, sorted by name.
    assert got == words(["Alice", "Bob", "Carol", "Malice"]), (
        f'authors_using_tag("python") returned {got}; expected '
        '["Alice", "Bob", "Carol", "Malice"].'
        + (" Dan has no posts, so he wrote no python post." if words("Dan") in got else "")
        + (f" {LOOKALIKE}" if words("Eve") in got else "")
        + repeated(got)
    )
    got = names(
        'authors_using_tag("cobol")', queries.authors_using_tag, words("cobol"), of=blog.Author
    )
    # No post carries cobol, so no author uses it.
    assert got == [], f'authors_using_tag("cobol") returned {got}; expected []. {UNUSED}'


@pytest.mark.task(3)
def test_authors_using_tag_lists_each_author_once(blog: ModuleType, queries: ModuleType) -> None:
    """Alice has two django posts but is listed once: the JOIN's duplicates are removed."""
    got = names(
        'authors_using_tag("django")', queries.authors_using_tag, words("django"), of=blog.Author
    )
    # Alice wrote "Hello" and "World", both tagged django; she still appears once.
    assert got == words(["Alice", "Bob"]), (
        f'authors_using_tag("django") returned {got}; expected ["Alice", "Bob"].'
        + (f" {LOOKALIKE}" if words("Eve") in got else "")
        + repeated(got)
    )


# --- Task 4 -------------------------------------------------------------------------------------


@pytest.mark.task(4)
def test_authors_without_tag(blog: ModuleType, queries: ModuleType) -> None:
    """authors_without_tag keeps the authors none of whose posts carries the tag."""
    got = names(
        'authors_without_tag("django")',
        queries.authors_without_tag,
        words("django"),
        of=blog.Author,
    )
    # Bob has a python post too, but his "Admin" is tagged django, so he is out.
    # Dan has no posts at all, so none of them is tagged django: he is in.
    notes = []
    if words("Bob") in got or words("Alice") in got:
        notes.append(
            "Alice and Bob each wrote a django post (Bob's Admin beside his python post): an "
            "author is out as soon as ANY of their posts has the tag."
        )
    if words("Dan") not in got:
        notes.append(NO_POSTS)
    if words("Eve") not in got:
        notes.append(LOOKALIKE)
    assert got == words(["Carol", "Dan", "Eve", "Malice"]), (
        f'authors_without_tag("django") returned {got}; expected '
        '["Carol", "Dan", "Eve", "Malice"].' + "".join(" " + note for note in notes) + repeated(got)
    )


@pytest.mark.task(4)
def test_authors_without_an_unused_tag_is_everyone(blog: ModuleType, queries: ModuleType) -> None:
    """Nobody uses cobol (and nobody uses a tag that doesn't exist): every author is listed."""
    for tag in words(["cobol", "fortran"]):
        call = f"authors_without_tag({tag!r})"
        got = names(call, queries.authors_without_tag, tag, of=blog.Author)
        notes = [NO_POSTS] if words("Dan") not in got else []
        if set(EVERYONE) - set(got) - {words("Dan")}:  # authors with posts went missing too
            notes.append(UNUSED if tag == words("cobol") else UNKNOWN)
        # Every author, once each, sorted by name.
        assert got == EVERYONE, (
            f"authors_without_tag({tag!r}) returned {got}; expected {EVERYONE}."
            + "".join(" " + note for note in notes)
            + repeated(got)
        )


# --- Task 5 -------------------------------------------------------------------------------------


@pytest.mark.task(5)
def test_count_posts_tagged(blog: ModuleType, queries: ModuleType) -> None:
    """count_posts_tagged counts the posts that carry the tag; 0 for unused or unknown tags."""
    expected = {"django": 3, "python": 4, "cobol": 0, "fortran": 0, "pyth": 0, "DJANGO": 0}
    # The keys are the public names; the kata is asked with this run's spelling of each.
    got = {tag: queries.count_posts_tagged(words(tag)) for tag in expected}
    not_int = sorted({type(v).__name__ for v in got.values() if type(v) is not int})
    # The shape first: a method, a QuerySet or a list is no count, whatever the tag.
    assert not not_int, (
        f"count_posts_tagged(tag) returned a {' and a '.join(not_int)}, not an int: "
        + (
            "that is the method itself; call it, with brackets: .count()."
            if "method" in not_int
            else "return the number itself (a QuerySet has a method that counts)."
        )
        + f" It gave {got!r}."
    )
    notes = []
    if got["cobol"] != 0:
        notes.append(UNUSED)
    if got["fortran"] != 0:
        notes.append(UNKNOWN)
    if got["django"] != 3 or got["python"] != 4 or got["pyth"] or got["DJANGO"]:
        notes.append(LOOKALIKE + " Nor is 'pyth' or 'DJANGO' a tag.")
    if got["django"] == got["python"] == 1:
        notes.append(
            "1 for every tag that exists: that counts Tag rows, not the posts that carry the tag."
        )
    # Hello, World, Admin carry django; four posts carry python; none cobol or fortran; no tag is
    # called "pyth" or "DJANGO" (Eve's "Django" and "python3" are other tags).
    assert got == expected, (
        f"count_posts_tagged(tag) for each tag gave {got}; expected {expected}."
        + "".join(" " + note for note in notes)
    )


@pytest.mark.task(5)
def test_count_posts_tagged_counts_in_the_database(blog: ModuleType, queries: ModuleType) -> None:
    """The database does the counting: one query with COUNT, no posts loaded into Python."""
    with capture_queries() as captured:
        queries.count_posts_tagged(words("python"))
    expect_count(captured, 1, call='count_posts_tagged("python")')
    sql = sql_of(captured)
    counted_in_sql = "COUNT(" in sql.upper()
    # SELECT COUNT(...) returns one number instead of every post.
    assert counted_in_sql, (
        f'count_posts_tagged("python") ran:\n{captured}\nwhich loads every post and counts them '
        "in Python. Let the database count: a QuerySet has a method for that."
    )


# --- Task 6 -------------------------------------------------------------------------------------


@pytest.mark.task(6)
def test_has_posts_tagged(blog: ModuleType, queries: ModuleType) -> None:
    """has_posts_tagged answers True or False."""
    expected = {"django": True, "python": True, "cobol": False, "fortran": False}
    expected |= {"pyth": False, "DJANGO": False, "Django": True}
    got = {tag: queries.has_posts_tagged(words(tag)) for tag in expected}  # as in task 5
    if any(type(v).__name__ == "method" for v in got.values()):
        pytest.fail(
            f"has_posts_tagged(tag) returned the method itself, not True or False: call it, "
            f"with brackets: .exists(). It gave {got!r}."
        )
    notes = []
    if got["cobol"] and got["cobol"] is not got["fortran"]:
        notes.append(UNUSED)
    if got["pyth"] or got["DJANGO"]:
        notes.append("No tag is called 'pyth' or 'DJANGO': match the whole name, in its case.")
    not_bool = sorted({type(v).__name__ for v in got.values() if type(v) is not bool})
    if not_bool:
        notes.append(
            f"Some answers are a {' and a '.join(not_bool)}, not True or False: return a bool "
            "(.exists() gives one)."
        )
    # Exactly True/False (a bool), not a number or a QuerySet.
    assert got == expected and all(type(v) is bool for v in got.values()), (
        f"has_posts_tagged(tag) for each tag gave {got!r}; expected {expected}."
        + "".join(" " + note for note in notes)
    )


@pytest.mark.task(6)
def test_has_posts_tagged_does_not_fetch_the_posts(blog: ModuleType, queries: ModuleType) -> None:
    """One query that returns at most one row (a yes/no question), not every matching post."""
    with capture_queries() as captured:
        queries.has_posts_tagged(words("python"))
    expect_count(captured, 1, call='has_posts_tagged("python")')
    sql = sql_of(captured)
    one_row = "LIMIT 1" in sql.upper() or "COUNT(" in sql.upper()
    # LIMIT 1 (or a COUNT) means the database sends back one row, not all four posts.
    assert one_row, (
        f'has_posts_tagged("python") ran:\n{captured}\nwhich fetches every matching post just to '
        "see whether there is one. Ask the database the yes/no question instead."
    )
