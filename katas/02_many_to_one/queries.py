"""Following a ForeignKey forward (post -> author) and backward (author -> posts)."""

from .models import Author, Post


def author_name(post: Post) -> str:
    """Return the name of the post's author.

    >>> author_name(Post.objects.get(title="Hello"))
    'Alice'
    """
    # TODO: follow the ForeignKey forward from the post to its author.
    raise NotImplementedError


def post_titles(author: Author) -> list[str]:
    """Return the titles of the author's posts, in alphabetical order.

    >>> post_titles(Author.objects.get(name="Alice"))
    ['Hello', 'World']
    """
    # TODO: walk the ForeignKey backward with the reverse manager named by related_name.
    raise NotImplementedError
