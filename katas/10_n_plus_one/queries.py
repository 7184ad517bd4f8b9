"""Reading related rows without one query per row.

Every function here must make the same number of queries whether the blog has 1 post
or 1000 (the README gives each function its budget). The test counts the queries.
"""

from django.db.models import Prefetch, QuerySet  # noqa: F401  (Prefetch is for task 4)

from .models import Author, Post, Tag  # noqa: F401


def post_bylines() -> list[tuple[str, str]]:
    """Return every post as ``(title, author name)``, ordered by title.

    >>> post_bylines()
    [('Admin tricks', 'Alice'), ('Joins explained', 'Bob'), ('Zen of Django', 'Alice')]
    """
    # TODO: fetch the posts *with* their authors, so that reading post.author.name in a
    # loop asks the database nothing more. Budget: 2 queries, at any number of posts.
    raise NotImplementedError


def post_cards() -> list[tuple[str, str, list[str]]]:
    """Return every post as ``(title, author name, tag names A-Z)``, ordered by title.

    >>> post_cards()
    [('Admin tricks', 'Alice', []),
     ('Joins explained', 'Bob', ['orm', 'sql']),
     ('Zen of Django', 'Alice', ['django', 'python'])]
    """
    # TODO: also fetch every post's tags up front (a many-to-many: not a JOIN this time).
    # Budget: 3 queries, at any number of posts.
    raise NotImplementedError


def author_post_titles() -> list[tuple[str, list[str]]]:
    """Return every author as ``(name, titles of their posts A-Z)``, ordered by name.

    An author without posts gets an empty list.

    >>> author_post_titles()
    [('Alice', ['Admin tricks', 'Zen of Django']), ('Bob', ['Joins explained']), ('Carol', [])]
    """
    # TODO: fetch the authors, then all their posts in one go (the reverse side of
    # Post.author, named "posts"). Budget: 2 queries, at any number of authors.
    raise NotImplementedError


def authors_with_published_posts() -> QuerySet[Author] | list[Author]:
    """Return the authors, ordered by name, each with a ``published_posts`` attribute.

    ``author.published_posts`` is a list of that author's *published* posts, ordered by
    title. Unpublished posts are never loaded from the database.

    >>> [(a.name, [p.title for p in a.published_posts]) for a in authors_with_published_posts()]
    [('Alice', ['Zen of Django']), ('Bob', ['Joins explained']), ('Carol', [])]
    """
    # TODO: prefetch each author's posts through a *filtered* queryset and store the
    # result on a new attribute. Budget: 2 queries, at any number of authors.
    raise NotImplementedError
