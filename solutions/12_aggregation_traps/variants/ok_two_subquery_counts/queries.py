"""Valid: each count is its own correlated subquery, so nothing multiplies."""

from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce

from .models import Author, Post, Tag


def tag_stats() -> dict[str, tuple[int, int]]:
    def count_of(through, column: str) -> Coalesce:
        rows = through.objects.filter(tag=OuterRef("pk")).values("tag").annotate(c=Count(column))
        return Coalesce(Subquery(rows.values("c")), 0)

    tags = Tag.objects.annotate(
        n_posts=count_of(Post.tags.through, "post"),
        n_followers=count_of(Tag.followers.through, "author"),
    )
    return {tag.name: (tag.n_posts, tag.n_followers) for tag in tags}


def tagged_post_counts(tag_name: str) -> dict[str, int]:
    # filter() BEFORE annotate(): the Count reuses the filtered JOIN, so only tagged posts count.
    authors = Author.objects.filter(posts__tags__name=tag_name).annotate(n_posts=Count("posts"))
    return {author.name: author.n_posts for author in authors}


def total_posts_of_authors_using(tag_name: str) -> dict[str, int]:
    # Exists() is a subquery, not a JOIN: it picks the authors and leaves Count("posts") alone.
    used_tag = Post.objects.filter(author=OuterRef("pk"), tags__name=tag_name)
    authors = Author.objects.filter(Exists(used_tag)).annotate(n_posts=Count("posts"))
    return {author.name: author.n_posts for author in authors}
