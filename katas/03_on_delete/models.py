"""
on_delete: what happens to the rows that point at a deleted row

Every ForeignKey says, with ``on_delete``, what Django does to the rows that point at
a row when that row is deleted. The right rule depends on the scenario, not on the field:

- ``CASCADE``      delete them too (the comments go with their post);
- ``PROTECT``      refuse the delete with ``ProtectedError`` (a customer who has invoices);
- ``RESTRICT``     refuse it with ``RestrictedError``, *unless* the same delete removes those
                   rows anyway through a ``CASCADE`` (the songs on an artist's own albums);
- ``SET_NULL``     keep them and empty the link; the column must allow NULL (``null=True``);
- ``SET_DEFAULT``  keep them and point them at the field's ``default``;
- ``SET(f)``       keep them and point them at whatever ``f()`` returns (a "[deleted]" member);
- ``DO_NOTHING``   Django does nothing at all: the rows keep the id of a row that no longer
                   exists, and the database rejects that dangling id when it checks the
                   foreign key (at commit, or at ``connection.check_constraints()``).

Each group of models below is one scenario. Read what it should do, then pick its rule.
"""

from django.db import models

# --- Task 1: posts outlive their category --------------------------------------------------


class Category(models.Model):
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Post(models.Model):
    title = models.CharField(max_length=200)
    # TODO: deleting a category keeps its posts; they just have no category any more.
    # Django's system checks reject this line as it is: read the fields.E320 message.
    category = models.ForeignKey(Category, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


# --- Task 2: comments go with their post ---------------------------------------------------


class Comment(models.Model):
    text = models.CharField(max_length=200)
    # TODO: a comment means nothing without its post: deleting a post deletes its comments.
    # ("Do nothing" sounds harmless. Is it?)
    post = models.ForeignKey(Post, on_delete=models.DO_NOTHING)

    class Meta:
        ordering = ["text"]

    def __str__(self) -> str:
        return self.text


# --- Task 3: invoices keep their customer --------------------------------------------------


class Customer(models.Model):
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Invoice(models.Model):
    number = models.CharField(max_length=20)
    # TODO: the accountant needs every invoice: a customer who still has invoices must not be
    # deleted at all (deleting their invoices first, then the customer, is fine).
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return self.number


# --- Task 4: artists, albums and songs (Django's docs example, turned around: see README) -


class Artist(models.Model):
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Album(models.Model):
    title = models.CharField(max_length=200)
    artist = models.ForeignKey(Artist, on_delete=models.CASCADE)  # an artist's albums go with them

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Song(models.Model):
    title = models.CharField(max_length=200)
    album = models.ForeignKey(Album, on_delete=models.CASCADE)  # an album's songs go with it
    # TODO: deleting an artist must not silently remove a song of theirs that sits on another
    # artist's album; but the songs on the artist's own albums go with those albums.
    artist = models.ForeignKey(Artist, on_delete=models.PROTECT)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


# --- Task 5: tickets fall back to the Inbox queue ------------------------------------------


class Queue(models.Model):
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def inbox_queue_id() -> int:
    """The id of the queue named "Inbox", created the first time it is needed."""
    inbox, _created = Queue.objects.get_or_create(name="Inbox")
    return inbox.pk


class Ticket(models.Model):
    title = models.CharField(max_length=200)
    # TODO: a ticket created without a queue lands in the Inbox, and the tickets of a deleted
    # queue move to the Inbox. The helper inbox_queue_id() above gives the Inbox's id.
    queue = models.ForeignKey(Queue, on_delete=models.CASCADE)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


# --- Task 6: messages of a deleted member stay, signed "[deleted]" -------------------------


class Member(models.Model):
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def deleted_member() -> Member:
    """Return the placeholder member named "[deleted]", creating it the first time.

    >>> deleted_member().name
    '[deleted]'
    >>> deleted_member() == deleted_member()   # always the same row
    True
    """
    # TODO: fetch the "[deleted]" member, or create it if it doesn't exist yet.
    raise NotImplementedError


class Message(models.Model):
    text = models.CharField(max_length=200)
    # TODO: when a member is deleted their messages stay in the thread, signed by the
    # member that deleted_member() returns.
    author = models.ForeignKey(Member, on_delete=models.CASCADE)

    class Meta:
        ordering = ["text"]

    def __str__(self) -> str:
        return self.text
