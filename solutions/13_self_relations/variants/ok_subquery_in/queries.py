"""Valid: pk__in a subquery returns each author once, no distinct() needed."""

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
    followers = author.followers.all()
    found = Author.objects.filter(
        pk__in=Author.objects.filter(following__in=followers).values("pk")
    )
    return list(found.exclude(pk=author.pk).order_by("name").values_list("name", flat=True))
