"""Managing the links of a many-to-many relationship: add, remove, set, clear."""

from __future__ import annotations

from collections.abc import Iterable

from .models import Post, Tag


def tag_post(post: Post, *names: str) -> None:
    """Link the post to the tags with these names, keeping the links it already has.

    A tag that does not exist yet is created; a name the post already has is not
    linked twice.

    >>> tag_post(post, "django")
    >>> tag_post(post, "python", "orm")
    >>> [tag.name for tag in post.tags.all()]
    ['django', 'orm', 'python']
    """
    # add() inserts the missing links and leaves the existing ones alone.
    post.tags.add(*[Tag.objects.get_or_create(name=name)[0] for name in names])


def untag(post: Post, *names: str) -> None:
    """Unlink the tags with these names from the post.

    Only the links go: the tags themselves stay, and so do other posts' links to them.
    Names that are not tags are ignored (nothing is created, nothing fails).

    >>> untag(post, "orm")
    >>> [tag.name for tag in post.tags.all()]
    ['django', 'python']
    >>> Tag.objects.filter(name="orm").exists()
    True
    """
    # remove() deletes rows of the join table only, never a Tag.
    post.tags.remove(*Tag.objects.filter(name__in=names))


def retag(post: Post, *names: str) -> None:
    """Replace all of the post's links: afterwards it has exactly these tags.

    >>> retag(post, "sql", "python")
    >>> [tag.name for tag in post.tags.all()]
    ['python', 'sql']
    """
    # set() removes the links not listed and adds the missing ones.
    post.tags.set([Tag.objects.get_or_create(name=name)[0] for name in names])


def clear_tags(post: Post) -> None:
    """Unlink every tag from the post (the tags themselves stay).

    >>> clear_tags(post)
    >>> post.tags.count(), Tag.objects.filter(name="python").exists()
    (0, True)
    """
    post.tags.clear()  # deletes this post's rows of the join table; the tags stay


def create_tagged_post(title: str, tag_names: Iterable[str]) -> Post:
    """Create a post with this title, linked to the tags with these names.

    Tags that do not exist yet are created. Returns the saved post.

    >>> post = create_tagged_post("Hello", ["django", "orm"])
    >>> post.pk is not None, [tag.name for tag in post.tags.all()]
    (True, ['django', 'orm'])
    """
    post = Post(title=title)
    post.save()  # save first: the join table stores post.id, which only a saved post has
    for name in tag_names:
        tag, _ = Tag.objects.get_or_create(name=name)
        post.tags.add(tag)
    return post


def tagged_titles(tag: Tag) -> list[str]:
    """Return the titles of the posts that have this tag, in alphabetical order, in one query.

    >>> tagged_titles(Tag.objects.get(name="django"))
    ['Hello', 'World']
    """
    # backward: tag.posts is a manager (related_name="posts"), just like post.tags
    return list(tag.posts.order_by("title").values_list("title", flat=True))
