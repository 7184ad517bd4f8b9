"""Build a tiny blog graph, then count how many posts use each tag."""

from django.db.models import Count

from .models import Author, Post, Tag


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
    # Tags and authors first (saved: they get ids); create() saves the post before add().
    tag_rows = {name: Tag.objects.create(name=name) for name in tags}
    for title, author_name, tag_names in posts:
        author, _ = Author.objects.get_or_create(name=author_name)
        post = Post.objects.create(title=title, author=author)
        post.tags.add(*(tag_rows[name] for name in tag_names))


def tag_post_counts() -> dict[str, int]:
    """Return {tag name: number of posts with that tag} for EVERY tag, in one query.

    A tag that no post uses is in the result with 0.

    >>> tag_post_counts()  # after the build_blog(...) example above
    {'django': 2, 'news': 0, 'python': 1}
    """
    # One GROUP BY query: a LEFT JOIN keeps tags without posts, Count gives them 0.
    return {tag.name: tag.n_posts for tag in Tag.objects.annotate(n_posts=Count("posts"))}
