"""Hardening: login lock-out, idle sessions, deployment checks, security headers, no inline code, CSRF."""

import datetime
import os
import secrets
import subprocess
import sys

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pass_unit import audit
from pass_unit.roles import Role
from patients import services
from patients.models import CoverageRight, MedicalContext, Orientation, Patient, SocialAssessment, Visit
from tests.support.access import POST_ONLY, build_world, url_for, url_names
from tests.support.pages import inline_code
from tests.support.users import PASSWORD, make_user

WRONG = "not-the-password-123"


def login_post(browser: Client, username: str, password: str):
    return browser.post(reverse("login"), {"username": username, "password": password})


def is_logged_in(browser: Client) -> bool:
    return "_auth_user_id" in browser.session


def assert_sent_to_login(response) -> None:
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- lock-out after repeated failed logins (django-axes) -----------------------------------------------------------


def test_five_failures_lock_the_account_even_with_the_right_password(physician):
    browser = Client()
    for _attempt in range(4):
        response = login_post(browser, "physician", WRONG)
        assert response.status_code == 200
        assert response.context["form"].errors
    # The fifth failure reaches the limit: the answer is already the lock-out page.
    response = login_post(browser, "physician", WRONG)
    assert response.status_code == 429
    assert b'data-testid="locked"' in response.content

    response = login_post(browser, "physician", PASSWORD)
    assert response.status_code == 429
    assert b'data-testid="locked"' in response.content
    assert not is_logged_in(browser)
    # Not from another address either: the lock is on the account.
    elsewhere = Client(REMOTE_ADDR="192.0.2.99")
    assert login_post(elsewhere, "physician", PASSWORD).status_code == 429
    assert not is_logged_in(elsewhere)


def test_failures_spread_over_several_addresses_still_lock_the_account(physician):
    for n in range(5):
        login_post(Client(REMOTE_ADDR=f"192.0.2.{n + 1}"), "physician", WRONG)
    browser = Client(REMOTE_ADDR="192.0.2.200")
    assert login_post(browser, "physician", PASSWORD).status_code == 429
    assert not is_logged_in(browser)


def test_the_lock_is_per_account(physician, nurse):
    browser = Client()
    for _attempt in range(5):
        login_post(browser, "physician", WRONG)
    # Same browser, same address, another account: not locked.
    response = login_post(browser, "nurse", PASSWORD)
    assert response.status_code == 302
    assert is_logged_in(browser)


def test_four_failures_then_success_resets_the_counter(physician):
    browser = Client()
    for _attempt in range(4):
        login_post(browser, "physician", WRONG)
    assert login_post(browser, "physician", PASSWORD).status_code == 302
    browser.post(reverse("logout"))
    for _attempt in range(4):
        assert login_post(browser, "physician", WRONG).status_code == 200
    assert login_post(browser, "physician", PASSWORD).status_code == 302


def test_the_lock_lifts_after_the_cool_off(physician):
    browser = Client()
    for _attempt in range(5):
        login_post(browser, "physician", WRONG)
    assert login_post(browser, "physician", PASSWORD).status_code == 429
    assert django_settings.AXES_COOLOFF_TIME == datetime.timedelta(minutes=15)
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    assert login_post(browser, "physician", PASSWORD).status_code == 302
    assert is_logged_in(browser)


def test_the_typed_password_is_not_stored_by_the_lock_out(physician):
    login_post(Client(), "physician", WRONG)
    attempt = AccessAttempt.objects.get()
    assert WRONG not in attempt.post_data


# --- sessions ------------------------------------------------------------------------------------------------------


def test_session_settings():
    assert django_settings.SESSION_COOKIE_AGE == 30 * 60
    assert django_settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    # The idle expiry is pushed back at most once a minute (pass_unit.sessions, tests/deploy).
    assert django_settings.SESSION_SAVE_EVERY_REQUEST is False
    assert django_settings.SESSION_COOKIE_HTTPONLY is True
    assert django_settings.SESSION_COOKIE_SAMESITE == "Lax"


def test_the_session_cookie_ends_with_the_browser(physician):
    browser = Client()
    response = login_post(browser, "physician", PASSWORD)
    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == "" and cookie["expires"] == ""
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def _session(browser: Client) -> Session:
    return Session.objects.get(session_key=browser.session.session_key)


def test_an_idle_session_expires(physician):
    browser = Client()
    login_post(browser, "physician", PASSWORD)
    assert browser.get(reverse("patients:list")).status_code == 200
    # 31 minutes without a request.
    Session.objects.filter(session_key=browser.session.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert_sent_to_login(browser.get(reverse("patients:list")))


def test_an_idle_session_expires_with_a_short_idle_time(settings, physician):
    settings.SESSION_COOKIE_AGE = 60
    browser = Client()
    login_post(browser, "physician", PASSWORD)
    expiry = _session(browser).expire_date
    assert expiry <= timezone.now() + datetime.timedelta(seconds=60)
    Session.objects.filter(pk=browser.session.session_key).update(expire_date=timezone.now())
    assert_sent_to_login(browser.get(reverse("home")))


def test_each_request_pushes_the_expiry_back(clock, physician):
    browser = Client()
    login_post(browser, "physician", PASSWORD)
    clock.shift(datetime.timedelta(minutes=2))  # past the refresh interval (pass_unit.sessions)
    Session.objects.filter(session_key=browser.session.session_key).update(
        expire_date=timezone.now() + datetime.timedelta(minutes=1)
    )
    assert browser.get(reverse("home")).status_code == 200
    remaining = _session(browser).expire_date - timezone.now()
    assert datetime.timedelta(minutes=29) < remaining <= datetime.timedelta(minutes=30)


def test_logging_out_ends_the_session_on_the_server(physician):
    browser = Client()
    login_post(browser, "physician", PASSWORD)
    key = browser.session.session_key
    browser.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()


def test_logging_in_gives_a_new_session_key(physician):
    browser = Client()
    browser.get(reverse("login"))
    browser.session.save()
    before = browser.session.session_key
    login_post(browser, "physician", PASSWORD)
    assert browser.session.session_key != before


# --- deployment check ----------------------------------------------------------------------------------------------


def check_deploy(**env) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests for their own process only.
        if k
        not in {"DEBUG", "SECRET_KEY", "SECURE_SSL", "ALLOWED_HOSTS", "PASS_UNIT_TEST_DB", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=django_settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {"DEBUG": "0", "SECURE_SSL": "1", "ALLOWED_HOSTS": "pass.example.org"}


def test_the_production_settings_pass_the_deployment_check():
    result = check_deploy(**PRODUCTION, SECRET_KEY=secrets.token_urlsafe(64))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_development_settings_fail_the_deployment_check():
    result = check_deploy(DEBUG="1")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "security.W018" in output  # DEBUG
    assert "security.W008" in output  # no HTTPS redirect
    assert "security.W012" in output  # session cookie not secure


def test_production_without_a_secret_key_fails_the_deployment_check():
    dotenv = django_settings.BASE_DIR / ".env"
    if dotenv.exists() and "SECRET_KEY" in dotenv.read_text():
        pytest.skip(".env sets SECRET_KEY")
    result = check_deploy(**PRODUCTION)
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


# --- security headers ----------------------------------------------------------------------------------------------


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


@pytest.mark.parametrize("logged_in", [False, True])
def test_pages_send_the_security_headers(client, physician, logged_in):
    if logged_in:
        client.force_login(physician)
        response = client.get(reverse("patients:list"))
    else:
        response = client.get(reverse("login"))
    assert response.status_code == 200
    csp = csp_directives(response)
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_the_lock_out_page_sends_the_security_headers(physician):
    browser = Client()
    for _attempt in range(5):
        response = login_post(browser, "physician", WRONG)
    assert response.status_code == 429
    assert csp_directives(response)["script-src"] == ["'self'"]
    assert response["X-Frame-Options"] == "DENY"


# --- no inline script or style: the CSP would block it -------------------------------------------------------------


def test_the_inline_code_finder_finds_inline_code():
    html = (
        '<script>alert(1)</script><script src="/static/x.js"></script><p style="color:red">x</p>'
        '<button onclick="go()">b</button><style>p{}</style><a href="javascript:go()">a</a><img onerror=x src=y>'
    )
    assert len(inline_code(html)) == 6
    assert inline_code('<script src="/static/app.js"></script><p class="one">condition=ok onload=</p>') == []


@pytest.fixture
def world(personas):
    """A patient file with something in every section, and the audit rows that go with it."""
    social, physician = personas["social"], personas["physician"]
    patient = services.patient_register(
        patient=Patient(
            last_name="Okafor",
            first_name="Chidi",
            birth_year=1975,
            aliases=["Okafo"],
            interpreter_needed=True,
            languages=["ig"],
            referring_physician=physician,
        ),
        acting_user=social,
    )
    visit = services.visit_add(
        visit=Visit(kind=Visit.Kind.MEDICAL, notes="Toux", occurred_at=timezone.now() - datetime.timedelta(hours=1)),
        patient=patient,
        acting_user=physician,
    )
    services.visit_add(visit=Visit(kind=Visit.Kind.SOCIAL, notes="Entretien"), patient=patient, acting_user=social)
    today = timezone.localdate()
    right = services.right_add(
        right=CoverageRight(
            regime=CoverageRight.Regime.AME,
            status=CoverageRight.Status.GRANTED,
            filed_on=today - datetime.timedelta(days=300),
            decision_on=today - datetime.timedelta(days=290),
            start_date=today - datetime.timedelta(days=290),
            end_date=today + datetime.timedelta(days=20),  # renewal warning shown
        ),
        patient=patient,
        acting_user=social,
    )
    services.assessment_add(
        assessment=SocialAssessment(housing=SocialAssessment.Housing.STREET, needs="Domiciliation"),
        patient=patient,
        acting_user=social,
    )
    services.medical_context_save(
        context=MedicalContext(patient=patient, chronic_conditions="Diabète"), expected_version=0, acting_user=physician
    )
    services.orientation_add(
        orientation=Orientation(destination=Orientation.Destination.GP, detail="Dr Martin"),
        patient=patient,
        acting_user=physician,
    )
    audit.record_view(physician, patient)
    target = make_user("target", Role.NURSE, last_name="Cible")
    # The shared world around this file (a merge, a second file, RCP and budget objects): ONE URL builder.
    world = build_world(personas, patient=patient, target=target)
    # The visit and the right of the URLs are this file's (a medical visit, a right to renew soon).
    world["kwargs"].update(visit_pk=visit.pk, right_pk=right.pk)
    return world


# Query strings that change what a page renders.
EXTRA_QUERIES = {
    "patients:list": ["?q=okafor", "?q=zzzz", "?status=active&coverage=uncovered"],
    "patients:right-edit": ["?next=expired"],
    "audit-log": ["?action=create", "?date_from=2026-02-01&date_to=2026-01-01"],
}

MUST_RENDER = {
    "physician": {"home", "patients:detail", "patients:medical-edit", "patient-access-log", "password-change"},
    "coordinator": {"home", "patients:detail", "audit-log", "accounts:list", "accounts:edit", "patient-access-log"},
}


@pytest.mark.parametrize(
    "persona", ["reception", "social", "nurse", "physician", "psychologist", "coordinator", "admin_user"]
)
def test_no_page_has_inline_script_style_or_event_handler(client, personas, world, persona):
    client.force_login(personas[persona])
    rendered, failures = set(), []
    for name in url_names():
        # Actions (POST only) render no page; Django's own admin pages are left aside.
        if name in ("logout", "health", "login") or name in POST_ONLY or name.startswith("admin:"):
            continue
        base = url_for(name, world)
        for url in [base] + [base + q for q in EXTRA_QUERIES.get(name, [])]:
            response = client.get(url)
            # Only HTML runs in the browser under the CSP (exports: CSV, PDF, XLSX are downloads).
            if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
                continue
            rendered.add(name)
            failures += [f"{url}: {problem}" for problem in inline_code(response.content.decode())]
    assert not failures, failures
    assert MUST_RENDER.get(persona, {"home", "patients:detail"}) <= rendered


def test_anonymous_pages_and_refused_forms_have_no_inline_code(client, personas, world, physician):
    pages = [client.get(reverse("login"))]
    pages.append(login_post(client, "physician", WRONG))
    client.force_login(personas["social"])
    pages.append(client.post(reverse("patients:create"), {"last_name": ""}))
    pages.append(client.post(reverse("patients:visit-create", args=[world["patient"].pk]), {"kind": "bogus"}))
    pages.append(client.post(reverse("patients:right-create", args=[world["patient"].pk]), {"status": "granted"}))
    pages.append(client.post(reverse("password-change"), {"old_password": "x"}))
    client.force_login(personas["coordinator"])
    pages.append(client.post(reverse("accounts:create"), {"username": "x", "password1": "short"}))
    pages.append(client.post(reverse("accounts:toggle-active", args=[world["target"].pk]), {"reason": ""}))
    for response in pages:
        assert response.status_code == 200
        assert inline_code(response.content.decode()) == []


def test_the_lock_out_page_has_no_inline_code(physician):
    browser = Client()
    for _attempt in range(5):
        response = login_post(browser, "physician", WRONG)
    assert response.status_code == 429
    assert inline_code(response.content.decode()) == []


# --- CSRF ----------------------------------------------------------------------------------------------------------

NEW_PATIENT = {"last_name": "Okafor", "first_name": "Chidi", "sex": "M", "estimated_birth_year": "1975"}


def test_a_post_without_csrf_token_is_refused(social):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(social)
    response = browser.post(reverse("patients:create"), {**NEW_PATIENT, "referred_by": "self"})
    assert response.status_code == 403
    assert not Patient.objects.exists()


def test_a_post_with_a_forged_csrf_token_is_refused(social):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(social)
    browser.get(reverse("patients:create"))
    data = {**NEW_PATIENT, "referred_by": "self", "csrfmiddlewaretoken": "a" * 64}
    assert browser.post(reverse("patients:create"), data).status_code == 403
    assert not Patient.objects.exists()


def test_a_post_with_the_csrf_token_of_the_form_is_accepted(social):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(social)
    form = browser.get(reverse("patients:create"))
    token = form.context["csrf_token"]
    data = {**NEW_PATIENT, "referred_by": "self", "csrfmiddlewaretoken": str(token)}
    assert browser.post(reverse("patients:create"), data).status_code == 302
    assert Patient.objects.count() == 1


def test_the_login_form_is_csrf_protected(physician):
    browser = Client(enforce_csrf_checks=True)
    response = login_post(browser, "physician", PASSWORD)
    assert response.status_code == 403
    assert not is_logged_in(browser)


def test_logging_out_needs_a_post_with_a_token(physician):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(physician)
    assert browser.get(reverse("logout")).status_code == 405
    assert browser.post(reverse("logout")).status_code == 403
    assert is_logged_in(browser)


# --- redirects after login -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "http://pass.example.org.evil/"])
def test_the_login_form_does_not_redirect_to_another_site(physician, target):
    browser = Client()
    response = browser.post(reverse("login"), {"username": "physician", "password": PASSWORD, "next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_the_login_form_follows_a_local_next(physician):
    browser = Client()
    url = reverse("patients:list")
    response = browser.post(reverse("login"), {"username": "physician", "password": PASSWORD, "next": url})
    assert response["Location"] == url
