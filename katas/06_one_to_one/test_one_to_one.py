"""Tests for kata 06. Don't edit this file: edit models.py and queries.py until these pass."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, models, transaction
from django.db.models import QuerySet
from hypothesis import given, settings
from hypothesis import strategies as st

from katalib.base.seed import words
from katalib.core.answers import row
from katalib.core.testcase import KataHypothesisTestCase

pytestmark = pytest.mark.django_db

User = get_user_model()


def require_one_to_one(kata_models: ModuleType) -> ModuleType:
    field = kata_models.Profile._meta.get_field("user")
    if type(field) is not models.OneToOneField:
        pytest.fail(
            f"Profile.user is still a {type(field).__name__}. Make it the one-to-one link first "
            "(see test_profile_user_is_a_one_to_one_field); this test checks its delete rule.",
            pytrace=False,
        )
    return kata_models


@pytest.fixture
def queries(kata_module: Callable[[str], ModuleType]) -> ModuleType:
    return kata_module("queries")


# --- Task 1: one profile per user ---------------------------------------------------------------


@pytest.mark.task(1)
def test_profile_user_is_a_one_to_one_field(kata_models: ModuleType) -> None:
    """Profile.user is a OneToOneField to the User model: one user, one profile."""
    field = kata_models.Profile._meta.get_field("user")
    # The declaration itself is the concept here, so the model's _meta is inspected.
    assert type(field) is models.OneToOneField, (
        f"Profile.user is a {type(field).__name__}"
        + (" with unique=True" if field.unique and type(field) is models.ForeignKey else "")
        + "; expected a OneToOneField (Django's own field for a one-to-one link: its reverse "
        "side is one object, user.profile)."
    )
    assert field.related_model is User, (
        f"Profile.user points at {field.related_model.__name__}; expected the User model "
        "(settings.AUTH_USER_MODEL)."
    )


@pytest.mark.task(1)
def test_a_user_can_have_only_one_profile(kata_models: ModuleType) -> None:
    """The database refuses a second profile for the same user (IntegrityError)."""
    Profile = kata_models.Profile
    alice = User.objects.create(username=words("alice"))
    bob = User.objects.create(username=words("bob"))
    Profile.objects.create(user=alice, bio=words("first"))

    try:
        # atomic(): after a refused INSERT, PostgreSQL can go on only from a savepoint.
        with transaction.atomic():
            Profile.objects.create(user=alice, bio=words("second"))
    except IntegrityError:
        refused = True
    else:
        refused = False
    # A second profile for alice is refused...
    assert refused, (
        "Profile.objects.create(user=alice) succeeded although alice already has a profile; "
        f"she now has {Profile.objects.filter(user=alice).count()}. A one-to-one link makes "
        "user_id unique: which field does that?"
    )
    # ...while another user can have a profile of their own.
    Profile.objects.create(user=bob)
    assert Profile.objects.count() == 2, f"Expected 2 profiles, found {Profile.objects.count()}."


@pytest.mark.task(1)
def test_deleting_a_user_deletes_their_profile(kata_models: ModuleType) -> None:
    """on_delete=CASCADE: the profile goes with its user; other profiles stay."""
    Profile = require_one_to_one(kata_models).Profile
    alice = User.objects.create(username=words("alice"))
    bob = User.objects.create(username=words("bob"))
    Profile.objects.create(user=alice)
    Profile.objects.create(user=bob)

    alice.delete()

    left = list(Profile.objects.values_list("user__username", flat=True))
    # Alice's profile went with her; Bob's profile is untouched.
    assert left == words(["bob"]), (
        f"After alice.delete(), the profiles left belong to {left}; expected ['bob']. A profile "
        "without its user makes no sense: which on_delete rule deletes it too?"
    )
    # The option itself, read from the declaration: a signal that deletes the profile is not it.
    on_delete = Profile._meta.get_field("user").remote_field.on_delete
    assert on_delete is models.CASCADE, (
        f"Profile.user is declared with on_delete={getattr(on_delete, '__name__', on_delete)}; "
        "expected on_delete=models.CASCADE."
    )


# --- Task 2: both directions -------------------------------------------------------------------


@pytest.mark.task(2)
def test_user_profile_is_one_object(
    kata_models: ModuleType, django_assert_num_queries: Callable
) -> None:
    """profile.user is the user and user.profile is the profile: one object each way."""
    Profile = kata_models.Profile
    alice = User.objects.create(username=words("alice"))
    profile = Profile.objects.create(user=alice, bio=words("Hi"))
    # Forward: the field gives the one related user.
    assert Profile.objects.get(pk=profile.pk).user == alice, "profile.user is not alice."

    fresh = User.objects.get(pk=alice.pk)
    # Reverse: the attribute is named profile...
    assert hasattr(User, "profile"), (
        "alice.profile does not exist. The reverse side of a ForeignKey is a manager named "
        "profile_set; a one-to-one link gives one object, named profile."
    )
    with django_assert_num_queries(1):
        got = fresh.profile
    # ...and it is one Profile (one query), not a manager of many.
    assert isinstance(got, Profile), (
        f"alice.profile is a {type(got).__name__}, not a Profile. A manager means many rows "
        "(a ForeignKey); a one-to-one link gives exactly one object."
    )
    assert got == profile and got.bio == words("Hi"), (
        f"alice.profile is {got}; expected her profile."
    )


@pytest.mark.task(2)
def test_a_user_without_a_profile_raises(kata_models: ModuleType) -> None:
    """user.profile raises RelatedObjectDoesNotExist, also catchable as Profile.DoesNotExist."""
    Profile = kata_models.Profile
    bob = User.objects.create(username=words("bob"))
    missing = getattr(getattr(User, "profile", None), "RelatedObjectDoesNotExist", None)
    # Only the single-object reverse side of a one-to-one link has this exception.
    assert missing is not None, (
        "User.profile.RelatedObjectDoesNotExist does not exist: User.profile should be the "
        "reverse side of a OneToOneField."
    )
    # A user without a profile: the attribute access raises...
    with pytest.raises(missing):
        bob.profile  # noqa: B018
    # ...and the same exception is a Profile.DoesNotExist (and an AttributeError for hasattr).
    with pytest.raises(Profile.DoesNotExist):
        User.objects.get(pk=bob.pk).profile  # noqa: B018
    assert not hasattr(User.objects.get(pk=bob.pk), "profile")


# --- Task 3: profile_of ------------------------------------------------------------------------


@pytest.mark.task(3)
def test_profile_of_returns_the_profile_or_none(
    kata_models: ModuleType, queries: ModuleType
) -> None:
    """profile_of(user) is the user's profile, or None when there is none (no exception)."""
    Profile = kata_models.Profile
    alice = User.objects.create(username=words("alice"))
    bob = User.objects.create(username=words("bob"))
    profile = Profile.objects.create(user=alice)
    # Other users whose names look like bob's (another case, a longer name) have profiles.
    for username in words(("Bob", "bobby")):
        Profile.objects.create(user=User.objects.create(username=username))

    got = queries.profile_of(User.objects.get(pk=alice.pk))
    # A user with a profile gets it back.
    assert got == profile, f"profile_of(<User: alice>) returned {got!r}; expected {profile!r}." + (
        " That is a QuerySet (rows, even when there is one): return the Profile itself, or None."
        if isinstance(got, QuerySet)
        else ""
    )
    # The very row, compared as plain data: a Profile whose primary key is hers.
    call = "profile_of(<User: alice>)"
    assert row(got, Profile, call=call, expected=repr(profile)) == profile.pk, (
        f"{call} returned the profile with pk {got.pk}; expected {profile.pk}."
    )
    got = queries.profile_of(User.objects.get(pk=bob.pk))
    # A user without one gets None instead of an exception (Bob's and bobby's are theirs).
    assert got is None, (
        f"profile_of(<User: bob>) returned {got!r}; expected None: bob has no profile (the "
        "users Bob and bobby have one each, and they are other users)."
    )
    # profile_of() only looks: it creates nothing.
    assert Profile.objects.count() == 3, "profile_of() created a profile; it should only look."


# --- Task 4: ensure_profile --------------------------------------------------------------------


@pytest.mark.task(4)
def test_ensure_profile_creates_once_and_keeps_an_existing_one(
    kata_models: ModuleType, queries: ModuleType
) -> None:
    """ensure_profile(user) creates the missing profile once and returns an existing one as is."""
    Profile = kata_models.Profile
    alice = User.objects.create(username=words("alice"))
    bob = User.objects.create(username=words("bob"))
    existing = Profile.objects.create(user=alice, bio=words("Hi"))

    got = queries.ensure_profile(alice)
    # An existing profile comes back unchanged.
    assert got == existing and Profile.objects.get(pk=existing.pk).bio == words("Hi"), (
        f"ensure_profile(<User: alice>) returned {got!r}; expected her existing profile, bio "
        "'Hi' kept."
    )
    call = "ensure_profile(<User: alice>)"
    # Compared as plain data: a Profile whose primary key is the existing one's.
    assert row(got, Profile, call=call, expected="her existing profile") == existing.pk, (
        f"{call} returned the profile with pk {got.pk}; expected {existing.pk}."
    )
    first = queries.ensure_profile(bob)
    # A user without a profile gets a new, saved one...
    assert isinstance(first, Profile) and first.pk is not None and first.user_id == bob.pk, (
        f"ensure_profile(<User: bob>) returned {first!r}; expected a saved Profile for bob."
    )
    second = queries.ensure_profile(bob)
    # ...and asking again returns the same one instead of creating another.
    assert second == first and Profile.objects.filter(user=bob).count() == 1, (
        f"ensure_profile(<User: bob>) twice returned {first!r} and {second!r}; expected the "
        "same profile both times."
    )
    call = "ensure_profile(<User: bob>)"
    # Compared as plain data: the same row both times.
    first_pk = row(first, Profile, call=call, expected="a saved Profile for bob")
    assert row(second, Profile, call=call, expected="the same profile") == first_pk, (
        f"{call} twice returned profiles {first_pk} and {second.pk}; expected the same one."
    )


@pytest.mark.task(4)
class TestEnsureProfile(KataHypothesisTestCase):
    # Every example runs a dozen queries: at most 40 examples, fewer if the profile says so.
    @settings(max_examples=min(settings.default.max_examples, 40))
    @given(n_users=st.integers(1, 3), calls=st.lists(st.integers(0, 2), max_size=6))
    def test_one_profile_per_user_whatever_the_calls(self, n_users: int, calls: list[int]) -> None:
        """Any sequence of ensure_profile calls leaves exactly one profile per user asked for."""
        Profile = self.kata_models().Profile
        queries = self.kata_module("queries")
        users = [User.objects.create(username=words(f"u{i}")) for i in range(n_users)]
        calls = [i % n_users for i in calls]
        for i in calls:
            queries.ensure_profile(users[i])
        asked = sorted({words(f"u{i}") for i in calls})
        got = list(
            Profile.objects.order_by("user__username").values_list("user__username", flat=True)
        )
        # One profile for each user that was asked for, however often; none for the others.
        assert got == asked, (
            f"After ensure_profile() for {[f'u{i}' for i in calls]}, the profiles belong to "
            f"{got}; expected {asked}."
        )
        for i, user in enumerate(users):
            found = queries.profile_of(User.objects.get(pk=user.pk))
            # profile_of() agrees: a profile exactly for the users asked for.
            assert (found is not None) == (words(f"u{i}") in asked), (
                f"profile_of(<User: u{i}>) returned {found!r}."
            )
