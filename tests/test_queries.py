"""Harness tests: katalib.queries shows the SQL a kata function ran and derives its advice from it.

The queries are real ones, run against kata 10's models (complete in both trees) and kata 11's
link model: the shapes Django writes for a JOIN, a prefetch, a per-row lookup.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
from django.db.models import Prefetch

from katalib import loader
from katalib.explain import explain
from katalib.queries import (
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

    counted = _AssertNumQueriesContext(unittest.TestCase(), 1, connection)
    with pytest.raises(AssertionError) as info, counted:
        [list(p.tags.all()) for p in blog.Post.objects.all()]
    text = explain(info.value) or ""
    assert "Post.objects.prefetch_related('tags')" in text
