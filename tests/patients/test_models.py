"""Rules that live on the models and in the database."""

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from pass_unit.lib.text import normalize
from patients import services
from patients.models import CoverageRight, FileNumberCounter, Patient, Visit
from tests.support.factories import CoverageRightFactory, PatientFactory, SocialAssessmentFactory

S = CoverageRight.Status


def register(user, **fields) -> Patient:
    fields.setdefault("birth_year", 1990)
    return services.patient_register(patient=Patient(**fields), acting_user=user)


def test_it_numbers_files_per_year_from_one(social):
    year = timezone.localdate().year

    first = register(social, last_name="Diallo")
    second = register(social, last_name="Traoré")

    assert first.file_number == f"PASS-{year}-00001"
    assert second.file_number == f"PASS-{year}-00002"


def test_it_restarts_the_numbering_on_a_new_year(social, monkeypatch):
    year = timezone.localdate().year
    register(social, last_name="Diallo")
    register(social, last_name="Traoré")
    monkeypatch.setattr(timezone, "localdate", lambda *args: date(year + 1, 1, 2))

    next_year = register(social, last_name="Kone")

    assert next_year.file_number == f"PASS-{year + 1}-00001"
    assert FileNumberCounter.objects.get(year=year).last == 2
    assert FileNumberCounter.objects.get(year=year + 1).last == 1


def test_it_refuses_two_files_with_the_same_number(db):
    PatientFactory(file_number="PASS-2026-00042")

    with pytest.raises(IntegrityError), transaction.atomic():
        PatientFactory(file_number="PASS-2026-00042")


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("Éloïse  Nguyễn-Lê", "eloise nguyen le"),
        ("MÜLLER", "muller"),
        ("Strauß", "strauss"),
        ("Œdipe Łukasz Søren", "oedipe lukasz soren"),
        ("O'Brien", "o brien"),
        ("  ", ""),
        ("", ""),
    ],
)
def test_it_normalizes_text_for_search(raw, normalized):
    assert normalize(raw) == normalized


def test_it_keeps_names_and_aliases_in_search_text(db):
    patient = PatientFactory(last_name="Nguyễn-Lê", first_name="Éloïse", usage_name="Durand", aliases=["Thi Hoa"])

    patient.refresh_from_db()

    assert patient.search_text == "nguyen le eloise durand thi hoa"


def test_it_updates_search_text_when_a_name_changes(db):
    patient = PatientFactory(last_name="Benali", first_name="Mohammed")

    patient.aliases = ["Momo"]
    patient.save()

    assert Patient.objects.get(pk=patient.pk).search_text == "benali mohammed momo"


def test_it_derives_the_birth_year_from_the_birth_date(db):
    patient = PatientFactory(birth_date=date(1987, 5, 3), birth_year=1950)

    patient.refresh_from_db()

    assert patient.birth_year == 1987
    assert not patient.birth_is_estimated


def test_it_refuses_a_birth_year_that_contradicts_the_birth_date_in_the_database(db):
    patient = PatientFactory(birth_date=date(1987, 5, 3))

    # save() would fix the year: go around it, as a raw UPDATE or a bad migration would.
    with pytest.raises(IntegrityError), transaction.atomic():
        Patient.objects.filter(pk=patient.pk).update(birth_year=1950)


def test_it_refuses_an_implausible_birth_year_in_the_database(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        PatientFactory(birth_year=1850)


def test_it_refuses_rights_ending_before_they_start_in_the_database(social):
    patient = PatientFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        CoverageRight.objects.create(
            patient=patient,
            regime=CoverageRight.Regime.AME,
            status=S.GRANTED,
            start_date=date(2026, 3, 1),
            end_date=date(2026, 2, 1),
            created_by=social,
        )

    assert CoverageRight.objects.count() == 0


def test_it_refuses_a_decision_before_the_filing_in_the_database(social):
    with pytest.raises(IntegrityError), transaction.atomic():
        CoverageRightFactory(created_by=social, filed_on=date(2026, 3, 1), decision_on=date(2026, 2, 1))


def test_it_refuses_a_cancelled_visit_without_reason_in_the_database(social):
    patient = PatientFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Visit.objects.create(
            patient=patient,
            kind=Visit.Kind.RECEPTION,
            professional=social,
            cancelled_at=timezone.now(),
            cancel_reason="",
        )

    assert Visit.objects.count() == 0


def test_it_refuses_a_negative_income_in_the_database(social):
    with pytest.raises(IntegrityError), transaction.atomic():
        SocialAssessmentFactory(author=social, monthly_income=-1)


@pytest.mark.parametrize(
    ("status", "end_in_days", "expected"),
    [
        (S.GRANTED, -1, "expired"),
        (S.GRANTED, 0, "soon"),
        (S.GRANTED, settings.COVERAGE_EXPIRY_WARNING_DAYS, "soon"),
        (S.GRANTED, settings.COVERAGE_EXPIRY_WARNING_DAYS + 1, ""),
        (S.GRANTED, None, ""),
        (S.FILED, -30, ""),
        (S.EXPIRED, -30, ""),
    ],
)
def test_it_tells_when_rights_must_be_renewed(status, end_in_days, expected):
    today = date(2026, 6, 15)
    end = today + timedelta(days=end_in_days) if end_in_days is not None else None
    right = CoverageRight(regime=CoverageRight.Regime.AME, status=status, end_date=end)

    assert right.expiry_state(today) == expected


@pytest.mark.parametrize(
    ("status", "steps"),
    [
        (S.TO_ASSESS, [S.BUILDING, S.REFUSED]),
        (S.BUILDING, [S.FILED]),
        (S.FILED, [S.GRANTED, S.REFUSED]),
        (S.GRANTED, [S.EXPIRED]),
        (S.REFUSED, [S.BUILDING]),
        (S.EXPIRED, [S.BUILDING]),
    ],
)
def test_it_offers_the_next_steps_of_an_application(status, steps):
    assert CoverageRight(status=status).next_steps == steps


def test_it_computes_the_age_from_an_estimated_year():
    today = timezone.localdate()

    seventeen = Patient(last_name="X", birth_year=today.year - 17)
    eighteen = Patient(last_name="X", birth_year=today.year - 18)

    assert seventeen.birth_is_estimated
    assert seventeen.age() == 17
    assert seventeen.is_minor
    assert eighteen.age() == 18
    assert not eighteen.is_minor


def test_it_computes_the_age_from_the_birth_date_to_the_day():
    patient = Patient(last_name="X", birth_date=date(2008, 6, 15), birth_year=2008)

    assert patient.age(on=date(2026, 6, 14)) == 17
    assert patient.age(on=date(2026, 6, 15)) == 18


def test_it_counts_a_birthday_on_29_february():
    patient = Patient(last_name="X", birth_date=date(2008, 2, 29), birth_year=2008)

    assert patient.age(on=date(2026, 2, 28)) == 17
    assert patient.age(on=date(2026, 3, 1)) == 18


def test_it_displays_the_name_with_the_usage_name():
    patient = Patient(last_name="Martin", usage_name="Dupont", first_name="Awa")

    assert patient.display_name == "MARTIN (Dupont) Awa"
    assert patient.initials == "AM"
