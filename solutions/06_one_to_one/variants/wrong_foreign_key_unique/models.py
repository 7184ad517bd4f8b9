"""Wrong: ForeignKey(unique=True) refuses a second profile, but its reverse side is the manager user.profile_set (Django warns fields.W342)."""

from django.conf import settings
from django.db import models


class Profile(models.Model):
    # One profile per user (a unique user_id); the reverse side is user.profile; CASCADE
    # deletes the profile with its user.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, unique=True)
    bio = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["user__username"]

    def __str__(self) -> str:
        return f"Profile of {self.user}"
