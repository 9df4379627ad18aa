"""Persistent database connections, and idle sessions that are not rewritten on every request."""

import datetime

from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pass_unit.sessions import refresh_interval
from tests.support.users import PASSWORD


def logged_in_browser(username: str) -> Client:
    browser = Client()
    response = browser.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return browser


def session_writes(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if '"django_session"' in q["sql"] and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))
    ]


def expiry(browser: Client) -> datetime.datetime:
    return Session.objects.get(session_key=browser.session.session_key).expire_date


def test_it_keeps_database_connections_open_and_checks_them_before_reuse():
    assert django_settings.DATABASES["default"]["CONN_MAX_AGE"] >= 60
    assert django_settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


def test_it_refreshes_a_session_at_most_once_a_minute_by_default():
    assert django_settings.SESSION_SAVE_EVERY_REQUEST is False
    assert refresh_interval() == 60


def test_it_refreshes_at_least_ten_times_per_idle_window(settings):
    settings.SESSION_COOKIE_AGE = 5 * 60
    assert refresh_interval() == 30


def test_it_does_not_write_the_session_on_a_request_soon_after_the_last_one(clock, physician):
    browser = logged_in_browser("physician")
    clock.shift(datetime.timedelta(seconds=20))
    with CaptureQueriesContext(connection) as queries:
        assert browser.get(reverse("home")).status_code == 200
        assert browser.get(reverse("patients:list")).status_code == 200
    assert session_writes(queries) == []


def test_it_pushes_the_expiry_back_once_the_refresh_interval_has_passed(clock, physician):
    browser = logged_in_browser("physician")
    clock.shift(datetime.timedelta(minutes=10))
    with CaptureQueriesContext(connection) as queries:
        assert browser.get(reverse("home")).status_code == 200
    assert len(session_writes(queries)) == 1
    remaining = expiry(browser) - timezone.now()
    assert datetime.timedelta(minutes=29) < remaining <= datetime.timedelta(minutes=30)


def test_an_idle_session_still_expires_after_thirty_minutes(clock, physician):
    browser = logged_in_browser("physician")
    clock.shift(datetime.timedelta(seconds=30))
    assert browser.get(reverse("home")).status_code == 200  # within the interval: not written
    clock.shift(datetime.timedelta(minutes=30))
    response = browser.get(reverse("patients:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_session_used_every_few_minutes_stays_open_past_the_idle_window(clock, physician):
    browser = logged_in_browser("physician")
    for _ in range(12):  # an hour of work, a request every five minutes
        clock.shift(datetime.timedelta(minutes=5))
        assert browser.get(reverse("home")).status_code == 200
    assert "_auth_user_id" in browser.session


def test_a_session_used_every_half_minute_stays_open_past_the_idle_window(clock, physician):
    """Requests closer together than the refresh interval do not push the expiry back, a later one does."""
    browser = logged_in_browser("physician")
    for _ in range(35 * 2):  # 35 minutes, a request every 30 seconds
        clock.shift(datetime.timedelta(seconds=30))
        assert browser.get(reverse("home")).status_code == 200
    assert "_auth_user_id" in browser.session
