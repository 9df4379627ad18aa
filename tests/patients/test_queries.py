"""The list and the patient file cost a fixed number of SQL queries, whatever the number of rows."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from patients.models import Orientation
from tests.support.factories import (
    CoverageRightFactory,
    MedicalContextFactory,
    PatientFactory,
    SocialAssessmentFactory,
    VisitFactory,
)
from tests.support.pages import PATIENT_FILE_QUERIES, REQUEST_QUERIES
from tests.support.users import make_user

# /patients/: count (paginator, capped at LIST_COUNT_CAP + 1 rows), one page of patients (with
# their stored last visit: no query of the visits), rights of the page's patients.
LIST_QUERIES = REQUEST_QUERIES + 3
# A name search first asks the indexes for the candidate rows (keys and ranking), in a
# transaction that switches the sequential scan off (patients.models._through_indexes):
# savepoint, SET LOCAL, the rows, rollback to and release the savepoint (in production,
# outside the test's transaction: SET LOCAL and the rows).
NAME_SEARCH_QUERIES = 5

# /patients/<pk>/: see tests.support.pages.PATIENT_FILE_QUERIES.
DETAIL_QUERIES = PATIENT_FILE_QUERIES


def populate(count: int, staff: list) -> None:
    """`count` patients, each with visits by several professionals and rights."""
    for n in range(count):
        patient = PatientFactory(last_name=f"Patient{n:02d}")
        for i, user in enumerate(staff):
            VisitFactory(patient=patient, professional=user, occurred_at=timezone.now() - timedelta(days=i + 1))
        CoverageRightFactory(patient=patient, created_by=staff[0], regime="ame", status="filed")
        CoverageRightFactory(patient=patient, created_by=staff[1], regime="css", status="to_assess")


@pytest.fixture
def staff(db):
    return [make_user(f"staff{n}", None) for n in range(3)]


@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.parametrize("params", [{}, {"q": "patient"}, {"coverage": "uncovered", "status": "active"}])
def test_it_lists_patients_in_a_fixed_number_of_queries(
    login, physician, staff, django_assert_max_num_queries, count, params
):
    populate(count, staff)
    client = login(physician)

    with django_assert_max_num_queries(LIST_QUERIES + (NAME_SEARCH_QUERIES if "q" in params else 0)):
        response = client.get(reverse("patients:list"), params)

    assert len(response.context["rows"]) == min(count, 25)


@pytest.mark.parametrize("count", [1, 20])
def test_it_shows_a_file_in_a_fixed_number_of_queries(login, physician, django_assert_max_num_queries, count):
    patient = PatientFactory()
    for n in range(count):
        author = make_user(f"author{n}", None)
        VisitFactory(patient=patient, professional=author, kind="medical", notes=f"Note {n}")
        SocialAssessmentFactory(patient=patient, author=author)
        CoverageRightFactory(patient=patient, created_by=author)
        Orientation.objects.create(patient=patient, destination="gp", author=author)
    MedicalContextFactory(patient=patient, updated_by=physician)
    client = login(physician)

    with django_assert_max_num_queries(DETAIL_QUERIES):
        response = client.get(reverse("patients:detail", args=[patient.pk]))

    assert response.status_code == 200
    assert f"Note {count - 1}" in response.content.decode()
