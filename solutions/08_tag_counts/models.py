"""
Practice: a tiny blog graph

Three models make the blog. ``Post.author`` is a ``ForeignKey`` (many posts, one author) and
``Post.tags`` is a ``ManyToManyField`` (a post has many tags, a tag is on many posts). Django
keeps the post/tag links in a hidden join table, so neither table gets a column for them.

Both relations are named ``posts`` on the other side, so the reverse managers read naturally:
``author.posts.all()`` and ``tag.posts.all()``. The reverse name also works inside queries:
``Tag.objects.annotate(n=Count("posts"))`` counts, for each tag, the posts that use it.
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

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Post(models.Model):
    title = models.CharField(max_length=200)
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="posts")
    # Many-to-many: links live in a join table; related_name="posts" names tag.posts.
    tags = models.ManyToManyField(Tag, related_name="posts")

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title
