"""Wrong: post.author.name in a plain loop asks the database once per post (N+1)."""

from django.db.models import Prefetch, QuerySet

from .models import Author, Post


def post_bylines() -> list[tuple[str, str]]:
    """Return every post as ``(title, author name)``, ordered by title.

    >>> post_bylines()
    [('Admin tricks', 'Alice'), ('Joins explained', 'Bob'), ('Zen of Django', 'Alice')]
    """
    posts = Post.objects.order_by("title")
    return [(post.title, post.author.name) for post in posts]


def post_cards() -> list[tuple[str, str, list[str]]]:
    """Return every post as ``(title, author name, tag names A-Z)``, ordered by title.

    >>> post_cards()
    [('Admin tricks', 'Alice', []),
     ('Joins explained', 'Bob', ['orm', 'sql']),
     ('Zen of Django', 'Alice', ['django', 'python'])]
    """
    # JOIN for the author, plus one query for the tags of all posts: 2 queries in all.
    # post.tags.all() then reads the prefetched tags (sorted by Tag.Meta.ordering).
    posts = Post.objects.select_related("author").prefetch_related("tags").order_by("title")
    return [(post.title, post.author.name, [tag.name for tag in post.tags.all()]) for post in posts]


def author_post_titles() -> list[tuple[str, list[str]]]:
    """Return every author as ``(name, titles of their posts A-Z)``, ordered by name.

    An author without posts gets an empty list.

    >>> author_post_titles()
    [('Alice', ['Admin tricks', 'Zen of Django']), ('Bob', ['Joins explained']), ('Carol', [])]
    """
    # One query for the authors, one for all their posts (sorted by Post.Meta.ordering).
    authors = Author.objects.prefetch_related("posts").order_by("name")
    return [(author.name, [post.title for post in author.posts.all()]) for author in authors]


def authors_with_published_posts() -> QuerySet[Author] | list[Author]:
    """Return the authors, ordered by name, each with a ``published_posts`` attribute.

    ``author.published_posts`` is a list of that author's *published* posts, ordered by
    title. Unpublished posts are never loaded from the database.

    >>> [(a.name, [p.title for p in a.published_posts]) for a in authors_with_published_posts()]
    [('Alice', ['Zen of Django']), ('Bob', ['Joins explained']), ('Carol', [])]
    """
    # Prefetch with our own queryset: the WHERE published runs in the database, and
    # to_attr stores each author's share as a plain list.
    published = Post.objects.filter(published=True).order_by("title")
    return Author.objects.order_by("name").prefetch_related(
        Prefetch("posts", queryset=published, to_attr="published_posts")
    )
