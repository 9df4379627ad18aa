"""Local days as aware ranges (pass_unit.lib.dates), and the filters built on them."""

from datetime import UTC, date, timedelta

import pytest
from django.utils import timezone

from pass_unit.lib.dates import day_range, day_start
from rcp.models import Meeting
from tests.support import rcp as helpers


@pytest.mark.parametrize(
    ("day", "hours"),
    [(date(2026, 1, 15), 24), (date(2026, 3, 29), 23), (date(2026, 10, 25), 25)],
    ids=["winter", "clocks-forward", "clocks-back"],
)
def test_it_spans_the_local_day_whatever_the_clocks_do(day, hours):
    start, end = day_range(day)
    assert timezone.localtime(start).date() == day and timezone.localtime(start).hour == 0
    assert timezone.localtime(end).date() == day + timedelta(days=1) and timezone.localtime(end).hour == 0
    # In UTC: Python subtracts two datetimes of one time zone by their wall clocks.
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=hours)


def test_it_spans_several_days_both_included():
    start, end = day_range(date(2026, 7, 1), date(2026, 7, 31))
    assert start == day_start(date(2026, 7, 1)) and end == day_start(date(2026, 8, 1))


def test_a_meeting_of_earlier_today_stays_open_for_cases_and_yesterdays_does_not(db, physician, clock):
    today_meeting = helpers.plan(physician)
    helpers.pass_time(today_meeting)
    yesterday_meeting = helpers.plan(physician)
    helpers.pass_time(yesterday_meeting, to=day_start(timezone.localdate()) - timedelta(minutes=1))
    assert list(Meeting.objects.open_for_cases()) == [today_meeting]
