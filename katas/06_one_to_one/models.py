"""
One-to-one relationships

To define a one-to-one relationship, use ``OneToOneField()``. It works like a
``ForeignKey`` with ``unique=True``: the ``profile`` table gets a ``user_id`` column, and
the database refuses a second profile row with the same ``user_id``. The textbook use is
a ``Profile`` that extends Django's built-in ``User``: each user has at most one profile,
and each profile belongs to exactly one user.

Forward access follows the field: ``profile.user``. The reverse side is *one object*, not
a manager: ``user.profile``. A user that has no profile yet raises
``User.profile.RelatedObjectDoesNotExist`` (which is also a ``Profile.DoesNotExist``).

``settings.AUTH_USER_MODEL`` names the project's user model (``"auth.User"`` here).
"""

from django.conf import settings
from django.db import models


class Profile(models.Model):
    # TODO: each user has at most one profile, user.profile (one object, not a manager)
    # reaches it, and deleting a user deletes their profile.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    bio = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["user__username"]

    def __str__(self) -> str:
        return f"Profile of {self.user}"
