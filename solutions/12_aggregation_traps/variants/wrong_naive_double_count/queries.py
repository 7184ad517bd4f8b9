"""Wrong: two Counts over two multi-valued JOINs multiply (2 posts x 3 followers -> (6, 6))."""

from django.db.models import Count, Exists, OuterRef

from .models import Author, Post, Tag


def tag_stats() -> dict[str, tuple[int, int]]:
    tags = Tag.objects.annotate(n_posts=Count("posts"), n_followers=Count("followers"))
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
