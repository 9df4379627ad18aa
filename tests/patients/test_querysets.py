"""The filters said once on the QuerySets: visits not cancelled, visits of a Paris day, current rights."""

import ast
import inspect
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

import patients.models
from patients import services
from patients.models import CoverageRight, Patient, Visit
from tests.support.factories import CoverageRightFactory, PatientFactory, VisitFactory

PARIS = ZoneInfo("Europe/Paris")
STATUS = CoverageRight.Status


@pytest.fixture
def patient(db):
    return PatientFactory(last_name="Diallo")


def test_it_leaves_cancelled_visits_out(patient, nurse):
    kept = VisitFactory(patient=patient, professional=nurse)
    cancelled = VisitFactory(patient=patient, professional=nurse)
    services.visit_cancel(visit=cancelled, reason="Erreur de dossier", acting_user=nurse)
    assert list(Visit.objects.not_cancelled()) == [kept]
    assert list(patient.visits.not_cancelled()) == [kept]  # on the related manager too


@pytest.mark.parametrize(
    ("day", "inside", "outside"),
    [
        # An ordinary winter day (UTC+1): 00:10 Paris is still the day before in UTC.
        (date(2026, 1, 15), [(1, 15, 0, 10), (1, 15, 23, 59)], [(1, 14, 23, 59), (1, 16, 0, 0)]),
        # The day the clocks go forward (23 hours): 03:30 exists, 00:00 and 23:59 too.
        (date(2026, 3, 29), [(3, 29, 0, 0), (3, 29, 3, 30), (3, 29, 23, 59)], [(3, 28, 23, 59), (3, 30, 0, 0)]),
        # The day the clocks go back (25 hours).
        (date(2026, 10, 25), [(10, 25, 0, 0), (10, 25, 23, 59)], [(10, 24, 23, 59), (10, 26, 0, 0)]),
    ],
)
def test_it_finds_the_visits_of_a_paris_day(patient, nurse, day, inside, outside):
    def visit(month, d, hour, minute):
        return VisitFactory(
            patient=patient, professional=nurse, occurred_at=datetime(2026, month, d, hour, minute, tzinfo=PARIS)
        )

    expected = {visit(*moment).pk for moment in inside}
    for moment in outside:
        visit(*moment)
    assert set(Visit.objects.on_day(day).values_list("pk", flat=True)) == expected


def test_it_knows_the_current_granted_rights(patient, nurse):
    on = date(2026, 3, 11)

    def right(status, end_date=None, **kwargs):
        return CoverageRightFactory(patient=patient, status=status, end_date=end_date, created_by=nurse, **kwargs)

    open_ended = right(STATUS.GRANTED)
    ends_today = right(STATUS.GRANTED, on)
    ends_later = right(STATUS.GRANTED, on + timedelta(days=200))
    ended = right(STATUS.GRANTED, on - timedelta(days=1))
    right(STATUS.FILED)
    right(STATUS.EXPIRED, on + timedelta(days=5))
    right(STATUS.REFUSED)

    assert set(CoverageRight.objects.current_granted(on)) == {open_ended, ends_today, ends_later}
    assert set(CoverageRight.objects.granted()) == {open_ended, ends_today, ends_later, ended}


def test_the_patient_search_lives_on_the_queryset_without_an_import_circle(patient):
    # patients.models must not import patients.selectors (which imports the models).
    tree = ast.parse(inspect.getsource(patients.models))
    imported = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not any(name and name.startswith("patients.") for name in imported), imported
    assert list(Patient.objects.search("diallo")) == [patient]
    assert list(Patient.objects.likely_duplicates(last_name="Dialo", birth_year=patient.birth_year)) == [patient]
