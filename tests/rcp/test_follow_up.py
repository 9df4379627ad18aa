"""The "Suivi" of a meeting at scale: the meeting page shows a bounded part of it, most useful
first, with exact counts; the whole of it is one link away, paginated and filtered."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from rcp import selectors, services
from rcp.models import Action
from tests.support import rcp as helpers
from tests.support.rcp import register


@pytest.fixture
def earlier(held, coordinator, physician, nurse, social):
    """`held` (validated) with six more patients' cases and an action each, due from 10 days ago
    (overdue) to 15 days ahead; the nurse closes two of them afterwards."""
    for n in range(6):
        case = helpers.add_case(held, register(social, f"Suivi{n}", "Test"), physician)
        helpers.add_action(case, physician, assignee=nurse, description=f"Action {n}", due_in_days=15 - 5 * n)
    for case in held.cases.all():
        if not case.decision:
            helpers.decide(case, physician)
    helpers.validate(held, coordinator, real_pdf=False)
    held.refresh_from_db()
    return held


def _close(description, user, status=Action.Status.DONE):
    action = Action.objects.get(description=description)
    return services.action_close(action=action, status=status, reason="Perdu de vue", acting_user=user)


def test_it_shows_the_most_useful_actions_first_with_exact_counts(login, earlier, physician, nurse, other_patient):
    _close("Action 0", nurse)
    _close("Action 1", nurse, status=Action.Status.DROPPED)
    following = helpers.plan(physician)
    helpers.add_case(following, other_patient, physician)  # discussed again: its action comes first
    summary = selectors.follow_up_summary(following, limit=4)
    demande_siao = Action.objects.get(description="Demande SIAO")
    # Patients on the agenda first; then the open actions, most overdue first (Action 5 was due
    # 10 days ago, Action 4 five days ago); the two closed ones last.
    assert [a.description for a in summary.actions] == ["Demande SIAO", "Action 5", "Action 4", "Action 3"]
    assert summary.actions[0].pk == demande_siao.pk and summary.actions[0].on_agenda
    assert (summary.total, summary.open, summary.overdue, summary.closed, summary.on_agenda) == (8, 6, 2, 2, 1)
    assert summary.hidden == 4


def test_the_meeting_page_is_bounded_and_links_to_the_whole_follow_up(login, earlier, physician, nurse, monkeypatch):
    monkeypatch.setattr(selectors, "FOLLOW_UP_SHOWN", 3)
    _close("Action 0", nurse)
    following = helpers.plan(physician)
    html = login(physician).get(reverse("rcp:detail", args=[following.pk])).content.decode()
    assert html.count('data-testid="follow-up-row"') == 3
    assert 'data-open="7" data-overdue="2" data-closed="1"' in html
    still_open = ngettext("%(n)s action still open", "%(n)s actions still open", 7) % {"n": 7}
    closed = ngettext("%(n)s closed since the previous meeting", "%(n)s closed since the previous meeting", 1)
    assert still_open in html and closed % {"n": 1} in html
    assert 'data-testid="follow-up-more"' in html
    assert reverse("rcp:follow-up", args=[following.pk]) in html


def test_a_short_follow_up_is_shown_whole_without_a_link(login, held, coordinator, physician):
    helpers.validate(held, coordinator, real_pdf=False)
    following = helpers.plan(physician)
    html = login(physician).get(reverse("rcp:detail", args=[following.pk])).content.decode()
    assert html.count('data-testid="follow-up-row"') == 2
    assert 'data-testid="follow-up-more"' not in html


def test_the_whole_follow_up_is_paginated_and_filtered(login, earlier, physician, nurse, monkeypatch):
    _close("Action 0", nurse)
    following = helpers.plan(physician)
    client = login(physician)
    url = reverse("rcp:follow-up", args=[following.pk])
    page = client.get(url).context["page"]
    assert page.paginator.count == 8
    assert len(client.get(url, {"show": "open"}).context["page"]) == 7
    overdue = client.get(url, {"show": "overdue"}).context["page"]
    assert [a.description for a in overdue] == ["Action 5", "Action 4"]
    closed = client.get(url, {"show": "closed"})
    assert [a.description for a in closed.context["page"]] == ["Action 0"]
    assert gettext("Closed since the previous meeting (%(n)s)") % {"n": 1} in closed.content.decode()
    assert len(client.get(url, {"show": "nonsense"}).context["page"]) == 8  # an unknown filter shows all
    small_pages = selectors.follow_up_page(following, number=2, per_page=3)
    assert small_pages.number == 2 and len(small_pages) == 3


def test_a_validated_meeting_keeps_the_counts_of_its_validation(login, earlier, physician, nurse, coordinator):
    second = helpers.plan(physician)
    case = helpers.add_case(second, register(nurse, "Autre", "Patient"), physician)
    helpers.pass_time(second, to=helpers.earlier_today(minutes=30))
    helpers.take_attendance(second, physician)
    helpers.decide(case, physician)
    helpers.validate(second, coordinator, real_pdf=False)
    second.refresh_from_db()
    before = selectors.follow_up_summary(second)
    _close("Action 5", nurse)  # after the validation: the validated meeting still counts it open
    after = selectors.follow_up_summary(second)
    assert (after.open, after.closed) == (before.open, before.closed) == (8, 0)
    assert selectors.follow_up_counts(second).open == 8


def test_reception_may_not_read_the_follow_up(login, earlier, reception):
    assert login(reception).get(reverse("rcp:follow-up", args=[earlier.pk])).status_code == 404


def test_the_minutes_still_record_the_whole_follow_up(earlier, physician, monkeypatch):
    monkeypatch.setattr(selectors, "FOLLOW_UP_SHOWN", 2)
    following = helpers.plan(physician)
    assert len(selectors.follow_up_actions(following, as_of=timezone.now() + timedelta(seconds=1))) == 8
