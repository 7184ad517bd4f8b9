"""Valid: a conditional Count(filter=Q(...)) over all authors, then keep those above 0."""

from django.db.models import Count, Exists, OuterRef, Q

from .models import Author, Post, Tag


def tag_stats() -> dict[str, tuple[int, int]]:
    # Both JOINs pair every post row with every follower row; distinct=True undoes it.
    tags = Tag.objects.annotate(
        n_posts=Count("posts", distinct=True), n_followers=Count("followers", distinct=True)
    )
    return {tag.name: (tag.n_posts, tag.n_followers) for tag in tags}


def tagged_post_counts(tag_name: str) -> dict[str, int]:
    tagged = Count("posts", filter=Q(posts__tags__name=tag_name))
    authors = Author.objects.annotate(n_posts=tagged).filter(n_posts__gt=0)
    return {author.name: author.n_posts for author in authors}


def total_posts_of_authors_using(tag_name: str) -> dict[str, int]:
    # Exists() is a subquery, not a JOIN: it picks the authors and leaves Count("posts") alone.
    used_tag = Post.objects.filter(author=OuterRef("pk"), tags__name=tag_name)
    authors = Author.objects.filter(Exists(used_tag)).annotate(n_posts=Count("posts"))
    return {author.name: author.n_posts for author in authors}
