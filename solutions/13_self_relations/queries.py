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
    # following__following=author: X follows someone who follows author. The join finds X
    # once per follower X follows, so distinct() on the authors; exclude() drops the author
    # themself. Names come last: values_list("name") before distinct() would merge namesakes.
    found = Author.objects.filter(following__following=author).exclude(pk=author.pk)
    return [follower.name for follower in found.distinct().order_by("name")]
