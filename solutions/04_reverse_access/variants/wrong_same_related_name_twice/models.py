"""Wrong: both ForeignKeys to Person share one related_name, so they clash (fields.E304)."""

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
    # Two links to Person need two reverse names, or both would be person.article_set (E304).
    writer = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="articles")
    editor = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="articles"
    )

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title
