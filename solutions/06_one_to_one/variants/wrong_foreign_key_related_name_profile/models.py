"""Wrong: a ForeignKey named profile is still many-to-one: two profiles per user, user.profile a manager."""

from django.conf import settings
from django.db import models


class Profile(models.Model):
    # One profile per user (a unique user_id); the reverse side is user.profile; CASCADE
    # deletes the profile with its user.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    bio = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["user__username"]

    def __str__(self) -> str:
        return f"Profile of {self.user}"
