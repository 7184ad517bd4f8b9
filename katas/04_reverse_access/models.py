"""
Reverse access: related_name and <model>_set

A ForeignKey gives two ways to walk the link. Forward, on the model that declares it, you get
one object: ``post.author``. Backward, Django adds an attribute to the model it points at: a
*manager* of all the rows that point here, like ``Post.objects`` limited to one author.

- Without ``related_name`` the manager is called ``<model>_set``: ``author.post_set.all()``.
- With ``related_name="comments"`` it is called ``comments``: ``post.comments.all()``, and
  ``post.comment_set`` no longer exists.

A manager is neither a list nor one object: ask it for rows (``.all()``, ``.filter(...)``,
``.order_by(...)``) or let the database answer (``.count()``, ``.exists()``).

Two ForeignKeys from one model to the same model would both get the same default name
(``person.article_set`` for ``Article.writer`` and for ``Article.editor``), so Django's system
checks refuse them (fields.E304) until the two names differ: a ``related_name`` on one of them
is enough for Django, and one on each says which link each manager follows.
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
    # No related_name on purpose: the reverse manager keeps its default name, author.post_set.
    author = models.ForeignKey(Author, on_delete=models.CASCADE)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Comment(models.Model):
    text = models.CharField(max_length=200)
    # related_name="comments": the reverse manager is post.comments (there is no comment_set).
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")

    class Meta:
        ordering = ["text"]

    def __str__(self) -> str:
        return self.text


class Person(models.Model):
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    title = models.CharField(max_length=200)
    # TODO: two links to Person. Django's system checks reject them as they are: read the
    # fields.E304 message. person.written_articles must list the articles a person wrote,
    # and person.edited_articles the articles they edited.
    writer = models.ForeignKey(Person, on_delete=models.CASCADE)
    editor = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title
