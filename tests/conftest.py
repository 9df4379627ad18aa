"""Personas: one user per role, plus an outsider with no role."""

import pytest
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


@pytest.fixture(autouse=True)
def _role_groups(request):
    """The role groups, for every test that uses the database.

    They come from a data migration, but a transactional test (browser, backup) empties
    every table when it ends, and the tests after it would find no group.
    """
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if not marker and not names & {"db", "transactional_db", "live_server"}:
        return
    transactional = bool(names & {"transactional_db", "live_server"}) or bool(
        marker and marker.kwargs.get("transaction")
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
    for role in Role:
        Group.objects.get_or_create(name=role.value)


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # PBKDF2 is deliberately slow; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def reception(db):
    return make_user("reception", Role.RECEPTION)


@pytest.fixture
def social(db):
    return make_user("social", Role.SOCIAL_WORKER)


@pytest.fixture
def nurse(db):
    return make_user("nurse", Role.NURSE)


@pytest.fixture
def physician(db):
    return make_user("physician", Role.PHYSICIAN)


@pytest.fixture
def psychologist(db):
    return make_user("psychologist", Role.PSYCHOLOGIST)


@pytest.fixture
def coordinator(db):
    return make_user("coordinator", Role.COORDINATOR)


@pytest.fixture
def admin_user(db):
    return make_user("admin_user", Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def outsider(db):
    """Logged in, but with no role in the unit."""
    return make_user("outsider", None)


@pytest.fixture
def personas(reception, social, nurse, physician, psychologist, coordinator, admin_user, outsider):
    return {
        "reception": reception,
        "social": social,
        "nurse": nurse,
        "physician": physician,
        "psychologist": psychologist,
        "coordinator": coordinator,
        "admin_user": admin_user,
        "outsider": outsider,
    }


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login
