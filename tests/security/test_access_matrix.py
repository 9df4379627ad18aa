"""Every URL of the app, for every role and for an anonymous visitor.

The list of URLs is read from the URL configuration: a new page without a rule
here fails `test_it_has_a_rule_for_every_url`.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from pass_unit.models import AuditEvent
from patients.models import CoverageRight, Patient, Visit
from tests.conftest import make_user
from tests.factories import CoverageRightFactory, MedicalContextFactory, PatientFactory, VisitFactory

ROLES = ["reception", "social", "nurse", "physician", "psychologist", "coordinator", "admin_user"]
CARE = {"reception", "social", "nurse", "physician", "psychologist"}  # identity: edit
TEAM = set(ROLES)


def rule(ok: set, *, denied: int = 403, outsider: int | None = None, anonymous: int = 302):
    """Expected status per persona: 200 for `ok`, `denied` for the other roles."""
    expected = {role: (200 if role in ok else denied) for role in ROLES}
    if outsider is None:
        outsider = 200 if "outsider" in ok else denied
    expected["outsider"] = outsider
    expected["anonymous"] = anonymous
    return expected


# Patient pages answer 404 to a user with no role (the file "does not exist" for them).
PATIENT_PAGE = {"outsider": 404}
RCP_READ = {"social", "nurse", "physician", "psychologist", "coordinator"}
RCP_EDIT = {"nurse", "physician", "psychologist"}
RCP_HIDDEN = {"reception": 404, "admin_user": 404, "outsider": 404}
BUDGET_READ = {"social", "nurse", "physician", "coordinator", "admin_user"}
BUDGET_HIDDEN = {"reception": 404, "psychologist": 404, "outsider": 404}
REPORT_READ = {"social", "nurse", "physician", "psychologist", "coordinator", "admin_user"}

RULES = {
    "home": rule(TEAM | {"outsider"}),
    "health": {**rule(TEAM | {"outsider"}), "anonymous": 200},
    "login": {**rule(set(), denied=302), "anonymous": 200},
    "logout": {**rule(set(), denied=405), "anonymous": 302},
    "password-change": rule(TEAM | {"outsider"}),
    "accounts:list": rule({"coordinator", "admin_user"}),
    "accounts:create": rule({"coordinator", "admin_user"}),
    "accounts:edit": rule({"coordinator", "admin_user"}),
    "accounts:toggle-active": rule({"coordinator", "admin_user"}),
    "audit-log": rule({"coordinator", "admin_user"}),
    "patient-access-log": rule({"coordinator", "admin_user", "physician"}, **PATIENT_PAGE),
    "patients:list": rule(TEAM),
    "patients:create": rule(CARE),
    "patients:detail": rule(TEAM, **PATIENT_PAGE),
    "patients:edit": rule(CARE, **PATIENT_PAGE),
    "patients:exit": rule({"social", "nurse", "physician", "psychologist"}, **PATIENT_PAGE),
    "patients:medical-edit": rule({"nurse", "physician"}, **PATIENT_PAGE),
    "patients:visit-create": rule(CARE, **PATIENT_PAGE),
    "patients:visit-cancel": rule(CARE, **PATIENT_PAGE),
    "patients:assessment-create": rule({"social"}, **PATIENT_PAGE),
    "patients:right-create": rule({"social"}, **PATIENT_PAGE),
    "patients:right-edit": rule({"social"}, **PATIENT_PAGE),
    "patients:orientation-create": rule({"social", "nurse", "physician", "psychologist"}, **PATIENT_PAGE),
    # Budget: read by social worker, nurse, physician, coordinator, admin; nurses and physicians
    # charge patients' care; the coordinator manages years, allocations, catalogue and imports.
    "budget:dashboard": rule(BUDGET_READ),
    "budget:year": rule(BUDGET_READ),
    "budget:year-create": rule({"coordinator"}),
    "budget:year-edit": rule({"coordinator"}),
    "budget:allocation-create": rule({"coordinator"}),
    "budget:costliest-patients": rule({"coordinator", "physician"}),
    "budget:catalogue": rule(BUDGET_READ),
    "budget:catalogue-create": rule({"coordinator"}),
    "budget:catalogue-edit": rule({"coordinator"}),
    "budget:expenses": rule(BUDGET_READ),
    "budget:expense-create": rule({"nurse", "physician", "coordinator"}),
    # An expense "does not exist" (404) for roles that may not read the budget.
    "budget:expense-detail": rule(BUDGET_READ, denied=404),
    "budget:expense-cancel": {**rule({"nurse", "physician", "coordinator"}), **BUDGET_HIDDEN},
    "budget:dispense": rule({"nurse", "physician"}, **PATIENT_PAGE),
    "budget:export": rule({"coordinator", "admin_user"}),
    "budget:export-csv": rule({"coordinator", "admin_user"}),
    "budget:export-xlsx": rule({"coordinator", "admin_user"}),
    "budget:import": rule({"coordinator"}),
    "budget:import-detail": rule({"coordinator"}),
    # Costing an RCP option: the RCP team who read the budget; nurses and physicians price it.
    "budget:rcp-option": rule({"social", "nurse", "physician", "coordinator"}, denied=404),
    # RCP (DESIGN.md): social worker proposes and reads; nurse, physician, psychologist edit;
    # coordinator reads and validates; reception and admin have no part: meetings, cases,
    # actions and minutes "do not exist" for them (404). The chair of the world's meetings is
    # the physician; the world's open action is assigned to the social worker.
    "rcp:list": rule(RCP_READ),
    "rcp:create": rule(RCP_EDIT),
    "rcp:detail": rule(RCP_READ, denied=404),
    "rcp:edit": {**rule(RCP_EDIT), **RCP_HIDDEN},
    "rcp:participants": {**rule(RCP_EDIT), **RCP_HIDDEN},
    "rcp:attendance": {**rule(RCP_EDIT), **RCP_HIDDEN},
    "rcp:agenda": {**rule(RCP_EDIT), **RCP_HIDDEN},
    "rcp:case-create": {**rule(RCP_EDIT | {"social"}), **RCP_HIDDEN},
    "rcp:validate": {**rule({"physician", "coordinator"}), **RCP_HIDDEN},
    "rcp:correct": {**rule({"physician", "coordinator"}), **RCP_HIDDEN},
    "rcp:minutes-pdf": rule(RCP_READ, denied=404),
    "rcp:annex-pdf": {**rule(RCP_EDIT), **RCP_HIDDEN},
    "rcp:case-detail": rule(RCP_READ, denied=404),
    "rcp:case-edit": {**rule(RCP_EDIT), **RCP_HIDDEN},
    "rcp:propose": rule(RCP_EDIT | {"social"}, **PATIENT_PAGE),
    "rcp:action-close": {**rule(RCP_EDIT | {"social"}), **RCP_HIDDEN},
    "rcp:version-pdf": rule(RCP_READ, denied=404),
    "rcp:extract-pdf": rule(RCP_READ, denied=404),
    # Activity report (figures only): the team but reception; the FTE form posts to the page.
    "reports:activity": rule(REPORT_READ),
    "reports:activity-pdf": rule(REPORT_READ),
    "reports:activity-xlsx": rule(REPORT_READ),
    "reports:activity-csv": rule(REPORT_READ),
    # Django's admin: staff only (the admin role); others are sent to the admin login.
    "admin:index": {**rule({"admin_user"}, denied=302)},
}


def _walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def url_names():
    names = {name for name, _ in _walk(get_resolver().url_patterns)}
    # The admin's own pages are guarded by Django's staff check; one of them stands for all.
    return sorted(n for n in names if not n.startswith("admin:") or n == "admin:index")


def test_it_has_a_rule_for_every_url():
    missing = [name for name in url_names() if name not in RULES]
    assert not missing, f"URLs without an access rule in {__file__}: {missing}"


@pytest.fixture
def world(personas):
    physician = personas["physician"]
    patient = PatientFactory(referring_physician=physician)
    MedicalContextFactory(patient=patient, chronic_conditions="Tuberculose pulmonaire")
    visit = VisitFactory(patient=patient, professional=personas["reception"])
    right = CoverageRightFactory(patient=patient, created_by=personas["social"])
    target = make_user("target", None)
    kwargs = {"pk": patient.pk, "visit_pk": visit.pk, "right_pk": right.pk}
    return {"patient": patient, "kwargs": kwargs, "target": target}


def _url(name, world):
    from django.urls import NoReverseMatch

    if name.startswith("accounts:") and name not in ("accounts:list", "accounts:create"):
        return reverse(name, kwargs={"pk": world["target"].pk})
    if name.startswith("rcp:"):
        from tests.rcp.helpers import rcp_url

        return rcp_url(name, world)
    if name.startswith("reports:"):
        return reverse(name, kwargs={"year": 2025})
    if name.startswith("budget:"):
        from tests.budget.factories import url_kwargs

        return reverse(name, kwargs=url_kwargs(name, world))
    for keys in (("pk", "visit_pk"), ("pk", "right_pk"), ("pk",), ()):
        try:
            return reverse(name, kwargs={k: world["kwargs"][k] for k in keys})
        except NoReverseMatch:
            continue
    raise AssertionError(f"cannot build a URL for {name}")


@pytest.mark.parametrize("persona", [*ROLES, "outsider", "anonymous"])
def test_it_answers_each_url_as_the_role_table_says(client, personas, world, persona):
    if persona != "anonymous":
        client.force_login(personas[persona])
    failures = []
    for name in url_names():
        response = client.get(_url(name, world))
        expected = RULES[name][persona]
        if response.status_code != expected:
            failures.append(f"{name}: {response.status_code} (expected {expected})")
    assert not failures, f"{persona}: " + "; ".join(failures)


@pytest.mark.parametrize("persona", [*ROLES, "outsider", "anonymous"])
def test_it_refuses_forbidden_posts_and_changes_nothing(client, personas, world, persona):
    if persona != "anonymous":
        client.force_login(personas[persona])
    before = (
        Patient.objects.count(),
        Visit.objects.filter(cancelled_at__isnull=False).count(),
        CoverageRight.objects.count(),
        AuditEvent.objects.exclude(action__in=["view", "view_medical"]).count(),
    )
    for name in url_names():
        expected = RULES[name][persona]
        if expected == 200 or name in ("login", "logout", "health"):
            continue
        response = client.post(
            _url(name, world), {"reason": "x", "last_name": "Intrus", "estimated_birth_year": "1980"}
        )
        # Read-only pages answer 405 to any POST, before looking at the role.
        assert response.status_code in (expected, 405), f"POST {name} as {persona}: {response.status_code}"
    after = (
        Patient.objects.count(),
        Visit.objects.filter(cancelled_at__isnull=False).count(),
        CoverageRight.objects.count(),
        AuditEvent.objects.exclude(action__in=["view", "view_medical"]).count(),
    )
    assert before == after
