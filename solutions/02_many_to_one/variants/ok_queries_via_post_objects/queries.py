"""Valid alternative: query Post directly instead of using the reverse manager."""

from .models import Author, Post


def author_name(post: Post) -> str:
    return Author.objects.get(pk=post.author_id).name


def post_titles(author: Author) -> list[str]:
    return [p.title for p in Post.objects.filter(author=author).order_by("title")]
