"""Valid: query Post and Comment directly instead of walking the reverse managers."""

from .models import Author, Comment, Post


def post_count(author: Author) -> int:
    """Return how many posts the author has, counted by the database in one query.

    >>> post_count(Author.objects.get(name="Alice"))
    2
    """
    return Post.objects.filter(author=author).count()


def post_titles(author: Author) -> list[str]:
    """Return the titles of the author's posts, in alphabetical order.

    >>> post_titles(Author.objects.get(name="Alice"))
    ['Hello', 'World']
    """
    # the manager gives rows only when asked: sort and pick the column in SQL
    return [p.title for p in Post.objects.filter(author=author).order_by("title")]


def comment_texts(post: Post) -> list[str]:
    """Return the texts of the post's comments, in alphabetical order.

    >>> comment_texts(Post.objects.get(title="Hello"))
    ['Great!', 'Thanks']
    """
    # related_name="comments" replaces the default name comment_set
    return sorted(c.text for c in Comment.objects.filter(post=post))
