"""Wrong: annotate() before filter(): the filter's second JOIN multiplies the count of all posts."""

from django.db.models import Count, Exists, OuterRef

from .models import Author, Post, Tag


def tag_stats() -> dict[str, tuple[int, int]]:
    # Both JOINs pair every post row with every follower row; distinct=True undoes it.
    tags = Tag.objects.annotate(
        n_posts=Count("posts", distinct=True), n_followers=Count("followers", distinct=True)
    )
    return {tag.name: (tag.n_posts, tag.n_followers) for tag in tags}


def tagged_post_counts(tag_name: str) -> dict[str, int]:
    authors = Author.objects.annotate(n_posts=Count("posts")).filter(posts__tags__name=tag_name)
    return {author.name: author.n_posts for author in authors}


def total_posts_of_authors_using(tag_name: str) -> dict[str, int]:
    # Exists() is a subquery, not a JOIN: it picks the authors and leaves Count("posts") alone.
    used_tag = Post.objects.filter(author=OuterRef("pk"), tags__name=tag_name)
    authors = Author.objects.filter(Exists(used_tag)).annotate(n_posts=Count("posts"))
    return {author.name: author.n_posts for author in authors}
