"""Team accounts: created and deactivated by the coordinator or the admin, never deleted; own password changes."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from pass_unit.models import AuditEvent
from pass_unit.roles import Role, role_of
from tests.support.users import PASSWORD, make_user

NEW_PASSWORD = "Lanterne-Boussole-Quai-17"
MANAGERS = ["coordinator", "admin_user"]
NON_MANAGERS = ["reception", "social", "nurse", "physician", "psychologist", "outsider"]


def account_post(**overrides) -> dict:
    data = {
        "username": "ines.martin",
        "first_name": "Inès",
        "last_name": "Martin",
        "email": "ines.martin@hopital.example",
        "role": Role.NURSE.value,
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    data.update(overrides)
    return data


def edit_post(account: User, **overrides) -> dict:
    role = role_of(account)
    data = {
        "username": account.username,
        "first_name": account.first_name or "Prénom",
        "last_name": account.last_name or "Nom",
        "email": account.email,
        "role": role.value if role else "",
    }
    data.update(overrides)
    return data


def logs_in(username: str, password: str) -> bool:
    """Log in through the real login form (django-axes needs the request), in a fresh browser."""
    browser = Client()
    response = browser.post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302 and "_auth_user_id" in browser.session


@pytest.fixture
def target(db):
    """A nurse's account, the object of the managers' actions."""
    return make_user("target", Role.NURSE, last_name="Cible")


@pytest.fixture
def other_admin(db):
    return make_user("admin2", Role.ADMIN, last_name="Admin", is_staff=True, is_superuser=True)


# --- creation ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("manager", MANAGERS)
def test_a_manager_creates_an_account_with_a_role(client, personas, manager):
    client.force_login(personas[manager])
    response = client.post(reverse("accounts:create"), account_post())
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:list")
    user = User.objects.get(username="ines.martin")
    assert list(user.groups.values_list("name", flat=True)) == [Role.NURSE.value]
    assert user.is_active
    assert not user.is_staff and not user.is_superuser
    assert user.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action="account", object_id=str(user.pk))
    assert event.user == personas[manager]
    assert event.changes["role"] == [None, Role.NURSE.value]
    assert NEW_PASSWORD not in str(event.changes) + event.detail
    # The new colleague logs in with the initial password.
    assert logs_in("ines.martin", NEW_PASSWORD)


def test_a_created_account_lists_on_the_team_page(client, coordinator):
    client.force_login(coordinator)
    client.post(reverse("accounts:create"), account_post())
    response = client.get(reverse("accounts:list"))
    assert response.status_code == 200
    assert User.objects.get(username="ines.martin") in response.context["users"]


def test_a_username_is_unique_whatever_the_case(client, coordinator, target):
    client.force_login(coordinator)
    response = client.post(reverse("accounts:create"), account_post(username="TARGET"))
    assert response.status_code == 200
    assert "username" in response.context["form"].errors
    assert User.objects.filter(username__iexact="target").count() == 1


@pytest.mark.parametrize(
    ("password1", "password2", "field"),
    [
        pytest.param("Court-pw-42", "Court-pw-42", "password1", id="11-characters"),
        pytest.param("password1234", "password1234", "password1", id="common"),
        pytest.param("834502917364", "834502917364", "password1", id="only-digits"),
        pytest.param("ines.martin.2026", "ines.martin.2026", "password1", id="like-the-username"),
        pytest.param(NEW_PASSWORD, NEW_PASSWORD + "x", "password2", id="mismatch"),
        pytest.param("", "", "password1", id="empty"),
    ],
)
def test_a_weak_or_mistyped_initial_password_is_refused(client, coordinator, password1, password2, field):
    client.force_login(coordinator)
    users = User.objects.count()
    response = client.post(reverse("accounts:create"), account_post(password1=password1, password2=password2))
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert b"<form" in response.content  # the form comes back for correction
    assert form["username"].value() == "ines.martin"
    assert User.objects.count() == users
    assert not User.objects.filter(username="ines.martin").exists()


def test_a_password_of_twelve_characters_is_enough(client, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("accounts:create"), account_post(password1="Quai-Lune-47", password2="Quai-Lune-47"))
    assert response.status_code == 302
    assert logs_in("ines.martin", "Quai-Lune-47")


# --- the administrator role is out of the coordinator's reach ------------------------------------------------------


def test_the_coordinator_cannot_create_an_administrator(client, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("accounts:create"), account_post(role=Role.ADMIN.value))
    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    assert not User.objects.filter(username="ines.martin").exists()
    choices = [value for value, _label in response.context["form"].fields["role"].choices]
    assert Role.ADMIN.value not in choices


def test_the_coordinator_cannot_promote_an_account_to_administrator(client, coordinator, target):
    client.force_login(coordinator)
    response = client.post(reverse("accounts:edit", args=[target.pk]), edit_post(target, role=Role.ADMIN.value))
    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    target.refresh_from_db()
    assert role_of(target) == Role.NURSE
    assert not target.is_superuser and not target.is_staff


@pytest.mark.parametrize("page", ["accounts:edit", "accounts:toggle-active"])
def test_the_coordinator_cannot_touch_an_administrator_account(client, coordinator, other_admin, page):
    client.force_login(coordinator)
    url = reverse(page, args=[other_admin.pk])
    assert client.get(url).status_code == 403
    data = edit_post(other_admin, first_name="Pirate", role=Role.NURSE.value, reason="x")
    assert client.post(url, data).status_code == 403
    other_admin.refresh_from_db()
    assert other_admin.is_active
    assert other_admin.first_name != "Pirate"
    assert role_of(other_admin) == Role.ADMIN


def test_the_admin_creates_an_administrator(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("accounts:create"), account_post(role=Role.ADMIN.value))
    assert response.status_code == 302
    user = User.objects.get(username="ines.martin")
    assert role_of(user) == Role.ADMIN
    assert user.is_staff and user.is_superuser


def test_the_admin_edits_and_deactivates_another_administrator(client, admin_user, other_admin):
    client.force_login(admin_user)
    response = client.post(reverse("accounts:edit", args=[other_admin.pk]), edit_post(other_admin, last_name="Dupont"))
    assert response.status_code == 302
    response = client.post(reverse("accounts:toggle-active", args=[other_admin.pk]), {"reason": "Départ"})
    assert response.status_code == 302
    other_admin.refresh_from_db()
    assert other_admin.last_name == "Dupont"
    assert not other_admin.is_active


def test_demoting_an_administrator_removes_the_staff_flags(client, admin_user, other_admin):
    client.force_login(admin_user)
    data = edit_post(other_admin, role=Role.COORDINATOR.value)
    assert client.post(reverse("accounts:edit", args=[other_admin.pk]), data).status_code == 302
    other_admin.refresh_from_db()
    assert list(other_admin.groups.values_list("name", flat=True)) == [Role.COORDINATOR.value]
    assert not other_admin.is_staff and not other_admin.is_superuser


def test_a_role_change_is_audited(client, coordinator, target):
    client.force_login(coordinator)
    data = edit_post(target, role=Role.PHYSICIAN.value)
    assert client.post(reverse("accounts:edit", args=[target.pk]), data).status_code == 302
    event = AuditEvent.objects.filter(action="account", object_id=str(target.pk)).latest("pk")
    assert event.user == coordinator
    assert event.changes["role"] == [Role.NURSE.value, Role.PHYSICIAN.value]


# --- deactivation --------------------------------------------------------------------------------------------------


def test_deactivating_requires_a_reason(client, coordinator, target):
    client.force_login(coordinator)
    response = client.post(reverse("accounts:toggle-active", args=[target.pk]), {"reason": ""})
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    target.refresh_from_db()
    assert target.is_active


@pytest.mark.parametrize("manager", MANAGERS)
def test_deactivating_keeps_the_account_and_blocks_the_login(client, personas, target, manager):
    assert logs_in("target", PASSWORD)
    client.force_login(personas[manager])
    users = User.objects.count()
    response = client.post(reverse("accounts:toggle-active", args=[target.pk]), {"reason": "Fin de contrat"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert not target.is_active
    assert User.objects.count() == users  # never deleted
    event = AuditEvent.objects.filter(action="account", object_id=str(target.pk)).latest("pk")
    assert event.user == personas[manager]
    assert event.changes == {"is_active": [True, False]}
    assert event.detail == "Fin de contrat"
    assert not logs_in("target", PASSWORD)


def test_a_deactivated_account_loses_its_open_sessions(client, coordinator, target):
    browser = Client()
    browser.force_login(target)
    assert browser.get(reverse("home")).status_code == 200
    client.force_login(coordinator)
    client.post(reverse("accounts:toggle-active", args=[target.pk]), {"reason": "Départ"})
    response = browser.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_deactivated_account_can_be_reactivated(client, coordinator, target):
    client.force_login(coordinator)
    client.post(reverse("accounts:toggle-active", args=[target.pk]), {"reason": "Départ"})
    assert client.post(reverse("accounts:toggle-active", args=[target.pk])).status_code == 302
    target.refresh_from_db()
    assert target.is_active
    assert logs_in("target", PASSWORD)


@pytest.mark.parametrize("manager", MANAGERS)
def test_nobody_deactivates_their_own_account(client, personas, manager):
    me = personas[manager]
    client.force_login(me)
    url = reverse("accounts:toggle-active", args=[me.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "Oups"}).status_code == 403
    me.refresh_from_db()
    assert me.is_active


def test_there_is_no_way_to_delete_an_account(client, admin_user, target):
    client.force_login(admin_user)
    users = User.objects.count()
    for name in ("accounts:edit", "accounts:toggle-active"):
        client.delete(reverse(name, args=[target.pk]))
    assert User.objects.count() == users


# --- the other roles -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", NON_MANAGERS)
def test_the_other_roles_cannot_manage_accounts(client, personas, target, persona):
    client.force_login(personas[persona])
    pages = [
        reverse("accounts:list"),
        reverse("accounts:create"),
        reverse("accounts:edit", args=[target.pk]),
        reverse("accounts:toggle-active", args=[target.pk]),
    ]
    for url in pages:
        assert client.get(url).status_code == 403, url
    users = User.objects.count()
    assert client.post(reverse("accounts:create"), account_post(role=Role.ADMIN.value)).status_code == 403
    data = edit_post(target, first_name="Pirate", role=Role.ADMIN.value)
    assert client.post(reverse("accounts:edit", args=[target.pk]), data).status_code == 403
    assert client.post(reverse("accounts:toggle-active", args=[target.pk]), {"reason": "x"}).status_code == 403
    assert User.objects.count() == users
    target.refresh_from_db()
    assert target.is_active
    assert target.first_name != "Pirate"
    assert role_of(target) == Role.NURSE
    assert not AuditEvent.objects.filter(action="account").exists()


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, target):
    users = User.objects.count()
    for url in (reverse("accounts:list"), reverse("accounts:create")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    client.post(reverse("accounts:create"), account_post())
    assert User.objects.count() == users


# --- one's own password --------------------------------------------------------------------------------------------


def change_post(old=PASSWORD, new=NEW_PASSWORD, again=None) -> dict:
    return {"old_password": old, "new_password1": new, "new_password2": new if again is None else again}


@pytest.mark.parametrize("persona", ["reception", "physician", "coordinator", "admin_user", "outsider"])
def test_everyone_changes_their_own_password(client, personas, persona):
    user = personas[persona]
    client.force_login(user)
    assert client.get(reverse("password-change")).status_code == 200
    response = client.post(reverse("password-change"), change_post())
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action="account", user=user, detail="password").exists()
    assert logs_in(user.username, NEW_PASSWORD)
    assert not logs_in(user.username, PASSWORD)


def test_a_password_change_ends_the_other_sessions_only(physician):
    here, elsewhere = Client(), Client()
    for browser in (here, elsewhere):
        browser.post(reverse("login"), {"username": "physician", "password": PASSWORD})
        assert browser.get(reverse("home")).status_code == 200
    assert here.session.session_key != elsewhere.session.session_key

    assert here.post(reverse("password-change"), change_post()).status_code == 302

    # This session stays open...
    assert here.get(reverse("home")).status_code == 200
    assert here.get(reverse("patients:list")).status_code == 200
    # ...the other one is sent back to the login page.
    response = elsewhere.get(reverse("patients:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in elsewhere.session


@pytest.mark.parametrize(
    ("data", "field"),
    [
        pytest.param(change_post(old="not-my-password"), "old_password", id="wrong-old-password"),
        pytest.param(change_post(new="Court-pw-42"), "new_password2", id="too-short"),
        pytest.param(change_post(new="password1234"), "new_password2", id="common"),
        pytest.param(change_post(again=NEW_PASSWORD + "x"), "new_password2", id="mismatch"),
    ],
)
def test_a_bad_password_change_is_refused(client, physician, data, field):
    client.force_login(physician)
    response = client.post(reverse("password-change"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors
    physician.refresh_from_db()
    assert physician.check_password(PASSWORD)


def test_one_cannot_change_someone_elses_password(client, physician, target):
    # The page only ever acts on the logged-in user: there is no account id to tamper with.
    client.force_login(physician)
    response = client.post(reverse("password-change"), {**change_post(), "user": target.pk, "username": "target"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.check_password(PASSWORD)
