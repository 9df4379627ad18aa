"""/patients/: search by name, alias, file number and birth year; filters; pagination."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from patients.models import CoverageRight, Patient
from tests.support.factories import CoverageRightFactory, PatientFactory

FILE_NUMBER = re.compile(r'class="file-number">([^<]+)<')


def shown(client, **params) -> list[str]:
    """The file numbers listed on the page, in order."""
    response = client.get(reverse("patients:list"), params)
    assert response.status_code == 200
    return FILE_NUMBER.findall(response.content.decode())


@pytest.fixture
def client_(login, reception):
    return login(reception)


@pytest.fixture
def eloise(db):
    return PatientFactory(
        file_number="PASS-2026-00042",
        last_name="Nguyễn",
        first_name="Éloïse",
        birth_date=date(1987, 4, 12),
        aliases=["Hoa Tran"],
    )


@pytest.fixture
def mohammed(db):
    return PatientFactory(file_number="PASS-2025-00107", last_name="Benali", first_name="Mohammed", birth_year=1980)


@pytest.fixture
def others(db):
    return [
        PatientFactory(file_number="PASS-2026-00001", last_name="Diallo", first_name="Mariama", birth_year=1987),
        PatientFactory(file_number="PASS-2026-00002", last_name="Popescu", first_name="Ioana", birth_year=1995),
        PatientFactory(file_number="PASS-2025-00042", last_name="Haddad", first_name="Karim", birth_year=1970),
    ]


@pytest.mark.parametrize("query", ["Eloise Nguyen", "eloïse", "NGUYEN", "nguyễn éloïse", "nguy"])
def test_it_finds_a_name_whatever_the_accents_and_case(client_, eloise, mohammed, others, query):
    assert shown(client_, q=query) == [eloise.file_number]


@pytest.mark.parametrize("query", ["Mohamed", "mohamed benali", "Benalli"])
def test_it_finds_a_name_despite_a_spelling_variant(client_, eloise, mohammed, others, query):
    assert shown(client_, q=query) == [mohammed.file_number]


def test_it_finds_a_patient_by_alias(client_, eloise, mohammed, others):
    assert shown(client_, q="hoa tran") == [eloise.file_number]


def test_it_finds_a_patient_by_full_file_number(client_, eloise, mohammed, others):
    assert shown(client_, q="PASS-2026-00042") == [eloise.file_number]
    assert shown(client_, q="pass 2026 42") == [eloise.file_number]


def test_it_finds_files_by_short_number_in_every_year(client_, eloise, mohammed, others):
    # "42" is the 42nd file of any year: 2026 and 2025 here.
    assert sorted(shown(client_, q="42")) == ["PASS-2025-00042", "PASS-2026-00042"]


def test_it_finds_patients_by_birth_year(client_, eloise, mohammed, others):
    assert sorted(shown(client_, q="1987")) == ["PASS-2026-00001", eloise.file_number]


def test_it_combines_a_name_and_a_birth_year(client_, eloise, mohammed, others):
    assert shown(client_, q="nguyen 1987") == [eloise.file_number]
    assert shown(client_, q="Mohamed 1980") == [mohammed.file_number]
    assert shown(client_, q="Mohamed 1981") == []


def test_it_lists_nothing_for_an_unknown_name(client_, eloise, mohammed, others):
    response = client_.get(reverse("patients:list"), {"q": "Zyxwvut"})

    assert FILE_NUMBER.findall(response.content.decode()) == []
    assert response.context["page"].paginator.count == 0


@pytest.mark.parametrize("query", ["\x00", "a" * 500, "%", "_", "'; DROP TABLE patients_patient; --", "<script>"])
def test_it_survives_odd_queries(client_, eloise, query):
    response = client_.get(reverse("patients:list"), {"q": query})

    assert response.status_code == 200
    assert Patient.objects.filter(pk=eloise.pk).exists()


def test_it_hides_archived_files_unless_asked(client_, eloise):
    archived = PatientFactory(last_name="Nguyen", first_name="Archivée", status=Patient.Status.ARCHIVED)
    lost = PatientFactory(last_name="Nguyen", first_name="Perdue", status=Patient.Status.LOST)

    assert sorted(shown(client_, q="nguyen")) == sorted([eloise.file_number, lost.file_number])
    assert shown(client_, q="nguyen", status="archived") == [archived.file_number]
    assert shown(client_, status="lost") == [lost.file_number]


@pytest.fixture
def coverage_cases(social):
    today = timezone.localdate()

    def patient_with(name, **right):
        patient = PatientFactory(last_name=name)
        if right:
            CoverageRightFactory(patient=patient, created_by=social, **right)
        return patient

    granted = dict(status=CoverageRight.Status.GRANTED, filed_on=today - timedelta(days=60))
    return {
        "ame": patient_with("Ame", regime="ame", **granted, end_date=today + timedelta(days=200)),
        "ame_expired": patient_with("Expired", regime="ame", **granted, end_date=today - timedelta(days=1)),
        "ame_filed": patient_with("Filed", regime="ame", status=CoverageRight.Status.FILED),
        "puma": patient_with("Puma", regime="puma", **granted),
        "none_granted": patient_with("Nothing", regime="none", status=CoverageRight.Status.GRANTED),
        "no_right": patient_with("Norights"),
    }


def test_it_filters_on_granted_rights(client_, coverage_cases):
    assert shown(client_, coverage="ame") == [coverage_cases["ame"].file_number]
    assert shown(client_, coverage="puma") == [coverage_cases["puma"].file_number]


def test_it_filters_patients_without_open_rights(client_, coverage_cases):
    expected = {coverage_cases[k].file_number for k in ("ame_expired", "ame_filed", "none_granted", "no_right")}

    assert set(shown(client_, coverage="uncovered")) == expected


def test_it_paginates_by_25(client_):
    patients = [PatientFactory(last_name=f"Patient{n:02d}") for n in range(30)]

    first = client_.get(reverse("patients:list"))
    second = client_.get(reverse("patients:list"), {"page": 2})

    assert len(FILE_NUMBER.findall(first.content.decode())) == 25
    assert FILE_NUMBER.findall(second.content.decode()) == [p.file_number for p in patients[25:]]
    assert "page=2" in first.content.decode()
    assert first.context["page"].paginator.count == 30


def test_it_keeps_the_search_when_changing_page(client_):
    for n in range(27):
        PatientFactory(last_name=f"Diallo{n:02d}")
    PatientFactory(last_name="Haddad")

    response = client_.get(reverse("patients:list"), {"q": "diallo"})

    assert response.context["page"].paginator.count == 27
    assert "q=diallo&amp;page=2" in response.content.decode()


@pytest.mark.parametrize("page", ["999", "abc", "-1", "\x00"])
def test_it_survives_a_bad_page_number(client_, eloise, page):
    response = client_.get(reverse("patients:list"), {"page": page})

    assert response.status_code == 200


def test_it_offers_the_coverage_filter_only_to_roles_reading_rights(login, admin_user, eloise):
    response = login(admin_user).get(reverse("patients:list"))

    assert 'name="coverage"' not in response.content.decode()


def test_it_ignores_the_coverage_filter_for_roles_not_reading_rights(login, admin_user, coverage_cases):
    # The filter would tell the admin who has AME: rights are not theirs to read (DESIGN.md).
    client = login(admin_user)

    assert sorted(shown(client, coverage="ame")) == sorted(shown(client))
