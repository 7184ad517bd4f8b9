"""Valid: the target named "Author" instead of "self" (and "Comment") is the same relation."""

from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)
    # One-way links (symmetrical=False); the reverse side is author.followers.
    following = models.ManyToManyField(
        "Author", symmetrical=False, related_name="followers", blank=True
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Comment(models.Model):
    text = models.CharField(max_length=200)
    # Many replies -> one parent comment; NULL for a comment that starts a thread.
    parent = models.ForeignKey(
        "Comment", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )

    class Meta:
        ordering = ["id"]  # the order they were written in

    def __str__(self) -> str:
        return self.text
