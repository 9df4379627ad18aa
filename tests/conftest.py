"""Fixtures shared by every test: personas (one user per role, plus an outsider), the clock.

Helpers live in tests/support/ and tests import them from there, never from a conftest.py or another
test module (tests/test_support_imports.py checks it); fixtures are used by name.
"""

import pytest
import time_machine
from django.contrib.auth.models import Group

from pass_unit.roles import Role
from tests.support.access import build_world
from tests.support.clock import now_for_tests, travelling
from tests.support.users import make_user


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


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    # Background tasks run when enqueued; tests of the queue itself set the database backend back.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


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
def world(personas):
    """The objects behind the URLs of the access matrix (tests.support.access.build_world)."""
    return build_world(personas)


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture(autouse=True)
def _travel_to_test_now(request):
    """With PASS_UNIT_TEST_NOW set, the whole test (fixtures included) runs at that instant.

    The clock keeps ticking from there. Browser tests are left alone: Chromium keeps the
    real time, and a session cookie dated otherwise would not be sent.
    """
    if not travelling() or request.node.get_closest_marker("browser"):
        yield None
        return
    with time_machine.travel(now_for_tests(), tick=True) as traveller:
        yield traveller


@pytest.fixture
def clock(_travel_to_test_now):
    """A clock set at `now_for_tests()` (DEFAULT_NOW unless PASS_UNIT_TEST_NOW says otherwise).

    For every test or fixture that depends on the day or the hour: "today" is the same
    whatever the real time. It ticks (records made one after the other stay ordered);
    `clock.shift(timedelta(...))` or `clock.move_to(...)` make time pass.
    """
    with time_machine.travel(now_for_tests(), tick=True) as traveller:
        yield traveller
