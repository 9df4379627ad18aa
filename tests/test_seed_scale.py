"""`seed_demo --scale`: the bulk 20-year history (issue 11), and file numbers reserved in blocks."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import OuterRef, Q
from django.utils import timezone

from budget.models import BudgetYear, Expense
from pass_unit.models import AuditEvent
from patients.demo import DEFAULT_PATIENTS
from patients.demo_scale import YEARS
from patients.models import CoverageRight, FileNumberCounter, Patient, SocialAssessment, Visit
from patients.services import format_file_number, next_file_number, reserve_file_numbers
from rcp.models import Action, CaseReview, Meeting, MinutesVersion
from tests.support.factories import PatientFactory

pytestmark = pytest.mark.django_db

BULK = 300


@pytest.fixture
def scaled(settings):
    """The small demo (60 stories) and 300 more patients through the bulk path."""
    settings.DEBUG = True
    out = StringIO()
    call_command("seed_demo", "--patients", str(DEFAULT_PATIENTS + BULK), "--scale", stdout=out)
    return out.getvalue()


def scalar(sql: str, params=()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def test_it_reserves_a_block_of_file_numbers_in_one_statement(db, django_assert_num_queries):
    year = timezone.localdate().year
    assert next_file_number(year) == f"PASS-{year}-00001"

    with django_assert_num_queries(1):  # the upsert of the year's counter, returning the last number
        block = reserve_file_numbers(year, 1000)

    assert list(block) == list(range(2, 1002))
    assert next_file_number(year) == f"PASS-{year}-01002"
    assert FileNumberCounter.objects.get(year=year).last == 1002


def test_it_starts_a_new_year_with_its_block(db):
    assert list(reserve_file_numbers(2031, 3)) == [1, 2, 3]
    assert list(reserve_file_numbers(2031, 2)) == [4, 5]


def test_it_numbers_past_99999_files_a_year_and_finds_them(db):
    FileNumberCounter.objects.create(year=2026, last=99_999)

    number = next_file_number(2026)
    patient = PatientFactory(file_number=number)

    assert number == "PASS-2026-100000" == format_file_number(2026, 100_000)
    assert len(number) <= Patient._meta.get_field("file_number").max_length
    assert list(Patient.objects.search("PASS-2026-100000")) == [patient]
    assert list(Patient.objects.search("pass 2026 100000")) == [patient]


def test_it_writes_the_small_demo_then_a_coherent_bulk_history(scaled):
    patients = Patient.objects.count()
    assert patients == DEFAULT_PATIENTS + BULK
    assert "300 patients" in scaled
    visits = Visit.objects.count()
    assert 8 * patients <= visits <= 14 * patients
    assert 1.2 * patients <= SocialAssessment.objects.count() <= 2 * patients
    assert 1.5 * patients <= CoverageRight.objects.count() <= 2.5 * patients
    assert 2 * BULK <= Expense.objects.count()
    # One meeting for every hundred bulk patients, ten cases each; the small demo's validated ones kept.
    assert Meeting.objects.filter(status=Meeting.Status.HELD).count() >= BULK // 100
    held = Meeting.objects.filter(status=Meeting.Status.HELD)
    assert not held.filter(cases__isnull=True).exists()
    assert CaseReview.objects.filter(meeting__in=held).count() > 2 * held.count()
    assert Action.objects.filter(case_review__meeting__status=Meeting.Status.HELD).exists()
    assert MinutesVersion.objects.count() == Meeting.objects.filter(status=Meeting.Status.VALIDATED).count() > 0
    # One audit row per file created, bulk included.
    created = AuditEvent.objects.filter(action="create", object_type="patients.patient")
    assert created.count() == patients

    file_numbers_spread_over_the_years_of_registration()
    every_story_in_order()


def file_numbers_spread_over_the_years_of_registration():
    numbers = list(Patient.objects.values_list("file_number", "created_at"))
    assert len({n for n, _ in numbers}) == len(numbers)
    years = Counter()
    for number, created_at in numbers:
        year = int(number.split("-")[1])
        assert year == timezone.localtime(created_at).year, number
        years[year] += 1
    today = timezone.localdate()
    assert len(years) >= YEARS // 2
    assert min(years) >= today.year - YEARS + 1
    # Within a year, numbers follow the registrations, and the counter knows the last one.
    for year, count in years.items():
        assert FileNumberCounter.objects.get(year=year).last == count
        ordered = [
            n
            for n, _ in sorted(((n, c) for n, c in numbers if n.startswith(f"PASS-{year}-")), key=lambda item: item[1])
        ]
        assert ordered == sorted(ordered) or year == today.year  # the small demo registers today's year


def every_story_in_order():
    now = timezone.now()
    # No visit before the file was opened, nor in the future.
    assert not Visit.objects.filter(
        occurred_at__lt=Patient.objects.filter(pk=OuterRef("patient")).values("created_at")[:1]
    ).exists()
    assert not Visit.objects.filter(occurred_at__gt=now).exists()
    # Exits after the registration; the files gone have an exit date, the followed ones none.
    assert (
        scalar("SELECT count(*) FROM patients_patient WHERE exit_date < (created_at AT TIME ZONE 'Europe/Paris')::date")
        == 0
    )
    assert not Patient.objects.exclude(status=Patient.Status.ACTIVE).filter(exit_date__isnull=True).exists()
    assert not Patient.objects.filter(status=Patient.Status.ACTIVE, exit_date__isnull=False).exists()
    # Rights: none filed or decided in the future (constraints keep decisions after filings).
    today = timezone.localdate()
    assert not CoverageRight.objects.filter(Q(filed_on__gt=today) | Q(decision_on__gt=today)).exists()
    # RCP cases: the patient was registered before the meeting.
    assert (
        scalar(
            "SELECT count(*) FROM rcp_casereview c JOIN rcp_meeting m ON m.id = c.meeting_id "
            "JOIN patients_patient p ON p.id = c.patient_id WHERE p.created_at > m.scheduled_at"
        )
        == 0
    )
    # Expenses: tied to a visit of the same patient, on its day; a budget year for each year charged.
    assert (
        scalar(
            "SELECT count(*) FROM budget_expense e JOIN patients_visit v ON v.id = e.visit_id "
            "WHERE v.patient_id <> e.patient_id OR e.spent_on <> (v.occurred_at AT TIME ZONE 'Europe/Paris')::date"
        )
        == 0
    )
    years = {d.year for d in Expense.objects.dates("spent_on", "year")}
    assert years <= set(BudgetYear.objects.values_list("year", flat=True))
    # Foreign keys hold (checked at commit by PostgreSQL; here, explicitly).
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
