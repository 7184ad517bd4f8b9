"""Tests for kata 03. Don't edit this file: edit models.py until these pass."""

from __future__ import annotations

from types import ModuleType

import pytest
from django.apps import apps
from django.core import checks
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Model, ProtectedError, RestrictedError

from katalib.base.seed import words

pytestmark = pytest.mark.django_db

# The test data: a grading run redraws these names and titles (katalib.base.seed), a learner's run
# reads them as written. The names the tasks fix ("Inbox", "[deleted]") stay as they are, and
# so do the look-alikes of "[deleted]" that test the exact name.
CATS, LAUNCH, MISC, NEWS = words(["Cats", "Launch", "Misc", "News"])
CONGRATS, FINALLY, MEOW = words(["Congrats!", "Finally", "Meow"])
ACME, GLOBEX = words(["ACME", "Globex"])
NINA, MILES = words(["Nina", "Miles"])
BALTIMORE, KIND_OF_BLUE, JAM_SESSION = words(["Baltimore", "Kind of Blue", "Jam Session"])
EVERYTHING_MUST_CHANGE, SO_WHAT, DUET = words(["Everything Must Change", "So What", "Duet"])
PRINTERS, NETWORK = words(["Printers", "Network"])
PRINTER_ON_FIRE, PAPER_JAM, NO_TONER, WIFI_DOWN = words(
    ["Printer on fire", "Paper jam", "No toner", "Wi-Fi down"]
)
ALICE, BOB, CAROL = words(["alice", "bob", "carol"])
HI_ALL, HELLO, WELCOME = words(["Hi all", "Hello", "Welcome"])

RULES = {
    models.CASCADE: "CASCADE",
    models.PROTECT: "PROTECT",
    models.RESTRICT: "RESTRICT",
    models.SET_NULL: "SET_NULL",
    models.SET_DEFAULT: "SET_DEFAULT",
    models.DO_NOTHING: "DO_NOTHING",
}


def rule_of(model: type[Model], name: str) -> str:
    """The on_delete rule declared on ``model.name``, read from its _meta: 'CASCADE', 'SET(...)'."""
    on_delete = model._meta.get_field(name).remote_field.on_delete
    if on_delete in RULES:
        return RULES[on_delete]
    # models.SET(f) builds a new function each time it is called.
    if getattr(on_delete, "__qualname__", "") == "SET.<locals>.set_on_delete":
        return "SET(...)"
    return getattr(on_delete, "__name__", repr(on_delete))


def expect_rule(model: type[Model], name: str, *allowed: str) -> None:
    """The declaration itself names one of ``allowed``: a signal or a delete() override that
    imitates the rule's effect is not the rule."""
    found = rule_of(model, name)
    wanted = " or ".join(f"on_delete=models.{rule}" for rule in allowed)
    assert found in allowed, (
        f"{model.__name__}.{name} is declared with on_delete={found}; expected {wanted}."
    )


# --- Task 1: SET_NULL ------------------------------------------------------------------------


@pytest.mark.task(1)
def test_the_models_pass_djangos_checks(kata_models: ModuleType) -> None:
    """Django's system checks find no error in the kata's models (SET_NULL needs null=True)."""
    found = checks.run_checks(app_configs=[apps.get_app_config("k03_on_delete")])
    errors = [f"{e.id}: {e.obj}: {e.msg}" for e in found if e.level >= checks.ERROR]
    # A clean model declaration is the starting point of every scenario.
    assert errors == [], f"Django's system checks report {errors}; expected none."


@pytest.mark.task(1)
def test_deleting_a_category_keeps_its_posts_unlinked(kata_models: ModuleType) -> None:
    """SET_NULL: the category's posts stay, with no category; other posts keep theirs."""
    Category, Post = kata_models.Category, kata_models.Post
    news = Category.objects.create(name=NEWS)
    misc = Category.objects.create(name=MISC)
    Post.objects.create(title=LAUNCH, category=news)
    Post.objects.create(title=CATS, category=misc)

    news.delete()

    left = {p.title: p.category_id for p in Post.objects.all()}
    # Both posts are still there...
    assert sorted(left) == [CATS, LAUNCH], (
        f"After deleting the category {NEWS!r}, the posts are {sorted(left)}; expected "
        f"{[CATS, LAUNCH]}. The posts should outlive their category."
    )
    # ...the deleted category's post has no category any more, the other keeps its own.
    expected = {LAUNCH: None, CATS: misc.pk}
    assert left == expected, (
        f"After deleting {NEWS!r}, the posts' category ids are {left}; expected "
        f"{expected}. Which rule empties the link?"
    )
    expect_rule(Post, "category", "SET_NULL")
    # The column allows NULL: the field says so, not only the database.
    assert Post._meta.get_field("category").null, "Post.category is declared without null=True."


# --- Task 2: CASCADE (and why DO_NOTHING is not harmless) --------------------------------------


@pytest.mark.task(2)
def test_deleting_a_post_deletes_its_comments(kata_models: ModuleType) -> None:
    """CASCADE: a post's comments are deleted with it; other posts' comments stay."""
    Post, Comment = kata_models.Post, kata_models.Comment
    launch = Post.objects.create(title=LAUNCH)
    cats = Post.objects.create(title=CATS)
    Comment.objects.create(text=CONGRATS, post=launch)
    Comment.objects.create(text=FINALLY, post=launch)
    Comment.objects.create(text=MEOW, post=cats)

    launch.delete()

    texts = list(Comment.objects.order_by("text").values_list("text", flat=True))
    # Only the comment on the other post is left.
    assert texts == [MEOW], (
        f"After deleting the post {LAUNCH!r}, the comments are {texts}; expected {[MEOW]}. "
        "A comment means nothing without its post: which rule deletes it too?"
    )
    expect_rule(Comment, "post", "CASCADE")


@pytest.mark.task(2)
def test_no_comment_points_at_a_deleted_post(kata_models: ModuleType) -> None:
    """After a post is deleted, the database's foreign-key check finds no dangling post_id."""
    Post, Comment = kata_models.Post, kata_models.Comment
    launch = Post.objects.create(title=LAUNCH)
    Comment.objects.create(text=CONGRATS, post=launch)

    launch.delete()

    # The test runs inside a transaction, so the database has not checked the foreign keys
    # yet; check_constraints() makes it check them now, as a commit would.
    connection.check_constraints()
    # No IntegrityError: no comment points at the deleted post.


# --- Task 3: PROTECT -------------------------------------------------------------------------


def invoices(n: int) -> str:
    return f"{n} invoice" if n == 1 else f"{n} invoices"


def delete_expecting_refusal(kata_models: ModuleType, customer: Model, wanted: str) -> None:
    """Delete ``customer``, who has invoices; if Django lets it through, fail saying what happened."""
    Invoice = kata_models.Invoice
    name, pk = customer.name, customer.pk
    ids = list(Invoice.objects.filter(customer=customer).values_list("pk", flat=True))
    try:
        customer.delete()
    except (ProtectedError, RestrictedError) as exc:
        # Refused by the rule on Invoice.customer (not by some other model's rule).
        assert "Invoice.customer" in str(exc), (
            f"Deleting {name!r} was refused, but not because of Invoice.customer: {exc}"
        )
        return
    kept = list(Invoice.objects.filter(pk__in=ids).values_list("customer_id", flat=True))
    if not kept:
        what = f"the customer {name!r} and its {invoices(len(ids))} were deleted"
    elif set(kept) == {None}:
        what = f"the customer {name!r} was deleted; its {invoices(len(kept))} stayed, unlinked"
    elif set(kept) == {pk}:
        what = (
            f"the customer {name!r} was deleted; its {invoices(len(kept))} stayed, still "
            f"pointing at the deleted customer's id {pk} (a dangling id)"
        )
    else:
        what = (
            f"the customer {name!r} was deleted; its {invoices(len(kept))} stayed, moved to "
            f"customer ids {sorted(set(kept), key=str)}"
        )
    pytest.fail(
        f"Deleting the customer {name!r}, who still had {invoices(len(ids))}, was not "
        f"refused: {what}. {wanted}",
        pytrace=False,
    )


@pytest.mark.task(3)
def test_a_customer_with_invoices_cannot_be_deleted(kata_models: ModuleType) -> None:
    """PROTECT: deleting a customer who has invoices is refused and nothing is deleted."""
    Customer, Invoice = kata_models.Customer, kata_models.Invoice
    acme = Customer.objects.create(name=ACME)
    Invoice.objects.create(number="2024-001", customer=acme)

    # The delete is refused with an error...
    delete_expecting_refusal(
        kata_models,
        acme,
        "Expected the delete to be refused (ProtectedError) and to delete nothing: the "
        "accountant needs every invoice. Which rule refuses instead of deleting?",
    )
    # ...and the customer and the invoice are both still there.
    assert Customer.objects.filter(name=ACME).exists(), f"The customer {ACME!r} was deleted."
    numbers = list(Invoice.objects.values_list("number", flat=True))
    assert numbers == ["2024-001"], f"The invoices are {numbers}; expected ['2024-001']."
    # RESTRICT refuses here too: no cascade reaches the invoices.
    expect_rule(Invoice, "customer", "PROTECT", "RESTRICT")


@pytest.mark.task(3)
def test_a_customer_without_invoices_can_be_deleted(kata_models: ModuleType) -> None:
    """PROTECT only blocks while invoices point at the customer; without them the delete works."""
    Customer, Invoice = kata_models.Customer, kata_models.Invoice
    acme = Customer.objects.create(name=ACME)
    globex = Customer.objects.create(name=GLOBEX)
    Invoice.objects.create(number="2024-001", customer=acme)
    Invoice.objects.create(number="2024-002", customer=globex)

    # Refused while ACME has an invoice...
    delete_expecting_refusal(
        kata_models,
        acme,
        "This test checks that a customer can be deleted once they have no invoices, and "
        "not before: it expects this first delete to be refused (ProtectedError), then the "
        "delete after their invoices are gone to work.",
    )
    # ...allowed once its invoices are deleted first.
    Invoice.objects.filter(customer=acme).delete()
    acme.delete()
    names = list(Customer.objects.values_list("name", flat=True))
    assert names == [GLOBEX], (
        f"After deleting {ACME}'s invoices and then {ACME}, the customers are {names}; "
        f"expected {[GLOBEX]}. Without invoices, nothing should block the delete."
    )


# --- Task 4: RESTRICT ------------------------------------------------------------------------


@pytest.mark.task(4)
def test_deleting_an_artist_takes_their_albums_and_songs(kata_models: ModuleType) -> None:
    """RESTRICT lets the delete through when the song goes anyway with the artist's album."""
    Artist, Album, Song = kata_models.Artist, kata_models.Album, kata_models.Song
    nina = Artist.objects.create(name=NINA)
    miles = Artist.objects.create(name=MILES)
    baltimore = Album.objects.create(title=BALTIMORE, artist=nina)
    kind_of_blue = Album.objects.create(title=KIND_OF_BLUE, artist=miles)
    Song.objects.create(title=EVERYTHING_MUST_CHANGE, album=baltimore, artist=nina)
    Song.objects.create(title=SO_WHAT, album=kind_of_blue, artist=miles)

    # Nina's song is on Nina's own album, which the CASCADE deletes with her: allowed.
    nina.delete()

    albums = list(Album.objects.values_list("title", flat=True))
    songs = list(Song.objects.values_list("title", flat=True))
    # Nina's album and song are gone; Miles's are untouched.
    assert (albums, songs) == ([KIND_OF_BLUE], [SO_WHAT]), (
        f"After deleting {NINA}, albums={albums}, songs={songs}; expected "
        f"({[KIND_OF_BLUE]}, {[SO_WHAT]}). Her song goes with her album, so nothing should "
        "block this delete."
    )


@pytest.mark.task(4)
def test_a_song_on_another_artists_album_blocks_the_delete(kata_models: ModuleType) -> None:
    """RESTRICT refuses the delete when the song would survive the cascade (another's album)."""
    Artist, Album, Song = kata_models.Artist, kata_models.Album, kata_models.Song
    nina = Artist.objects.create(name=NINA)
    miles = Artist.objects.create(name=MILES)
    jam = Album.objects.create(title=JAM_SESSION, artist=miles)
    Song.objects.create(title=DUET, album=jam, artist=nina)

    # The song sits on Miles's album, so deleting Nina would leave it without its artist.
    with pytest.raises(RestrictedError, match=r"Song\.artist"):
        nina.delete()
    # Nothing was deleted.
    assert Artist.objects.count() == 2, "The refused delete still removed an artist."
    assert Song.objects.filter(title=DUET).exists(), "The refused delete removed the song."
    expect_rule(Song, "artist", "RESTRICT")


# --- Task 5: SET_DEFAULT ---------------------------------------------------------------------


@pytest.mark.task(5)
def test_a_new_ticket_without_a_queue_lands_in_the_inbox(kata_models: ModuleType) -> None:
    """The field's default: a ticket created without a queue is put in the Inbox."""
    Ticket = kata_models.Ticket
    ticket, error = None, None
    try:
        with transaction.atomic():
            ticket = Ticket.objects.create(title=PRINTER_ON_FIRE)
    except IntegrityError as exc:
        error = exc
    # Creating a ticket without naming a queue works...
    assert ticket is not None, (
        f"Ticket.objects.create(title={PRINTER_ON_FIRE!r}) raised IntegrityError ({error}). "
        "Ticket.queue has no default, so the new ticket has no queue at all."
    )
    # ...and the ticket is in the Inbox.
    assert ticket.queue.name == "Inbox", (
        f"A ticket created without a queue is in {ticket.queue.name!r}; expected 'Inbox'."
    )


@pytest.mark.task(5)
def test_deleting_a_queue_moves_its_tickets_to_the_inbox(kata_models: ModuleType) -> None:
    """SET_DEFAULT: the tickets of a deleted queue stay and move to the Inbox."""
    Queue, Ticket = kata_models.Queue, kata_models.Ticket
    printers = Queue.objects.create(name=PRINTERS)
    network = Queue.objects.create(name=NETWORK)
    Ticket.objects.create(title=PAPER_JAM, queue=printers)
    Ticket.objects.create(title=NO_TONER, queue=printers)
    Ticket.objects.create(title=WIFI_DOWN, queue=network)

    printers.delete()

    where = dict(Ticket.objects.values_list("title", "queue__name"))
    # Every ticket is still there; the deleted queue's tickets are now in the Inbox.
    assert where == {NO_TONER: "Inbox", PAPER_JAM: "Inbox", WIFI_DOWN: NETWORK}, (
        f"After deleting the queue {PRINTERS!r}, the tickets' queues are {where}; expected "
        f"both printer tickets in 'Inbox' and {WIFI_DOWN!r} still in {NETWORK!r}."
    )
    # SET(inbox_queue_id) moves them to the Inbox as well.
    expect_rule(Ticket, "queue", "SET_DEFAULT", "SET(...)")


# --- Task 6: SET(...) ------------------------------------------------------------------------


@pytest.mark.task(6)
def test_deleted_member_is_one_placeholder_row(kata_models: ModuleType) -> None:
    """deleted_member() returns the member '[deleted]', the same row every time."""
    # Members whose names only look like the placeholder's: another case, a longer name.
    for name in ("[Deleted]", "[deleted] fan"):
        kata_models.Member.objects.create(name=name)
    first = kata_models.deleted_member()
    second = kata_models.deleted_member()
    # The placeholder is a saved member called exactly "[deleted]"...
    assert first.pk is not None and first.name == "[deleted]", (
        f"deleted_member() returned {first!r} (pk={first.pk}); expected the saved member "
        "named exactly '[deleted]' (the members '[Deleted]' and '[deleted] fan' exist too, "
        "and are not it)."
    )
    # ...and a second call reuses it instead of creating another one.
    assert second.pk == first.pk, (
        f"Two calls of deleted_member() returned members {first.pk} and {second.pk}; "
        "expected the same row twice (get it if it exists, create it only the first time)."
    )


@pytest.mark.task(6)
def test_deleting_a_member_keeps_their_messages_signed_deleted(kata_models: ModuleType) -> None:
    """SET(deleted_member): messages stay and are signed by one shared '[deleted]' member."""
    Member, Message = kata_models.Member, kata_models.Message
    alice = Member.objects.create(name=ALICE)
    bob = Member.objects.create(name=BOB)
    carol = Member.objects.create(name=CAROL)
    Message.objects.create(text=HI_ALL, author=alice)
    Message.objects.create(text=HELLO, author=bob)
    Message.objects.create(text=WELCOME, author=carol)

    alice.delete()
    bob.delete()

    signed = dict(Message.objects.values_list("text", "author__name"))
    # Every message is still in the thread; alice's and bob's are signed "[deleted]".
    assert signed == {HELLO: "[deleted]", HI_ALL: "[deleted]", WELCOME: CAROL}, (
        f"After deleting {ALICE} and {BOB}, the messages and their authors are {signed}; "
        f"expected {ALICE}'s and {BOB}'s messages signed '[deleted]' and {CAROL}'s untouched."
    )
    # Both deletes reused one placeholder member.
    ghosts = Member.objects.filter(name="[deleted]").count()
    assert ghosts == 1, f"There are {ghosts} '[deleted]' members; expected exactly 1."
    # SET_DEFAULT with default=deleted_member signs them the same way.
    expect_rule(Message, "author", "SET(...)", "SET_DEFAULT")
