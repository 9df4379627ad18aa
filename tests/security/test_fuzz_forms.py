"""Bad input everywhere: every form of the app is fuzzed with random and hostile values.

The forms are found, not listed: each URL of the URL configuration is opened by the personas
in turn, the first one shown a form there keeps the page, its own <form> elements (POST forms,
and GET search filters) are read from the HTML, and hypothesis submits values mixing plausible
input with unicode, very long strings, HTML/JS, SQL fragments, null bytes, wrong types and
hostile uploads. A new page with a form is fuzzed without touching this file, as soon as the
access matrix can build its URL.

Properties, for every submission:
- no exception, no 500; the answer is one the app gives on purpose;
- a refused submission (form shown again, 403, 404…) changes nothing in the database (the
  project's own tables and the accounts; reading a patient file is audited and left aside);
- a saved one stores complete, valid rows (model validation passes, a patient has its
  file number), makes no administrator, and leaves a trace in the audit trail;
- hostile HTML comes back escaped, on the answer and on the page it redirects to.

Each example runs in a savepoint that is rolled back, so examples are independent and a
failure replays the same way when hypothesis shrinks it.
"""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from pass_unit.models import AuditEvent
from tests.support.access import POST_ONLY, url_for, url_names
from tests.support.fuzz import EXAMPLES, EXPECTED_STATUS, VIEW_ACTIONS, HtmlForm, fuzz_form, own_forms
from tests.support.users import PASSWORD

LOGIN_EXAMPLES = max(EXAMPLES // 2, 1)
# Personas tried, in this order, until one is shown a form on the page.
PERSONA_ORDER = ["reception", "social", "nurse", "physician", "psychologist", "coordinator", "admin_user", "outsider"]
# Pages known to carry a form: if discovery stops finding one, the test fails instead of skipping.
KNOWN_FORMS = {
    "password-change",
    "accounts:create",
    "accounts:edit",
    "accounts:toggle-active",
    "audit-log",
    "patients:list",
    "patients:create",
    "patients:edit",
    "patients:exit",
    "patients:medical-edit",
    "patients:visit-create",
    "patients:visit-cancel",
    "patients:assessment-create",
    "patients:right-create",
    "patients:right-edit",
    "patients:orientation-create",
}
# An action (POST only) has no page of its own: its form is fuzzed on the page that shows it.
FUZZED_URLS = [n for n in url_names() if n not in ("login", "logout", *POST_ONLY) and not n.startswith("admin:")]


def open_page(client, personas, name: str, world) -> tuple[str, str | None, list[HtmlForm]]:
    """The URL, the first persona shown a form there (forms may depend on the role), and those forms."""
    url = url_for(name, world)
    opened = False
    for persona in PERSONA_ORDER:
        client.force_login(personas[persona])
        response = client.get(url)
        if response.status_code != 200:
            continue
        opened = True
        if "html" in response.get("Content-Type", ""):  # not an export or a PDF
            forms = own_forms(response.content.decode(), url)
            if forms:
                return url, persona, forms
    assert opened, f"no persona may open {name} ({url}): give it a target in tests.support.access.build_world"
    return url, None, []


@pytest.mark.parametrize("name", FUZZED_URLS)
def test_no_form_breaks_on_bad_input(client, personas, world, name):
    url, persona, forms = open_page(client, personas, name, world)
    if not forms:
        assert name not in KNOWN_FORMS, f"no form found any more on {name} ({url})"
        pytest.skip("no form on this page")
    for index, form in enumerate(forms):
        fuzz_form(client, form, url, f"{name} #{index} as {persona}", acting_user=personas[persona])


def test_the_login_survives_bad_input(client, personas):
    url = reverse("login")
    forms = own_forms(client.get(url).content.decode(), url)
    assert forms, "no form on the login page"
    for form in forms:
        # A failed login is recorded on purpose; django-axes may lock the account out (429).
        fuzz_form(
            client,
            form,
            url,
            "login",
            examples=LOGIN_EXAMPLES,
            statuses=EXPECTED_STATUS | {429},
            ignored=(*VIEW_ACTIONS, AuditEvent.Action.LOGIN_FAILED),
        )


# --------------------------------------------------------------------------- what the fuzzing found


def test_a_very_long_username_is_refused_before_the_lockout_bookkeeping(client, personas):
    # Was a 500: Django checks the length only in the browser, django-axes' row holds 255 characters.
    response = client.post(reverse("login"), {"username": "<b>" * 5000, "password": PASSWORD})
    assert response.status_code == 200
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED).exists()


def test_a_visit_dated_in_year_one_is_refused(client, personas, world):
    # Was saved, then the patient file answered 500 for good: 0001-01-01 00:00 in Paris is before
    # year 1 in UTC, which PostgreSQL stores but psycopg cannot read back.
    client.force_login(personas["reception"])
    url = reverse("patients:visit-create", kwargs={"pk": world["patient"].pk})
    response = client.post(url, {"occurred_at": "0001-01-01T00:00", "kind": "reception", "interpreting": "none"})
    assert response.status_code == 200
    assert response.context["form"].has_error("occurred_at")
    assert client.get(reverse("patients:detail", kwargs={"pk": world["patient"].pk})).status_code == 200


@pytest.mark.parametrize(("typed", "stored"), [("ﬁona", "fiona"), ("Ŀ", None), ("İ", None)])
def test_an_account_name_is_stored_as_the_login_form_will_read_it(client, personas, typed, stored):
    # Was stored as typed: the login form normalises (NFKC) what is typed, so "ﬁona" could never log in,
    # and lower-casing after the check let invalid names through ("İ" -> "i" + combining dot).
    client.force_login(personas["coordinator"])
    data = {"username": typed, "first_name": "Fiona", "last_name": "Ngo", "role": "nurse"}
    response = client.post(reverse("accounts:create"), {**data, "password1": PASSWORD, "password2": PASSWORD})
    if stored is None:
        assert response.status_code == 200
        assert response.context["form"].has_error("username")
        return
    assert response.status_code == 302
    client.logout()
    response = client.post(reverse("login"), {"username": typed, "password": PASSWORD})
    assert response.status_code == 302, "the new account cannot log in with the name it was given"
    assert User.objects.filter(username=stored).exists()
