"""Valid: dict(values_list(...)) over Count("posts", distinct=True): the same single query."""

from django.db.models import Count

from .models import Author, Post, Tag


def build_blog(tags: list[str], posts: list[tuple[str, str, list[str]]]) -> None:
    # Tags and authors first (saved: they get ids); create() saves the post before add().
    tag_rows = {name: Tag.objects.create(name=name) for name in tags}
    for title, author_name, tag_names in posts:
        author, _ = Author.objects.get_or_create(name=author_name)
        post = Post.objects.create(title=title, author=author)
        post.tags.add(*(tag_rows[name] for name in tag_names))


def tag_post_counts() -> dict[str, int]:
    return dict(Tag.objects.annotate(n=Count("posts", distinct=True)).values_list("name", "n"))
