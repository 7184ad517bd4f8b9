"""
Filtering across relationships

Nothing to edit here: these models are complete. This kata is about queries.py.

An ``Author`` writes many ``Post`` rows (a ForeignKey on Post, reverse name ``posts``)
and a ``Post`` carries many ``Tag`` rows (a ManyToManyField on Post, reverse name
``posts`` too).

A double underscore (``__``) in a lookup follows a relation, in either direction, and
Django writes the JOIN for you:

- forward, from a post to its author: ``Post.objects.filter(author__name="Alice")``
- backward, from an author through posts to tags:
  ``Author.objects.filter(posts__tags__name="django")``

The last part of a lookup may be a comparison: ``author__name__iexact="alice"``.
Every model has ``Meta.ordering``, so every query here comes back sorted. Text is sorted by
the database's collation (SQLite compares bytes, so "Zoe" comes before "alice"; PostgreSQL
follows the database's collation, which may be a language's, putting "alice" first), and rows
that tie have no set order. This kata's data has neither problem (every name and title starts
with a capital letter, no two are the same), so SQLite and PostgreSQL agree on it.
"""

from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Post(models.Model):
    title = models.CharField(max_length=200)
    # Many posts -> one author; author.posts.all() lists an author's posts.
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="posts")
    # Many posts <-> many tags; tag.posts.all() lists the posts that carry a tag.
    tags = models.ManyToManyField(Tag, related_name="posts", blank=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title
