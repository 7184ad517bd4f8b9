"""Working with the links of a many-to-many that goes through a model."""

from .models import Editor, Post, Tag, Tagging  # noqa: F401


def tag_post(post: Post, tag: Tag, editor: Editor) -> None:
    """Put ``tag`` on ``post`` and record that ``editor`` did it.

    If the post already has the tag, nothing changes (the first editor stays).

    >>> tag_post(hello, python, ada)
    >>> Tagging.objects.get(post=hello, tag=python).added_by
    <Editor: Ada>
    """
    # TODO: link them through the post's tags manager, filling in the extra column.
    raise NotImplementedError


def latest_taggings(limit: int) -> list[tuple[str, str, str | None]]:
    """Return the ``limit`` newest links as ``(post title, tag name, editor name)``.

    Newest first (by ``added_at``). The editor's name is ``None`` when nobody is recorded.
    One query, however many links it returns: no query per link for its post, tag or editor.

    >>> latest_taggings(2)
    [('Hello', 'python', 'Ada'), ('Joins', 'sql', None)]
    """
    # TODO: query the link model itself.
    raise NotImplementedError


def posts_tagged_by(editor: Editor) -> list[str]:
    """Return the titles of the posts that ``editor`` put at least one tag on, A-Z, one per post.

    A post the editor tagged twice is listed once; two posts with the same title are two posts,
    so that title is listed twice.

    >>> posts_tagged_by(ada)
    ['Hello', 'Zen']
    """
    # TODO: filter Post across the link model with a double underscore.
    raise NotImplementedError
