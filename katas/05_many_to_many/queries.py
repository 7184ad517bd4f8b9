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
    # TODO: get (or create) each Tag, then link them all to the post with its tags manager.
    raise NotImplementedError


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
    # TODO: take these tags away from this post only.
    raise NotImplementedError


def retag(post: Post, *names: str) -> None:
    """Replace all of the post's links: afterwards it has exactly these tags.

    >>> retag(post, "sql", "python")
    >>> [tag.name for tag in post.tags.all()]
    ['python', 'sql']
    """
    # TODO: one manager method replaces the whole set of links at once.
    raise NotImplementedError


def clear_tags(post: Post) -> None:
    """Unlink every tag from the post (the tags themselves stay).

    >>> clear_tags(post)
    >>> post.tags.count(), Tag.objects.filter(name="python").exists()
    (0, True)
    """
    # TODO: remove all of this post's links, without deleting any Tag.
    raise NotImplementedError


def create_tagged_post(title: str, tag_names: Iterable[str]) -> Post:
    """Create a post with this title, linked to the tags with these names.

    Tags that do not exist yet are created. Returns the saved post.

    >>> post = create_tagged_post("Hello", ["django", "orm"])
    >>> post.pk is not None, [tag.name for tag in post.tags.all()]
    (True, ['django', 'orm'])
    """
    # TODO: this code is written, but run the test and read the ValueError: a link in the
    # join table stores the post's id. Does the post have one at the moment of add()?
    post = Post(title=title)
    for name in tag_names:
        tag, _ = Tag.objects.get_or_create(name=name)
        post.tags.add(tag)
    post.save()
    return post


def tagged_titles(tag: Tag) -> list[str]:
    """Return the titles of the posts that have this tag, in alphabetical order, in one query.

    >>> tagged_titles(Tag.objects.get(name="django"))
    ['Hello', 'World']
    """
    # TODO: walk the many-to-many backward, from the tag to its posts.
    raise NotImplementedError
