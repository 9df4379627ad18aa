"""The annual activity report: one object, computed by SQL aggregates, read by every output.

`build_activity_report(start, end)` runs a fixed number of queries per period (N and N−1),
whatever the number of patients: aggregates with `COUNT(DISTINCT …) FILTER (WHERE …)`,
groupings, correlated subqueries on indexed columns and `percentile_cont`. Date bounds are
aware datetimes [start 00:00 Paris, end+1 00:00 Paris): a visit on 31 December at 23:30 Paris
time counts in that year. Ages are counted at the end of the period.

The report object holds figures and labels only: no name, file number or free text of a
patient (the worklist of files to complete is built apart, by `quality_worklist`).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    BooleanField,
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pass_unit.lib import languages
from pass_unit.models import ReportSnapshot
from pass_unit.reports import countries

UNKNOWN = "unknown"
UNKNOWN_LABEL = _("Not stated")
OTHER = "other_values"
TOP_COUNTRIES = 10
TOP_LANGUAGES = 10
ReportKind = ReportSnapshot.Kind


class Percentile(Aggregate):
    """percentile_cont(p) WITHIN GROUP (ORDER BY expr): continuous percentile, as PostgreSQL computes it."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


# --- The report's shape -------------------------------------------------------------------------


def format_value(value, kind: str) -> str:
    """A figure as the page and the PDF show it, in French: "1 234", "3,5", "1 234,56 €", "18,0 %"."""
    from django.utils.formats import number_format

    from pass_unit.templatetags.pass_extras import money

    if value is None:
        return "—"
    if kind == "money":
        return money(value)
    if kind == "percent":
        return f"{number_format(value, 1)}\u00a0%"
    if kind == "fte":
        return number_format(value, 2)
    if kind in ("decimal", "days"):
        return number_format(value, 1)
    return number_format(value, 0, force_grouping=True)


def format_change(value, kind: str) -> str:
    if value is None:
        return ""
    sign = "+" if value > 0 else ("−" if value < 0 else "")
    return sign + format_value(abs(value), kind)


@dataclass
class Indicator:
    code: str
    label: str
    definition: str
    value: object  # int, Decimal, float or None ("—": not computable)
    previous: object
    kind: str = "count"  # count, decimal, days, money, fte, percent

    @property
    def change(self):
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def value_display(self) -> str:
        return format_value(self.value, self.kind)

    @property
    def previous_display(self) -> str:
        return format_value(self.previous, self.kind)

    @property
    def change_display(self) -> str:
        return format_change(self.change, self.kind)

    @property
    def change_percent(self) -> float | None:
        if self.change is None or not self.previous:
            return None
        return float(self.change) * 100 / float(self.previous)


@dataclass
class Row:
    key: str
    label: str
    value: object
    previous: object
    unknown: bool = False  # the "non renseigné" line
    kind: str = "count"

    @property
    def value_display(self) -> str:
        return format_value(self.value, self.kind)

    @property
    def previous_display(self) -> str:
        return format_value(self.previous, self.kind)

    @property
    def change_display(self) -> str:
        return format_change(self.value - self.previous, self.kind)


@dataclass
class Breakdown:
    code: str
    title: str
    definition: str
    rows: list[Row]
    kind: str = "count"

    def __post_init__(self):
        for row in self.rows:
            row.kind = self.kind

    @property
    def total_display(self) -> str:
        return format_value(self.total, self.kind)

    @property
    def previous_total_display(self) -> str:
        return format_value(self.previous_total, self.kind)

    @property
    def total(self):
        return sum((r.value for r in self.rows), Decimal(0) if self.kind == "money" else 0)

    @property
    def previous_total(self):
        return sum((r.previous for r in self.rows), Decimal(0) if self.kind == "money" else 0)

    @property
    def unknown(self):
        return sum(r.value for r in self.rows if r.unknown)


@dataclass
class Section:
    code: str
    title: str
    indicators: list[Indicator] = field(default_factory=list)
    breakdowns: list[Breakdown] = field(default_factory=list)


@dataclass
class QualityItem:
    code: str
    label: str
    count: int


@dataclass
class ActivityReport:
    start: date
    end: date
    previous_start: date
    previous_end: date
    lost_days: int
    sections: list[Section]
    quality: list[QualityItem]
    generated_at: datetime

    @property
    def indicators(self) -> list[Indicator]:
        return [i for s in self.sections for i in s.indicators]

    @property
    def breakdowns(self) -> list[Breakdown]:
        return [b for s in self.sections for b in s.breakdowns]

    def indicator(self, code: str) -> Indicator:
        return next(i for i in self.indicators if i.code == code)

    def breakdown(self, code: str) -> Breakdown:
        return next(b for b in self.breakdowns if b.code == code)

    @property
    def quality_total(self) -> int:
        return sum(q.count for q in self.quality)

    @property
    def is_calendar_year(self) -> bool:
        return is_calendar_year(self.start, self.end)


# --- Periods ------------------------------------------------------------------------------------


def paris() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, end+1 00:00) in the unit's time zone, as aware datetimes."""
    tz = paris()
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def previous_period(start: date, end: date) -> tuple[date, date]:
    """The same dates one year earlier: the previous year for a calendar year."""
    return years_before(start, 1), years_before(end, 1)


def is_calendar_year(start: date, end: date) -> bool:
    return start == date(start.year, 1, 1) and end == date(start.year, 12, 31)


# --- Age bands ----------------------------------------------------------------------------------

AGE_BANDS = [
    # key, label, lowest age, highest age (inclusive) at the end of the period
    ("0_17", _("0–17 (minors)"), 0, 17),
    ("18_24", _("18–24"), 18, 24),
    ("25_39", _("25–39"), 25, 39),
    ("40_59", _("40–59"), 40, 59),
    ("60", _("60 and over"), 60, None),
]


def _aged_at_least(end: date, years: int) -> Q:
    """Aged `years` or more on `end`: from the birth date, or from the birth year when it is estimated."""
    return Q(birth_date__isnull=False, birth_date__lte=years_before(end, years)) | Q(
        birth_date__isnull=True, birth_year__lte=end.year - years
    )


def _age_band_filters(end: date) -> dict[str, Q]:
    filters = {}
    for key, _label, low, high in AGE_BANDS:
        q = _aged_at_least(end, low)
        if high is not None:
            q &= ~_aged_at_least(end, high + 1)
        filters[key] = q
    # Born after the end of the period (a typing error): the age is unknown.
    filters[UNKNOWN] = ~_aged_at_least(end, 0)
    return filters


# --- One period's figures -----------------------------------------------------------------------


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


# --- Assembly -----------------------------------------------------------------------------------


def _rows(keys_labels, now: dict, before: dict, *, money: bool = False) -> list[Row]:
    """One row per (key, label), then the "non renseigné" line (always present)."""
    zero = Decimal(0) if money else 0
    rows = [Row(key, str(label), now.get(key, zero), before.get(key, zero)) for key, label in keys_labels]
    rows.append(Row(UNKNOWN, str(UNKNOWN_LABEL), now.get(UNKNOWN, zero), before.get(UNKNOWN, zero), unknown=True))
    return rows


def _country_breakdowns(code: str, now_codes: dict, before_codes: dict, title_regions, title_top, definition):
    """Regions of the world, and the top 10 countries, from ISO codes; a blank code is "non renseigné"."""

    def by_country(codes: dict) -> dict:
        out = defaultdict(int)
        for iso, n in codes.items():
            out[str(iso) if iso else UNKNOWN] += n
        return dict(out)

    now, before = by_country(now_codes), by_country(before_codes)

    def by_region(per_country: dict) -> dict:
        out = defaultdict(int)
        for iso, n in per_country.items():
            out[UNKNOWN if iso == UNKNOWN else countries.region_of(iso)] += n
        return dict(out)

    regions = Breakdown(
        f"{code}_region",
        title_regions,
        definition,
        _rows(list(countries.REGIONS.items()), by_region(now), by_region(before)),
    )
    ranked = sorted((iso for iso in now if iso != UNKNOWN), key=lambda iso: (-now[iso], iso))[:TOP_COUNTRIES]
    top_rows = [Row(iso, countries.country_name(iso), now.get(iso, 0), before.get(iso, 0)) for iso in ranked]
    others_now = sum(n for iso, n in now.items() if iso not in ranked and iso != UNKNOWN)
    others_before = sum(n for iso, n in before.items() if iso not in ranked and iso != UNKNOWN)
    top_rows.append(Row(OTHER, str(_("Other countries")), others_now, others_before))
    top_rows.append(Row(UNKNOWN, str(UNKNOWN_LABEL), now.get(UNKNOWN, 0), before.get(UNKNOWN, 0), unknown=True))
    top = Breakdown(f"{code}_top", title_top, definition, top_rows)
    return regions, top


def _language_breakdown(now_codes: dict, before_codes: dict) -> Breakdown:
    def by_language(codes):
        out = defaultdict(int)
        for code, n in codes.items():
            out[code or UNKNOWN] += n
        return out

    now, before = by_language(now_codes), by_language(before_codes)
    ranked = sorted((k for k in now if k != UNKNOWN), key=lambda k: (-now[k], k))[:TOP_LANGUAGES]
    rows = [Row(k, languages.language_name(k), now.get(k, 0), before.get(k, 0)) for k in ranked]
    rows.append(
        Row(
            OTHER,
            str(_("Other languages")),
            sum(n for k, n in now.items() if k not in ranked and k != UNKNOWN),
            sum(n for k, n in before.items() if k not in ranked and k != UNKNOWN),
        )
    )
    rows.append(Row(UNKNOWN, str(UNKNOWN_LABEL), now.get(UNKNOWN, 0), before.get(UNKNOWN, 0), unknown=True))
    return Breakdown(
        "language",
        str(_("Main language")),
        str(_("File active by the first language recorded in the file (a language, not a nationality).")),
        rows,
    )


LOST_DAYS = 180


def report_figures(start: date, end: date, *, lost_days: int = LOST_DAYS) -> dict:
    """The raw figures of [start, end] ("n") and of the same dates a year earlier ("p"): the
    queries of the report, and all it needs (what `pass_unit.reports.snapshots` stores)."""
    if end < start:
        raise ValueError("end before start")
    prev_start, prev_end = previous_period(start, end)
    return {"n": _figures(start, end, lost_days), "p": _figures(prev_start, prev_end, lost_days)}


def build_activity_report(start: date, end: date, *, lost_days: int = LOST_DAYS) -> ActivityReport:
    """The activity report of [start, end] (dates included), with the same dates a year earlier,
    computed now from the data (live)."""
    return report_from_figures(
        start, end, report_figures(start, end, lost_days=lost_days), lost_days=lost_days, generated_at=timezone.now()
    )


def report_from_figures(
    start: date, end: date, figures: dict, *, generated_at: datetime, lost_days: int = LOST_DAYS
) -> ActivityReport:
    """The report object (sections, labels in the active language, data quality) from raw figures:
    no query, so the same object whether the figures were just computed or stored."""
    from budget.models import Category
    from pass_unit.models import StaffFTE
    from patients.models import CoverageRight, Patient, SocialAssessment, Visit
    from rcp.models import Meeting

    if end < start:
        raise ValueError("end before start")
    prev_start, prev_end = previous_period(start, end)
    n, p = figures["n"], figures["p"]

    def ind(code, label, definition, kind="count", key=None):
        key = key or code
        return Indicator(code, str(label), str(definition), n.get(key), p.get(key), kind)

    # Activity
    kinds = [
        (Visit.Kind.MEDICAL, _("Medical file active"), _("Medical consultations")),
        (Visit.Kind.SOCIAL, _("Social file active"), _("Social interviews")),
        (Visit.Kind.NURSING, _("Nursing file active"), _("Nursing care acts")),
        (Visit.Kind.PSYCHOLOGICAL, _("Psychological file active"), _("Psychological consultations")),
        (Visit.Kind.DENTAL, _("Dental file active"), _("Dental consultations")),
    ]
    activity = Section("activity", str(_("Activity")))
    activity.indicators += [
        ind(
            "file_active",
            _("File active"),
            _("Distinct patients with at least one visit (not cancelled) in the period."),
        ),
        ind(
            "new_patients",
            _("New patients"),
            _("Patients of the file active whose first visit ever (not cancelled) is in the period."),
        ),
        ind("visits", _("Visits"), _("Visits of every kind in the period, cancelled visits excluded.")),
    ]
    for kind, file_label, acts_label in kinds:
        activity.indicators += [
            ind(
                f"file_active_{kind.value}",
                file_label,
                _("Distinct patients with at least one visit of this kind in the period."),
                key=f"patients_{kind.value}",
            ),
            ind(
                f"acts_{kind.value}",
                acts_label,
                _("Visits of this kind in the period, cancelled visits excluded."),
                key=f"visits_{kind.value}",
            ),
        ]
    activity.indicators += [
        ind(
            "visits_per_patient_mean",
            _("Visits per patient (mean)"),
            _("Visits of the period divided by the file active."),
            "decimal",
        ),
        ind(
            "visits_per_patient_median",
            _("Visits per patient (median)"),
            _("Half the patients of the file active had at most this number of visits in the period."),
            "decimal",
        ),
    ]

    # Public
    public = Section("public", str(_("Public")))
    sex_labels = [(s.value, s.label) for s in Patient.Sex if s != Patient.Sex.UNKNOWN]
    public.breakdowns.append(
        Breakdown(
            "sex",
            str(_("Sex")),
            str(_("File active by sex recorded in the file.")),
            _rows(
                sex_labels,
                {k: n[f"sex_{k}"] for k, _l in sex_labels} | {UNKNOWN: n[f"sex_{Patient.Sex.UNKNOWN}"]},
                {k: p[f"sex_{k}"] for k, _l in sex_labels} | {UNKNOWN: p[f"sex_{Patient.Sex.UNKNOWN}"]},
            ),
        )
    )
    band_labels = [(key, label) for key, label, _lo, _hi in AGE_BANDS]
    public.breakdowns.append(
        Breakdown(
            "age",
            str(_("Age at the end of the period")),
            str(
                _(
                    "File active by age on the last day of the period, from the birth date, or from the "
                    "birth year when the date is estimated."
                )
            ),
            _rows(
                band_labels,
                {k: n[f"age_{k}"] for k in [*dict(band_labels), UNKNOWN]},
                {k: p[f"age_{k}"] for k in [*dict(band_labels), UNKNOWN]},
            ),
        )
    )
    public.indicators.append(
        ind(
            "minors",
            _("Minors"),
            _("Patients of the file active under 18 on the last day of the period."),
            key="age_0_17",
        )
    )
    birth_regions, birth_top = _country_breakdowns(
        "birth_country",
        n["birth_country_codes"],
        p["birth_country_codes"],
        str(_("Country of birth, by region of the world")),
        str(_("Country of birth (top 10)")),
        str(_("File active by country of birth as recorded in the file.")),
    )
    nat_regions, nat_top = _country_breakdowns(
        "nationality",
        n["nationality_codes"],
        p["nationality_codes"],
        str(_("Nationality, by region of the world")),
        str(_("Nationality (top 10)")),
        str(_("File active by nationality as recorded in the file.")),
    )
    public.breakdowns += [
        birth_regions,
        birth_top,
        nat_regions,
        nat_top,
        _language_breakdown(n["language_codes"], p["language_codes"]),
    ]
    public.breakdowns.append(
        Breakdown(
            "interpreter_need",
            str(_("Interpreter needed")),
            str(_("File active by the interpreter need recorded in the file.")),
            [
                Row("yes", str(_("Yes")), n["interpreter_yes"], p["interpreter_yes"]),
                Row("no", str(_("No")), n["interpreter_no"], p["interpreter_no"]),
                Row(UNKNOWN, str(UNKNOWN_LABEL), 0, 0, unknown=True),
            ],
        )
    )
    public.breakdowns.append(
        Breakdown(
            "interpreting",
            str(_("Visits by interpreting")),
            str(_("Visits of the period by the interpreting recorded on the visit.")),
            [
                Row(m.value, str(m.label), n[f"interpreting_{m.value}"], p[f"interpreting_{m.value}"])
                for m in Visit.Interpreting
            ]
            + [Row(UNKNOWN, str(UNKNOWN_LABEL), 0, 0, unknown=True)],
        )
    )
    regimes = [(r.value, r.label) for r in CoverageRight.Regime]
    public.breakdowns += [
        Breakdown(
            "coverage_arrival",
            str(_("Coverage on arrival")),
            str(
                _(
                    "File active by the right held on the day of the first visit ever; “No coverage” when the file "
                    "records rights but none held that day; not stated when it records none."
                )
            ),
            _rows(regimes, n["coverage_arrival"], p["coverage_arrival"]),
        ),
        Breakdown(
            "coverage_end",
            str(_("Coverage at the end of the period")),
            str(
                _(
                    "File active by the right granted and valid on the last day of the period (decided by then); "
                    "“No coverage” when the file records rights but none valid that day."
                )
            ),
            _rows(regimes, n["coverage_end"], p["coverage_end"]),
        ),
        Breakdown(
            "housing",
            str(_("Housing")),
            str(_("File active by the housing of the latest social assessment of the period.")),
            _rows([(h.value, h.label) for h in SocialAssessment.Housing], n["housing"], p["housing"]),
        ),
        Breakdown(
            "resources",
            str(_("Resources")),
            str(_("File active by the resources of the latest social assessment of the period.")),
            _rows([(r.value, r.label) for r in SocialAssessment.Resources], n["resources"], p["resources"]),
        ),
    ]

    # Rights
    rights = Section("rights", str(_("Rights")))
    for measure, title, definition in (
        ("filed", _("Applications filed"), _("Applications for coverage filed in the period, by regime.")),
        ("granted", _("Rights granted"), _("Applications granted (decision date in the period), by regime.")),
        ("refused", _("Applications refused"), _("Applications refused (decision date in the period), by regime.")),
    ):
        rows = [
            Row(code, str(label), n["rights"].get(code, {}).get(measure, 0), p["rights"].get(code, {}).get(measure, 0))
            for code, label in regimes
        ]
        rows.append(Row(UNKNOWN, str(UNKNOWN_LABEL), 0, 0, unknown=True))
        rights.breakdowns.append(Breakdown(f"rights_{measure}", str(title), str(definition), rows))
    rights.indicators += [
        ind(
            "patients_rights_opened",
            _("Patients whose rights were opened"),
            _("Distinct patients with at least one right granted (decision date) in the period."),
        ),
        ind(
            "rights_delay_median",
            _("Delay to the first right (median, days)"),
            _(
                "For the patients whose first right was granted in the period: days from the first visit "
                "to the decision, median."
            ),
            "days",
        ),
        ind(
            "rights_delay_p90",
            _("Delay to the first right (90th percentile, days)"),
            _("Same delay: nine patients in ten obtained their first right within this number of days."),
            "days",
        ),
    ]

    # Exits
    exits = Section("exits", str(_("Exits")))
    exits.indicators += [
        ind(
            "exit_common_law_gp",
            _("Returned to ordinary care, with a GP"),
            _("Patients whose exit to ordinary care is dated in the period and who took up an orientation to a GP."),
        ),
        ind(
            "exit_common_law_no_gp",
            _("Returned to ordinary care, without a declared GP"),
            _("Patients whose exit to ordinary care is dated in the period, with no orientation to a GP taken up."),
        ),
        ind(
            "exit_lost", _("Lost to follow-up"), _("Patients marked lost to follow-up with an exit date in the period.")
        ),
        ind("exit_deceased", _("Deceased"), _("Patients deceased with an exit date in the period.")),
        ind("exit_other", _("Other exits"), _("Files archived with an exit date in the period.")),
        Indicator(
            "lost_candidates",
            str(_("Not seen in the last %(days)s days") % {"days": lost_days}),
            str(
                _(
                    "Patients of the file active still followed whose last visit is more than %(days)s days before "
                    "the end of the period: candidates for “lost to follow-up”."
                )
                % {"days": lost_days}
            ),
            n["lost_candidates"],
            p["lost_candidates"],
        ),
    ]

    # RCP
    rcp = Section("rcp", str(_("Concertation meetings (RCP)")))
    rcp.breakdowns.append(
        Breakdown(
            "meetings",
            str(_("Meetings held")),
            str(_("Meetings held in the period (minutes to validate or validated), by kind.")),
            [
                Row(k.value, str(k.label), n["meetings"].get(k.value, 0), p["meetings"].get(k.value, 0))
                for k in Meeting.Kind
            ]
            + [Row(UNKNOWN, str(UNKNOWN_LABEL), 0, 0, unknown=True)],
        )
    )
    rcp.indicators += [
        ind(
            "cases_reviewed",
            _("Cases reviewed"),
            _("Cases discussed (not postponed) at the meetings held in the period."),
        ),
        ind(
            "patients_reviewed", _("Patients reviewed"), _("Distinct patients whose case was discussed in the period.")
        ),
        ind("actions_created", _("Actions decided"), _("Follow-up actions created in the period.")),
        ind("actions_done", _("Actions done"), _("Follow-up actions marked done in the period.")),
    ]

    # MIG
    mig = Section("mig", str(_("MIG budget")))
    mig.breakdowns.append(
        Breakdown(
            "spending",
            str(_("Spending by category")),
            str(_("Expenses committed or paid dated in the period, by category.")),
            [
                Row(
                    c.value,
                    str(c.label),
                    n["spending"].get(c.value, Decimal(0)),
                    p["spending"].get(c.value, Decimal(0)),
                )
                for c in Category
            ]
            + [Row(UNKNOWN, str(UNKNOWN_LABEL), Decimal(0), Decimal(0), unknown=True)],
            kind="money",
        )
    )
    spent_n = sum(n["spending"].values(), Decimal(0))
    spent_p = sum(p["spending"].values(), Decimal(0))
    mig.indicators += [
        Indicator(
            "spending_total",
            str(_("Spending")),
            str(_("Expenses committed or paid dated in the period.")),
            spent_n,
            spent_p,
            "money",
        ),
        ind(
            "allocation",
            _("MIG allocation"),
            _("The year's MIG credit and extra allocations (calendar year only)."),
            "money",
        ),
        Indicator(
            "allocation_used",
            str(_("Share of the allocation spent")),
            str(_("Spending divided by the allocation.")),
            _decimal(spent_n * 100 / n["allocation"], 1) if n["allocation"] else None,
            _decimal(spent_p * 100 / p["allocation"], 1) if p["allocation"] else None,
            "percent",
        ),
        ind(
            "patient_cost_mean",
            _("Cost per patient (mean)"),
            _("Spending charged to the patients of the file active in the period, divided by the file active."),
            "money",
        ),
        ind(
            "patient_cost_median",
            _("Cost per patient (median)"),
            _("Half the patients of the file active cost at most this amount in the period (no expense counts as 0)."),
            "money",
        ),
        ind(
            "patient_cost_p90",
            _("Cost per patient (90th percentile)"),
            _("Nine patients of the file active in ten cost at most this amount in the period."),
            "money",
        ),
        ind(
            "patient_cost_top10_share",
            _("Share of the costliest 10 % of patients"),
            _("Part of the spending charged to the file active that went to its costliest tenth."),
            "percent",
        ),
        Indicator(
            "interpreting_cost",
            str(_("Interpreting cost")),
            str(_("Expenses of the interpreting category committed or paid in the period.")),
            n["spending"].get(Category.INTERPRETING, Decimal(0)),
            p["spending"].get(Category.INTERPRETING, Decimal(0)),
            "money",
        ),
    ]

    # Team
    team = Section("team", str(_("Team")))
    fte_rows = [
        Row(prof.value, str(prof.label), n["fte"].get(prof.value, Decimal(0)), p["fte"].get(prof.value, Decimal(0)))
        for prof in StaffFTE.Profession
    ]
    fte_rows.append(Row(UNKNOWN, str(UNKNOWN_LABEL), Decimal(0), Decimal(0), unknown=True))
    team.breakdowns.append(
        Breakdown(
            "staff_fte",
            str(_("Staff in full-time equivalents")),
            str(_("Full-time equivalents by profession, as entered by the coordinator for the year.")),
            fte_rows,
            kind="fte",
        )
    )

    sections = [activity, public, rights, exits, rcp, mig, team]
    by_code = {b.code: b for s in sections for b in s.breakdowns}
    counts = {
        "coverage_arrival": by_code["coverage_arrival"].unknown,
        "housing": by_code["housing"].unknown,
        "birth_country": by_code["birth_country_region"].unknown,
        "nationality": by_code["nationality_region"].unknown,
        "sex": by_code["sex"].unknown,
        "language": n["language_to_check"],
        "birth_date": n["birth_date_estimated"],
        "exit_date": n["exit_without_date"],
    }
    quality = [QualityItem(code, str(label), counts[code]) for code, label in QUALITY_LABELS.items()]
    return ActivityReport(
        start=start,
        end=end,
        previous_start=prev_start,
        previous_end=prev_end,
        lost_days=lost_days,
        sections=sections,
        quality=quality,
        generated_at=generated_at,
    )


# --- The worklist (not part of the report's outputs) -------------------------------------------

# What the data-quality panel counts, in its order; the worklist flags files for the first seven.
QUALITY_LABELS = {
    "coverage_arrival": _("Coverage on arrival not stated"),
    "housing": _("No social assessment in the period (housing)"),
    "birth_country": _("Country of birth not stated or not recognised"),
    "nationality": _("Nationality not stated or not recognised"),
    "sex": _("Sex not stated"),
    "language": _("No language recorded, or a language to check"),
    "birth_date": _("Birth date estimated (year only)"),
    "exit_date": _("Exit without a date"),
}


@dataclass(frozen=True)
class WorklistEntry:
    patient: object
    missing: list[str]


WORKLIST_LIMIT = 200


class ExistsPerRow(Exists):
    """EXISTS that PostgreSQL probes row by row through the subquery's index.

    In an OR (or a SELECT list), PostgreSQL may turn a correlated EXISTS into a hashed subplan:
    it reads the whole table (every right, every assessment: ~157 ms at 100,000 patients) before
    the first row, even when a LIMIT or the OR's cheaper terms need only a few probes. A subquery
    with an OFFSET cannot be turned into that form (PostgreSQL keeps OFFSET 0 as a fence)."""

    template = "EXISTS(%(subquery)s OFFSET 0)"


def _worklist_queryset(start: date, end: date):
    """Patients of the file active of [start, end] lacking something the report needs, each annotated
    with `lacks_<item>` flags; and the flag names, in the order of the data-quality panel.

    The filter tests the file's own fields first and probes its rights and assessments (by the
    patient's index) only when they are complete; PostgreSQL reads the files by name and stops at
    the worklist's limit (or starts from the period's visits to count them)."""
    from patients.models import CoverageRight, Patient, SocialAssessment

    start_dt, end_dt = bounds(start, end)
    own_fields = {
        "birth_country": Q(birth_country=""),
        "nationality": Q(nationality=""),
        "sex": Q(sex=Patient.Sex.UNKNOWN),
        "language": Q(languages=[]) | ~Q(languages_text=""),
        "birth_date": Q(birth_date__isnull=True),
    }
    records = {
        "coverage_arrival": ~ExistsPerRow(CoverageRight.objects.filter(patient=OuterRef("pk"))),
        "housing": ~ExistsPerRow(
            SocialAssessment.objects.filter(patient=OuterRef("pk"), assessed_on__gte=start, assessed_on__lte=end)
        ),
    }
    flags = {**records, **own_fields}  # the panel's order
    any_missing = Q()
    for q in [*own_fields.values(), *records.values()]:  # the cheap tests first (OR stops at the first true)
        any_missing |= q
    queryset = (
        Patient.objects.filter(pk__in=_visits_in(start_dt, end_dt).values("patient_id"))
        .filter(any_missing)
        .annotate(
            **{
                f"lacks_{k}": Case(When(q, then=Value(True)), default=Value(False), output_field=BooleanField())
                for k, q in flags.items()
            }
        )
    )
    return queryset, list(flags)


def live_quality_files_count(start: date, end: date) -> int:
    """How many files of the period's file active lack something the report needs, counted now
    (one query: the file active from the period's visits, then each file by its primary key; at
    100,000 patients most of its ~190 ms is reading the year's 86,000 visits from the table)."""
    queryset, _flags = _worklist_queryset(start, end)
    return queryset.count()


def quality_files_count(start: date, end: date) -> int:
    """How many files of the period's file active lack something the report needs: the
    dashboard's figure, the length of the report's worklist. Stored with the data it was counted
    on and read back while no report data changed; counted again and stored otherwise (one
    statement either way). Always the current count (see pass_unit.reports.snapshots)."""
    queryset, _flags = _worklist_queryset(start, end)
    return _stored_count(start, end, queryset)


def _stored_count(start: date, end: date, queryset) -> int:
    from pass_unit.reports import snapshots

    return snapshots.counted(ReportKind.QUALITY_COUNT, start, end, queryset)


# What the worklist shows of each file (its link, name and number): not the whole wide row.
WORKLIST_FIELDS = ("id", "file_number", "last_name", "usage_name", "first_name")


def quality_worklist(start: date, end: date, *, limit: int = WORKLIST_LIMIT) -> tuple[list[WorklistEntry], int]:
    """The files of the period's file active that lack what the report needs (the first `limit`,
    by name), and how many there are: two queries at most (the count is the stored one, see
    `quality_files_count`, only when the list is full)."""
    queryset, flags = _worklist_queryset(start, end)
    entries = [
        WorklistEntry(patient, [str(QUALITY_LABELS[k]) for k in flags if getattr(patient, f"lacks_{k}")])
        for patient in queryset.only(*WORKLIST_FIELDS).order_by("search_text", "pk")[:limit]
    ]
    count = len(entries) if len(entries) < limit else _stored_count(start, end, queryset)
    return entries, count
