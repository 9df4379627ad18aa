"""/patients/new/: a second file for the same person is caught before it is created."""

import pytest
from django.urls import reverse

from patients.models import Patient
from patients.selectors import find_duplicates
from tests.support.patients import patient_data

DUPLICATES = 'data-testid="duplicates"'


@pytest.fixture
def client_(login, reception):
    return login(reception)


@pytest.fixture
def existing(client_):
    """Registered through the page, as reception would."""
    response = client_.post(
        reverse("patients:create"),
        patient_data(last_name="Nguyễn", first_name="Éloïse", estimated_birth_year="1990", aliases_text="Hoa Tran"),
    )
    assert response.status_code == 302
    return Patient.objects.get()


@pytest.mark.parametrize(
    ("last_name", "first_name", "year"),
    [
        pytest.param("Nguyen", "Eloise", "1990", id="no-accents"),
        pytest.param("NGUYEN", "éloise", "1991", id="case-and-year+1"),
        pytest.param("Nguyen", "Eloise", "1988", id="year-2"),
        pytest.param("Nguyem", "Eloïse", "1992", id="typo-year+2"),
        pytest.param("Nguyen", "", "1989", id="last-name-only"),
    ],
)
def test_it_warns_of_a_likely_duplicate_and_creates_nothing(client_, existing, last_name, first_name, year):
    response = client_.post(
        reverse("patients:create"),
        patient_data(last_name=last_name, first_name=first_name, estimated_birth_year=year),
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert DUPLICATES in html
    assert existing.file_number in html
    assert reverse("patients:detail", args=[existing.pk]) in html
    assert Patient.objects.count() == 1
    # The typing is kept so that confirming does not mean retyping.
    assert response.context["form"]["last_name"].value() == last_name
    assert 'name="confirm_new"' in html


def test_it_warns_on_an_exact_birth_date_close_to_the_estimated_year(client_, existing):
    response = client_.post(
        reverse("patients:create"),
        patient_data(last_name="Nguyen", first_name="Eloise", birth_date="1991-03-02", estimated_birth_year=""),
    )

    assert DUPLICATES in response.content.decode()
    assert Patient.objects.count() == 1


def test_it_warns_when_the_name_matches_an_alias(client_, existing):
    response = client_.post(
        reverse("patients:create"), patient_data(last_name="Tran", first_name="Hoa", estimated_birth_year="1990")
    )

    assert DUPLICATES in response.content.decode()
    assert Patient.objects.count() == 1


def test_it_warns_when_a_new_alias_matches_a_name(client_, existing):
    response = client_.post(
        reverse("patients:create"),
        patient_data(last_name="Tran", first_name="Hoa", aliases_text="Eloise Nguyen", estimated_birth_year="1990"),
    )

    assert DUPLICATES in response.content.decode()


def test_it_creates_the_file_once_the_user_confirms_a_new_person(client_, existing):
    data = patient_data(last_name="Nguyen", first_name="Eloise", estimated_birth_year="1991")
    client_.post(reverse("patients:create"), data)

    response = client_.post(reverse("patients:create"), {**data, "confirm_new": "1"})

    assert response.status_code == 302
    created = Patient.objects.exclude(pk=existing.pk).get()
    assert response["Location"] == reverse("patients:detail", args=[created.pk])
    assert created.birth_year == 1991
    assert created.file_number != existing.file_number


@pytest.mark.parametrize("year", ["1980", "2000"])
def test_it_does_not_warn_when_the_birth_years_are_far_apart(client_, existing, year):
    response = client_.post(
        reverse("patients:create"), patient_data(last_name="Nguyen", first_name="Eloise", estimated_birth_year=year)
    )

    assert response.status_code == 302
    assert Patient.objects.count() == 2


def test_it_does_not_warn_for_a_different_person(client_, existing):
    response = client_.post(
        reverse("patients:create"), patient_data(last_name="Okafor", first_name="Chidi", estimated_birth_year="1990")
    )

    assert response.status_code == 302
    assert Patient.objects.count() == 2


def test_it_does_not_count_the_file_being_edited_as_its_own_duplicate(existing):
    assert list(find_duplicates(last_name="Nguyen", first_name="Eloise", birth_year=1990, exclude_pk=existing.pk)) == []
    assert list(find_duplicates(last_name="Nguyen", first_name="Eloise", birth_year=1990)) == [existing]


def test_it_does_not_match_on_initials_alone(existing):
    assert list(find_duplicates(last_name="N", first_name="E", birth_year=1990)) == []
