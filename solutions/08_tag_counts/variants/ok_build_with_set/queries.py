"""Valid: authors kept in a dict, each post saved with save(), its links replaced with set()."""

from django.db.models import Count

from .models import Author, Post, Tag


def build_blog(tags: list[str], posts: list[tuple[str, str, list[str]]]) -> None:
    for name in tags:
        Tag.objects.create(name=name)
    authors: dict[str, Author] = {}
    for title, author_name, tag_names in posts:
        if author_name not in authors:
            authors[author_name] = Author.objects.create(name=author_name)
        post = Post(title=title, author=authors[author_name])
        post.save()
        post.tags.set(Tag.objects.filter(name__in=tag_names))


def tag_post_counts() -> dict[str, int]:
    # One GROUP BY query: a LEFT JOIN keeps tags without posts, Count gives them 0.
    return {tag.name: tag.n_posts for tag in Tag.objects.annotate(n_posts=Count("posts"))}
