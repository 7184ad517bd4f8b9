"""
The N+1 queries problem: select_related and prefetch_related

These models are complete; this kata is about *how many queries* your code makes.

A queryset fetches the rows of its own model. Following a relation from one of those
rows (``post.author``, ``post.tags.all()``, ``author.posts.all()``) asks the database
again, once per row. Loop over N posts and read ``post.author.name`` and you make
1 query for the posts plus N for the authors: N+1 queries, and the page gets slower
with every post you add.

Tell the queryset up front which relations you will follow:

- ``select_related("author")`` follows a ForeignKey (or OneToOneField) forward in the
  *same* query, with a SQL JOIN: the posts arrive with their authors.
- ``prefetch_related("tags")`` fetches a many-to-many or a reverse ForeignKey
  (``"posts"`` on Author) in *one extra* query for all the rows at once, and Python
  hands each row its share.
- ``Prefetch("posts", queryset=..., to_attr=...)`` does the same with a queryset of
  your own (filtered, ordered) and stores the result as a plain list attribute.
"""

from django.db import models


class Author(models.Model):
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
    published = models.BooleanField(default=False)
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="posts")
    tags = models.ManyToManyField(Tag, related_name="posts", blank=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title
