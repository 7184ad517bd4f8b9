"""Tests for kata 05. Don't edit this file: edit models.py and queries.py until these pass."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import pytest
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models
from hypothesis import given, settings
from hypothesis import strategies as st

from katalib.base.seed import words
from katalib.core.answers import as_list, row
from katalib.core.testcase import KataHypothesisTestCase

pytestmark = pytest.mark.django_db

# Tag names are compared whole and in their case: "Django" and "django-orm" are other tags.
NAMES = ["django", "Django", "django-orm", "orm", "python"]


@pytest.fixture
def queries(kata_module: Callable[[str], ModuleType]) -> ModuleType:
    return kata_module("queries")


@pytest.fixture
def blog(kata_models: ModuleType) -> ModuleType:
    """The kata's models, once task 1 gave Post its tags (the other tasks need the links)."""
    return require_tags(kata_models)


def require_tags(kata_models: ModuleType) -> ModuleType:
    try:
        field = kata_models.Post._meta.get_field("tags")
    except FieldDoesNotExist:
        field = None
    if not isinstance(field, models.ManyToManyField):
        pytest.fail(
            "Do task 1 first: Post has no many-to-many field `tags` yet, so a post can't be "
            "linked to tags.",
            pytrace=False,
        )
    return kata_models


def tag_names(post: models.Model) -> list[str]:
    """The names of the post's tags, read back from the database, sorted (by Python: the
    databases order "Django" and "django" differently)."""
    return sorted(post.tags.values_list("name", flat=True))


def make_post(blog: ModuleType, title: str, *names: str) -> models.Model:
    """A saved post linked to the tags with these names (the test's own setup; the title and
    names are given as written and stored through words())."""
    post = blog.Post.objects.create(title=words(title))
    post.tags.set([blog.Tag.objects.get_or_create(name=name)[0] for name in words(names)])
    return post


def columns(table: str) -> set[str]:
    with connection.cursor() as cursor:
        return {c.name for c in connection.introspection.get_table_description(cursor, table)}


# --- Task 1: declare the many-to-many link -----------------------------------------------------


@pytest.mark.task(1)
def test_post_tags_is_a_many_to_many_field(kata_models: ModuleType) -> None:
    """Post.tags is a ManyToManyField to Tag: many posts, many tags."""
    Post, Tag = kata_models.Post, kata_models.Tag
    try:
        field = Post._meta.get_field("tags")
    except FieldDoesNotExist:
        field = None
    # The declaration itself is the concept here, so the model's _meta is inspected.
    assert field is not None, "Post has no field named `tags` yet (see the TODO in models.py)."
    assert isinstance(field, models.ManyToManyField), (
        f"Post.tags is a {type(field).__name__}; expected a ManyToManyField: a post has many "
        "tags AND a tag has many posts."
    )
    assert field.related_model is Tag, (
        f"Post.tags points at {field.related_model.__name__}; expected Tag."
    )


@pytest.mark.task(1)
def test_the_links_live_in_a_hidden_join_table(kata_models: ModuleType) -> None:
    """Neither table gets a column; a join table holds one (post_id, tag_id) row per link."""
    Post, Tag = require_tags(kata_models).Post, kata_models.Tag
    post_columns, tag_columns = columns(Post._meta.db_table), columns(Tag._meta.db_table)
    # The post table stores no tags...
    assert post_columns == {"id", "title"}, (
        f"{Post._meta.db_table} has columns {sorted(post_columns)}; expected only id and title."
    )
    # ...and the tag table stores no posts.
    assert tag_columns == {"id", "name"}, (
        f"{Tag._meta.db_table} has columns {sorted(tag_columns)}; expected only id and name."
    )
    join_table = Post.tags.through._meta.db_table
    join_columns = columns(join_table)
    # The hidden join table holds both ids of every link.
    assert {"post_id", "tag_id"} <= join_columns, (
        f"The join table {join_table} has columns {sorted(join_columns)}; expected post_id and "
        "tag_id among them."
    )

    post = Post.objects.create(title=words("Hello"))
    post.tags.add(Tag.objects.create(name=words("django")), Tag.objects.create(name=words("orm")))
    # Two links are two rows of the join table.
    assert Post.tags.through.objects.filter(post_id=post.id).count() == 2, (
        "post.tags.add(<two tags>) should store two rows in the join table."
    )


@pytest.mark.task(1)
def test_tag_posts_lists_the_posts_of_a_tag(kata_models: ModuleType) -> None:
    """From the other side the link is tag.posts (related_name='posts'), also a manager."""
    blog = require_tags(kata_models)
    hello = make_post(blog, "Hello", "django")
    make_post(blog, "Other", "sql")
    django_tag = blog.Tag.objects.get(name=words("django"))
    # The reverse side is named by related_name.
    assert hasattr(django_tag, "posts"), (
        "tag.posts does not exist. Which argument of the field names the attribute on Tag? "
        "(Without it Django calls it post_set.)"
    )
    got = list(django_tag.posts.all())
    # Only the posts linked to this tag.
    assert got == [hello], f"<Tag: django>.posts.all() returned {got}; expected [<Post: Hello>]."
    # The name comes from the declaration, not from a property added to Tag.
    declared = blog.Post._meta.get_field("tags").remote_field.related_name
    assert declared == "posts", (
        f"Post.tags is declared with related_name={declared!r}; expected related_name='posts'."
    )


# --- Tasks 2 to 5: add, remove, set, clear --------------------------------------------------


@pytest.mark.task(2)
def test_tag_post_adds_links_and_keeps_the_old_ones(blog: ModuleType, queries: ModuleType) -> None:
    """tag_post(post, *names) adds links (creating missing tags) and keeps existing links."""
    post = make_post(blog, "Hello", "django")

    queries.tag_post(post, *words(("python", "orm")))
    got = tag_names(post)
    # The old link stays; the new tags are linked.
    assert got == words(["django", "orm", "python"]), (
        f"After tag_post(<Post: Hello>, 'python', 'orm') on a post tagged ['django'], its tags "
        f"are {got}; expected ['django', 'orm', 'python']."
        + (
            " The old link 'django' is gone: set() replaces every link; add() keeps the links "
            "the post has."
            if words("django") not in got
            else ""
        )
    )

    queries.tag_post(post, words("django"))
    # Adding a link that exists already changes nothing (and no tag is created twice).
    assert tag_names(post) == words(["django", "orm", "python"]), (
        f"tag_post(post, 'django') on a post that has it already gave {tag_names(post)}."
    )
    assert blog.Tag.objects.count() == 3, (
        f"There are {blog.Tag.objects.count()} Tag rows; expected 3 (django, orm, python): "
        "reuse the tags that exist."
    )


@pytest.mark.task(3)
def test_untag_removes_the_link_not_the_tag(blog: ModuleType, queries: ModuleType) -> None:
    """untag(post, *names) unlinks those tags from this post only; the tags stay."""
    hello = make_post(blog, "Hello", "django", "python")
    other = make_post(blog, "Other", "django")

    queries.untag(hello, words("django"))
    got = tag_names(hello)
    # The link is gone from this post...
    assert got == words(["python"]), (
        f"After untag(<Post: Hello>, 'django') its tags are {got}; expected ['python']."
    )
    # ...the tag itself still exists...
    assert blog.Tag.objects.filter(name=words("django")).exists(), (
        "untag() deleted the Tag 'django' itself. Only the link should go: which manager "
        "method removes a link and keeps the tag?"
    )
    # ...and the other post keeps its link to it.
    assert tag_names(other) == words(["django"]), (
        f"After untag(<Post: Hello>, 'django') the other post's tags are {tag_names(other)}; "
        "expected ['django']."
    )


@pytest.mark.task(3)
def test_untag_ignores_names_that_are_not_tags(blog: ModuleType, queries: ModuleType) -> None:
    """untag() skips names that are not tags: no error, and no tag is created for them."""
    hello = make_post(blog, "Hello", "django", "python")

    try:
        queries.untag(hello, *words(("django", "no-such-tag")))
    except blog.Tag.DoesNotExist:
        pytest.fail(
            "untag(<Post: Hello>, 'django', 'no-such-tag') raised Tag.DoesNotExist; expected "
            "it to ignore 'no-such-tag', which is not a tag. filter() finds only the tags "
            "that exist, get() insists on each one.",
            pytrace=False,
        )
    # The real tag is unlinked...
    assert tag_names(hello) == words(["python"]), (
        f"After untag(<Post: Hello>, 'django', 'no-such-tag') its tags are {tag_names(hello)}; "
        "expected ['python']."
    )
    # ...and unlinking a name that is not a tag doesn't create it.
    created_it = blog.Tag.objects.filter(name=words("no-such-tag")).exists()
    assert not created_it, (
        "untag(<Post: Hello>, 'django', 'no-such-tag') created the tag 'no-such-tag'; expected "
        "names that are not tags to be ignored (removing a link never creates a tag)."
    )


@pytest.mark.task(3)
def test_untag_matches_whole_names_in_their_case(blog: ModuleType, queries: ModuleType) -> None:
    """untag(post, "django") unlinks the tag django only: not Django, not django-orm."""
    hello = make_post(blog, "Hello", "django", "Django", "django-orm")

    queries.untag(hello, words("django"))
    got = tag_names(hello)
    # Tag names are compared whole and with their case.
    assert got == words(["Django", "django-orm"]), (
        f"After untag(<Post: Hello>, 'django') on a post tagged ['Django', 'django', "
        f"'django-orm'], its tags are {got}; expected ['Django', 'django-orm']: 'Django' "
        "(another case) and 'django-orm' (a longer name) are other tags."
    )


@pytest.mark.task(2)
def test_tag_post_matches_whole_names_in_their_case(blog: ModuleType, queries: ModuleType) -> None:
    """tag_post(post, "Django") links the tag named exactly Django, creating it if needed."""
    make_post(blog, "Other", "django", "django-orm")
    hello = make_post(blog, "Hello")

    queries.tag_post(hello, *words(("Django", "orm")))
    got = tag_names(hello)
    # 'django' is not 'Django', and 'django-orm' is not 'orm': both tags are new.
    assert got == words(["Django", "orm"]), (
        f"After tag_post(<Post: Hello>, 'Django', 'orm') with the tags 'django' and "
        f"'django-orm' existing, its tags are {got}; expected ['Django', 'orm']: a tag is the "
        "one with exactly that name (case included), created when there is none."
    )
    assert blog.Tag.objects.count() == 4, (
        f"There are {blog.Tag.objects.count()} Tag rows; expected 4 (django, django-orm, "
        "Django, orm)."
    )


@pytest.mark.task(4)
def test_retag_replaces_every_link(blog: ModuleType, queries: ModuleType) -> None:
    """retag(post, *names) leaves the post with exactly these tags."""
    hello = make_post(blog, "Hello", "django", "python")
    other = make_post(blog, "Other", "django")

    queries.retag(hello, *words(("orm", "python")))
    got = tag_names(hello)
    # 'django' is no longer listed, so its link is gone; 'orm' is new; 'python' stays.
    assert got == words(["orm", "python"]), (
        f"After retag(<Post: Hello>, 'orm', 'python') on a post tagged ['django', 'python'], "
        f"its tags are {got}; expected ['orm', 'python']."
        + (
            " 'django' is still linked: add() keeps the old links; which method replaces them all?"
            if words("django") in got
            else ""
        )
        + (
            " 'orm' is missing: the new names need tags (get_or_create)."
            if words("orm") not in got
            else ""
        )
    )
    # Other posts and the tags themselves are untouched.
    assert tag_names(other) == words(["django"]), (
        f"The other post's tags became {tag_names(other)}."
    )
    assert blog.Tag.objects.filter(name=words("django")).exists(), (
        "retag() deleted the Tag 'django'."
    )


@pytest.mark.task(5)
def test_clear_tags_unlinks_everything(blog: ModuleType, queries: ModuleType) -> None:
    """clear_tags(post) removes all of the post's links; tags and other posts stay."""
    hello = make_post(blog, "Hello", "django", "python")
    other = make_post(blog, "Other", "django")

    queries.clear_tags(hello)
    # The post has no tags left...
    assert tag_names(hello) == [], (
        f"After clear_tags(<Post: Hello>) its tags are {tag_names(hello)}; expected []."
    )
    # ...but no tag was deleted and the other post is untouched.
    tags_left = sorted(blog.Tag.objects.values_list("name", flat=True))
    assert tags_left == words(["django", "python"]), (
        "clear_tags() deleted Tag rows; it should delete only the post's links."
    )
    assert tag_names(other) == words(["django"]), (
        f"The other post's tags became {tag_names(other)}."
    )


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["tag_post", "untag", "retag", "clear_tags"]),
        st.sets(st.sampled_from(NAMES)),
    ),
    max_size=6,
)


@pytest.mark.task(5)
class TestLinkOperations(KataHypothesisTestCase):
    # Every example runs dozens of queries: at most 40 examples, fewer if the profile says so.
    @settings(max_examples=min(settings.default.max_examples, 40))
    @given(steps=OPERATIONS, bystander_tags=st.sets(st.sampled_from(NAMES)))
    def test_any_sequence_of_operations_matches_a_python_set(
        self, steps: list[tuple[str, set[str]]], bystander_tags: set[str]
    ) -> None:
        """add/remove/set/clear behave like a Python set of names, one post at a time."""
        blog = require_tags(self.kata_models())
        queries = self.kata_module("queries")
        post = blog.Post.objects.create(title=words("Mine"))
        bystander = make_post(blog, "Other", *bystander_tags)
        # From here on every tag name is spelt as the database holds it (words()).
        steps = [(operation, words(names)) for operation, names in steps]
        bystander_tags = words(bystander_tags)
        expected: set[str] = set()
        created = set(bystander_tags)
        done = []
        for operation, names in steps:
            args = sorted(names)
            if operation == "clear_tags":
                queries.clear_tags(post)
                expected = set()
            else:
                getattr(queries, operation)(post, *args)
                if operation == "tag_post":
                    expected |= names
                elif operation == "untag":
                    expected -= names
                else:
                    expected = set(names)
                if operation != "untag":
                    created |= names
            done.append(f"{operation}(post{''.join(f', {n!r}' for n in args)})")
            got = tag_names(post)
            # After every step the post has exactly the tags a Python set would hold.
            assert got == sorted(expected), (
                f"After {'; '.join(done)} the post's tags are {got}; expected {sorted(expected)}."
            )
        # The other post's links are never touched...
        assert tag_names(bystander) == sorted(bystander_tags), (
            f"After {'; '.join(done)} on one post, the other post's tags changed from "
            f"{sorted(bystander_tags)} to {tag_names(bystander)}."
        )
        # ...unlinking never deletes a tag...
        remaining = set(blog.Tag.objects.values_list("name", flat=True))
        assert created <= remaining, (
            f"After {'; '.join(done)} the tags {sorted(created - remaining)} were deleted; "
            "add/remove/set/clear change links only."
        )
        # ...and untag() never creates one (names that are not tags are ignored).
        assert remaining <= created, (
            f"After {'; '.join(done)} the tags {sorted(remaining - created)} exist, but only "
            "untag() was given these names; expected untag() to ignore names that are not tags."
        )


# --- Task 6: save before add ---------------------------------------------------------------------


@pytest.mark.task(6)
def test_create_tagged_post_saves_before_linking(blog: ModuleType, queries: ModuleType) -> None:
    """create_tagged_post(title, names) returns a saved post linked to those tags."""
    blog.Tag.objects.create(name=words("django"))

    post = queries.create_tagged_post(words("Hello"), words(["django", "orm"]))
    # The post is saved: it has a primary key, so the join table could store its links.
    if not isinstance(post, tuple):  # a (post, created) pair gets its own explanation
        row(
            post,
            blog.Post,
            call="create_tagged_post('Hello', ['django', 'orm'])",
            expected="the saved post",
        )
    assert post.pk is not None, "create_tagged_post() returned an unsaved post (pk is None)."
    fresh = blog.Post.objects.get(pk=post.pk)
    # The links are in the database, read back through a fresh copy of the post.
    assert fresh.title == words("Hello") and tag_names(fresh) == words(["django", "orm"]), (
        f"create_tagged_post('Hello', ['django', 'orm']) stored {fresh.title!r} with tags "
        f"{tag_names(fresh)}; expected 'Hello' with ['django', 'orm']."
    )
    # The existing tag was reused, the missing one created.
    assert blog.Tag.objects.count() == 2, (
        f"There are {blog.Tag.objects.count()} Tag rows; expected 2 (django, orm)."
    )


# --- Task 7: from the other side ---------------------------------------------------------------


@pytest.mark.task(7)
def test_tagged_titles_walks_back_from_the_tag(
    blog: ModuleType, queries: ModuleType, django_assert_num_queries: Callable
) -> None:
    """tagged_titles(tag) lists the titles of the tag's posts, sorted, in one query."""
    make_post(blog, "World", "django")
    make_post(blog, "Nope", "sql", "Django", "django-orm")
    make_post(blog, "Hello", "django", "sql")
    make_post(blog, "Hello", "django")  # another post with the same title
    django_tag = blog.Tag.objects.get(name=words("django"))

    with django_assert_num_queries(1):
        got = queries.tagged_titles(django_tag)
    titles = words(["Hello", "Hello", "World"])
    call, expected = "tagged_titles(<Tag: django>)", repr(titles)
    got = as_list(got, of=str, call=call, expected=expected)
    # Only the posts that have the tag (not 'Django' or 'django-orm'), sorted by title, one
    # title per post: the two posts called Hello are both there.
    assert got == titles, (
        f"{call} returned {got!r}; expected {expected} "
        "(two posts are called Hello)."
        + (
            " Each title came back once: distinct() (or a set) merges the titles of two "
            "different posts; one title per post is wanted."
            if got == sorted(set(got)) and words("Hello") in got
            else ""
        )
    )
    # A tag that no post uses gives an empty list.
    unused = blog.Tag.objects.create(name=words("unused"))
    call = "tagged_titles(<Tag: unused>)"
    got = as_list(queries.tagged_titles(unused), of=str, call=call, expected="[]")
    assert got == [], f"{call} returned {got!r}; expected []."
