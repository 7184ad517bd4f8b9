"""
Aggregation traps: counting across relations

``Post.tags`` and ``Tag.followers`` are both many-to-many, so from a tag there are two
multi-valued paths: ``tag.posts`` and ``tag.followers``. Each ``Count`` over such a path makes
the query JOIN that path's rows. Two of them in one query JOIN both, and every post row is paired
with every follower row: a tag with 2 posts and 3 followers becomes 2 x 3 = 6 rows, so both
counts say 6. ``Count(..., distinct=True)`` counts each post (each follower) once again.

A ``filter()`` across a multi-valued relation JOINs too. Put before ``annotate()``, the Count
reuses that JOIN and counts only the rows that passed the filter; put after, it adds a second
JOIN and multiplies the count. ``Exists(...)`` asks "is there at least one?" in a subquery,
without any JOIN, so it leaves the counts alone.

All three models are given: this kata is about the queries in queries.py.
"""

from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)
    # Authors who follow the tag; author.followed_tags.all() lists the tags one follows.
    followers = models.ManyToManyField(Author, related_name="followed_tags")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Post(models.Model):
    title = models.CharField(max_length=200)
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="posts")
    tags = models.ManyToManyField(Tag, related_name="posts")

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title
