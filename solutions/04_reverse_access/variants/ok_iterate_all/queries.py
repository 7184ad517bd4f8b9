"""Valid: iterate the manager's .all() and sort in Python; aggregate Count for the count."""

from django.db.models import Count

from .models import Author, Post


def post_count(author: Author) -> int:
    """Return how many posts the author has, counted by the database in one query.

    >>> post_count(Author.objects.get(name="Alice"))
    2
    """
    return author.post_set.aggregate(n=Count("id"))["n"]


def post_titles(author: Author) -> list[str]:
    """Return the titles of the author's posts, in alphabetical order.

    >>> post_titles(Author.objects.get(name="Alice"))
    ['Hello', 'World']
    """
    # the manager gives rows only when asked: sort and pick the column in SQL
    return sorted(post.title for post in author.post_set.all())


def comment_texts(post: Post) -> list[str]:
    """Return the texts of the post's comments, in alphabetical order.

    >>> comment_texts(Post.objects.get(title="Hello"))
    ['Great!', 'Thanks']
    """
    # related_name="comments" replaces the default name comment_set
    return sorted(comment.text for comment in post.comments.all())
