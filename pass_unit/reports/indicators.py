"""The annual activity report: one object, computed by SQL aggregates, read by every output.

`build_activity_report(start, end)` runs a fixed number of queries per period (N and N−1),
whatever the number of patients: aggregates with `COUNT(DISTINCT …) FILTER (WHERE …)`,
groupings, correlated subqueries on indexed columns and `percentile_cont`. Date bounds are
aware datetimes [start 00:00 Paris, end+1 00:00 Paris): a visit on 31 December at 23:30 Paris
time counts in that year. Ages are counted at the end of the period.

The report object holds figures and labels only: no name, file number or free text of a
patient (the worklist of files to complete is built apart, by `quality_worklist`).
"""

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cached_property
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import (
    Aggregate,
    BooleanField,
    Case,
    Count,
    Exists,
    FloatField,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
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

    # Formatted once (the page, the charts and the PDF read them): the figures do not change.
    @cached_property
    def value_display(self) -> str:
        return format_value(self.value, self.kind)

    @cached_property
    def previous_display(self) -> str:
        return format_value(self.previous, self.kind)

    @cached_property
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
    kind: str = "count"  # set by its breakdown before any display is read

    @cached_property
    def value_display(self) -> str:
        return format_value(self.value, self.kind)

    @cached_property
    def previous_display(self) -> str:
        return format_value(self.previous, self.kind)

    @cached_property
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

    @cached_property
    def total_display(self) -> str:
        return format_value(self.total, self.kind)

    @cached_property
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
    """Every raw figure of one period: a fixed number of queries (9 at most)."""
    from budget.models import BudgetYear, Expense
    from pass_unit.models import StaffFTE
    from patients.models import CoverageRight
    from rcp.models import Action, CaseReview, Meeting

    start_dt, end_dt = bounds(start, end)
    f: dict = {}

    # 1–8. The file active, counted once: visits, public, countries, languages, coverage, housing
    # and resources, the files not seen lately or closed without a date, the cost per patient (one statement).
    f.update(_file_active_figures(start, end, start_dt, end_dt, lost_days))

    # 9. Rights: applications filed, granted, refused, by regime.
    held = [CoverageRight.Status.GRANTED, CoverageRight.Status.EXPIRED]
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

    # 10–11. Patients whose rights opened, the delay to the first right, the exits (one statement).
    f.update(_rights_and_exits_figures(start, end))

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

    # 13. MIG: committed spending by category, the allocation (the cost per patient of the file
    # active is computed with the file active, above).
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

    # 14. Team: the latest FTE entered for each profession, for the period's year.
    f["fte"] = {
        row.profession: row.fte
        for row in StaffFTE.objects.filter(year=end.year)
        .order_by("profession", "-entered_at", "-pk")
        .distinct("profession")
    }
    return f


def _patient_condition(q: Q) -> tuple[str, list]:
    """A condition on patients as SQL on "patients_patient" (the definitions stay these Q objects)."""
    from patients.models import Patient

    query = Patient.objects.filter(q).query
    sql, params = query.where.as_sql(query.get_compiler(connection=connection), connection)
    return sql, list(params)


# The groupings of the file active, in the order of GROUPING(...) in _file_active_figures.
_FILE_ACTIVE_GROUPS = (
    "birth_country",
    "nationality",
    "first_language",
    "arrival",
    "at_end",
    "has_rights",
    "housing",
    "resources",
)


def _file_active_figures(start: date, end: date, start_dt, end_dt, lost_days: int) -> dict:
    """The figures of the file active (patients with a visit not cancelled in the period), in one
    statement: the period's visits grouped by patient (index visit_occurred_at), then for those
    patients only, by key: their file, their first visit ever (visit_patient_date), their rights;
    the latest assessment of the period and the period's expenses read once and joined. Every count
    comes from that set (computed once), the breakdowns by GROUPING SETS, the cost per patient by a
    window over it. 0.3–0.5 s for a year at 100,000 patients (13,000 files in the file active)."""
    from budget.models import Expense
    from patients.models import CoverageRight, Patient, SocialAssessment, Visit

    kinds, modes = list(Visit.Kind), list(Visit.Interpreting)
    held = [str(CoverageRight.Status.GRANTED), str(CoverageRight.Status.EXPIRED)]
    profile = {f"sex_{s.value}": Q(sex=s) for s in Patient.Sex}
    profile.update({f"age_{key}": q for key, q in _age_band_filters(end).items()})
    profile["interpreter_yes"] = Q(interpreter_needed=True)
    profile["interpreter_no"] = Q(interpreter_needed=False)
    profile["birth_date_estimated"] = Q(birth_date__isnull=True)
    # No language, or a text typed before the list with a part not recognised (kept to be checked).
    profile["language_to_check"] = Q(languages=[]) | ~Q(languages_text="")
    flags, flag_params = [], []
    for n, q in enumerate(profile.values()):
        sql, params = _patient_condition(q)
        flags.append(f"({sql}) AS flag{n}")
        flag_params += params

    def covering(day: str) -> str:
        # The right held on `day`: granted or expired, started, not ended, decided by then; the
        # first by start date (then id).
        return (
            f"(array_agg(r.regime ORDER BY r.start_date, r.id) FILTER (WHERE r.status = ANY(%s) "
            f"AND r.start_date <= {day} AND (r.end_date IS NULL OR r.end_date >= {day}) "
            f"AND (r.decision_on IS NULL OR r.decision_on <= {day})))[1]"
        )

    per_visit = ", ".join(
        [f"count(*) FILTER (WHERE v.kind = %s) AS kind{i}" for i in range(len(kinds))]
        + [f"count(*) FILTER (WHERE v.interpreting = %s) AS mode{i}" for i in range(len(modes))]
    )
    per_kind = ", ".join(
        f"count(*) FILTER (WHERE kind{i} > 0), COALESCE(sum(kind{i}), 0)::bigint" for i in range(len(kinds))
    )
    per_mode = ", ".join(f"COALESCE(sum(mode{i}), 0)::bigint" for i in range(len(modes)))
    per_flag = ", ".join(f"count(*) FILTER (WHERE flag{n})" for n in range(len(profile)))
    group_cols = ", ".join(_FILE_ACTIVE_GROUPS)
    sql = f"""
        WITH per_patient AS (
            SELECT v.patient_id, count(*) AS n, max(v.occurred_at) AS last_at, {per_visit}
            FROM {Visit._meta.db_table} v
            WHERE v.cancelled_at IS NULL AND v.occurred_at >= %s AND v.occurred_at < %s
            GROUP BY v.patient_id
        ), latest AS (
            -- The latest assessment of the period of each patient (those of the period read once).
            SELECT DISTINCT ON (s.patient_id) s.patient_id, s.housing, s.resources
            FROM {SocialAssessment._meta.db_table} s WHERE s.assessed_on >= %s AND s.assessed_on <= %s
            ORDER BY s.patient_id, s.assessed_on DESC, s.created_at DESC
        ), fa AS MATERIALIZED (
            SELECT per_patient.*, first_visit.at AS first_at,
                   {", ".join(flags)},
                   patients_patient.status, patients_patient.exit_date,
                   patients_patient.birth_country, patients_patient.nationality,
                   (patients_patient.languages)[1] AS first_language,
                   rights.arrival, rights.at_end, rights.has_rights,
                   latest.housing, latest.resources
            FROM per_patient
            -- Each file by its key (LIMIT 1 keeps it a nested loop: no scan of every file).
            CROSS JOIN LATERAL (
                SELECT * FROM {Patient._meta.db_table} p WHERE p.id = per_patient.patient_id LIMIT 1
            ) patients_patient
            CROSS JOIN LATERAL (
                SELECT w.occurred_at AS at, (w.occurred_at AT TIME ZONE %s)::date AS day
                FROM {Visit._meta.db_table} w
                WHERE w.patient_id = per_patient.patient_id AND w.cancelled_at IS NULL
                ORDER BY w.occurred_at LIMIT 1
            ) first_visit
            CROSS JOIN LATERAL (
                SELECT {covering("first_visit.day")} AS arrival, {covering("%s::date")} AS at_end,
                       count(*) > 0 AS has_rights
                FROM {CoverageRight._meta.db_table} r WHERE r.patient_id = per_patient.patient_id
            ) rights
            LEFT JOIN latest ON latest.patient_id = per_patient.patient_id
        ), spent AS (
            SELECT e.patient_id, sum(e.amount) AS cost FROM {Expense._meta.db_table} e
            WHERE e.spent_on >= %s AND e.spent_on <= %s AND e.status = ANY(%s)
            GROUP BY e.patient_id
        ), ranked AS (
            SELECT COALESCE(spent.cost, 0) AS cost,
                   row_number() OVER (ORDER BY COALESCE(spent.cost, 0) DESC) AS rank, count(*) OVER () AS n
            FROM fa LEFT JOIN spent ON spent.patient_id = fa.patient_id
        ), costs AS (
            SELECT count(*), COALESCE(sum(cost), 0), avg(cost),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY cost),
                   percentile_cont(0.9) WITHIN GROUP (ORDER BY cost),
                   COALESCE(sum(cost) FILTER (WHERE rank <= ceil(n * 0.1)), 0)
            FROM ranked
        ), groups AS (
            SELECT GROUPING({group_cols}) AS bits, {group_cols}, count(*) AS n
            FROM fa
            GROUP BY GROUPING SETS ((birth_country), (nationality), (first_language), (arrival, has_rights),
                                    (at_end, has_rights), (housing), (resources))
        )
        SELECT * FROM (
        SELECT count(*), count(*) FILTER (WHERE first_at >= %s), COALESCE(sum(n), 0)::bigint,
               {per_kind}, {per_mode},
               avg(n), percentile_cont(0.5) WITHIN GROUP (ORDER BY n),
               {per_flag},
               count(*) FILTER (WHERE status = %s AND last_at < %s),
               count(*) FILTER (WHERE exit_date IS NULL AND status <> %s),
               (SELECT json_agg(json_build_array(bits, {group_cols}, n)) FROM groups)
        FROM fa
        ) totals, costs
    """  # noqa: S608 - table names come from the models, values are parameters
    active = str(Patient.Status.ACTIVE)
    params = [
        *(k.value for k in kinds),
        *(m.value for m in modes),
        start_dt,
        end_dt,
        start,
        end,
        *flag_params,
        paris().key,
        held,
        held,
        end,
        end,
        end,
        start,
        end,
        [str(s) for s in Expense.COMMITTED],
        start_dt,
        active,
        end_dt - timedelta(days=lost_days),
        active,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = list(cursor.fetchone())

    f: dict = {}
    f["file_active"], f["new_patients"], f["visits"] = row[:3]
    values = iter(row[3:])
    for kind in kinds:
        f[f"patients_{kind.value}"] = next(values)
        f[f"visits_{kind.value}"] = next(values)
    for mode in modes:
        f[f"interpreting_{mode.value}"] = next(values)
    f["visits_per_patient_mean"] = _decimal(next(values), 1)
    f["visits_per_patient_median"] = _decimal(next(values), 1)
    for name in profile:
        f[name] = next(values)
    f["lost_candidates"] = next(values)
    f["exit_without_date"] = next(values)
    groups = next(values)
    if isinstance(groups, str):
        groups = json.loads(groups)

    out = {key: defaultdict(int) for key in ("birth_country", "nationality", "first_language")}
    out.update({key: defaultdict(int) for key in ("arrival", "at_end", "housing", "resources")})
    width = len(_FILE_ACTIVE_GROUPS)
    for bits, *columns, n in groups or []:
        value = dict(zip(_FILE_ACTIVE_GROUPS, columns, strict=True))
        grouped = [key for i, key in enumerate(_FILE_ACTIVE_GROUPS) if not bits & (1 << (width - 1 - i))]
        key = grouped[0]
        if key in ("arrival", "at_end"):
            # A patient whose file records rights but none held on the day had no coverage then.
            out[key][value[key] or ("none" if value["has_rights"] else UNKNOWN)] += n
        elif key in ("housing", "resources"):
            out[key][value[key] or UNKNOWN] += n
        else:
            out[key][value[key]] += n
    f["birth_country_codes"] = dict(out["birth_country"])
    f["nationality_codes"] = dict(out["nationality"])
    f["language_codes"] = dict(out["first_language"])
    f["coverage_arrival"], f["coverage_end"] = dict(out["arrival"]), dict(out["at_end"])
    f["housing"], f["resources"] = dict(out["housing"]), dict(out["resources"])
    f.update(_cost_stats(*values))
    return f


def _rights_and_exits_figures(start: date, end: date) -> dict:
    """Patients whose rights opened in the period; the delay from the first visit ever to the first
    right granted, for the patients whose first right was granted in the period (those with a
    right decided in the period (right_decision_on) and none decided before); the exits dated in
    the period (patient_exit_date). One statement."""
    from patients.models import CoverageRight, Orientation, Patient, Visit

    held = [str(CoverageRight.Status.GRANTED), str(CoverageRight.Status.EXPIRED)]
    S = Patient.Status
    rights = CoverageRight._meta.db_table
    sql = f"""
        WITH granted AS (
            SELECT r.patient_id FROM {rights} r
            WHERE r.status = ANY(%s) AND r.decision_on >= %s AND r.decision_on <= %s
            GROUP BY r.patient_id
        ), first_grants AS MATERIALIZED (
            SELECT g.patient_id, (
                SELECT min(e.decision_on) FROM {rights} e WHERE e.patient_id = g.patient_id AND e.status = ANY(%s)
            ) AS first_grant
            FROM granted g
        ), delays AS MATERIALIZED (
            SELECT f.first_grant - (
                SELECT (w.occurred_at AT TIME ZONE %s)::date FROM {Visit._meta.db_table} w
                WHERE w.patient_id = f.patient_id AND w.cancelled_at IS NULL
                ORDER BY w.occurred_at LIMIT 1
            ) AS days
            FROM first_grants f
            WHERE f.first_grant >= %s
        ), exits AS MATERIALIZED (
            SELECT p.status, EXISTS (
                SELECT 1 FROM {Orientation._meta.db_table} o
                WHERE o.patient_id = p.id AND o.destination = %s AND o.outcome = %s
            ) AS gp
            FROM {Patient._meta.db_table} p WHERE p.exit_date >= %s AND p.exit_date <= %s
        )
        SELECT (SELECT count(*) FROM granted), d.*, e.*
        FROM (
            SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY interval '1 day' * days),
                   percentile_cont(0.9) WITHIN GROUP (ORDER BY interval '1 day' * days)
            FROM delays WHERE days >= 0
        ) d, (
            SELECT count(*) FILTER (WHERE status = %s AND gp), count(*) FILTER (WHERE status = %s AND NOT gp),
                   count(*) FILTER (WHERE status = %s), count(*) FILTER (WHERE status = %s),
                   count(*) FILTER (WHERE status = %s)
            FROM exits
        ) e
    """  # noqa: S608 - table names come from the models, values are parameters
    params = [held, start, end, held, paris().key, start]
    params += [str(Orientation.Destination.GP), str(Orientation.Outcome.DONE), start, end]
    params += [str(s) for s in (S.COMMON_LAW, S.COMMON_LAW, S.LOST, S.DECEASED, S.ARCHIVED)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        opened, median, p90, *exits = cursor.fetchone()
    f = {"patients_rights_opened": opened, "rights_delay_median": _days(median), "rights_delay_p90": _days(p90)}
    names = ("exit_common_law_gp", "exit_common_law_no_gp", "exit_lost", "exit_deceased", "exit_other")
    f.update(zip(names, exits, strict=True))
    return f


def _cost_stats(n, total, mean, median, p90, top) -> dict:
    """Cost per patient of the file active (patients without expense count as 0), and the top 10 %'s
    share: the last columns of _file_active_figures's statement."""
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


def _worklist_queryset(start: date, end: date, *, flagged: bool = True):
    """Patients of the file active of [start, end] lacking something the report needs, each annotated
    with `lacks_<item>` flags (unless `flagged` is False: a count needs no flags, and building them
    is most of the dashboard count's Python); and the flag names, in the order of the data-quality panel.

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
        # A visit in the period implies a latest visit (kept by the database) since its start: read
        # on the file's own row, it spares the visit index probe of every file seen only earlier.
        Patient.objects.filter(
            last_visit_at__gte=start_dt, pk__in=_visits_in(start_dt, end_dt).values("patient_id")
        ).filter(any_missing)
    )
    if flagged:
        queryset = queryset.annotate(
            **{
                f"lacks_{k}": Case(When(q, then=Value(True)), default=Value(False), output_field=BooleanField())
                for k, q in flags.items()
            }
        )
    return queryset, list(flags)


def live_quality_files_count(start: date, end: date) -> int:
    """How many files of the period's file active lack something the report needs, counted now
    (one query: the file active from the period's visits, then each file by its primary key; at
    100,000 patients most of its ~190 ms is reading the year's 86,000 visits from the table)."""
    queryset, _flags = _worklist_queryset(start, end, flagged=False)
    return queryset.count()


def quality_files_count(start: date, end: date) -> int:
    """How many files of the period's file active lack something the report needs: the
    dashboard's figure, the length of the report's worklist. Stored with the data it was counted
    on and read back while no report data changed; counted again and stored otherwise (one
    statement either way). Always the current count (see pass_unit.reports.snapshots)."""
    queryset, _flags = _worklist_queryset(start, end, flagged=False)
    return _stored_count(start, end, queryset)


def dashboard_quality_count(start: date, end: date):
    """The dashboard's figure as stored (`snapshots.Stored`: `figures` is the count, None before the
    first count), never counted in the request: a count stale since a change is shown with its
    time while the worker counts again (asked once; at once where tasks run immediately). The
    recount reads the period's file active (~150 ms at 100,000 patients), which every change to
    the report's tables would otherwise put on the coordinator's next dashboard view. The
    worklist, one click away, is always counted current (`quality_files_count`)."""
    from pass_unit.reports import snapshots

    return snapshots.stored_or_asked(ReportKind.QUALITY_COUNT, start, end)


def _stored_count(start: date, end: date, queryset) -> int:
    from pass_unit.reports import snapshots

    return snapshots.counted(ReportKind.QUALITY_COUNT, start, end, queryset)


# What the worklist shows of each file (its link, name and number): not the whole wide row.
WORKLIST_FIELDS = ("id", "file_number", "last_name", "usage_name", "first_name")


def quality_worklist(start: date, end: date, *, limit: int = WORKLIST_LIMIT) -> tuple[list[WorklistEntry], int]:
    """The files of the period's file active that lack what the report needs (the first `limit`,
    by name), and how many there are: two queries whatever the size (the count is the stored one,
    see `quality_files_count`: one statement, read back while current)."""
    queryset, flags = _worklist_queryset(start, end)
    entries = [
        WorklistEntry(patient, [str(QUALITY_LABELS[k]) for k in flags if getattr(patient, f"lacks_{k}")])
        for patient in queryset.only(*WORKLIST_FIELDS).order_by("search_text", "pk")[:limit]
    ]
    count = _stored_count(start, end, queryset)
    return entries, count
