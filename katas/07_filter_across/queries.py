"""Queries that filter across relationships with double underscores (``__``).

Every function that returns rows returns a QuerySet (not a list), so callers can keep
chaining ``.filter()``, ``.count()``... on it. The models' ``Meta.ordering`` sorts it:
posts by title, authors by name.
"""

from django.db.models import QuerySet

from .models import Author, Post


def posts_by_author(name: str) -> QuerySet[Post]:
    """Return the posts whose author's name is exactly ``name``.

    >>> posts_by_author("Alice")
    <QuerySet [<Post: Hello>, <Post: World>]>
    >>> posts_by_author("Nobody")
    <QuerySet []>
    """
    # TODO: filter the posts on a field of their author (forward, across the ForeignKey).
    raise NotImplementedError


def posts_by_author_any_case(name: str) -> QuerySet[Post]:
    """Return the posts whose author's name is ``name``, ignoring upper/lower case.

    The whole name must match: "alice" finds Alice's posts, not Malice's.

    >>> posts_by_author_any_case("alice")
    <QuerySet [<Post: Hello>, <Post: World>]>
    >>> posts_by_author_any_case("ALICE")
    <QuerySet [<Post: Hello>, <Post: World>]>
    """
    # TODO: the same path as above, ending in a lookup that ignores case on every database.
    raise NotImplementedError


def authors_using_tag(tag_name: str) -> QuerySet[Author]:
    """Return the authors who wrote at least one post tagged ``tag_name``, each once.

    >>> authors_using_tag("django")  # Alice has two django posts; she is listed once
    <QuerySet [<Author: Alice>, <Author: Bob>]>
    """
    # TODO: go backward from authors through their posts to the posts' tags.
    raise NotImplementedError


def authors_without_tag(tag_name: str) -> QuerySet[Author]:
    """Return the authors who never wrote a post tagged ``tag_name``.

    Authors with no posts at all are included: none of their posts carries the tag.

    >>> authors_without_tag("django")
    <QuerySet [<Author: Carol>, <Author: Dan>, <Author: Eve>, <Author: Malice>]>
    """
    # TODO: keep every author except those that the query of authors_using_tag finds.
    raise NotImplementedError


def count_posts_tagged(tag_name: str) -> int:
    """Return how many posts carry the tag ``tag_name``; 0 for an unknown tag.

    The database counts (one query); no post is loaded into Python.

    >>> count_posts_tagged("django")
    3
    """
    # TODO: let the database count the matching posts.
    raise NotImplementedError


def has_posts_tagged(tag_name: str) -> bool:
    """Return whether any post carries the tag ``tag_name``.

    One query that asks the database a yes/no question; the posts themselves are not fetched.

    >>> has_posts_tagged("django"), has_posts_tagged("cobol")
    (True, False)
    """
    # TODO: ask the database whether at least one matching post exists.
    raise NotImplementedError
