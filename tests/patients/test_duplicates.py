"""/patients/new/: a second file for the same person is caught before it is created."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from pass_unit.models import AuditEvent
from patients.models import Patient
from patients.selectors import find_duplicates
from tests.support.factories import PatientFactory, VisitFactory
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


@pytest.mark.parametrize(
    ("last_name", "first_name"),
    [
        pytest.param("Eloise", "Nguyen", id="swapped"),
        pytest.param("Nguyenn", "Eloyse", id="two-words-misspelt"),
        pytest.param("Nguyen Eloise", "", id="all-in-the-last-name"),
        pytest.param("Ngu Yen", "Éloïse", id="split"),
        pytest.param("Tran", "Hoa", id="alias-swapped"),
    ],
)
def test_it_warns_with_the_tolerance_of_the_search(client_, existing, last_name, first_name):
    response = client_.post(
        reverse("patients:create"),
        patient_data(last_name=last_name, first_name=first_name, estimated_birth_year="1991"),
    )

    assert DUPLICATES in response.content.decode()
    assert Patient.objects.count() == 1


@pytest.mark.parametrize("year", ["1980", "2000"])
def test_it_warns_when_the_names_match_but_the_birth_years_are_far_apart(client_, existing, year):
    response = client_.post(
        reverse("patients:create"), patient_data(last_name="Nguyen", first_name="Eloise", estimated_birth_year=year)
    )

    html = response.content.decode()
    assert DUPLICATES in html
    assert 'data-testid="far-year"' in html
    assert Patient.objects.count() == 1


def test_it_ranks_a_distant_birth_year_below_a_close_one(client_, existing):
    close = PatientFactory(last_name="Nguyen", first_name="Eloise", birth_year=1979)

    response = client_.post(
        reverse("patients:create"), patient_data(last_name="Nguyen", first_name="Eloise", estimated_birth_year="1980")
    )

    assert [dup.pk for dup in response.context["duplicates"]] == [close.pk, existing.pk]
    assert [dup.far_year for dup in response.context["duplicates"]] == [False, True]


@pytest.mark.parametrize(
    ("last_name", "first_name", "year"),
    [
        pytest.param("Nguyen", "", "1970", id="last-name-only-distant-year"),
        pytest.param("Nguyen", "Thi Lan", "1990", id="same-family-other-first-name"),
        pytest.param("Ngo", "Eloise", "1990", id="other-short-family-name"),
    ],
)
def test_it_does_not_warn_for_another_person(client_, existing, last_name, first_name, year):
    response = client_.post(
        reverse("patients:create"),
        patient_data(last_name=last_name, first_name=first_name, estimated_birth_year=year),
    )

    assert response.status_code == 302
    assert Patient.objects.count() == 2


def test_it_shows_what_tells_the_files_apart_and_keeps_the_input(client_, existing, social):
    VisitFactory(patient=existing, professional=social, occurred_at=timezone.now() - timedelta(days=3))
    Patient.objects.filter(pk=existing.pk).update(birth_country="VN", sex="F")
    existing.refresh_from_db()
    data = patient_data(last_name="Nguyen", first_name="Eloise", estimated_birth_year="1990", phone="06 11 22 33 44")

    response = client_.post(reverse("patients:create"), data)

    html = response.content.decode()
    row = html[html.index(f'data-testid="duplicate-{existing.file_number}"') :].split("</tr>")[0]
    assert 'target="_blank"' in row
    assert Patient(birth_country="VN").birth_country.name in row
    assert (timezone.localdate() - timedelta(days=3)).strftime("%d/%m/%Y") in row
    assert "1990" in row
    assert existing.get_sex_display() in row
    assert existing.get_identity_status_display() in row
    assert 'data-testid="match-reason"' in row
    assert response.context["form"]["phone"].value() == "06 11 22 33 44"


def test_it_records_a_file_created_despite_a_possible_duplicate(client_, existing, reception):
    data = patient_data(last_name="Nguyen", first_name="Eloise", estimated_birth_year="1991")

    client_.post(reverse("patients:create"), {**data, "confirm_new": "1"})

    created = Patient.objects.exclude(pk=existing.pk).get()
    event = AuditEvent.objects.get(patient=created, detail__startswith="created despite")
    assert event.detail == f"created despite a possible duplicate of {existing.file_number}"
    assert event.user == reception
    # The search keys are derived from the names: not worth a line in the trail.
    assert "search_keys" not in AuditEvent.objects.get(patient=created, action="create", detail="").changes


def test_it_records_no_duplicate_note_for_a_new_person(client_, existing):
    client_.post(reverse("patients:create"), patient_data(last_name="Okafor", estimated_birth_year="1990"))

    assert not AuditEvent.objects.filter(detail__startswith="created despite").exists()


# POST /patients/new/ warning of duplicates: request queries (session, user, groups; session
# save: savepoint, update, release), the model's constraint check (savepoint, select, release),
# the form's physician list, the candidate rows (keys and ranking; savepoint, SET LOCAL
# enable_seqscan, rows, rollback to and release the savepoint: see _through_indexes), the
# candidates themselves, their last visits.
INTAKE_QUERIES = 6 + 3 + 1 + 5 + 1 + 1


@pytest.mark.parametrize("count", [1, 8])
def test_it_checks_duplicates_in_a_fixed_number_of_queries(client_, django_assert_max_num_queries, count):
    for n in range(count):
        PatientFactory(last_name="Nguyen", first_name="Eloise", birth_year=1989 + n % 3)
    data = patient_data(last_name="Nguyen", first_name="Eloise", estimated_birth_year="1990")

    with django_assert_max_num_queries(INTAKE_QUERIES):
        response = client_.post(reverse("patients:create"), data)

    assert len(response.context["duplicates"]) == count


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
