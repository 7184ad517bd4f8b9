"""Wrong: without related_name the reverse manager is tag.post_set, so tag.posts and Count("posts") fail."""

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
    # Many-to-many: links live in a join table.
    tags = models.ManyToManyField(Tag)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title
