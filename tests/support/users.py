"""Test users: one password for all, one group per role."""

from django.contrib.auth.models import Group, User

from pass_unit.roles import Role

PASSWORD = "correct-horse-battery-42"

PERSONAS = {
    "reception": Role.RECEPTION,
    "social": Role.SOCIAL_WORKER,
    "nurse": Role.NURSE,
    "physician": Role.PHYSICIAN,
    "psychologist": Role.PSYCHOLOGIST,
    "coordinator": Role.COORDINATOR,
    "admin_user": Role.ADMIN,
}


def make_user(username: str, role: Role | None, **extra) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, first_name=username.title(), **extra)
    if role is not None:
        # get_or_create: transactional tests flush the groups made by the data migration.
        user.groups.add(Group.objects.get_or_create(name=role.value)[0])
    return user
