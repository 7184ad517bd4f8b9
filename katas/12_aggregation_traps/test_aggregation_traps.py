"""Tests for kata 12. Don't edit this file: edit queries.py until these pass."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from katalib.base.seed import words
from katalib.core.answers import as_dict, as_int
from katalib.core.testcase import KataHypothesisTestCase

pytestmark = pytest.mark.django_db

# A blog as plain data: (number of authors, number of tags, posts, follows). A post is
# (index of its author, indexes of its tags, index of its title); a follow is (author index,
# tag index). Titles repeat on purpose: two posts called title1 are still two posts.
Graph = tuple[int, int, list[tuple[int, frozenset[int], int]], set[tuple[int, int]]]


@st.composite
def blog_graphs(draw: st.DrawFn) -> Graph:
    """Small random blogs with posts, tags and followers (any of them may be missing)."""
    n_authors = draw(st.integers(1, 4))
    n_tags = draw(st.integers(1, 5))
    author, tag = st.integers(0, n_authors - 1), st.integers(0, n_tags - 1)
    posts = draw(st.lists(st.tuples(author, st.frozensets(tag), st.integers(0, 2)), max_size=8))
    follows = draw(st.sets(st.tuples(author, tag), max_size=8))
    return n_authors, n_tags, posts, follows


def build(kata_models: ModuleType, graph: Graph) -> None:
    """Create the graph's rows: author0.., tag0.., posts titled title0.. (names through
    words(), as all the test data here), and the links."""
    Author, Post, Tag = kata_models.Author, kata_models.Post, kata_models.Tag
    n_authors, n_tags, posts, follows = graph
    authors = Author.objects.bulk_create(Author(name=words(f"author{i}")) for i in range(n_authors))
    tags = Tag.objects.bulk_create(Tag(name=words(f"tag{i}")) for i in range(n_tags))
    post_rows = Post.objects.bulk_create(
        Post(title=words(f"title{k}"), author=authors[a]) for a, _, k in posts
    )
    Post.tags.through.objects.bulk_create(
        Post.tags.through(post=post, tag=tags[t])
        for post, (_, tag_ids, _) in zip(post_rows, posts, strict=True)
        for t in tag_ids
    )
    Tag.followers.through.objects.bulk_create(
        Tag.followers.through(tag=tags[t], author=authors[a]) for a, t in follows
    )


def expected_stats(graph: Graph) -> dict[str, tuple[int, int]]:
    """The oracle: count posts and followers of each tag in plain Python."""
    _, n_tags, posts, follows = graph
    n_posts = Counter(t for _, tag_ids, _ in posts for t in tag_ids)
    n_followers = Counter(t for _, t in follows)
    return {words(f"tag{i}"): (n_posts[i], n_followers[i]) for i in range(n_tags)}


def describe(graph: Graph) -> str:
    """The graph in words, tag by tag: which posts (by position and title, as titles repeat)
    and which followers it has."""
    _, n_tags, posts, follows = graph
    return "; ".join(
        f"{words(f'tag{i}')} has posts "
        f"{[f'#{n} ' + words(f'title{k}') for n, (_, ts, k) in enumerate(posts) if i in ts]} "
        f"and followers {sorted(words(f'author{a}') for a, t in follows if t == i)}"
        for i in range(n_tags)
    )


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def plain_stats(got: object) -> dict[str, tuple[int, ...]]:
    """tag_stats()'s answer as plain data (str keys, tuples of ints), its types checked."""
    call, want = "tag_stats()", "a dict {tag name: (posts, followers)}"
    stats = as_dict(got, key=str, of=tuple, call=call, expected=want)
    return {
        name: tuple(as_int(n, call=call, expected=want) for n in pair)
        for name, pair in stats.items()
    }


def plain_counts(got: object, call: str) -> dict[str, int]:
    """A {name: count} answer as plain data, its types checked."""
    return as_dict(got, key=str, of=int, call=call, expected="a dict {author name: count}")


def stats_nudge(got: object, expected: dict[str, tuple[int, int]]) -> str:
    """What the first tag counted wrong says about the mistake: a JOIN that multiplied the
    counts, posts counted short, or a value that is not a (posts, followers) pair."""
    if not isinstance(got, dict):
        kind = type(got).__name__
        return f"tag_stats() must return a dict {{tag name: (posts, followers)}}, not a {kind}."
    wrong = [n for n in sorted(expected) if got.get(n) != expected[n]]
    if not wrong:
        return "Every tag once, and nothing else: the keys are the tags' names."
    name = wrong[0]
    posts, followers = expected[name]
    pair = got.get(name)
    if isinstance(pair, list) and len(pair) == 2:
        return f"{name}: {pair!r} is a list; each value is a tuple (posts, followers)."
    if not isinstance(pair, tuple) or len(pair) != 2:
        return f"{name}: each value is a tuple (posts, followers), e.g. {expected[name]!r}."
    if None in pair:
        return (
            f"None for {name}: a Sum or Max over no rows is None. Count the rows instead: "
            "Count gives 0 when there is nothing to count."
        )
    if pair == (followers, posts):
        return f"{name}: the pair is (posts, followers), in that order."
    if posts and followers and (pair[0] > posts or pair[1] > followers):
        return (
            f"Are the two counts multiplying each other? The two JOINs give {name} one row per "
            f"post and follower ({posts} x {followers} = {posts * followers} rows), and Count "
            "counts rows. Count(..., distinct=True) on both counts each post and each follower "
            "once."
        )
    if pair[0] < posts:
        return (
            f"{name} has {plural(posts, 'post')}, and every one counts, even two with the same "
            'title: count the posts ("posts"), not a column of theirs such as the title.'
        )
    return f"Count the posts and the followers of {name} by hand and compare."


# Alice's posts as counted by each mistake, from tagged_post_counts('django') and
# total_posts_of_authors_using('django'): what each wrong number means.
TAGGED_ALICE = {
    6: "6 for Alice: annotate() came before filter(), so the filter JOINed her posts a second "
    "time and multiplied the count (her 3 posts x her 2 django posts). Filter first, then "
    "annotate: the Count then reuses the filter's JOIN.",
    3: "3 for Alice: the Count saw all her posts, not only her 2 tagged django. Filter first, "
    "then annotate: the Count then reuses the filter's JOIN.",
    1: "1 for Alice: her 2 django posts are both called Hello, and they are two posts: count "
    'the posts ("posts"), not their titles.',
}
TOTAL_ALICE = {
    6: "6 for Alice: a second JOIN multiplied her 3 posts by her 2 django posts. Pick the "
    "authors with Exists(...), which adds no JOIN, and count all their posts.",
    2: "2 for Alice: one of her 3 posts went uncounted. Either the tag filter also filtered "
    "the counted posts (pick the authors with Exists(...) instead: it leaves the Count alone), "
    "or her two posts called Hello were counted as one (count the posts, not their titles).",
}


def listing(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def alice_nudge(
    got: object, nudges: dict[int, str], users: set[str], *, subquery: bool = False
) -> str:
    """The words for Alice's wrong count, or for the authors who never used the tag (``users``
    did). ``subquery``: the task picks the authors with Exists(...)."""
    if not isinstance(got, dict):
        return f" Return a dict {{author name: number}}, not a {type(got).__name__}."
    strangers = sorted(set(got) - users)
    if strangers == [words("Erin")]:
        return NOT_ERIN
    if strangers and not subquery and all(got[n] == 0 for n in strangers):
        return (
            f" {listing(strangers)} used the tag on no post: only the authors with at least one "
            "such post are in the result, so leave out the counts of 0."
        )
    if strangers and subquery:
        return (
            f" {listing(strangers)} never used the tag: does the subquery look at each "
            'author\'s own posts (author=OuterRef("pk"))?'
        )
    if strangers:
        return f" {listing(strangers)} never used the tag: keep only the authors who did."
    alice = words("Alice")
    return " " + nudges[got[alice]] if got.get(alice) in nudges else ""


def make_posts(kata_models: ModuleType, posts: dict[str, list[tuple[str, list[str]]]]) -> None:
    """Create {author name: [(title, tag names)]}; an author with [] has no posts."""
    Author, Post, Tag = kata_models.Author, kata_models.Post, kata_models.Tag
    for author_name, author_posts in posts.items():
        author = Author.objects.create(name=author_name)
        for title, tag_names in author_posts:
            post = Post.objects.create(title=title, author=author)
            post.tags.add(*(Tag.objects.get_or_create(name=n)[0] for n in tag_names))


# Alice: 3 posts, 2 tagged django (both called Hello), 2 tagged python. Bob: 1 post (python).
# Carol: 1 post (django). Dave: no posts. Erin: 2 posts whose tags only look like django and
# python: "Django" (another case), "django-rest" and "pythonic" (longer names).
AUTHORS_POSTS = words(
    {
        "Alice": [("Hello", ["django"]), ("Hello", ["django", "python"]), ("A3", ["python"])],
        "Bob": [("B1", ["python"])],
        "Carol": [("C1", ["django"])],
        "Dave": [],
        "Erin": [("E1", ["Django"]), ("E2", ["django-rest", "pythonic"])],
    }
)
NOT_ERIN = (
    " Erin's tags 'Django', 'django-rest' and 'pythonic' are other tags: the tag's name must "
    "match whole, case included."
)


@pytest.fixture
def queries(kata_module: Callable[[str], ModuleType]) -> ModuleType:
    return kata_module("queries")


# --- Task 1: two counts in one query ------------------------------------------------------------


@pytest.mark.task(1)
def test_tag_stats_example(
    kata_models: ModuleType, queries: ModuleType, django_assert_num_queries: Callable
) -> None:
    """Each tag's posts and followers are counted, 0 for none, in ONE query."""
    Author, Tag = kata_models.Author, kata_models.Tag
    make_posts(
        kata_models,
        words(
            {
                "Alice": [("Hello", ["python", "news"]), ("Again", ["python"])],
                "Erin": [("Hello", ["python"])],  # another post called Hello
            }
        ),
    )
    bob, carol = (Author.objects.create(name=name) for name in words(["Bob", "Carol"]))
    Tag.objects.get(name=words("news")).followers.add(bob)
    Tag.objects.create(name=words("django")).followers.add(bob, carol)
    Tag.objects.create(name=words("empty"))

    # One query for all the tags: the database counts.
    with django_assert_num_queries(
        1, info="tag_stats() must annotate the tags with both counts in ONE query."
    ):
        got = queries.tag_stats()
    expected = words({"django": (0, 2), "empty": (0, 0), "news": (1, 1), "python": (3, 0)})
    # (posts, followers) per tag; tags with nothing to count say 0; python's two posts
    # called Hello are two posts.
    assert got == expected, (
        f"tag_stats() returned {got!r}; expected {expected!r}. {stats_nudge(got, expected)}"
    )
    # The same answer as plain data: a lookalike that compares equal is not it.
    assert plain_stats(got) == expected, f"tag_stats() returned {got!r}; expected {expected!r}."


class TestTagStatsProperty(KataHypothesisTestCase):
    """tag_stats agrees with a plain-Python count on random blogs."""

    @pytest.mark.task(1)
    @settings(report_multiple_bugs=False)  # one clear counterexample is enough
    @given(graph=blog_graphs())
    def test_stats_match_a_python_counter(self, graph: Graph) -> None:
        """Random blogs: (posts, followers) of every tag equal the plain counts, in one query."""
        build(self.kata_models(), graph)
        queries = self.kata_module("queries")

        # One query whatever the size of the blog.
        with self.assertNumQueries(1):
            got = queries.tag_stats()
        expected = expected_stats(graph)
        # Each tag's two counts equal the Python counts.
        assert got == expected, (
            f"tag_stats() returned {got!r}; expected {expected!r}. The blog: {describe(graph)}. "
            f"{stats_nudge(got, expected)}"
        )
        assert plain_stats(got) == expected, f"tag_stats() returned {got!r}; expected {expected!r}."


# --- Task 2: filter() before annotate() ---------------------------------------------------------


@pytest.mark.task(2)
def test_tagged_post_counts(
    kata_models: ModuleType, queries: ModuleType, django_assert_num_queries: Callable
) -> None:
    """Only the posts with the tag are counted, only for the authors who have some."""
    make_posts(kata_models, AUTHORS_POSTS)

    with django_assert_num_queries(1, info="tagged_post_counts() must use ONE query."):
        got = queries.tagged_post_counts(words("django"))
    expected = words({"Alice": 2, "Carol": 1})
    # Alice has 3 posts but only 2 tagged django (both called Hello); Bob, Dave and Erin none.
    assert got == expected, (
        f"tagged_post_counts('django') returned {got!r}; expected {expected}."
        + alice_nudge(got, TAGGED_ALICE, set(expected))
    )
    assert plain_counts(got, "tagged_post_counts('django')") == expected, (
        f"tagged_post_counts('django') returned {got!r}."
    )
    got = queries.tagged_post_counts(words("python"))
    expected = words({"Alice": 2, "Bob": 1})
    # The same for python: Alice 2, Bob 1 (not Erin: 'pythonic' is another tag).
    assert got == expected, (
        f"tagged_post_counts('python') returned {got!r}; expected {expected}."
        + alice_nudge(got, {}, set(expected))
    )
    assert plain_counts(got, "tagged_post_counts('python')") == expected, (
        f"tagged_post_counts('python') returned {got!r}."
    )
    got = queries.tagged_post_counts(words("nobody-uses-this"))
    # A tag that nobody used: no authors at all.
    assert got == {}, f"tagged_post_counts('nobody-uses-this') returned {got!r}; expected {{}}."
    assert plain_counts(got, "tagged_post_counts('nobody-uses-this')") == {}, (
        f"tagged_post_counts('nobody-uses-this') returned {got!r}."
    )


# --- Task 3: Exists() keeps the count whole -------------------------------------------------------


@pytest.mark.task(3)
def test_total_posts_of_authors_using(
    kata_models: ModuleType, queries: ModuleType, django_assert_num_queries: Callable
) -> None:
    """Authors who used the tag, with ALL their posts counted, in one query."""
    make_posts(kata_models, AUTHORS_POSTS)

    with django_assert_num_queries(
        1, info="total_posts_of_authors_using() must use ONE query (a subquery is fine)."
    ):
        got = queries.total_posts_of_authors_using(words("django"))
    expected = words({"Alice": 3, "Carol": 1})
    # Alice used django and wrote 3 posts in all; Carol 1; Bob, Dave and Erin never used django.
    assert got == expected, (
        f"total_posts_of_authors_using('django') returned {got!r}; expected {expected}."
        + alice_nudge(got, TOTAL_ALICE, set(expected), subquery=True)
    )
    assert plain_counts(got, "total_posts_of_authors_using('django')") == expected, (
        f"total_posts_of_authors_using('django') returned {got!r}."
    )
    got = queries.total_posts_of_authors_using(words("python"))
    expected = words({"Alice": 3, "Bob": 1})
    # python: Alice (3 posts in all) and Bob (1).
    assert got == expected, (
        f"total_posts_of_authors_using('python') returned {got!r}; expected {expected}."
        + alice_nudge(got, {}, set(expected), subquery=True)
    )
    assert plain_counts(got, "total_posts_of_authors_using('python')") == expected, (
        f"total_posts_of_authors_using('python') returned {got!r}."
    )
    got = queries.total_posts_of_authors_using(words("nobody-uses-this"))
    # A tag that nobody used: no authors at all.
    assert got == {}, (
        f"total_posts_of_authors_using('nobody-uses-this') returned {got!r}; expected {{}}."
    )
    assert plain_counts(got, "total_posts_of_authors_using('nobody-uses-this')") == {}, (
        f"total_posts_of_authors_using('nobody-uses-this') returned {got!r}."
    )
