"""Every URL of the app, for every role and for an anonymous visitor.

The list of URLs is read from the URL configuration: a new page without a rule in the role
table (`RULES` in tests/support/access.py) fails `test_it_has_a_rule_for_every_url`.
"""

import pytest

from pass_unit.models import AuditEvent
from patients.models import CoverageRight, Patient, Visit
from tests.support import access
from tests.support.access import ROLES, RULES, expected_status, object_url_names, url_for, url_names
from tests.support.factories import PatientFactory
from tests.support.object_access import CASES, COVERED_URLS


def test_it_has_a_rule_for_every_url():
    missing = [name for name in url_names() if name not in RULES]
    assert not missing, f"URLs without an access rule in {access.__file__}: {missing}"


@pytest.mark.parametrize("persona", [*ROLES, "outsider", "anonymous"])
def test_it_answers_each_url_as_the_role_table_says(client, personas, world, persona):
    if persona != "anonymous":
        client.force_login(personas[persona])
    failures = []
    for name in url_names():
        response = client.get(url_for(name, world))
        expected = expected_status(name, persona)
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
            url_for(name, world), {"reason": "x", "last_name": "Intrus", "estimated_birth_year": "1980"}
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
# (`CASES` of tests/support/object_access.py, which test_object_access.py posts too), or be listed
# here with the reason one object stands for all (read-only page, creation under a patient, a kind with one rule…).
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
    "rcp:follow-up": "read-only",
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


def test_it_exercises_every_url_taking_an_object_pk_on_each_kind_of_record():
    names = [n for n in object_url_names() if n in url_names()]
    missing = [n for n in names if n not in COVERED_URLS and n not in ONE_KIND_OBJECT_URLS]
    assert not missing, (
        f"URLs taking an object pk with no per-kind case in tests.support.object_access.CASES "
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
        status = client.post(url_for(name, world), {}).status_code
        if status != 405:
            failures.append(f"{name}: {status}")
    assert not failures, f"pages said read-only that accept a POST: {failures}"


@pytest.mark.parametrize("persona", [*ROLES, "outsider", "anonymous"])
def test_it_answers_each_object_url_per_kind_of_record(client, personas, persona):
    """Every URL of tests.support.object_access.CASES, on a record of each kind, answers each role as the rule says."""

    if persona != "anonymous":
        client.force_login(personas[persona])
    failures = []
    for case in CASES:
        made = case.make({**personas, "patient": PatientFactory(referring_physician=personas["physician"])})
        status = client.get(made.url).status_code
        if status != case.expected_get(persona):
            failures.append(f"{case.label} ({case.url_name}): {status} (expected {case.expected_get(persona)})")
    assert not failures, f"{persona}: " + "; ".join(failures)
