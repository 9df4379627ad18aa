"""The patient file's visits: a page at a time, latest first, with their exact number and pages
to every older one; and the read of the file recorded as one "view" (and "view_medical") row."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from pass_unit.models import AuditEvent
from patients.views import VISITS_PER_PAGE
from tests.support.factories import PatientFactory, VisitFactory
from tests.support.pages import PATIENT_FILE_QUERIES as DETAIL_QUERIES


def with_visits(count: int, professional):
    """A patient with `count` visits, one a day, visit n being n days old; each reason names its age."""
    patient = PatientFactory()
    now = timezone.now()
    for n in range(1, count + 1):
        VisitFactory(
            patient=patient, professional=professional, occurred_at=now - timedelta(days=n), reason=f"Visit-{n:03d}-"
        )
    return patient


def shown(response) -> list[int]:
    """The ages (in days) of the visits shown, in page order."""
    return [int(n) for n in re.findall(r"Visit-(\d{3})-", response.content.decode())]


def test_it_shows_the_latest_visits_with_their_exact_number_and_a_link_to_older_ones(login, reception):
    patient = with_visits(60, reception)

    response = login(reception).get(reverse("patients:detail", args=[patient.pk]))

    page = response.content.decode()
    assert shown(response) == list(range(1, VISITS_PER_PAGE + 1))
    assert re.search(r'data-testid="visits-count">60<', page)
    assert 'data-testid="visits-range"' in page
    assert 'href="?visits=2#visits" data-testid="older-visits"' in page


def test_every_visit_is_reachable_page_by_page_once(login, reception):
    patient = with_visits(60, reception)
    client = login(reception)
    url = reverse("patients:detail", args=[patient.pk])

    ages = []
    for number in (1, 2, 3):
        ages += shown(client.get(url, {"visits": number}))

    assert ages == list(range(1, 61))
    last = client.get(url, {"visits": 3}).content.decode()
    assert 'data-testid="older-visits"' not in last
    assert 'href="?visits=2#visits"' in last  # back to newer visits


@pytest.mark.parametrize(("asked", "expected_first"), [("99", 51), ("0", 1), ("abc", 1), ("-2", 1)])
def test_it_shows_the_nearest_page_for_a_page_that_does_not_exist(login, reception, asked, expected_first):
    patient = with_visits(60, reception)

    response = login(reception).get(reverse("patients:detail", args=[patient.pk]), {"visits": asked})

    assert response.status_code == 200
    assert shown(response)[0] == expected_first


def test_it_shows_a_few_visits_without_pages(login, reception):
    patient = with_visits(3, reception)

    response = login(reception).get(reverse("patients:detail", args=[patient.pk]))

    page = response.content.decode()
    assert shown(response) == [1, 2, 3]
    assert re.search(r'data-testid="visits-count">3<', page)
    assert 'data-testid="visits-pages"' not in page


def test_it_counts_cancelled_visits_which_it_shows_too(login, reception):
    patient = with_visits(2, reception)
    patient.visits.filter(reason="Visit-001-").update(cancelled_at=timezone.now(), cancel_reason="Doublon")

    page = login(reception).get(reverse("patients:detail", args=[patient.pk])).content.decode()

    assert re.search(r'data-testid="visits-count">2<', page)
    assert "Doublon" in page


def test_a_file_without_visits_says_so(login, reception):
    patient = PatientFactory()

    page = login(reception).get(reverse("patients:detail", args=[patient.pk])).content.decode()

    assert 'data-testid="visits-count"' not in page
    assert 'data-testid="visits-pages"' not in page


@pytest.mark.parametrize(("count", "number", "expected"), [(1, 1, 1), (80, 1, 25), (80, 3, 25), (80, 9, 5)])
def test_any_page_of_visits_costs_the_same_queries(
    login, physician, django_assert_max_num_queries, count, number, expected
):
    patient = with_visits(count, physician)
    client = login(physician)

    with django_assert_max_num_queries(DETAIL_QUERIES + (2 if number == 9 else 0)):  # past the end: count, last page
        response = client.get(reverse("patients:detail", args=[patient.pk]), {"visits": number})

    assert response.status_code == 200
    assert len(shown(response)) == expected


def test_it_records_the_read_of_the_file_once_and_the_medical_read_for_a_medical_role(login, physician, reception):
    patient = PatientFactory()
    url = reverse("patients:detail", args=[patient.pk])

    login(physician).get(url)
    login(reception).get(url)

    rows = list(AuditEvent.objects.filter(patient=patient).order_by("pk").values_list("username", "action", "medical"))
    assert rows == [
        (physician.username, "view", False),
        (physician.username, "view_medical", True),
        (reception.username, "view", False),
    ]
