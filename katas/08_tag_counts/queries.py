"""Build a tiny blog graph, then count how many posts use each tag."""

from django.db.models import Count  # noqa: F401  (you will need it)

from .models import Author, Post, Tag  # noqa: F401  (you will need them)


def build_blog(tags: list[str], posts: list[tuple[str, str, list[str]]]) -> None:
    """Create the blog described by plain data: every tag, author and post, and the links.

    ``tags`` names every tag, including tags that no post uses. ``posts`` holds one
    ``(title, author name, tag names)`` tuple per post; every tag name in it is also in
    ``tags``. An author who wrote several posts is one Author row.

    >>> build_blog(
    ...     tags=["django", "python", "news"],
    ...     posts=[
    ...         ("Hello", "Alice", ["django", "python"]),
    ...         ("Again", "Alice", ["django"]),
    ...         ("Bye", "Bob", []),
    ...     ],
    ... )
    >>> Author.objects.count(), Post.objects.count(), Tag.objects.count()
    (2, 3, 3)
    >>> [tag.name for tag in Post.objects.get(title="Hello").tags.all()]
    ['django', 'python']
    """
    # TODO: create the tags and the authors, then each post with its author and its tags.
    # Remember: a post needs an id before post.tags.add(...) can link it.
    raise NotImplementedError


def tag_post_counts() -> dict[str, int]:
    """Return {tag name: number of posts with that tag} for EVERY tag, in one query.

    A tag that no post uses is in the result with 0.

    >>> tag_post_counts()  # after the build_blog(...) example above
    {'django': 2, 'news': 0, 'python': 1}
    """
    # TODO: let the database count, in ONE query, through the reverse side of Post.tags.
    raise NotImplementedError
