"""Accessibility (RGAA, i.e. WCAG 2.1 level AA) of the main pages of each role, checked with axe-core.

The demo data (`manage.py seed_demo`) fills every page with what a unit really shows: alerts,
badges of every status, charts, validated minutes. Each role logs in through the real form and
visits its main pages; any serious or critical axe-core violation fails the test, listed by page.

    PASS_UNIT_TEST_DB=test_a11y .venv/bin/pytest tests/browser/test_accessibility.py
"""

from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from budget.models import CatalogueItem, Expense
from patients.models import Patient
from rcp.models import CaseReview, Meeting
from tests.support.browser import axe_violations, format_violations, login, screenshot

DEMO_PASSWORD = "pass-unit-demo"  # README: the demo accounts' password
COMMON = ["/", "/patients/", "{patient}", "/accounts/password/"]
RCP = ["/rcp/", "{meeting}", "{planned_meeting}", "{case}"]
BUDGET = ["/budget/", "/budget/expenses/", "{expense}"]
PAGES = {
    # The error pages too: another role's page (403), a file the role may not see (404).
    "accueil": [*COMMON, "/patients/new/", "/patients/?q=a", ("/audit/", 403), ("{meeting}", 404)],
    "social": [*COMMON, *RCP, "/budget/", "{patient}assessments/new/", "{patient}rights/new/"],
    "infirmier": [*COMMON, *RCP, *BUDGET, "/budget/patients/{patient_pk}/dispense/", "{patient}visits/new/"],
    "medecin": [*COMMON, *RCP, "{validated_meeting}", "/rcp/new/", "{patient}medical/", *BUDGET],
    "psy": [*COMMON, *RCP, "{patient}visits/new/"],
    "coordination": [
        *COMMON,
        *RCP,
        *BUDGET,
        "/budget/{year}/patients/",
        "/budget/catalogue/",
        "{catalogue_item}",
        "/budget/export/",
        "/budget/imports/new/",
        "/audit/",
        "{patient}access-log/",
        "/accounts/users/",
        "/accounts/users/new/",
    ],
    "admin": [*COMMON, "/budget/", "/audit/", "/accounts/users/", "/accounts/users/new/"],
}


def _objects() -> dict:
    """The objects the page URLs point to, taken from the demo data."""
    patient = (
        Patient.objects.filter(medical__isnull=False, rights__isnull=False, rcp_reviews__isnull=False)
        .order_by("pk")
        .first()
    )
    case = CaseReview.objects.filter(patient=patient).select_related("meeting").first()
    planned = Meeting.objects.exclude(status=Meeting.Status.VALIDATED).order_by("scheduled_at").first()
    return {
        "patient": f"/patients/{patient.pk}/",
        "patient_pk": patient.pk,
        "meeting": f"/rcp/{case.meeting.pk}/",
        "planned_meeting": f"/rcp/{(planned or case.meeting).pk}/",
        "validated_meeting": f"/rcp/{Meeting.objects.filter(status=Meeting.Status.VALIDATED).first().pk}/",
        "case": f"/rcp/cases/{case.pk}/",
        "expense": f"/budget/expenses/{Expense.objects.filter(patient__isnull=False).first().pk}/",
        "catalogue_item": f"/budget/catalogue/{CatalogueItem.objects.first().pk}/",
        "year": timezone.localdate().year,
    }


def test_it_has_no_serious_violation_on_the_login_page(live_server, page, axe_check, settings):
    assert page.goto(live_server.url + "/accounts/login/").ok
    axe_check(page, "login")
    # A failed login shows its error on the same form.
    page.locator("input[name=username]").fill("personne")
    page.locator("input[name=password]").fill("mauvais mot de passe")
    page.locator("form button[type=submit]").click()
    page.locator("[data-testid=form-errors], .alert").first.wait_for()
    axe_check(page, "login with an error")
    screenshot(page, "a11y-login-error")
    # Repeated failures lock the account: that page too.
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        if page.locator("[data-testid=locked]").count():
            break
        page.locator("input[name=username]").fill("personne")
        page.locator("input[name=password]").fill("mauvais mot de passe")
        page.locator("form button[type=submit]").click()
        page.wait_for_load_state()
    page.locator("[data-testid=locked]").wait_for()
    axe_check(page, "account locked")


def test_it_has_no_serious_violation_on_the_main_pages_of_each_role(live_server, browser):
    call_command("seed_demo", "--patients", "8", "--force", stdout=open("/dev/null", "w"))  # noqa: SIM115
    objects = _objects()
    failures = []
    visited = 0
    for username, paths in PAGES.items():
        context = browser.new_context(
            locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": 1366, "height": 900}
        )
        page = context.new_page()
        login(page, live_server, User.objects.get(username=username), DEMO_PASSWORD)
        for template in paths:
            path, status = template if isinstance(template, tuple) else (template, 200)
            path = path.format(**objects)
            response = page.goto(live_server.url + path)
            assert response.status == status, f"{username} {path}: HTTP {response.status}"
            violations = axe_violations(page)
            visited += 1
            if violations:
                failures.append(f"--- {username} {path}\n{format_violations(violations)}")
        context.close()
    assert visited == sum(len(paths) for paths in PAGES.values())
    assert not failures, f"{len(failures)} of {visited} pages with serious/critical violations:\n" + "\n".join(failures)
