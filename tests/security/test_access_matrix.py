"""Every URL of the app, for every role and for an anonymous visitor.

The list of URLs is read from the URL configuration: a new page without a rule
here fails `test_it_has_a_rule_for_every_url`.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from pass_unit.models import AuditEvent
from patients.models import CoverageRight, Patient, PatientMerge, Visit
from tests.support.factories import CoverageRightFactory, MedicalContextFactory, PatientFactory, VisitFactory
from tests.support.users import make_user

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

# Actions (POST only, @require_POST): a GET answers 405 whoever asks; the rule is the POST's.
RCP_ACTIONS = [
    "rcp:participant-add-member",
    "rcp:participant-add-guest",
    "rcp:participant-withdraw",
    "rcp:agenda-move",
    "rcp:agenda-urgent",
    "rcp:case-deliberation",
    "rcp:case-option-add",
    "rcp:case-option-withdraw",
    "rcp:case-action-add",
]
POST_ONLY = {
    *RCP_ACTIONS,
    "patient-mark-lost",
    "budget:rcp-option-line-add",
    "budget:rcp-option-line-withdraw",
    "budget:rcp-option-plan",
}
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
    "patient-mark-lost": rule({"social", "nurse", "physician", "psychologist"}, **PATIENT_PAGE),
    # The medical context "does not exist" outside the medical roles; the psychologist reads it.
    "patients:medical-edit": {**rule({"nurse", "physician"}, denied=404), "psychologist": 403},
    "patients:visit-create": rule(CARE, **PATIENT_PAGE),
    "patients:visit-cancel": rule(CARE, **PATIENT_PAGE),
    "patients:assessment-create": rule({"social"}, **PATIENT_PAGE),
    "patients:right-create": rule({"social"}, **PATIENT_PAGE),
    # Rights are read (summary) by the care team and the coordinator, not the admin.
    "patients:right-edit": {**rule({"social"}, **PATIENT_PAGE), "admin_user": 404},
    "patients:orientation-create": rule({"social", "nurse", "physician", "psychologist"}, **PATIENT_PAGE),
    # Identity vigilance (issue 9): the identity editors validate; reception, social workers and the
    # coordinator merge two files of one person; the coordinator undoes a merge.
    "patients:identity": rule(CARE, **PATIENT_PAGE),
    "patients:merge-choose": rule({"reception", "social", "coordinator"}, **PATIENT_PAGE),
    "patients:merge": rule({"reception", "social", "coordinator"}, **PATIENT_PAGE),
    "patients:merge-undo": rule({"coordinator"}, **PATIENT_PAGE),
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
    **dict.fromkeys(
        ["budget:rcp-option-line-add", "budget:rcp-option-line-withdraw", "budget:rcp-option-plan"],
        {**rule({"nurse", "physician"}, denied=404), "social": 403, "coordinator": 403},
    ),
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
    # The actions of the RCP pages (POST only): the RCP editors.
    **dict.fromkeys(RCP_ACTIONS, {**rule(RCP_EDIT), **RCP_HIDDEN}),
    # Activity report (figures only): the team but reception; the FTE form posts to the page.
    "reports:activity": rule(REPORT_READ),
    # The named worklist: the roles that complete files, and the coordinator (read-only).
    "reports:quality": rule({"social", "nurse", "physician", "psychologist", "coordinator"}),
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
    # A second file of the same person (to compare and merge) and a file merged into this one earlier.
    other = PatientFactory()
    merged = PatientFactory(status=Patient.Status.ARCHIVED, merged_into=patient)
    merge = PatientMerge.objects.create(
        target=patient,
        source=merged,
        reason="Même passeport",
        merged_by=physician,
        source_before={"status": "active", "exit_date": None, "exit_reason": ""},
    )
    kwargs = {
        "pk": patient.pk,
        "visit_pk": visit.pk,
        "right_pk": right.pk,
        "other_pk": other.pk,
        "merge_pk": merge.pk,
    }
    return {"patient": patient, "kwargs": kwargs, "target": target}


def _url(name, world):
    from django.urls import NoReverseMatch

    if name.startswith("accounts:") and name not in ("accounts:list", "accounts:create"):
        return reverse(name, kwargs={"pk": world["target"].pk})
    if name.startswith("rcp:"):
        from tests.support.rcp import rcp_url

        return rcp_url(name, world)
    if name.startswith("reports:"):
        return reverse(name, kwargs={"year": 2025})
    if name.startswith("budget:"):
        from tests.support.budget import url_kwargs

        return reverse(name, kwargs=url_kwargs(name, world))
    for keys in (("pk", "visit_pk"), ("pk", "right_pk"), ("pk", "other_pk"), ("pk", "merge_pk"), ("pk",), ()):
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
        expected = 405 if name in POST_ONLY and persona != "anonymous" else RULES[name][persona]
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


# --------------------------------------------------------------------------- object-level rules
# A URL that takes the pk of a record must be exercised with a record of each kind for every role
# (tests/security/test_object_access.py, which posts too), or be listed here with the reason one
# object stands for all (read-only page, creation under a patient, a kind with one rule…).
ONE_KIND_OBJECT_URLS = {
    "accounts:edit": "team accounts: the account managers' rule, whatever the account (test_accounts.py)",
    "accounts:toggle-active": "team accounts: the account managers' rule, whatever the account (test_accounts.py)",
    "patient-access-log": "read-only",
    "patients:detail": "read-only",
    "patients:edit": "the identity: one kind per patient, IDENTITY_EDIT (the matrix above)",
    "patients:visit-create": "creates a record; the kinds offered follow VISIT_KINDS (tests/patients)",
    "patients:assessment-create": "creates a record",
    "patients:right-create": "creates a record",
    "patients:orientation-create": "creates a record",
    "patients:identity": "the identity: one kind per patient, IDENTITY_VALIDATE (tests/patients/test_identity.py)",
    "patients:merge-choose": "read-only",
    "patients:merge": "two patient files: one kind, PATIENT_MERGE (tests/patients/test_merge.py)",
    "patients:merge-undo": "a merge: one kind, PATIENT_MERGE_UNDO (tests/patients/test_merge.py)",
    "patient-mark-lost": "a patient's follow-up status: one kind, can_change_patient_status (tests/test_home.py)",
    "budget:catalogue-edit": "a catalogue item: one kind, the budget managers' rule",
    "budget:dispense": "creates a record",
    "budget:import-detail": "read-only",
    "budget:rcp-option": "read-only page; its writes have their own URLs",
    "budget:rcp-option-line-add": "creates a record",
    "budget:rcp-option-plan": "creates records (planned expenses); can_price_option",
    "rcp:detail": "read-only",
    "rcp:edit": "a meeting: one kind, RCP_EDIT",
    "rcp:participants": "read-only page; its writes have their own URLs",
    "rcp:participant-add-member": "creates a record",
    "rcp:participant-add-guest": "creates a record",
    "rcp:attendance": "a meeting: one kind, RCP_EDIT",
    "rcp:agenda": "read-only page; its writes have their own URLs",
    "rcp:agenda-move": "the same rule as rcp:agenda-urgent (covered)",
    "rcp:case-create": "creates a record",
    "rcp:validate": "a meeting: the chair or the coordinator (tests/rcp)",
    "rcp:minutes-pdf": "read-only",
    "rcp:annex-pdf": "read-only",
    "rcp:case-detail": "read-only page; its writes have their own URLs",
    "rcp:case-edit": "a case on the agenda: one kind, RCP_EDIT",
    "rcp:case-deliberation": "a case on the agenda: one kind, RCP_EDIT",
    "rcp:case-option-add": "creates a record",
    "rcp:case-action-add": "creates a record",
    "rcp:propose": "creates a record",
    "rcp:version-pdf": "read-only",
    "rcp:extract-pdf": "read-only",
}


def _object_url_names():
    """URL names whose route takes the pk of a record (`pk`, `visit_pk`…; a year is not one)."""
    return sorted(
        name
        for name, pattern in _walk(get_resolver().url_patterns)
        if any(arg.endswith("pk") for arg in pattern.pattern.converters)
    )


def test_it_exercises_every_url_taking_an_object_pk_on_each_kind_of_record():
    from tests.security.test_object_access import COVERED_URLS

    names = [n for n in _object_url_names() if n in url_names()]
    missing = [n for n in names if n not in COVERED_URLS and n not in ONE_KIND_OBJECT_URLS]
    assert not missing, (
        f"URLs taking an object pk with no per-kind case in test_object_access.CASES "
        f"(or a reason in ONE_KIND_OBJECT_URLS): {missing}"
    )
    stale = [n for n in ONE_KIND_OBJECT_URLS if n not in names or n in COVERED_URLS]
    assert not stale, f"ONE_KIND_OBJECT_URLS lists URLs that do not exist or are covered: {stale}"


def test_it_refuses_posts_on_read_only_object_pages(client, personas, world):
    """What ONE_KIND_OBJECT_URLS calls read-only is: a POST answers 405 even to a role that reads it."""
    readers = {name: next(p for p in ROLES if RULES[name][p] == 200) for name in ONE_KIND_OBJECT_URLS}
    failures = []
    for name, reason in ONE_KIND_OBJECT_URLS.items():
        if not reason.startswith("read-only"):
            continue
        client.force_login(personas[readers[name]])
        status = client.post(_url(name, world), {}).status_code
        if status != 405:
            failures.append(f"{name}: {status}")
    assert not failures, f"pages said read-only that accept a POST: {failures}"


@pytest.mark.parametrize("persona", [*ROLES, "outsider", "anonymous"])
def test_it_answers_each_object_url_per_kind_of_record(client, personas, persona):
    """Every URL of test_object_access.CASES, on a record of each kind, answers each role as the rule says."""
    from tests.security.test_object_access import CASES
    from tests.support.factories import PatientFactory as Patients

    if persona != "anonymous":
        client.force_login(personas[persona])
    failures = []
    for case in CASES:
        made = case.make({**personas, "patient": Patients(referring_physician=personas["physician"])})
        status = client.get(made.url).status_code
        if status != case.expected_get(persona):
            failures.append(f"{case.label} ({case.url_name}): {status} (expected {case.expected_get(persona)})")
    assert not failures, f"{persona}: " + "; ".join(failures)
