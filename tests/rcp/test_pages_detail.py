"""What the meeting page shows of its agenda and of the follow-up of earlier actions, read with
only the columns it needs: every piece of each row is still there."""

import re

from django.urls import reverse
from django.utils import formats

from rcp.models import Action
from tests.support import rcp as helpers
from tests.support.rcp import register


def rows(html: str, testid: str) -> dict[str, str]:
    """{data-pk: the row's HTML} of the rows marked `testid`."""
    return dict(re.findall(rf'<tr data-testid="{testid}" data-pk="(\d+)"[^>]*>(.*?)</tr>', html, re.S))


def test_the_agenda_shows_each_case_with_its_patient_presenter_decision_and_number_of_actions(
    login, held, physician, nurse, social
):
    first, second = held.cases.order_by("position")
    helpers.add_action(first, physician, assignee=social, description="Rappeler le 115")
    undecided = helpers.add_case(held, register(social, "Diallo", "Awa"), social, question="Suivi psychologique ?")
    counts = {case.pk: Action.objects.filter(case_review=case).count() for case in (first, second)}

    agenda = rows(login(physician).get(reverse("rcp:detail", args=[held.pk])).content.decode(), "case-row")

    assert list(agenda) == [str(first.pk), str(second.pk), str(undecided.pk)]
    assert counts == {first.pk: 2, second.pk: 1}
    assert "2 actions" in agenda[str(first.pk)] and "1 action<" in agenda[str(second.pk)]
    assert "action" not in agenda[str(undecided.pk)]
    for case in (first, second, undecided):
        row = agenda[str(case.pk)]
        assert case.patient.display_name in row and case.patient.file_number in row
        assert "data-identity-status=" in row
        assert case.presented_by.get_full_name() in row
        assert case.question in row
    assert "Hospitalisation programmée" in agenda[str(first.pk)]
    assert "Orientation vers un CHRS" in agenda[str(second.pk)]
    assert "à discuter" in agenda[str(undecided.pk)]


def test_the_follow_up_names_each_action_s_patient_meeting_assignee_due_date_and_status(
    login, held, coordinator, physician, nurse
):
    helpers.validate(held, coordinator, real_pdf=False)
    following = helpers.plan(physician)

    html = login(physician).get(reverse("rcp:detail", args=[following.pk])).content.decode()

    follow_up = rows(html, "follow-up-row")
    assert html.count('data-testid="follow-up-row" data-pk=') == html.count('data-status="open"') == 2
    actions = Action.objects.select_related("case_review__patient", "assignee")
    assert set(follow_up) == {str(action.pk) for action in actions}
    held_on = formats.date_format(held.scheduled_at.astimezone(), "SHORT_DATE_FORMAT")
    for action in actions:
        row = follow_up[str(action.pk)]
        assert action.case_review.patient.display_name in row and "data-identity-status=" in row
        assert reverse("rcp:case-detail", args=[action.case_review_id]) in row
        assert f"RCP du {held_on}" in row  # "RCP of …"
        assert action.description in row
        assert action.assignee.get_full_name() in row
        assert formats.date_format(action.due_on, "SHORT_DATE_FORMAT") in row
        assert "text-bg-warning" in row  # the "open" badge
        assert reverse("rcp:action-close", args=[action.pk]) in row
