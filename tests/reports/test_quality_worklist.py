"""The data-quality worklist and its count: the same files, flags and order as the first implementation.

`_reference_queryset` is a copy of `_worklist_queryset` as it was before its rewrite for 100,000
patients (1 December 2026): flags as CASE expressions, "no right" / "no assessment" as NOT EXISTS,
which PostgreSQL hashed over every right and assessment. The rewrite must select the same files,
with the same flags, in the same order.
"""

import itertools
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.models import BooleanField, Case, Exists, OuterRef, Q, Value, When
from django.test.utils import CaptureQueriesContext

from pass_unit.reports.indicators import (
    QUALITY_LABELS,
    _worklist_queryset,
    bounds,
    live_quality_files_count,
    quality_files_count,
    quality_worklist,
)
from patients.models import CoverageRight, Patient, SocialAssessment, Visit
from tests.support.factories import CoverageRightFactory, PatientFactory, SocialAssessmentFactory, VisitFactory

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
START, END = date(2025, 1, 1), date(2025, 12, 31)


def _reference_queryset(start: date, end: date):
    """The implementation before the rewrite (copied verbatim, but for the imports)."""
    start_dt, end_dt = bounds(start, end)
    flags = {
        "coverage_arrival": ~Exists(CoverageRight.objects.filter(patient=OuterRef("pk"))),
        "housing": ~Exists(
            SocialAssessment.objects.filter(patient=OuterRef("pk"), assessed_on__gte=start, assessed_on__lte=end)
        ),
        "birth_country": Q(birth_country=""),
        "nationality": Q(nationality=""),
        "sex": Q(sex=Patient.Sex.UNKNOWN),
        "language": Q(languages=[]) | ~Q(languages_text=""),
        "birth_date": Q(birth_date__isnull=True),
    }
    visits = Visit.objects.filter(occurred_at__gte=start_dt, occurred_at__lt=end_dt, cancelled_at__isnull=True)
    annotated = Patient.objects.filter(pk__in=visits.values("patient_id")).annotate(
        **{
            f"lacks_{k}": Case(When(q, then=Value(True)), default=Value(False), output_field=BooleanField())
            for k, q in flags.items()
        }
    )
    any_missing = Q()
    for key in flags:
        any_missing |= Q(**{f"lacks_{key}": True})
    return annotated.filter(any_missing), list(flags)


def _rows(queryset, flags):
    return [(p.pk, tuple(getattr(p, f"lacks_{k}") for k in flags)) for p in queryset.order_by("search_text", "pk")]


@pytest.fixture
def files(social, physician):
    """Files for every combination of the identity gaps, each with or without a right and an
    assessment of the period; visits in, before, after the period and cancelled ones."""
    patients = []
    combos = itertools.product([False, True], repeat=5)  # country, nationality, sex, language, birth date
    for n, (no_country, no_nationality, no_sex, language_gap, estimated) in enumerate(combos):
        for has_right, has_assessment in itertools.product([False, True], repeat=2):
            patient = PatientFactory(
                last_name=f"Qualite{(n * 7 + has_right * 3 + has_assessment) % 11:02d}",  # names tie: pk breaks ties
                birth_country="" if no_country else "SN",
                nationality="" if no_nationality else "SN",
                sex=Patient.Sex.UNKNOWN if no_sex else Patient.Sex.FEMALE,
                # A language gap: none recorded, or one recorded with text left to check.
                languages=["fr"] if not language_gap or n % 3 == 0 else [],
                languages_text="kreyol" if language_gap and n % 3 == 0 else "",
                birth_date=None if estimated else date(1990, 1, 2),
                birth_year=1990,
            )
            VisitFactory(patient=patient, professional=physician, occurred_at=datetime(2025, 5, 5, 10, tzinfo=PARIS))
            if has_right:
                CoverageRightFactory(
                    patient=patient,
                    status=[CoverageRight.Status.GRANTED, CoverageRight.Status.REFUSED][n % 2],
                    created_by=social,
                )
            if has_assessment:
                SocialAssessmentFactory(patient=patient, author=social, assessed_on=date(2025, 3, 1))
            elif n % 2:
                # An assessment outside the period does not count.
                SocialAssessmentFactory(patient=patient, author=social, assessed_on=date(2024, 12, 31))
            patients.append(patient)
    sparse = PatientFactory(last_name="Horsperiode", sex=Patient.Sex.UNKNOWN)
    VisitFactory(patient=sparse, professional=physician, occurred_at=datetime(2024, 12, 31, 23, 30, tzinfo=PARIS))
    VisitFactory(patient=sparse, professional=physician, occurred_at=datetime(2026, 1, 1, 0, 30, tzinfo=PARIS))
    cancelled = PatientFactory(last_name="Annule", sex=Patient.Sex.UNKNOWN)
    VisitFactory(
        patient=cancelled,
        professional=physician,
        occurred_at=datetime(2025, 6, 1, 10, tzinfo=PARIS),
        cancelled_at=datetime(2025, 6, 1, 11, tzinfo=PARIS),
        cancel_reason="Erreur",
    )
    edge = PatientFactory(last_name="Nouvelan", sex=Patient.Sex.UNKNOWN)  # 31/12 23:30 Paris: in the period
    VisitFactory(patient=edge, professional=physician, occurred_at=datetime(2025, 12, 31, 23, 30, tzinfo=PARIS))
    # The worklist reads the latest visit the database keeps on the file: moved into the period
    # by an update, or a cancellation undone, the file is still found.
    moved = PatientFactory(last_name="Deplace", sex=Patient.Sex.UNKNOWN)
    visit = VisitFactory(patient=moved, professional=physician, occurred_at=datetime(2024, 5, 5, 10, tzinfo=PARIS))
    Visit.objects.filter(pk=visit.pk).update(occurred_at=datetime(2025, 5, 5, 10, tzinfo=PARIS))
    undone = PatientFactory(last_name="Retabli", sex=Patient.Sex.UNKNOWN)
    visit = VisitFactory(
        patient=undone,
        professional=physician,
        occurred_at=datetime(2025, 5, 5, 10, tzinfo=PARIS),
        cancelled_at=datetime(2025, 5, 5, 11, tzinfo=PARIS),
        cancel_reason="Erreur",
    )
    Visit.objects.filter(pk=visit.pk).update(cancelled_at=None, cancel_reason="")
    return patients


def test_it_selects_the_same_files_with_the_same_flags_in_the_same_order_as_before(files):
    reference, reference_flags = _reference_queryset(START, END)
    queryset, flags = _worklist_queryset(START, END)
    assert flags == reference_flags == list(QUALITY_LABELS)[:7]
    expected = _rows(reference, reference_flags)
    assert len(expected) > 100  # every combination but the complete files, and the edge of the period
    listed = {pk for pk, _flags in expected}
    assert {p.pk for p in Patient.objects.filter(last_name__in=["Deplace", "Retabli", "Nouvelan"])} <= listed
    assert _rows(queryset, flags) == expected
    assert live_quality_files_count(START, END) == reference.count() == len(expected)
    assert quality_files_count(START, END) == len(expected)


def test_it_lists_the_first_files_by_name_with_what_each_lacks_as_before(files):
    reference, flags = _reference_queryset(START, END)
    expected = [
        (p.pk, [str(QUALITY_LABELS[k]) for k in flags if getattr(p, f"lacks_{k}")])
        for p in reference.order_by("search_text", "pk")
    ]
    for limit in (10, len(expected), len(expected) + 5):
        entries, count = quality_worklist(START, END, limit=limit)
        assert [(e.patient.pk, e.missing) for e in entries] == expected[:limit]
        assert count == len(expected)


def test_it_agrees_with_the_reference_for_a_period_of_a_few_days_and_an_empty_one(files):
    for start, end in ((date(2025, 12, 31), date(2025, 12, 31)), (date(2023, 1, 1), date(2023, 12, 31))):
        reference, flags = _reference_queryset(start, end)
        queryset, _flags = _worklist_queryset(start, end)
        assert _rows(queryset, flags) == _rows(reference, flags)
    assert live_quality_files_count(date(2023, 1, 1), date(2023, 12, 31)) == 0


def test_it_probes_rights_and_assessments_file_by_file(files):
    """PostgreSQL must not hash every right and assessment: each check is an EXISTS it cannot
    turn into a hashed subplan (OFFSET 0), so it follows the indexes for the files it reads."""
    queryset, _flags = _worklist_queryset(START, END)
    with CaptureQueriesContext(connection) as queries:
        list(queryset.order_by("search_text", "pk")[:5])
    sql = queries.captured_queries[0]["sql"]
    assert sql.count("OFFSET 0") >= 4  # both checks, in the filter and in the flags
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "hashed SubPlan" not in plan


@pytest.mark.parametrize("limit", [5, 500])
def test_it_serves_the_worklist_page_in_the_same_few_queries_whether_full_or_not(
    client, coordinator, files, monkeypatch, limit, django_assert_num_queries
):
    from functools import partial

    from django.urls import reverse

    from pass_unit.reports import views

    monkeypatch.setattr(views, "quality_worklist", partial(quality_worklist, limit=limit))
    client.force_login(coordinator)
    url = reverse("reports:quality", kwargs={"year": 2025})
    client.get(url)  # the count stored once
    # session, user, role; the first files by name; the stored count (one statement, current or
    # counted again: the same queries at 1,000 and 100,000 patients); the audit row.
    with django_assert_num_queries(6):
        response = client.get(url)
    rows = response.content.decode().count('data-testid="worklist-row"')
    assert rows == min(limit, live_quality_files_count(START, END))
    assert response.context["count"] == live_quality_files_count(START, END)


def test_it_links_each_file_and_its_identity_form_as_reverse_does(client, social, files):
    from django.urls import reverse

    client.force_login(social)  # completes identities: a second link per file
    response = client.get(reverse("reports:quality", kwargs={"year": 2025}))
    html = response.content.decode()
    rows = response.context["rows"]
    assert rows
    for row in rows:
        pk = row["entry"].patient.pk
        assert row["url"] == reverse("patients:detail", args=[pk])
        assert row["edit_url"] == reverse("patients:edit", args=[pk])
        assert f'href="{row["url"]}"' in html and f'href="{row["edit_url"]}"' in html
