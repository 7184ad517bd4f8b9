"""Queries that follow a relation from a model to itself."""

from .models import Author


def followers_of_followers(author: Author) -> list[str]:
    """Return the names of the authors who follow someone who follows ``author``.

    A-Z, each name once, and never ``author`` themself.

    >>> # carol follows bob and dan, who both follow alice; alice follows dan too
    >>> followers_of_followers(alice)
    ['Carol']
    """
    # following__following=author: X follows someone who follows author. The join finds X
    # once per follower X follows, so distinct(); exclude() drops the author themself.
    found = Author.objects.filter(following__following=author).exclude(pk=author.pk)
    return list(found.distinct().order_by("name").values_list("name", flat=True))
