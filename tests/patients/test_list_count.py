"""The patient list counts exactly up to LIST_COUNT_CAP files, then says "more than" (issue 11).

The cap is lowered here so that a few files stand for the 10,000 of production.
"""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from patients import views
from patients.models import Patient
from tests.support.factories import PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_cap(monkeypatch):
    monkeypatch.setattr(views, "LIST_COUNT_CAP", 50)  # two pages of 25
    return 50


MORE_THAN = "More than %(n)s patients: only the first %(n)s are listed, search by name or filter to narrow the list."


def fr(msgid: str, **values) -> str:
    """The French text of a msgid (its catalogue entry is merged from /work/i18n at integration)."""
    with translation.override("fr"):
        return gettext(msgid) % values


def count_text(response) -> str:
    html = response.content.decode()
    start = html.index('data-testid="result-count"')
    return html[html.index(">", start) + 1 : html.index("</p>", start)]


def test_it_counts_exactly_up_to_the_cap(login, social, small_cap):
    PatientFactory.create_batch(50)
    response = login(social).get(reverse("patients:list"))
    assert count_text(response) == "50 patients"
    assert not response.context["page"].paginator.is_capped
    assert "Page 1 sur 2" in response.content.decode()


def test_above_the_cap_it_says_more_than_and_pages_through_the_first_ones(login, social, small_cap):
    PatientFactory.create_batch(51)
    client = login(social)
    response = client.get(reverse("patients:list"))
    assert count_text(response) == fr(MORE_THAN, n=50)
    assert response.context["page"].paginator.is_capped
    assert fr("Page %(n)s of the first %(total)s", n=1, total=2) in response.content.decode()
    last = client.get(reverse("patients:list"), {"page": 2})
    names = [patient.last_name for patient, _, _ in last.context["rows"]]
    assert len(names) == 25
    assert not last.context["page"].has_next()
    # The files listed are the first 50 in the list's order (by name).
    expected = list(Patient.objects.order_by("search_text").values_list("last_name", flat=True)[25:50])
    assert names == expected


def test_the_cap_applies_to_a_filtered_list_and_archived_files_stay_out(login, social, small_cap):
    PatientFactory.create_batch(30, status=Patient.Status.ACTIVE)
    PatientFactory.create_batch(30, status=Patient.Status.ARCHIVED)
    response = login(social).get(reverse("patients:list"), {"coverage": "uncovered"})
    assert count_text(response) == "30 patients"
    PatientFactory.create_batch(21, status=Patient.Status.LOST)
    response = login(social).get(reverse("patients:list"), {"coverage": "uncovered"})
    assert count_text(response) == fr(MORE_THAN, n=50)
