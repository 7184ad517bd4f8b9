"""Working with the links of a many-to-many that goes through a model."""

from .models import Editor, Post, Tag, Tagging


def tag_post(post: Post, tag: Tag, editor: Editor) -> None:
    """Put ``tag`` on ``post`` and record that ``editor`` did it.

    If the post already has the tag, nothing changes (the first editor stays).

    >>> tag_post(hello, python, ada)
    >>> Tagging.objects.get(post=hello, tag=python).added_by
    <Editor: Ada>
    """
    # add() creates the Tagging row; through_defaults fills its extra fields.
    # An existing link is left alone.
    post.tags.add(tag, through_defaults={"added_by": editor})


def latest_taggings(limit: int) -> list[tuple[str, str, str | None]]:
    """Return the ``limit`` newest links as ``(post title, tag name, editor name)``.

    Newest first (by ``added_at``). The editor's name is ``None`` when nobody is recorded.
    One query, however many links it returns: no query per link for its post, tag or editor.

    >>> latest_taggings(2)
    [('Hello', 'python', 'Ada'), ('Joins', 'sql', None)]
    """
    # The link model is a model like any other: order it, slice it, follow its ForeignKeys.
    rows = Tagging.objects.order_by("-added_at").values_list(
        "post__title", "tag__name", "added_by__name"
    )
    return list(rows[:limit])


def posts_tagged_by(editor: Editor) -> list[str]:
    """Return the titles of the posts that ``editor`` put at least one tag on, A-Z, one per post.

    A post the editor tagged twice is listed once; two posts with the same title are two posts,
    so that title is listed twice.

    >>> posts_tagged_by(ada)
    ['Hello', 'Zen']
    """
    # tagging__ goes from Post to its Tagging rows; distinct() because a post tagged twice by
    # the same editor matches twice. distinct() on the posts (SELECT DISTINCT id, title...),
    # then the titles: values_list("title") first would de-duplicate titles, not posts.
    posts = Post.objects.filter(tagging__added_by=editor).distinct().order_by("title")
    return [post.title for post in posts]
