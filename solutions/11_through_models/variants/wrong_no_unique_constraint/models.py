"""Wrong: without a unique constraint the same tag can be linked to a post twice."""

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

    def __str__(self) -> str:
        return f"{self.tag} on {self.post}"
