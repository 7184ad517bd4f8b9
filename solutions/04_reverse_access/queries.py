"""Walking ForeignKeys backward, from the row that is pointed at to the rows that point at it."""

from .models import Author, Post


def post_count(author: Author) -> int:
    """Return how many posts the author has, counted by the database in one query.

    >>> post_count(Author.objects.get(name="Alice"))
    2
    """
    return author.post_set.count()  # no related_name: <model>_set; .count() is SELECT COUNT(*)


def post_titles(author: Author) -> list[str]:
    """Return the titles of the author's posts, in alphabetical order.

    >>> post_titles(Author.objects.get(name="Alice"))
    ['Hello', 'World']
    """
    # the manager gives rows only when asked: sort and pick the column in SQL
    return list(author.post_set.order_by("title").values_list("title", flat=True))


def comment_texts(post: Post) -> list[str]:
    """Return the texts of the post's comments, in alphabetical order.

    >>> comment_texts(Post.objects.get(title="Hello"))
    ['Great!', 'Thanks']
    """
    # related_name="comments" replaces the default name comment_set
    return list(post.comments.order_by("text").values_list("text", flat=True))
