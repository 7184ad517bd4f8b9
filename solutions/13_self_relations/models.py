"""
Relations from a model to itself: ``"self"``

A relation can point back at its own model. Write the target as the string
``"self"`` (the class isn't finished yet while its fields are being defined).

A comment that answers another comment is a many-to-one from ``Comment`` to
``Comment``: a ``ForeignKey("self", ...)``. A comment that starts a thread has no
parent, so the field must allow NULL. ``related_name`` names the way back down:
``comment.replies.all()``.

Authors following authors is a many-to-many from ``Author`` to ``Author``. For a
ManyToManyField to ``"self"`` Django assumes the link is *symmetrical*, like a
friendship: if Alice is linked to Bob, Bob is linked to Alice. Following isn't
like that, so say ``symmetrical=False``; then the link has a direction and the
reverse side gets a name of its own (``related_name``), e.g. ``bob.followers``.
"""

from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)
    # One-way links (symmetrical=False); the reverse side is author.followers.
    following = models.ManyToManyField(
        "self", symmetrical=False, related_name="followers", blank=True
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Comment(models.Model):
    text = models.CharField(max_length=200)
    # Many replies -> one parent comment; NULL for a comment that starts a thread.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )

    class Meta:
        ordering = ["id"]  # the order they were written in

    def __str__(self) -> str:
        return self.text
