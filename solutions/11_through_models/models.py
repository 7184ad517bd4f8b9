"""
Many-to-many relationships with data on the link: ``through``

A plain ``ManyToManyField`` keeps its links in a hidden join table that holds two
columns, the two ids, and nothing else. To record something *about a link* (when
a tag was put on a post, and by whom), declare the join table yourself as a model
with a ForeignKey to each side, and name it with ``through=``::

    tags = models.ManyToManyField(Tag, through="Tagging", related_name="posts")

``post.tags`` and ``tag.posts`` keep working as before; each link is now a
``Tagging`` row that you can also query directly. ``add()`` fills the extra fields
from ``through_defaults``::

    post.tags.add(tag, through_defaults={"added_by": editor})

Nothing stops a hand-made link table from holding the same (post, tag) pair twice,
unless you say so with a unique constraint on the pair.
"""

from django.db import models
from django.utils import timezone


class Editor(models.Model):
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.CharField(max_length=50)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Post(models.Model):
    title = models.CharField(max_length=200)
    # through= names the link model; a string, because Tagging is defined below.
    tags = models.ManyToManyField(Tag, through="Tagging", related_name="posts")

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Tagging(models.Model):
    """One tag on one post: the link itself, with data about it."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE)
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(Editor, on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        ordering = ["-added_at", "id"]
        # One link per (post, tag) pair, enforced by the database.
        constraints = [
            models.UniqueConstraint(
                fields=["post", "tag"], name="%(app_label)s_one_tagging_per_pair"
            )
        ]

    def __str__(self) -> str:
        return f"{self.tag} on {self.post}"
