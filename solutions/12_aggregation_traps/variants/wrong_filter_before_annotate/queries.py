"""Wrong: filter() before annotate() here counts only the tagged posts, not ALL of them."""

from django.db.models import Count

from .models import Author, Tag


def tag_stats() -> dict[str, tuple[int, int]]:
    # Both JOINs pair every post row with every follower row; distinct=True undoes it.
    tags = Tag.objects.annotate(
        n_posts=Count("posts", distinct=True), n_followers=Count("followers", distinct=True)
    )
    return {tag.name: (tag.n_posts, tag.n_followers) for tag in tags}


def tagged_post_counts(tag_name: str) -> dict[str, int]:
    # filter() BEFORE annotate(): the Count reuses the filtered JOIN, so only tagged posts count.
    authors = Author.objects.filter(posts__tags__name=tag_name).annotate(n_posts=Count("posts"))
    return {author.name: author.n_posts for author in authors}


def total_posts_of_authors_using(tag_name: str) -> dict[str, int]:
    authors = Author.objects.filter(posts__tags__name=tag_name).annotate(n_posts=Count("posts"))
    return {author.name: author.n_posts for author in authors}
