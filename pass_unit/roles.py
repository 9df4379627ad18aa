"""The team's roles. Each role is a Django group created by a data migration."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RECEPTION = "reception", _("Reception")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    NURSE = "nurse", _("Nurse")
    PHYSICIAN = "physician", _("Physician")
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    COORDINATOR = "coordinator", _("Coordinator")
    ADMIN = "admin", _("Administrator")


def role_of(user) -> Role | None:
    """The user's role, cached on the user object for the request."""
    if not user or not user.is_authenticated:
        return None
    cached = getattr(user, "_pass_role", False)
    if cached is not False:
        return cached
    names = {g.name for g in user.groups.all()}
    role = next((r for r in Role if r.value in names), None)
    if role is None and user.is_superuser:
        role = Role.ADMIN
    user._pass_role = role
    return role
