"""Writes on existing records follow who may write *that kind* of record (issue 8, defect 1).

The URL matrix (test_access_matrix.py) checks each URL against the role table with one object;
here each kind of record is made for real (a medical consultation, a psychological one, a
patient's care expense, a unit expense…) and every role, and an anonymous visitor, opens its
write form and posts it: the roles allowed succeed and change the record, the others get 403
(they may see the record) or 404 (it does not exist for them) and nothing changes — neither the
record nor the audit trail.

`CASES` is the table (tests/support/object_access.py); the expected roles come from the sets of
`pass_unit.access`. `test_access_matrix.py` fails when a URL taking an object pk is neither covered here nor listed
there with the reason it needs no per-kind case.
"""

import pytest
from django.urls import reverse

from pass_unit import access
from pass_unit.models import AuditEvent
from patients.models import Visit
from tests.support.factories import PatientFactory, VisitFactory
from tests.support.object_access import ALL_PERSONAS, CASES_BY_LABEL, EXPENSE_WRITE


def _writes() -> int:
    return AuditEvent.objects.exclude(action__in=["view", "view_medical"]).count()


@pytest.fixture
def users(personas):
    return {**personas, "patient": PatientFactory(referring_physician=personas["physician"])}


# --------------------------------------------------------------------------- the regression first


@pytest.mark.parametrize("persona", ["psychologist", "reception", "nurse", "social", "coordinator"])
def test_it_refuses_to_cancel_a_physicians_consultation_to_other_roles(login, users, persona):
    """Issue 8: a psychologist or reception opened the cancel form of a medical consultation and cancelled it.
    A nurse does not record medical consultations, so she cannot cancel one either."""
    visit = VisitFactory(patient=users["patient"], kind=Visit.Kind.MEDICAL, professional=users["physician"])
    url = reverse("patients:visit-cancel", kwargs={"pk": visit.patient_id, "visit_pk": visit.pk})
    client = login(users[persona])
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "Erreur"}).status_code == 403
    visit.refresh_from_db()
    assert visit.cancelled_at is None and visit.cancel_reason == ""
    # Nor do they see a link to do it on the file.
    assert url not in client.get(reverse("patients:detail", args=[visit.patient_id])).content.decode()


def test_it_lets_the_author_cancel_only_what_their_role_still_writes(login, users):
    """A psychologist who recorded a consultation cancels it; a former author whose role changed cannot."""
    visit = VisitFactory(patient=users["patient"], kind=Visit.Kind.PSYCHOLOGICAL, professional=users["psychologist"])
    url = reverse("patients:visit-cancel", kwargs={"pk": visit.patient_id, "visit_pk": visit.pk})
    other = VisitFactory(patient=users["patient"], kind=Visit.Kind.MEDICAL, professional=users["reception"])
    other_url = reverse("patients:visit-cancel", kwargs={"pk": other.patient_id, "visit_pk": other.pk})
    # A medical visit recorded under the reception account (say, before a change of role).
    assert login(users["reception"]).post(other_url, {"reason": "Erreur"}).status_code == 403
    assert login(users["psychologist"]).post(url, {"reason": "Erreur"}).status_code == 302
    visit.refresh_from_db()
    other.refresh_from_db()
    assert visit.cancelled_at is not None and other.cancelled_at is None


# --------------------------------------------------------------------------- every kind, every role


@pytest.mark.parametrize("persona", ALL_PERSONAS)
@pytest.mark.parametrize("label", list(CASES_BY_LABEL))
def test_it_lets_only_the_writers_of_each_kind_of_record_change_it(client, users, label, persona):
    case = CASES_BY_LABEL[label]
    made = case.make(users)
    if persona != "anonymous":
        client.force_login(users[persona])
    before, writes = made.state(), _writes()
    assert client.get(made.url).status_code == case.expected_get(persona), f"GET {label} as {persona}"
    post = case.post() if callable(case.post) else case.post
    response = client.post(made.url, post)
    if case.may_write(persona):
        assert response.status_code == 302, f"POST {label} as {persona}: {response.status_code}"
        assert made.state() != before, f"POST {label} as {persona} changed nothing"
    else:
        assert response.status_code == case.expected_refusal(persona), f"POST {label} as {persona}"
        assert made.state() == before and _writes() == writes


def test_the_table_covers_every_kind_of_visit_and_expense():
    labels = set(CASES_BY_LABEL)
    assert {f"visit-{kind}" for kind in Visit.Kind.values} <= labels
    assert set(access.VISIT_WRITE) == set(Visit.Kind.values)
    assert {f"expense-{kind}-{verb}" for kind in EXPENSE_WRITE for verb in ("cancel", "pay")} <= labels
