"""Following a OneToOneField from the user's side, where there may be no profile yet."""

from __future__ import annotations

from django.contrib.auth.models import User

from .models import Profile


def profile_of(user: User) -> Profile | None:
    """Return the user's profile, or None when the user has none (never raises).

    >>> profile_of(User.objects.get(username="alice"))
    <Profile: Profile of alice>
    >>> profile_of(User.objects.get(username="bob")) is None
    True
    """
    try:
        return user.profile  # the reverse side of a OneToOneField is one object...
    except Profile.DoesNotExist:  # ...or RelatedObjectDoesNotExist, a subclass of this
        return None


def ensure_profile(user: User) -> Profile:
    """Return the user's profile, creating an empty one first if the user has none.

    Calling it again returns the same profile; an existing profile is not changed.

    >>> ensure_profile(bob) == ensure_profile(bob)
    True
    >>> Profile.objects.filter(user=bob).count()
    1
    """
    profile, _created = Profile.objects.get_or_create(user=user)  # one row per user at most
    return profile
