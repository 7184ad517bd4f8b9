"""Counting across many-to-many relations without multiplying the rows."""

from django.db.models import Count, Exists, OuterRef

from .models import Author, Post, Tag


def tag_stats() -> dict[str, tuple[int, int]]:
    """Return {tag name: (number of posts, number of followers)} for every tag, in one query.

    >>> tag_stats()  # django: 2 posts and 3 followers; news: no posts, no followers
    {'django': (2, 3), 'news': (0, 0)}
    """
    # Both JOINs pair every post row with every follower row; distinct=True undoes it.
    tags = Tag.objects.annotate(
        n_posts=Count("posts", distinct=True), n_followers=Count("followers", distinct=True)
    )
    return {tag.name: (tag.n_posts, tag.n_followers) for tag in tags}


def tagged_post_counts(tag_name: str) -> dict[str, int]:
    """Return {author name: number of their posts tagged tag_name}, in one query.

    Only authors with at least one such post are in the result.

    >>> tagged_post_counts("django")  # Alice: 3 posts, 2 of them tagged django
    {'Alice': 2, 'Carol': 1}
    """
    # filter() BEFORE annotate(): the Count reuses the filtered JOIN, so only tagged posts count.
    authors = Author.objects.filter(posts__tags__name=tag_name).annotate(n_posts=Count("posts"))
    return {author.name: author.n_posts for author in authors}


def total_posts_of_authors_using(tag_name: str) -> dict[str, int]:
    """Return {author name: number of ALL their posts} for the authors who wrote at least
    one post tagged tag_name, in one query.

    >>> total_posts_of_authors_using("django")  # Alice: 3 posts, 2 of them tagged django
    {'Alice': 3, 'Carol': 1}
    """
    # Exists() is a subquery, not a JOIN: it picks the authors and leaves Count("posts") alone.
    used_tag = Post.objects.filter(author=OuterRef("pk"), tags__name=tag_name)
    authors = Author.objects.filter(Exists(used_tag)).annotate(n_posts=Count("posts"))
    return {author.name: author.n_posts for author in authors}
