"""The report's figures equal a frozen copy of the first implementation's, on a varied data set.

`_figures` and `_cost_stats` were rewritten for speed (issue 11: a year at 100,000 patients
took 7-13 s). The code below (`reference_figures` and what it calls) is the implementation as it
was before, copied unchanged: the definitions of the indicators. Every figure of
`report_figures` must equal it, for a calendar year, a non-calendar range, a February ending on
the 29th, a period without data, and another `lost_days`.
"""

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.models import (
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import TruncDate

from budget.models import BudgetYear, Category, Expense
from pass_unit.models import StaffFTE
from pass_unit.reports.indicators import (
    LOST_DAYS,
    Percentile,
    _age_band_filters,
    bounds,
    is_calendar_year,
    paris,
    previous_period,
    report_figures,
)
from patients import services
from patients.models import CoverageRight, Orientation, Patient, SocialAssessment, Visit
from tests.support.factories import PatientFactory

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
UNKNOWN = "unknown"


# --- The reference: the implementation before the rewrite, unchanged ---------------------------


def reference_figures(start: date, end: date, *, lost_days: int = LOST_DAYS) -> dict:
    prev_start, prev_end = previous_period(start, end)
    return {"n": _figures(start, end, lost_days), "p": _figures(prev_start, prev_end, lost_days)}


def _visits_in(start_dt, end_dt):
    from patients.models import Visit

    return Visit.objects.not_cancelled().filter(occurred_at__gte=start_dt, occurred_at__lt=end_dt)


def _grouped(rows, key: str, value: str = "n") -> dict:
    out = defaultdict(int)
    for row in rows:
        out[row[key]] += row[value]
    return dict(out)


def _figures(start: date, end: date, lost_days: int) -> dict:
    """Every raw figure of one period: a fixed number of queries."""
    from budget.models import BudgetYear, Expense
    from pass_unit.models import StaffFTE
    from patients.models import CoverageRight, Orientation, Patient, SocialAssessment, Visit
    from rcp.models import Action, CaseReview, Meeting

    start_dt, end_dt = bounds(start, end)
    visits = _visits_in(start_dt, end_dt)
    active_ids = visits.values("patient_id")
    active = Patient.objects.filter(pk__in=active_ids)
    f: dict = {}

    # 1. Visits: file active, new patients, activity by kind, interpreting.
    earlier = Visit.objects.not_cancelled().filter(patient=OuterRef("patient"), occurred_at__lt=start_dt)
    aggregates = {
        "file_active": Count("patient", distinct=True),
        "new_patients": Count("patient", distinct=True, filter=~Exists(earlier)),
        "visits": Count("pk"),
    }
    for kind in Visit.Kind:
        aggregates[f"patients_{kind.value}"] = Count("patient", distinct=True, filter=Q(kind=kind))
        aggregates[f"visits_{kind.value}"] = Count("pk", filter=Q(kind=kind))
    for mode in Visit.Interpreting:
        aggregates[f"interpreting_{mode.value}"] = Count("pk", filter=Q(interpreting=mode))
    f.update(visits.aggregate(**aggregates))

    # 2. Visits per patient: mean and median.
    per_patient = visits.order_by().values("patient_id").annotate(n=Count("pk"))
    stats = per_patient.aggregate(mean=Avg("n"), median=Percentile("n", 0.5))
    f["visits_per_patient_mean"] = _decimal(stats["mean"], 1)
    f["visits_per_patient_median"] = _decimal(stats["median"], 1)

    # 3. Public: sex, age bands, interpreter need, data quality of identities.
    profile = {f"sex_{s.value}": Count("pk", filter=Q(sex=s)) for s in Patient.Sex}
    profile.update({f"age_{key}": Count("pk", filter=q) for key, q in _age_band_filters(end).items()})
    profile["interpreter_yes"] = Count("pk", filter=Q(interpreter_needed=True))
    profile["interpreter_no"] = Count("pk", filter=Q(interpreter_needed=False))
    profile["birth_date_estimated"] = Count("pk", filter=Q(birth_date__isnull=True))
    # No language, or a text typed before the list with a part not recognised (kept to be checked).
    profile["language_to_check"] = Count("pk", filter=Q(languages=[]) | ~Q(languages_text=""))
    f.update(active.aggregate(**profile))

    # 4–6. Country of birth and nationality (ISO 3166 codes), first language (ISO 639): grouped in SQL.
    # A blank code is "non renseigné" (a text typed before the lists and not recognised included).
    f["birth_country_codes"] = _grouped(
        active.order_by().values("birth_country").annotate(n=Count("pk")), "birth_country"
    )
    f["nationality_codes"] = _grouped(active.order_by().values("nationality").annotate(n=Count("pk")), "nationality")
    f["language_codes"] = _grouped(
        active.order_by().annotate(first_language=F("languages__0")).values("first_language").annotate(n=Count("pk")),
        "first_language",
    )

    # 7. Coverage on arrival (at the first visit ever) and at the end of the period.
    first_visit = (
        Visit.objects.not_cancelled().filter(patient=OuterRef("pk")).order_by("occurred_at").values("occurred_at")[:1]
    )
    held = [CoverageRight.Status.GRANTED, CoverageRight.Status.EXPIRED]

    def covering(day):
        return (
            CoverageRight.objects.filter(patient=OuterRef("pk"), status__in=held, start_date__lte=day)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
            .filter(Q(decision_on__isnull=True) | Q(decision_on__lte=day))
            .order_by("start_date", "pk")
            .values("regime")[:1]
        )

    coverage_rows = (
        active.annotate(first_day=TruncDate(Subquery(first_visit), tzinfo=paris()))
        .annotate(
            arrival=Subquery(covering(OuterRef("first_day"))),
            at_end=Subquery(covering(end)),
            has_rights=Exists(CoverageRight.objects.filter(patient=OuterRef("pk"))),
        )
        .order_by()
        .values("arrival", "at_end", "has_rights")
        .annotate(n=Count("pk"))
    )
    arrival, at_end = defaultdict(int), defaultdict(int)
    for row in coverage_rows:
        # A patient whose file records rights but none held on the day had no coverage then.
        arrival[row["arrival"] or ("none" if row["has_rights"] else UNKNOWN)] += row["n"]
        at_end[row["at_end"] or ("none" if row["has_rights"] else UNKNOWN)] += row["n"]
    f["coverage_arrival"], f["coverage_end"] = dict(arrival), dict(at_end)

    # 8. Housing and resources from the latest assessment of the period.
    latest = SocialAssessment.objects.filter(
        patient=OuterRef("pk"), assessed_on__gte=start, assessed_on__lte=end
    ).order_by("-assessed_on", "-created_at")
    social_rows = (
        active.annotate(
            housing=Subquery(latest.values("housing")[:1]), resources=Subquery(latest.values("resources")[:1])
        )
        .order_by()
        .values("housing", "resources")
        .annotate(n=Count("pk"))
    )
    housing, resources = defaultdict(int), defaultdict(int)
    for row in social_rows:
        housing[row["housing"] or UNKNOWN] += row["n"]
        resources[row["resources"] or UNKNOWN] += row["n"]
    f["housing"], f["resources"] = dict(housing), dict(resources)

    # 9. Rights: applications filed, granted, refused, by regime; patients whose rights opened.
    filed_in = Q(filed_on__gte=start, filed_on__lte=end)
    decided_in = Q(decision_on__gte=start, decision_on__lte=end)
    granted_in = decided_in & Q(status__in=held)
    refused_in = decided_in & Q(status=CoverageRight.Status.REFUSED)
    rights_rows = (
        CoverageRight.objects.filter(filed_in | decided_in)
        .order_by()
        .values("regime")
        .annotate(
            filed=Count("pk", filter=filed_in),
            granted=Count("pk", filter=granted_in),
            refused=Count("pk", filter=refused_in),
        )
    )
    f["rights"] = {row["regime"]: row for row in rights_rows}
    f["patients_rights_opened"] = CoverageRight.objects.filter(granted_in).aggregate(n=Count("patient", distinct=True))[
        "n"
    ]

    # 10. Delay from the first visit to the first granted right, for rights first granted in the period.
    first_grant = (
        CoverageRight.objects.filter(patient=OuterRef("pk"), status__in=held, decision_on__isnull=False)
        .order_by("decision_on")
        .values("decision_on")[:1]
    )
    delays = (
        Patient.objects.annotate(
            first_grant=Subquery(first_grant), first_day=TruncDate(Subquery(first_visit), tzinfo=paris())
        )
        .filter(first_grant__gte=start, first_grant__lte=end, first_day__isnull=False)
        .filter(first_grant__gte=F("first_day"))
        .annotate(delay=ExpressionWrapper(F("first_grant") - F("first_day"), output_field=DurationField()))
        .aggregate(
            median=Percentile("delay", 0.5, output_field=DurationField()),
            p90=Percentile("delay", 0.9, output_field=DurationField()),
        )
    )
    f["rights_delay_median"] = _days(delays["median"])
    f["rights_delay_p90"] = _days(delays["p90"])

    # 11. Exits, and the active patients of the period not seen in its last N days.
    exit_in = Q(exit_date__gte=start, exit_date__lte=end)
    gp = Exists(
        Orientation.objects.filter(
            patient=OuterRef("pk"), destination=Orientation.Destination.GP, outcome=Orientation.Outcome.DONE
        )
    )
    recent = Visit.objects.not_cancelled().filter(
        patient=OuterRef("pk"),
        occurred_at__gte=end_dt - timedelta(days=lost_days),
        occurred_at__lt=end_dt,
    )
    S = Patient.Status
    f.update(
        Patient.objects.aggregate(
            exit_common_law_gp=Count("pk", filter=exit_in & Q(status=S.COMMON_LAW) & Q(gp)),
            exit_common_law_no_gp=Count("pk", filter=exit_in & Q(status=S.COMMON_LAW) & ~Q(gp)),
            exit_lost=Count("pk", filter=exit_in & Q(status=S.LOST)),
            exit_deceased=Count("pk", filter=exit_in & Q(status=S.DECEASED)),
            exit_other=Count("pk", filter=exit_in & Q(status=S.ARCHIVED)),
            lost_candidates=Count("pk", filter=Q(pk__in=active_ids, status=S.ACTIVE) & ~Q(Exists(recent))),
            exit_without_date=Count("pk", filter=Q(pk__in=active_ids, exit_date__isnull=True) & ~Q(status=S.ACTIVE)),
        )
    )

    # 12. RCP: meetings held by kind, cases and patients reviewed, actions created and done.
    held_meetings = Q(scheduled_at__gte=start_dt, scheduled_at__lt=end_dt) & ~Q(status=Meeting.Status.PLANNED)
    f["meetings"] = _grouped(
        Meeting.objects.filter(held_meetings).order_by().values("kind").annotate(n=Count("pk")), "kind"
    )
    meeting_ids = Meeting.objects.filter(held_meetings).values("pk")
    f.update(
        CaseReview.objects.filter(meeting__in=meeting_ids, postponed=False).aggregate(
            cases_reviewed=Count("pk"), patients_reviewed=Count("patient", distinct=True)
        )
    )
    f.update(
        Action.objects.aggregate(
            actions_created=Count("pk", filter=Q(created_at__gte=start_dt, created_at__lt=end_dt)),
            actions_done=Count(
                "pk", filter=Q(status=Action.Status.DONE, closed_at__gte=start_dt, closed_at__lt=end_dt)
            ),
        )
    )

    # 13. MIG: committed spending by category, the allocation, cost per patient of the file active.
    f["spending"] = {
        row["category"]: row["total"]
        for row in Expense.objects.committed()
        .filter(spent_on__gte=start, spent_on__lte=end)
        .order_by()
        .values("category")
        .annotate(total=Sum("amount"))
    }
    f["allocation"] = None
    if is_calendar_year(start, end):
        budget = BudgetYear.objects.filter(year=start.year).annotate(extra=Sum("extra_allocations__amount")).first()
        if budget is not None:
            f["allocation"] = budget.allocation + (budget.extra or Decimal(0))
    f.update(_cost_stats(start, end, start_dt, end_dt))

    # 14. Team: the latest FTE entered for each profession, for the period's year.
    f["fte"] = {
        row.profession: row.fte
        for row in StaffFTE.objects.filter(year=end.year)
        .order_by("profession", "-entered_at", "-pk")
        .distinct("profession")
    }
    return f


def _cost_stats(start, end, start_dt, end_dt) -> dict:
    """Cost per patient of the file active (patients without expense count as 0), and the top 10 %'s share."""
    from budget.models import Expense
    from patients.models import Visit

    sql = f"""
        WITH fa AS (
            SELECT DISTINCT patient_id FROM {Visit._meta.db_table}
            WHERE occurred_at >= %s AND occurred_at < %s AND cancelled_at IS NULL
        ), costs AS (
            SELECT fa.patient_id, COALESCE(SUM(e.amount), 0) AS cost
            FROM fa LEFT JOIN {Expense._meta.db_table} e
              ON e.patient_id = fa.patient_id AND e.spent_on >= %s AND e.spent_on <= %s AND e.status = ANY(%s)
            GROUP BY fa.patient_id
        ), ranked AS (
            SELECT cost, row_number() OVER (ORDER BY cost DESC) AS rank, count(*) OVER () AS n FROM costs
        )
        SELECT count(*), COALESCE(sum(cost), 0), avg(cost),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY cost),
               percentile_cont(0.9) WITHIN GROUP (ORDER BY cost),
               COALESCE(sum(cost) FILTER (WHERE rank <= ceil(n * 0.1)), 0)
        FROM ranked
    """  # noqa: S608 - table names come from the models, values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [start_dt, end_dt, start, end, [str(s) for s in Expense.COMMITTED]])
        n, total, mean, median, p90, top = cursor.fetchone()
    return {
        "patient_cost_total": Decimal(total),
        "patient_cost_mean": _decimal(mean, 2),
        "patient_cost_median": _decimal(median, 2),
        "patient_cost_p90": _decimal(p90, 2),
        "patient_cost_top10_share": _decimal(Decimal(top) * 100 / Decimal(total), 1) if total else None,
    }


def _decimal(value, places: int) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places))


def _days(value) -> Decimal | None:
    if value is None:
        return None
    return _decimal(value.total_seconds() / 86400, 1)


# --- A varied data set ----------------------------------------------------------------------------

COUNTRIES = ["ML", "DZ", "SN", "SY", "AF", "FR", "PL", "", "", "CI", "GN", "XK"]
LANGUAGES = [[], ["ar"], ["fr", "ar"], ["bm", "fr"], ["wo"], ["ps"], ["ar"], ["xx-unknown"]]
DAY_ZERO = date(2023, 1, 1)
SPAN = (date(2027, 1, 15) - DAY_ZERO).days


def at(day: date, hh: int = 10, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=PARIS)


def some_day(rng: random.Random) -> date:
    return DAY_ZERO + timedelta(days=rng.randrange(SPAN))


def later(rng: random.Random, day: date, most: int = 200) -> date:
    return day + timedelta(days=rng.randrange(most))


@pytest.fixture
def varied(social, physician, nurse, coordinator):
    """About 160 patients with random profiles, visits, rights, assessments, orientations, exits and
    expenses from 2023 to early 2027, and hand-made edge cases: visits at midnight Paris time on the
    period's bounds, cancelled visits (the only visit of a file, or its first), rights granted
    before the first visit or with no decision date, merged files, archived patients."""
    rng = random.Random(20260111)
    professionals = [physician, social, nurse]
    patients = []
    for _ in range(160):
        exact = rng.random() < 0.5
        year = rng.choice([1935, 1950, 1966, 1980, 1990, 2001, 2007, 2008, 2010, 2019, 2025, 2026])
        birth_date = date(year, rng.randint(1, 12), rng.randint(1, 28)) if exact else None
        if exact and rng.random() < 0.1:
            birth_date = date(year, 2, 28) if year % 4 else date(year, 2, 29)
        patients.append(
            PatientFactory(
                sex=rng.choice(list(Patient.Sex)),
                birth_year=year,
                birth_date=birth_date,
                birth_date_precision="exact" if exact else rng.choice(["year", "unknown"]),
                birth_country=rng.choice(COUNTRIES),
                nationality=rng.choice(COUNTRIES),
                languages=rng.choice(LANGUAGES),
                languages_text=rng.choice(["", "", "", "bambara ?"]),
                interpreter_needed=rng.random() < 0.3,
            )
        )
    visits = []
    for patient in patients[:150]:  # the last ten have no visit at all
        for _ in range(rng.choice([0, 1, 1, 2, 3, 5, 8, 13])):
            day = some_day(rng)
            cancelled = rng.random() < 0.1
            visits.append(
                Visit(
                    patient=patient,
                    professional=rng.choice(professionals),
                    kind=rng.choice(list(Visit.Kind)),
                    interpreting=rng.choice(list(Visit.Interpreting)),
                    occurred_at=at(day, rng.randint(0, 23), rng.choice([0, 30])),
                    cancelled_at=at(day, 23, 59) if cancelled else None,
                    cancel_reason="Erreur" if cancelled else "",
                )
            )
    # On the bounds of 2025 and 2026, Paris time (and the clock change of 30/03/2025).
    for patient, when in (
        (patients[0], at(date(2025, 12, 31), 23, 30)),
        (patients[1], at(date(2026, 1, 1), 0, 0)),
        (patients[2], at(date(2024, 12, 31), 23, 59)),
        (patients[3], at(date(2025, 3, 30), 2, 30)),
        (patients[4], at(date(2026, 12, 31), 23, 45)),
    ):
        visits.append(Visit(patient=patient, professional=physician, kind=Visit.Kind.MEDICAL, occurred_at=when))
    Visit.objects.bulk_create(visits)
    # A file whose only visit of 2025 is cancelled, through the service.
    only = Visit.objects.create(patient=patients[150], professional=physician, occurred_at=at(date(2025, 5, 5)))
    services.visit_cancel(visit=only, reason="Doublon", acting_user=physician)

    statuses = list(CoverageRight.Status)
    rights = []
    for patient in patients:
        for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
            status = rng.choice(statuses + [CoverageRight.Status.GRANTED] * 3)
            filed_on = some_day(rng) if rng.random() < 0.8 else None
            decided = status in ("granted", "refused", "expired") and rng.random() < 0.9
            decision_on = later(rng, filed_on or some_day(rng)) if decided else None
            start_date = (decision_on or filed_on or some_day(rng)) - timedelta(days=rng.randrange(60))
            if filed_on and decision_on and start_date < filed_on and rng.random() < 0.5:
                start_date = filed_on
            end_date = later(rng, start_date, 500) if rng.random() < 0.7 else None
            rights.append(
                CoverageRight(
                    patient=patient,
                    regime=rng.choice(list(CoverageRight.Regime)),
                    status=status,
                    filed_on=filed_on,
                    decision_on=decision_on,
                    start_date=start_date if rng.random() < 0.9 else None,
                    end_date=end_date if rng.random() < 0.9 else None,
                    created_by=social,
                )
            )
    # Two rights granted the same day (the first by start date, then id, is the one counted).
    for regime in (CoverageRight.Regime.PUMA, CoverageRight.Regime.AME):
        rights.append(
            CoverageRight(
                patient=patients[5],
                regime=regime,
                status="granted",
                filed_on=date(2025, 2, 1),
                decision_on=date(2025, 3, 1),
                start_date=date(2025, 2, 1),
                created_by=social,
            )
        )
    CoverageRight.objects.bulk_create(rights)

    assessments = []
    for patient in patients:
        for _ in range(rng.choice([0, 0, 1, 2, 3])):
            assessments.append(
                SocialAssessment(
                    patient=patient,
                    author=social,
                    assessed_on=some_day(rng),
                    housing=rng.choice(list(SocialAssessment.Housing)),
                    resources=rng.choice(list(SocialAssessment.Resources)),
                )
            )
    SocialAssessment.objects.bulk_create(assessments)
    for patient in rng.sample(patients, 40):
        Orientation.objects.create(
            patient=patient,
            destination=rng.choice([Orientation.Destination.GP, Orientation.Destination.CMP]),
            outcome=rng.choice(list(Orientation.Outcome)),
            author=social,
        )

    exits = [s for s in Patient.Status if s != Patient.Status.ACTIVE]
    for patient in rng.sample(patients[:150], 45):
        status = rng.choice(exits)
        exit_date = some_day(rng) if rng.random() < 0.85 else None
        Patient.objects.filter(pk=patient.pk).update(status=status, exit_date=exit_date)

    # Merged files: the source's visits, rights… move to the target, the source is archived.
    for source, target in ((patients[10], patients[11]), (patients[12], patients[13]), (patients[155], patients[20])):
        source.refresh_from_db()
        target.refresh_from_db()
        if source.status == Patient.Status.ACTIVE and target.status == Patient.Status.ACTIVE:
            services.patient_merge(target=target, source=source, reason="Doublon", acting_user=coordinator)

    statuses = [Expense.Status.PLANNED, Expense.Status.COMMITTED, Expense.Status.COMMITTED, Expense.Status.PAID]
    for _ in range(260):
        status = rng.choice(statuses)
        spent_on = some_day(rng)
        Expense.objects.create(
            patient=rng.choice(patients) if rng.random() < 0.9 else None,
            amount=Decimal(rng.randint(100, 90000)) / 100,
            category=rng.choice(list(Category)),
            description="x",
            spent_on=spent_on,
            status=status,
            paid_on=spent_on if status == Expense.Status.PAID else None,
            created_by=nurse,
        )
    BudgetYear.objects.create(year=2025, allocation=Decimal("50000.00"))
    StaffFTE.objects.create(
        year=2025, profession=StaffFTE.Profession.PHYSICIAN, fte=Decimal("0.80"), entered_by=coordinator
    )
    return patients


PERIODS = [
    (date(2025, 1, 1), date(2025, 12, 31)),  # a calendar year (and 2024)
    (date(2026, 1, 1), date(2026, 12, 31)),
    (date(2025, 3, 15), date(2025, 11, 2)),  # not a calendar year
    (date(2024, 2, 1), date(2024, 2, 29)),  # the previous period ends on 28/02/2023
    (date(2025, 12, 31), date(2025, 12, 31)),  # one day
    (date(2030, 1, 1), date(2030, 12, 31)),  # no data at all
]


def test_it_computes_exactly_the_figures_of_the_reference_implementation(varied):
    assert Visit.objects.count() > 500  # the data set is not empty by mistake
    for start, end in PERIODS:
        assert report_figures(start, end) == reference_figures(start, end), (start, end)


def test_it_counts_the_patients_not_seen_recently_as_the_reference_for_another_delay(varied):
    for start, end in PERIODS[:3]:
        assert report_figures(start, end, lost_days=30) == reference_figures(start, end, lost_days=30)


def test_it_finds_figures_in_the_varied_data_set(varied):
    """The comparison above means something: the data set feeds every figure of 2025."""
    n = report_figures(date(2025, 1, 1), date(2025, 12, 31))["n"]
    assert n["file_active"] > 50 and n["new_patients"] > 10 and n["visits"] > 100
    assert n["rights_delay_median"] is not None and n["patients_rights_opened"] > 5
    assert n["lost_candidates"] > 0 and n["exit_without_date"] > 0
    assert sum(n["coverage_arrival"].values()) == n["file_active"] == sum(n["coverage_end"].values())
    assert len(n["coverage_arrival"]) > 3 and len(n["housing"]) > 3 and len(n["language_codes"]) > 3
    assert n["exit_common_law_gp"] + n["exit_common_law_no_gp"] + n["exit_lost"] + n["exit_deceased"] > 0
    assert n["patient_cost_median"] is not None and n["patient_cost_top10_share"] is not None
    assert connection.vendor == "postgresql"
