"""Valid: values_list() reads the related columns in the same query, no model objects needed."""

from django.db.models import Prefetch, QuerySet

from .models import Author, Post


def post_bylines() -> list[tuple[str, str]]:
    return list(Post.objects.order_by("title").values_list("title", "author__name"))


def post_cards() -> list[tuple[str, str, list[str]]]:
    rows = Post.objects.order_by("title", "id", "tags__name").values_list(
        "id", "title", "author__name", "tags__name"
    )
    cards: dict[int, tuple[str, str, list[str]]] = {}
    for post_id, title, author_name, tag_name in rows:
        card = cards.setdefault(post_id, (title, author_name, []))
        if tag_name is not None:  # a post without tags comes back once, with None
            card[2].append(tag_name)
    return list(cards.values())


def author_post_titles() -> list[tuple[str, list[str]]]:
    titles: dict[int, list[str]] = {}
    for author_id, title in Post.objects.order_by("title").values_list("author_id", "title"):
        titles.setdefault(author_id, []).append(title)
    return [(name, titles.get(pk, [])) for pk, name in Author.objects.values_list("pk", "name")]


def authors_with_published_posts() -> QuerySet[Author] | list[Author]:
    published = Post.objects.filter(published=True).order_by("title")
    return Author.objects.order_by("name").prefetch_related(
        Prefetch("posts", queryset=published, to_attr="published_posts")
    )
