"""Wrong: without related_name the reverse manager is author.post_set, not author.posts."""

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
    author = models.ForeignKey(Author, on_delete=models.CASCADE)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title
