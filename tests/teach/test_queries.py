"""Harness tests: katalib.teach.sql shows the SQL a kata function ran and derives its advice from it.

The queries are real ones, run against kata 10's models (complete in both trees) and kata 11's
link model: the shapes Django writes for a JOIN, a prefetch, a per-row lookup.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
from django.db.models import Prefetch

from katalib.core import loader
from katalib.teach.explain import explain
from katalib.teach.sql import (
    Group,
    Relation,
    _trap_method,
    analyse,
    capture_queries,
    expect_at_most,
    expect_count,
    expect_same_count,
    shape_of,
    shorten,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def blog() -> ModuleType:
    """Kata 10's models with three posts by two authors, two of them tagged."""
    models = loader.kata_models("k10_n_plus_one")
    alice = models.Author.objects.create(name="Alice")
    bob = models.Author.objects.create(name="Bob")
    django, orm = (models.Tag.objects.create(name=n) for n in ["django", "orm"])
    for title, author, tags in [("Zen", alice, [django]), ("Joins", bob, [orm, django])]:
        models.Post.objects.create(title=title, author=author).tags.set(tags)
    models.Post.objects.create(title="Admin", author=alice, published=True)
    return models


def more_posts(models: ModuleType, n: int = 4) -> None:
    author = models.Author.objects.create(name="Carol")
    tag = models.Tag.objects.get(name="orm")
    for i in range(n):
        models.Post.objects.create(title=f"More {i}", author=author).tags.add(tag)


def grow(models: ModuleType, function: Any) -> tuple[Any, Any]:
    """The queries of ``function`` on the blog, then on a bigger one."""
    with capture_queries() as small:
        function()
    more_posts(models)
    with capture_queries() as big:
        function()
    return small, big


def failure(check: Any) -> BaseException:
    with pytest.raises(pytest.fail.Exception) as info:
        check()
    return info.value


def test_the_same_query_with_other_values_has_one_shape() -> None:
    one = 'SELECT "a"."id" FROM "k10_n_plus_one_author" "a" WHERE "a"."id" = 12 LIMIT 21'
    two = one.replace("= 12", "= 7")
    assert shape_of(one) == shape_of(two)
    assert shape_of("x IN (1, 2, 3)") == shape_of("x IN (4)")
    # Quoted names keep their digits; text values are values.
    assert "k10_n_plus_one_author" in shape_of(one)
    assert shape_of("WHERE name = 'Ada''s'") == shape_of("WHERE name = 'Bob'")


def test_shortened_sql_drops_app_prefixes_and_column_lists(blog: ModuleType) -> None:
    with capture_queries() as log:
        list(blog.Post.objects.select_related("author"))
    short = shorten(log.sqls[0])
    assert short.startswith("SELECT ... FROM post INNER JOIN author ON")
    assert '"' not in short and "k10_" not in short


def test_n_plus_one_on_a_foreign_key(blog: ModuleType) -> None:
    """post.author in a loop: the per-post query is marked, the fix is select_related."""
    small, big = grow(blog, lambda: [p.author.name for p in blog.Post.objects.all()])
    analysis = analyse(big.sqls, baseline=small.sqls)
    assert ">>   7x  SELECT ... FROM author WHERE author.id = " in analysis.listing()
    (finding,) = analysis.findings()
    assert "post.author is read with one query per post" in finding.what
    assert "Post.objects.select_related('author')" in finding.fix


def test_n_plus_one_on_a_many_to_many(blog: ModuleType) -> None:
    small, big = grow(blog, lambda: [list(p.tags.all()) for p in blog.Post.objects.all()])
    (finding,) = analyse(big.sqls, baseline=small.sqls).findings()
    assert "post.tags is queried once per post" in finding.what
    assert "Post.objects.prefetch_related('tags')" in finding.fix


def test_order_by_on_a_prefetched_manager(blog: ModuleType) -> None:
    """Kata 10, measured: prefetch_related('tags') ran, then tags.order_by() per post.

    The advice must not be the prefetch the learner already wrote.
    """

    def cards() -> list[Any]:
        posts = blog.Post.objects.select_related("author").prefetch_related("tags")
        return [[t.name for t in p.tags.order_by("name")] for p in posts]

    small, big = grow(blog, cards)
    (finding,) = analyse(big.sqls, baseline=small.sqls).findings()
    assert "although prefetch_related('tags') ran" in finding.what
    assert ".order_by()" in finding.why and "post.tags.all()" in finding.fix
    assert "Prefetch('tags', queryset=Tag.objects" in finding.fix
    assert not finding.fix.startswith("Post.objects.prefetch_related")


def test_filter_on_a_prefetched_reverse_manager(blog: ModuleType) -> None:
    def published() -> list[Any]:
        authors = blog.Author.objects.prefetch_related("posts")
        return [list(a.posts.filter(published=True)) for a in authors]

    small, big = grow(blog, published)
    (finding,) = analyse(big.sqls, baseline=small.sqls).findings()
    assert "author.posts is queried once per author" in finding.what
    assert "looks like .filter()" in finding.why and "to_attr" in finding.fix


def test_a_prefetched_manager_answers_what_the_advice_says(blog: ModuleType) -> None:
    """The advice's claim, measured: which calls read the prefetch and which query again."""
    posts = [p for p in blog.Post.objects.prefetch_related("tags") if p.tags.all()]
    cached: dict[str, Any] = {
        ".all()": lambda tags: list(tags.all()),
        "len()": lambda tags: len(tags.all()),
        "[0]": lambda tags: tags.all()[0],
        ".count()": lambda tags: tags.count(),
        ".exists()": lambda tags: tags.exists(),
        ".first() (Tag has Meta.ordering)": lambda tags: tags.first(),
    }
    queried: dict[str, Any] = {
        ".filter()": lambda tags: list(tags.filter(name="orm")),
        ".exclude()": lambda tags: list(tags.exclude(name="orm")),
        ".order_by()": lambda tags: list(tags.order_by("-name")),
        ".values_list()": lambda tags: list(tags.values_list("name", flat=True)),
        ".last()": lambda tags: tags.last(),
    }
    for name, call in {**cached, **queried}.items():
        with capture_queries() as log:
            for post in posts:
                call(post.tags)
        expected = len(posts) if name in queried else 0
        assert len(log) == expected, f"{name} on a prefetched manager: {log.sqls}"


def test_last_on_a_prefetched_manager(blog: ModuleType) -> None:
    """.last() reverses the order in a new query; .first() and [0] read the prefetch."""

    def newest_tags() -> list[Any]:
        posts = blog.Post.objects.prefetch_related("tags")
        return [p.tags.last() for p in posts]

    small, big = grow(blog, newest_tags)
    (finding,) = analyse(big.sqls, baseline=small.sqls).findings()
    assert "although prefetch_related('tags') ran" in finding.what
    assert "looks like .last() (or .first() or [0] after .order_by('-...'))" in finding.why
    assert ".count(), .exists() and .first() (Tag has Meta.ordering) read it" in finding.why


def test_count_on_a_manager_a_to_attr_prefetch_left_empty(blog: ModuleType) -> None:
    """Prefetch(to_attr=...) fills its list, not the manager: tags.count() queries per post."""

    def tag_counts() -> list[int]:
        posts = blog.Post.objects.prefetch_related(Prefetch("tags", to_attr="tag_list"))
        return [p.tags.count() for p in posts]

    small, big = grow(blog, tag_counts)
    (finding,) = analyse(big.sqls, baseline=small.sqls).findings()
    assert "looks like .count() on a queryset the prefetch did not fill" in finding.why
    assert "to_attr=" in finding.why


def test_limit_one_label_follows_the_sql() -> None:
    """Without Meta.ordering .first() orders by id (a new query); with it, only .last() does."""
    bare = Relation("Post", "labels", "Label", "many-to-many", ())
    ordered = Relation("Post", "tags", "Tag", "many-to-many", ("name",))
    head = 'SELECT "t"."id" FROM "t" INNER JOIN "j" ON ("t"."id" = "j"."t_id") WHERE "j"."p_id" = 1'

    def label(order: str, relation: Relation) -> str:
        return _trap_method(Group(shape_of(head), [f"{head}{order} LIMIT 1"]), relation)

    assert label(' ORDER BY "t"."id" ASC', bare).startswith(".first() (Label has no Meta.ordering")
    assert label(' ORDER BY "t"."id" DESC', bare) == ".last()"
    assert label(' ORDER BY "t"."name" DESC', ordered).startswith(".last()")
    assert label(' ORDER BY "t"."name" ASC', ordered).startswith(
        ".first() or [0] after .order_by()"
    )
    assert label("", ordered).startswith("[0] on a queryset the prefetch did not fill")


def test_prefetch_with_a_queryset_is_not_blamed(blog: ModuleType) -> None:
    def published() -> list[Any]:
        posts = blog.Post.objects.filter(published=True)
        authors = blog.Author.objects.prefetch_related(
            Prefetch("posts", queryset=posts, to_attr="published_posts")
        )
        return [a.published_posts for a in authors]

    small, big = grow(blog, published)
    assert len(small) == len(big)
    assert analyse(big.sqls, baseline=small.sqls).findings() == []


def test_prefetched_foreign_key_over_budget(blog: ModuleType) -> None:
    """prefetch_related('author'): fixed, but one query more than a JOIN."""
    with capture_queries() as log:
        [p.author.name for p in blog.Post.objects.prefetch_related("author")]
    (finding,) = analyse(log.sqls).findings()
    assert "post.author comes in a query of its own" in finding.what
    assert "select_related('author')" in finding.fix


def test_two_counts_per_row_become_two_distinct_counts() -> None:
    """tag.posts.count() and tag.followers.count() per tag: one annotate() with both Counts,
    each distinct=True (two Counts over two many-valued JOINs multiply each other)."""
    models = loader.kata_models("k12_aggregation_traps")
    alice = models.Author.objects.create(name="Alice")
    for name in ["django", "orm"]:
        tag = models.Tag.objects.create(name=name)
        tag.followers.add(alice)
        models.Post.objects.create(title=name, author=alice).tags.add(tag)
    with capture_queries() as log:
        [(t.posts.count(), t.followers.count()) for t in models.Tag.objects.all()]
    (finding,) = analyse(log.sqls).findings()
    assert "tag.posts.count() and tag.followers.count() run once per tag" in finding.what
    assert (
        "Tag.objects.annotate(n_posts=Count('posts', distinct=True), "
        "n_followers=Count('followers', distinct=True))" in finding.fix
    )
    assert "prefetch_related" not in finding.fix


def test_get_then_query_is_one_path(blog: ModuleType) -> None:
    with capture_queries() as log:
        blog.Tag.objects.get(name="django").posts.count()
    (finding,) = analyse(log.sqls).findings()
    assert "Post.objects.filter(tags__name=...)" in finding.fix


def test_three_foreign_keys_per_link_are_one_select_related() -> None:
    """Kata 11's latest_taggings as an N+1 loop: three queries per link, one fix."""
    models = loader.kata_models("k11_through_models")
    ada = models.Editor.objects.create(name="Ada")
    for i in range(4):
        models.Tagging.objects.create(
            post=models.Post.objects.create(title=f"P{i}"),
            tag=models.Tag.objects.create(name=f"t{i}"),
            added_by=ada,
        )

    def latest(limit: int) -> list[Any]:
        links = models.Tagging.objects.order_by("-added_at")[:limit]
        return [(t.post.title, t.tag.name, t.added_by.name) for t in links]

    with capture_queries() as one:
        latest(1)
    with capture_queries() as four:
        latest(4)
    error = failure(
        lambda: expect_same_count(one, four, call="latest(n)", small_what="1", big_what="4")
    )
    assert "latest(n) ran 4 queries for 1 but 13 queries for 4" in str(error)
    text = explain(error) or ""
    assert "tagging.post, tagging.tag and tagging.added_by" in text
    assert "select_related('post', 'tag', 'added_by')" in text


def test_failed_count_shows_the_sql_and_the_advice(blog: ModuleType) -> None:
    """The failure message lists the SQL; the explanation after it gives the derived fix."""
    small, big = grow(blog, lambda: [p.author.name for p in blog.Post.objects.all()])
    error = failure(
        lambda: expect_same_count(
            small, big, call="bylines()", small_what="3 posts", big_what="7 posts"
        )
    )
    message = str(error)
    assert message.startswith("bylines() ran 4 queries for 3 posts but 8 queries for 7 posts")
    assert ">>   7x  SELECT ... FROM author WHERE author.id = " in message
    assert "select_related('author')" in (explain(error) or "")


def test_exact_count_and_budget(blog: ModuleType) -> None:
    with capture_queries() as log:
        blog.Post.objects.count()
    expect_count(log, 1, call="count()")  # passes
    error = failure(lambda: expect_count(log, 2, call="count()"))
    assert "count() ran 1 query; expected 2" in str(error) and "COUNT(*)" in str(error)
    expect_at_most(log, 1, call="count()")
    with capture_queries() as none:
        pass
    assert "(none)" in str(failure(lambda: expect_count(none, 1, call="nothing()")))


def test_pytest_django_count_failure_gets_the_sql(
    blog: ModuleType, django_assert_num_queries: Any
) -> None:
    """pytest-django's own failure (used by other katas) is explained with the captured SQL."""
    with pytest.raises(pytest.fail.Exception) as info, django_assert_num_queries(1):
        [p.author.name for p in blog.Post.objects.all()]
    text = explain(info.value) or ""
    assert "The queries that ran:" in text and ">>" in text
    assert "select_related('author')" in text


def test_django_assert_num_queries_failure_gets_the_advice(blog: ModuleType) -> None:
    """Django's assertNumQueries (in the katas' Hypothesis tests) lists its SQL; advice follows."""
    import unittest

    from django.db import connection
    from django.test.testcases import _AssertNumQueriesContext

    counted = _AssertNumQueriesContext(unittest.TestCase(), 2, connection)
    with pytest.raises(AssertionError) as info, counted:
        [list(p.tags.all()) for p in blog.Post.objects.all()]
    text = explain(info.value) or ""
    assert "Post.objects.prefetch_related('tags')" in text


def test_advice_fits_the_tests_query_budget(blog: ModuleType) -> None:
    """One query allowed: a prefetch (a second query) is no fix; the one query must do it."""
    import unittest

    from django.db import connection
    from django.test.testcases import _AssertNumQueriesContext

    counted = _AssertNumQueriesContext(unittest.TestCase(), 1, connection)
    with pytest.raises(AssertionError) as info, counted:
        [list(p.tags.all()) for p in blog.Post.objects.all()]
    text = explain(info.value) or ""
    assert "The test allows 1 query" in text
    assert "Post.objects.filter(tags=<the Tag>)" in text and "tag.posts.all()" in text
    assert "prefetch_related('tags')" not in text


def test_a_count_per_row_is_annotated(blog: ModuleType, django_assert_num_queries: Any) -> None:
    """tag.posts.count() per tag: annotate(Count(...)) counts them all in one query."""
    with pytest.raises(pytest.fail.Exception) as info, django_assert_num_queries(1):
        [t.posts.count() for t in blog.Tag.objects.all()]
    text = explain(info.value) or ""
    assert "tag.posts.count() runs once per tag" in text
    assert "Tag.objects.annotate(n_posts=Count('posts'))" in text
    assert "prefetch_related" not in text


def test_a_prefetch_over_the_budget_is_annotated(
    blog: ModuleType, django_assert_num_queries: Any
) -> None:
    """prefetch_related() then len(): two queries where one is allowed."""
    with pytest.raises(pytest.fail.Exception) as info, django_assert_num_queries(1):
        [len(t.posts.all()) for t in blog.Tag.objects.prefetch_related("posts")]
    text = explain(info.value) or ""
    assert "prefetch_related('posts') is a query of its own" in text
    assert "Tag.objects.annotate(n_posts=Count('posts'))" in text
