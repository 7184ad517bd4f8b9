"""Valid: a correlated subquery counts each tag's links; Coalesce turns no links into 0."""

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from .models import Author, Post, Tag


def build_blog(tags: list[str], posts: list[tuple[str, str, list[str]]]) -> None:
    # Tags and authors first (saved: they get ids); create() saves the post before add().
    tag_rows = {name: Tag.objects.create(name=name) for name in tags}
    for title, author_name, tag_names in posts:
        author, _ = Author.objects.get_or_create(name=author_name)
        post = Post.objects.create(title=title, author=author)
        post.tags.add(*(tag_rows[name] for name in tag_names))


def tag_post_counts() -> dict[str, int]:
    links = (
        Post.tags.through.objects.filter(tag=OuterRef("pk"))
        .values("tag")
        .annotate(c=Count("*"))
        .values("c")
    )
    tags = Tag.objects.annotate(n=Coalesce(Subquery(links), 0))
    return {tag.name: tag.n for tag in tags}
