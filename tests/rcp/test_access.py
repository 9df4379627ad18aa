"""Who may see and do what in the RCP, from the forbidden side (DESIGN.md, roles table).

The URL access matrix (tests/security/test_access_matrix.py) answers every URL for every
role; these tests look at the rules that depend on the object: the chair, the assignee,
the medical summary.
"""

import pytest
from django.urls import reverse

from pass_unit import access
from pass_unit.models import AuditEvent
from rcp.models import Action, CaseReview, MinutesVersion
from tests.support import rcp as helpers


@pytest.mark.parametrize("persona", ["reception", "admin_user", "outsider"])
def test_roles_outside_the_rcp_find_nothing(client, personas, held, persona):
    client.force_login(personas[persona])
    case = held.cases.first()
    assert client.get(reverse("rcp:list")).status_code == 403
    for url in (
        reverse("rcp:detail", args=[held.pk]),
        reverse("rcp:case-detail", args=[case.pk]),
        reverse("rcp:minutes-pdf", args=[held.pk]),
        reverse("rcp:action-close", args=[case.actions.first().pk]),
    ):
        assert client.get(url).status_code == 404, url


def test_a_social_worker_proposes_and_reads_but_never_edits_a_case(login, held, social):
    client = login(social)
    case = held.cases.first()
    before = helpers.rcp_state()
    assert client.get(reverse("rcp:case-detail", args=[case.pk])).status_code == 200
    assert client.get(reverse("rcp:case-edit", args=[case.pk])).status_code == 403
    response = client.post(reverse("rcp:case-deliberation", args=[case.pk]), {"delib-decision": "x"})
    assert response.status_code == 403
    response = client.post(reverse("rcp:agenda-urgent", args=[held.pk, case.pk]), {"urgent": "1"})
    assert response.status_code == 403
    assert client.get(reverse("rcp:annex-pdf", args=[held.pk])).status_code == 403
    assert helpers.rcp_state() == before


def test_the_coordinator_reads_and_validates_but_neither_plans_nor_proposes(login, held, patient, coordinator):
    client = login(coordinator)
    assert client.get(reverse("rcp:detail", args=[held.pk])).status_code == 200
    assert client.get(reverse("rcp:create")).status_code == 403
    assert client.get(reverse("rcp:propose", args=[patient.pk])).status_code == 403
    assert client.get(reverse("rcp:case-create", args=[held.pk])).status_code == 403
    assert client.get(reverse("rcp:validate", args=[held.pk])).status_code == 200


def test_a_nurse_who_does_not_chair_may_not_validate(login, held, nurse):
    response = login(nurse).post(reverse("rcp:validate", args=[held.pk]), {"confirm": "on"})
    assert response.status_code == 403
    assert not MinutesVersion.objects.exists()


def test_the_chair_validates_whatever_their_role(held, psychologist, coordinator):
    held.chair = psychologist
    assert access.can_validate_rcp_minutes(psychologist, held)
    assert access.can_validate_rcp_minutes(coordinator, held)


def test_only_the_assignee_or_an_editor_closes_an_action(login, held, social, coordinator, nurse):
    nurse_action = Action.objects.get(assignee=nurse)
    for user in (social, coordinator):
        response = login(user).post(reverse("rcp:action-close", args=[nurse_action.pk]), {"status": "done"})
        assert response.status_code == 403
    nurse_action.refresh_from_db()
    assert nurse_action.status == "open"
    own = Action.objects.get(assignee=social)
    assert login(social).post(reverse("rcp:action-close", args=[own.pk]), {"status": "done"}).status_code == 302


def test_a_reception_agent_cannot_present_a_patient(login, patient, planned, reception):
    response = login(reception).post(
        reverse("rcp:propose", args=[patient.pk]),
        {"meeting": planned.pk, "presented_by": reception.pk, "question": "?"},
    )
    assert response.status_code == 403
    assert not CaseReview.objects.exists()


def test_the_medical_annex_is_for_medical_roles_only(login, held, social, coordinator, psychologist):
    url = reverse("rcp:annex-pdf", args=[held.pk])
    for user in (social, coordinator):
        assert login(user).get(url).status_code == 403
    assert login(psychologist).get(url).status_code == 200
    assert not AuditEvent.objects.filter(action="export", medical=True).exclude(user=psychologist).exists()


def test_the_audit_log_hides_medical_summaries_from_the_coordinator(login, held, coordinator, physician):
    case = held.cases.first()
    helpers.decide(case, physician)
    html = login(coordinator).get(reverse("audit-log")).content.decode()
    assert "Tuberculose" not in html
