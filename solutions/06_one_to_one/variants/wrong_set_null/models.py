"""Wrong: SET_NULL keeps an orphan profile (user=None) after its user is deleted."""

from django.conf import settings
from django.db import models


class Profile(models.Model):
    # One profile per user (a unique user_id); the reverse side is user.profile; CASCADE
    # deletes the profile with its user.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="profile"
    )
    bio = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["user__username"]

    def __str__(self) -> str:
        return f"Profile of {self.user}"
