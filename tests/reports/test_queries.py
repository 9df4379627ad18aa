from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pass_unit.reports.indicators import build_activity_report
from patients.models import Patient, Visit

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def seed(n: int, professional, offset: int = 0):
    patients = Patient.objects.bulk_create(
        Patient(
            file_number=f"PASS-Q-{offset + i:06d}",
            last_name=f"Q{offset + i}",
            birth_year=1950 + i % 60,
            birth_country=["ML", "DZ", "", "SY"][i % 4],
            languages=[["bm"], ["ar", "fr"], [], ["ar"]][i % 4],
            sex="FMXU"[i % 4],
        )
        for i in range(n)
    )
    Visit.objects.bulk_create(
        Visit(
            patient=p,
            professional=professional,
            kind=["medical", "social", "nursing"][i % 3],
            occurred_at=datetime(2025, 1 + i % 12, 1 + i % 28, 10, tzinfo=PARIS),
        )
        for i, p in enumerate(patients)
    )


def count_queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_it_runs_the_same_number_of_queries_with_10_and_1000_patients(physician):
    seed(10, physician)
    small = count_queries(lambda: build_activity_report(date(2025, 1, 1), date(2025, 12, 31)))
    seed(990, physician, offset=10)
    large = count_queries(lambda: build_activity_report(date(2025, 1, 1), date(2025, 12, 31)))
    assert small == large
    # Per period (N and N−1): the file active (visits, visits per patient, profile, countries,
    # languages, coverage, housing/resources, not seen lately, exits without a date, cost per
    # patient), rights by regime, patients with rights with the delay and the exits, meetings,
    # cases, actions, spending, allocation, FTE = 9.
    assert large == 2 * 9


def test_it_serves_the_page_from_stored_figures_in_the_same_few_queries_with_50_and_1000_patients(
    client, coordinator, physician, django_assert_max_num_queries
):
    url = reverse("reports:activity", kwargs={"year": 2025})
    client.force_login(coordinator)
    seed(50, physician)
    client.get(url)  # the first view asks for the figures (computed at once: tasks run immediately in tests)
    few = count_queries(lambda: client.get(url))
    seed(950, physician, offset=50)
    client.get(url)  # the data changed: the figures are computed again
    many = count_queries(lambda: client.get(url))
    assert few == many
    # session + user + groups (3), the stored figures with their freshness (1), the audit row
    # with its savepoints (3), the context processors' role lookup; none of the report's queries.
    with django_assert_max_num_queries(9):
        response = client.get(url)
    assert response.status_code == 200
    assert b'data-testid="figures-at"' in response.content
