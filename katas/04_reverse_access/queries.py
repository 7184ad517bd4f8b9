"""Walking ForeignKeys backward, from the row that is pointed at to the rows that point at it."""

from .models import Author, Post


def post_count(author: Author) -> int:
    """Return how many posts the author has, counted by the database in one query.

    >>> post_count(Author.objects.get(name="Alice"))
    2
    """
    # TODO: this is the lesson's third common error. Post.author has no related_name, so
    # what is the reverse manager called? Let the database do the counting.
    return author.post.count()


def post_titles(author: Author) -> list[str]:
    """Return the titles of the author's posts, in alphabetical order.

    >>> post_titles(Author.objects.get(name="Alice"))
    ['Hello', 'World']
    """
    # TODO: author.post_set is a manager, not a list: ask it for rows before looping.
    return sorted(post.title for post in author.post_set)


def comment_texts(post: Post) -> list[str]:
    """Return the texts of the post's comments, in alphabetical order.

    >>> comment_texts(Post.objects.get(title="Hello"))
    ['Great!', 'Thanks']
    """
    # TODO: Comment.post has a related_name. Which name does the reverse manager have now?
    return list(post.comment_set.order_by("text").values_list("text", flat=True))
