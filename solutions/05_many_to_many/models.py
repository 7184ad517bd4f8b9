"""
Many-to-many relationships

To define a many-to-many relationship, use ``ManyToManyField()``. In this example a
``Post`` can have many ``Tag`` rows and each ``Tag`` can apply to many posts. The field
is declared on one of the two models (here ``Post.tags``), but neither table gets a
column for it: Django creates a hidden *join table* with one row per link
(``post_id``, ``tag_id``).

Both sides are managers: ``post.tags.all()`` lists a post's tags and, through
``related_name``, ``tag.posts.all()`` lists the posts of a tag. The links are managed
with ``post.tags.add()``, ``.remove()``, ``.set()`` and ``.clear()``; a link stores
both ids, so the post must be saved before ``add()`` can be used.
"""

from django.db import models


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Post(models.Model):
    title = models.CharField(max_length=200)
    # Many posts <-> many tags through a hidden join table; related_name="posts" names the
    # reverse manager tag.posts.
    tags = models.ManyToManyField(Tag, related_name="posts")

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title
