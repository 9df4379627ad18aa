"""The meetings list and a meeting page cost a fixed number of SQL queries, whatever the number of rows."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from pass_unit.models import AuditEvent
from rcp import selectors
from tests.support import rcp as helpers
from tests.support.pages import REQUEST_QUERIES
from tests.support.rcp import register

# /rcp/: count of meetings in progress (paginator), one page of them (+ chair, case count),
# count of validated meetings (paginator), one page of them (+ chair, case and version counts).
LIST_QUERIES = REQUEST_QUERIES + 4

# /rcp/<pk>/: meeting (+ chair, validator), participants (+ user), cases (+ patient, presenter,
# their number of actions), the follow-up of earlier actions (+ assignee, case, patient,
# meeting), stored versions.
DETAIL_QUERIES = REQUEST_QUERIES + 5

# /rcp/<pk>/follow-up/: meeting (+ chair, validator), the counts of its follow-up (one aggregate),
# the paginator's count, one page of actions (+ assignee, case, patient, meeting).
FOLLOW_UP_QUERIES = REQUEST_QUERIES + 4

# /rcp/cases/<pk>/: case (+ meeting, chair, patient, presenter, follow-up), medical summary,
# options, actions (+ assignee, closer), previous review, the agenda's order (neighbours),
# the audit rows (view, view_medical), the team for the two choices of people (follow-up, assignee),
# and the budget's costing panel: options, their catalogue pricing, the year and its totals.
CASE_QUERIES = REQUEST_QUERIES + 6 + 2 + 2 + 4


def populate(meeting, count: int, users: dict) -> None:
    for n in range(count):
        patient = register(users["social"], f"Patient{n:02d}", "Test")
        case = helpers.add_case(meeting, patient, users["physician"], medical="Résumé")
        helpers.add_option(case, users["physician"])
        helpers.add_action(case, users["physician"], assignee=users["nurse"])
        helpers.add_action(case, users["physician"], assignee=users["social"])
        helpers.add_guest(meeting, users["physician"], name=f"Invité {n}")


@pytest.mark.parametrize("count", [2, 12])
def test_it_lists_meetings_in_a_fixed_number_of_queries(login, personas, django_assert_max_num_queries, count):
    physician, coordinator = personas["physician"], personas["coordinator"]
    for n in range(count):
        meeting = helpers.plan(physician, when=timezone.now() + timedelta(days=n + 1))
        populate(meeting, 1, personas)
        if n % 2:
            helpers.pass_time(meeting, to=timezone.now() - timedelta(days=n))
            helpers.take_attendance(meeting, physician)
            helpers.decide(meeting.cases.get(), physician)
            helpers.validate(meeting, coordinator, real_pdf=False)
    client = login(physician)
    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get(reverse("rcp:list"))
    assert len(response.context["in_progress"]) + len(response.context["page"]) == count


@pytest.mark.parametrize("count", [2, 12])
def test_a_meeting_page_costs_a_fixed_number_of_queries(login, personas, django_assert_max_num_queries, count):
    physician, coordinator = personas["physician"], personas["coordinator"]
    earlier = helpers.plan(physician, members=[personas["nurse"], personas["social"]])
    populate(earlier, count, personas)
    helpers.pass_time(earlier, to=timezone.now() - timedelta(days=7))
    helpers.take_attendance(earlier, physician)
    for case in earlier.cases.all():
        helpers.decide(case, physician)
    helpers.validate(earlier, coordinator, real_pdf=False)
    meeting = helpers.plan(physician, members=[personas["nurse"], personas["social"]])
    populate(meeting, count, personas)
    client = login(coordinator)  # the coordinator may validate: the page also lists what is missing
    with django_assert_max_num_queries(DETAIL_QUERIES):
        response = client.get(reverse("rcp:detail", args=[meeting.pk]))
    assert len(response.context["cases"]) == count
    follow_up = response.context["follow_up"]  # bounded: the first actions, exact counts of all
    assert follow_up.total == 2 * count and len(follow_up.actions) == min(2 * count, selectors.FOLLOW_UP_SHOWN)
    with django_assert_max_num_queries(FOLLOW_UP_QUERIES):
        response = client.get(reverse("rcp:follow-up", args=[meeting.pk]))
    assert len(response.context["page"]) == 2 * count
    client = login(physician)  # a validated meeting, as its chair
    with django_assert_max_num_queries(DETAIL_QUERIES):
        client.get(reverse("rcp:detail", args=[earlier.pk]))


@pytest.mark.parametrize("count", [1, 8])
def test_a_case_page_costs_a_fixed_number_of_queries(login, personas, django_assert_max_num_queries, count):
    physician = personas["physician"]
    meeting = helpers.plan(physician)
    populate(meeting, count, personas)
    case = meeting.cases.order_by("position").last()
    for n in range(count):
        helpers.add_option(case, physician, description=f"Option {n}")
    client = login(physician)
    with django_assert_max_num_queries(CASE_QUERIES):
        response = client.get(reverse("rcp:case-detail", args=[case.pk]))
    assert len(response.context["options"]) == count + 1


# /rcp/<pk>/minutes.pdf, a draft: meeting (+ chair, validator), the minutes' cases (+ patient,
# presenter, follow-up), their options, their actions, the previous version, participants, the
# follow-up of earlier actions, the stored draft (looked up by its HTML's hash), the patients
# named (for the audit), the audit rows (one INSERT for all), and storing the draft just rendered
# (update_or_create in its own atomic block: three savepoints, select, insert, three releases).
MINUTES_PDF_QUERIES = REQUEST_QUERIES + 18


@pytest.mark.parametrize("count", [2, 12])
def test_a_draft_minutes_pdf_costs_a_fixed_number_of_queries(login, personas, django_assert_max_num_queries, count):
    physician = personas["physician"]
    meeting = helpers.plan(physician, members=[personas["nurse"], personas["social"]])
    populate(meeting, count, personas)
    client = login(physician)
    url = reverse("rcp:minutes-pdf", args=[meeting.pk])
    with helpers.stand_in_pdf():
        with django_assert_max_num_queries(MINUTES_PDF_QUERIES):  # rendered and stored
            assert client.get(url).status_code == 200
        with django_assert_max_num_queries(MINUTES_PDF_QUERIES):  # served from the store
            assert client.get(url).status_code == 200
    exports = AuditEvent.objects.filter(action="export", user=physician, object_id=str(meeting.pk))
    assert exports.count() == 2 * count  # one row per patient named, at each download
