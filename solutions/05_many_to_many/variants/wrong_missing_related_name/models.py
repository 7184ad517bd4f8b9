"""Wrong: without related_name the reverse manager is tag.post_set, not tag.posts."""

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
    tags = models.ManyToManyField(Tag)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title
