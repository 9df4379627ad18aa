"""The instant the tests run at.

`DEFAULT_NOW` is where the `clock` fixture (tests/conftest.py) stops: a weekday morning, far
from midnight and from the summer-time changes. PASS_UNIT_TEST_NOW (ISO 8601, e.g.
"2026-01-15T00:05+01:00"; Paris time when no offset is given) moves every test to another
instant: tests/test_clock_independence.py runs the date-sensitive tests just after and just
before midnight, Paris time, in winter and in summer.
"""

import os
from datetime import datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
TEST_NOW_ENV = "PASS_UNIT_TEST_NOW"
DEFAULT_NOW = datetime(2026, 11, 18, 10, 30, tzinfo=PARIS)  # a Wednesday


def travelling() -> bool:
    """Whether PASS_UNIT_TEST_NOW moves the tests to another instant."""
    return bool(os.environ.get(TEST_NOW_ENV))


def now_for_tests() -> datetime:
    """PASS_UNIT_TEST_NOW if set, else DEFAULT_NOW."""
    value = os.environ.get(TEST_NOW_ENV)
    if not value:
        return DEFAULT_NOW
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=PARIS)
