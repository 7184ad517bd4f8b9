"""Queries that follow a relation from a model to itself."""

from .models import Author


def followers_of_followers(author: Author) -> list[str]:
    """Return the names of the authors who follow someone who follows ``author``.

    A-Z, one name per author: each author once (however many of the followers they follow),
    and two authors who share a name are two people, so their name comes twice. Never
    ``author`` themself (that row, not everyone with the same name).

    >>> # carol follows bob and dan, who both follow alice; alice follows dan too
    >>> followers_of_followers(alice)
    ['Carol']
    """
    # TODO: go two steps along `following` with a double underscore.
    raise NotImplementedError
