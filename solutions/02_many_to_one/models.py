"""
Many-to-one relationships

To define a many-to-one relationship, use ``ForeignKey()``. In this example many
``Post`` rows belong to one ``Author``: the ForeignKey lives on ``Post``, so the
``post`` table gets the column (``author_id``) and the ``author`` table gets none.

Forward access follows the field: ``post.author.name``. Reverse access goes back
from the author through a manager named by ``related_name``: ``author.posts.all()``.
"""

from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Post(models.Model):
    title = models.CharField(max_length=200)
    # Many posts -> one author; CASCADE deletes the posts with their author;
    # related_name="posts" names the reverse manager author.posts.
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="posts")

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title
