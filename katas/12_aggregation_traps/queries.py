"""Counting across many-to-many relations without multiplying the rows."""

from django.db.models import Count, Exists, OuterRef  # noqa: F401  (you will need them)

from .models import Author, Post, Tag  # noqa: F401


def tag_stats() -> dict[str, tuple[int, int]]:
    """Return {tag name: (number of posts, number of followers)} for every tag, in one query.

    >>> tag_stats()  # django: 2 posts and 3 followers; news: no posts, no followers
    {'django': (2, 3), 'news': (0, 0)}
    """
    # TODO: annotate every tag with two counts, posts and followers, in ONE query. Check the
    # counts of a tag that has several posts AND several followers.
    raise NotImplementedError


def tagged_post_counts(tag_name: str) -> dict[str, int]:
    """Return {author name: number of their posts tagged tag_name}, in one query.

    Only authors with at least one such post are in the result.

    >>> tagged_post_counts("django")  # Alice: 3 posts, 2 of them tagged django
    {'Alice': 2, 'Carol': 1}
    """
    # TODO: keep the authors who used the tag and count only their posts with that tag.
    raise NotImplementedError


def total_posts_of_authors_using(tag_name: str) -> dict[str, int]:
    """Return {author name: number of ALL their posts} for the authors who wrote at least
    one post tagged tag_name, in one query.

    >>> total_posts_of_authors_using("django")  # Alice: 3 posts, 2 of them tagged django
    {'Alice': 3, 'Carol': 1}
    """
    # TODO: keep the authors who used the tag, but count ALL their posts.
    raise NotImplementedError
