"""Wrong: post.tags.add(...) before the post is saved (ValueError: needs a value for "id")."""

from django.db.models import Count

from .models import Author, Post, Tag


def build_blog(tags: list[str], posts: list[tuple[str, str, list[str]]]) -> None:
    tag_rows = {name: Tag.objects.create(name=name) for name in tags}
    for title, author_name, tag_names in posts:
        author, _ = Author.objects.get_or_create(name=author_name)
        post = Post(title=title, author=author)
        post.tags.add(*(tag_rows[name] for name in tag_names))
        post.save()


def tag_post_counts() -> dict[str, int]:
    # One GROUP BY query: a LEFT JOIN keeps tags without posts, Count gives them 0.
    return {tag.name: tag.n_posts for tag in Tag.objects.annotate(n_posts=Count("posts"))}
