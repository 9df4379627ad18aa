"""A name search's list is counted as its rows were ranked (no COUNT query), and its rows link
to each file as reverse() does."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from patients.models import CoverageRight, Patient
from tests.support.factories import CoverageRightFactory, PatientFactory

pytestmark = pytest.mark.django_db

LIST = reverse("patients:list")


@pytest.fixture
def diallos(social):
    """30 Diallo (two pages), a third of them archived, a third covered by the AME."""
    patients = []
    for n in range(30):
        status = Patient.Status.ARCHIVED if n % 3 == 0 else Patient.Status.ACTIVE
        patient = PatientFactory(last_name="Diallo", first_name=f"Awa{n:02d}", status=status)
        if n % 3 == 1:
            CoverageRightFactory(patient=patient, created_by=social, regime="ame", status="granted")
        patients.append(patient)
    PatientFactory(last_name="Traoré", first_name="Awa")
    return patients


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"q": "diallo"}, 20),
        ({"q": "diallo", "status": "archived"}, 10),
        ({"q": "diallo", "coverage": "ame"}, 10),
        ({"q": "diallo", "coverage": "uncovered"}, 10),
        ({"q": "traore"}, 1),
    ],
)
def test_it_counts_a_name_search_without_a_count_query(login, social, diallos, params, expected):
    client = login(social)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST, params)

    page = response.context["page"]
    assert page.paginator.count == expected
    assert not any("COUNT(" in query["sql"] for query in queries.captured_queries)
    # The same number as a COUNT of the list's own queryset would say.
    assert page.paginator.count == page.paginator.object_list.order_by().count()
    listed = [patient.pk for patient, *_ in response.context["rows"]]
    if expected > 25:
        listed += [p.pk for p, *_ in client.get(LIST, {**params, "page": 2}).context["rows"]]
    assert len(listed) == len(set(listed)) == expected


def test_other_lists_are_still_counted(login, social, diallos):
    client = login(social)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST, {"q": "1990"})  # a birth year: no ranking

    assert response.context["page"].paginator.count == 21
    assert any("COUNT(" in query["sql"] for query in queries.captured_queries)


def test_ranked_count_is_known_only_for_the_search_as_it_ranked_the_rows(diallos):
    found = Patient.objects.active().search("diallo")

    assert found.ranked_count() == 20
    assert found.only("pk", "last_name").order_by().ranked_count() == 20
    # Filtered or sliced afterwards, the rows are no longer those ranked: counted by SQL.
    assert found.filter(status=Patient.Status.ACTIVE).ranked_count() is None
    assert found.exclude(first_name="Awa01").ranked_count() is None
    assert found[:5].ranked_count() is None
    assert Patient.objects.active().ranked_count() is None
    assert Patient.objects.search("1990").ranked_count() is None
    assert Patient.objects.search("zzzzqx").ranked_count() is None


def test_each_row_links_to_its_file_as_reverse_does(login, social, diallos):
    html = login(social).get(LIST, {"q": "diallo"}).content.decode()
    rows = login(social).get(LIST, {"q": "diallo"}).context["rows"]

    for patient, *_ in rows:
        assert patient.detail_url == reverse("patients:detail", args=[patient.pk])
        assert f'<a href="{patient.detail_url}">' in html


def test_a_filtered_search_counts_and_lists_the_same_files(login, social, diallos):
    client = login(social)
    response = client.get(LIST, {"q": "diallo", "coverage": "ame"})
    names = {patient.first_name for patient, *_ in response.context["rows"]}

    assert response.context["page"].paginator.count == len(names) == 10
    assert all(CoverageRight.objects.filter(patient__first_name=name, regime="ame").exists() for name in names)
