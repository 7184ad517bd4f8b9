"""Following a ForeignKey forward (post -> author) and backward (author -> posts)."""

from .models import Author, Post


def author_name(post: Post) -> str:
    """Return the name of the post's author.

    >>> author_name(Post.objects.get(title="Hello"))
    'Alice'
    """
    return post.author.name  # forward: the field gives the one related Author


def post_titles(author: Author) -> list[str]:
    """Return the titles of the author's posts, in alphabetical order.

    >>> post_titles(Author.objects.get(name="Alice"))
    ['Hello', 'World']
    """
    # backward: author.posts is a manager; order and pick the column in SQL
    return list(author.posts.order_by("title").values_list("title", flat=True))
