"""The suite does not depend on when it runs.

The tests that depend on the day or the hour (meetings held "today", rights about to expire,
dates refused in the future, budget projections, dashboards) run again, in a subprocess, at
four instants: just after and just before midnight, Paris time, in winter (UTC+1) and in
summer (UTC+2). PASS_UNIT_TEST_NOW moves every test there (tests/conftest.py); a test that
read the machine's clock, or mixed UTC and local days, fails at one of them.

The winter instants are in January 2027 rather than 2026: several tests describe 2026 with
fixed dates (a pharmacy file of March 2026, a budget year 2026) and need those dates past.
"""

import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from tests.support.clock import PARIS, TEST_NOW_ENV, now_for_tests, travelling

ROOT = Path(__file__).resolve().parent.parent

INSTANTS = {
    "winter-after-midnight": "2027-01-14T00:05:00+01:00",
    "winter-before-midnight": "2027-01-14T23:55:00+01:00",
    "summer-after-midnight": "2026-07-15T00:05:00+02:00",
    "summer-before-midnight": "2026-07-15T23:55:00+02:00",
}

# Browser tests stay out: Chromium keeps the machine's time.
DATE_SENSITIVE = [
    "tests/test_clock_independence.py::test_the_clock_is_where_the_run_says",
    "tests/rcp/test_forms.py",
    "tests/rcp/test_services.py",
    "tests/rcp/test_views.py::test_the_assignee_closes_an_action_from_the_dashboard",
    "tests/rcp/test_views.py::test_the_next_meeting_shows_the_follow_up_of_open_actions",
    *(
        f"tests/patients/test_forms.py::{test}[{case}]"
        for test, case in [
            ("test_it_refuses_bad_registrations", "born-tomorrow"),
            ("test_it_refuses_bad_registrations", "arrives-later"),
            ("test_it_refuses_bad_identity_changes", "born-tomorrow"),
            ("test_it_refuses_bad_input_on_the_patient_file", "visit-tomorrow"),
            ("test_it_refuses_bad_input_on_the_patient_file", "assessment-in-future"),
            ("test_it_refuses_bad_input_on_the_patient_file", "right-filed-in-future"),
            ("test_it_refuses_bad_input_on_the_patient_file", "orientation-in-future"),
            ("test_it_refuses_bad_input_on_the_patient_file", "exit-in-future"),
        ]
    ),
    "tests/patients/test_models.py",
    "tests/patients/test_views.py::test_it_warns_of_rights_to_renew",
    "tests/budget/test_money.py",
    "tests/budget/test_services.py",
    "tests/budget/test_views.py::test_the_dashboard_shows_the_year_to_the_cent",
    "tests/budget/test_views.py::test_the_home_dashboard_shows_the_alert_to_budget_readers_only",
    "tests/budget/test_views.py::test_prescribing_for_later_is_planned_but_dispensing_later_is_refused",
    "tests/test_home.py",
]


def test_the_clock_is_where_the_run_says(clock):
    """Inside a run at another instant, "now" and "today" are that instant's, in Paris time."""
    now = timezone.localtime()
    expected = now_for_tests().astimezone(PARIS)
    assert expected <= now < expected + timedelta(minutes=1)
    assert timezone.localdate() == expected.date()


@pytest.mark.skipif(travelling(), reason="already inside a run at another instant")
@pytest.mark.parametrize("instant", INSTANTS.values(), ids=INSTANTS.keys())
def test_the_date_sensitive_tests_pass_at_any_hour(instant):
    moment = datetime.fromisoformat(instant)
    assert moment.astimezone(PARIS).utcoffset() == moment.utcoffset()  # the offset of Paris that day
    env = os.environ | {
        TEST_NOW_ENV: instant,
        # Its own test database: this run's is in use by the outer session.
        "PASS_UNIT_TEST_DB": os.environ.get("PASS_UNIT_TEST_DB", "test_pass_unit") + "_clock",
    }
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *DATE_SENSITIVE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    summary = "\n".join(line for line in result.stdout.splitlines() if line.startswith(("FAILED", "ERROR")))
    assert result.returncode == 0, f"at {instant}:\n{summary or result.stdout[-3000:]}\n{result.stderr[-2000:]}"
    assert " passed" in result.stdout
