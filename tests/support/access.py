"""The URL access matrix's machinery, shared by the security and budget tests.

- `url_names()`: every named URL of the URL configuration (one admin page stands for Django's admin);
- `RULES`: the role table, the expected status of a GET per URL and persona; `POST_ONLY`: the actions;
- `expected_status(name, persona)`: what a GET answers, actions included;
- `build_world(personas)`: the objects behind the URLs (a patient with a visit, a right, a medical
  context, a merge…); `url_for(name, world)`: the URL of `name` on that world. ONE URL builder: the
  matrix, the form fuzzer and the hardening tests all use it.
"""

from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from patients.models import Patient, PatientMerge
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
    "rcp:my-actions": rule(RCP_READ),
    "rcp:create": rule(RCP_EDIT),
    "rcp:detail": rule(RCP_READ, denied=404),
    "rcp:follow-up": rule(RCP_READ, denied=404),
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


def object_url_names() -> list[str]:
    """URL names whose route takes the pk of a record (`pk`, `visit_pk`…; a year is not one)."""
    return sorted(
        name
        for name, pattern in _walk(get_resolver().url_patterns)
        if any(arg.endswith("pk") for arg in pattern.pattern.converters)
    )


def expected_status(name: str, persona: str) -> int:
    """What a GET of `name` answers `persona` ("anonymous" for a visitor): an action (POST only)
    answers 405 to anyone logged in, before looking at the role; otherwise the role table."""
    return 405 if name in POST_ONLY and persona != "anonymous" else RULES[name][persona]


def build_world(personas: dict, *, patient: Patient | None = None, target=None) -> dict:
    """The objects behind the URLs: a patient file (made here unless given) with a medical context,
    a visit and a right, a second file of the same person, a file merged into it, and an account
    (`target`, made here unless given) for the account pages. RCP and budget objects are made
    lazily, on the first URL that needs them (tests.support.rcp, tests.support.budget)."""
    physician = personas["physician"]
    if patient is None:
        patient = PatientFactory(referring_physician=physician)
        MedicalContextFactory(patient=patient, chronic_conditions="Tuberculose pulmonaire")
    visit = VisitFactory(patient=patient, professional=personas["reception"])
    right = CoverageRightFactory(patient=patient, created_by=personas["social"])
    if target is None:
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


def url_for(name: str, world: dict) -> str:
    """The URL of `name` on the objects of `world` (from `build_world`)."""
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
    raise AssertionError(f"cannot build a URL for {name}: give tests.support.access.build_world what it needs")
