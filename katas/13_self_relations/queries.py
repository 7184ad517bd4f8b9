"""Queries that follow a relation from a model to itself."""

from .models import Author


def followers_of_followers(author: Author) -> list[str]:
    """Return the names of the authors who follow someone who follows ``author``.

    A-Z, each name once, and never ``author`` themself.

    >>> # carol follows bob and dan, who both follow alice; alice follows dan too
    >>> followers_of_followers(alice)
    ['Carol']
    """
    # TODO: go two steps along `following` with a double underscore.
    raise NotImplementedError
