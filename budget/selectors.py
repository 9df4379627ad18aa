"""Reads of the MIG budget. Every total is summed by PostgreSQL, each function in a fixed
number of queries (said in its docstring), whatever the number of expenses.

Whole-year sums (the dashboard, the home panel, the credit left on the dispensing form and the
RCP costing) read the month totals `ExpenseMonthTotal` that the database keeps (at most
12 × 9 × 4 rows a year) rather than the year's expenses (27,000 lines at 100,000 patients)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone

from budget import money
from budget.models import BudgetYear, Category, Expense, ExpenseMonthTotal, ExtraAllocation, OptionCostLine
from patients.models import Patient

ZERO = Decimal("0.00")
STATUS = Expense.Status


def _sum(condition: Q | None = None, *, path: str = "amount"):
    """SUM(amount) [FILTER (WHERE …)], 0.00 rather than NULL when nothing matches."""
    return Coalesce(
        Sum(path, filter=condition),
        Value(ZERO),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


PLANNED = Q(status=STATUS.PLANNED)
COMMITTED = Q(status__in=Expense.COMMITTED)
PAID = Q(status=STATUS.PAID)


@dataclass(frozen=True)
class YearSummary:
    year: int
    as_of: date
    budget_year: BudgetYear | None
    allocation: Decimal
    extra: Decimal
    planned: Decimal
    committed: Decimal
    paid: Decimal
    expense_count: int
    warning_pct: Decimal
    critical_pct: Decimal

    @property
    def available(self) -> Decimal:
        return self.allocation + self.extra

    @property
    def remaining(self) -> Decimal:
        return self.available - self.committed

    @property
    def remaining_after_planned(self) -> Decimal:
        return self.remaining - self.planned

    @property
    def unpaid(self) -> Decimal:
        """Committed but not paid yet."""
        return self.committed - self.paid

    @property
    def consumed_pct(self) -> Decimal | None:
        return money.percent(self.committed, self.available)

    @property
    def projection(self) -> Decimal | None:
        return money.projection(self.committed, self.year, self.as_of)

    @property
    def projected_pct(self) -> Decimal | None:
        return None if self.projection is None else money.percent(self.projection, self.available)

    @property
    def projected_remaining(self) -> Decimal | None:
        return None if self.projection is None else self.available - self.projection

    @property
    def run_out_date(self) -> date | None:
        return money.run_out_date(self.committed, self.available, self.year, self.as_of)

    @property
    def alert(self) -> str:
        return money.alert_level(self.committed, self.available, self.warning_pct, self.critical_pct)

    @property
    def is_current(self) -> bool:
        return self.year == self.as_of.year


def _summary(year: int, today: date, budget_year: BudgetYear | None, extra: Decimal, totals: dict) -> YearSummary:
    defaults = budget_year or BudgetYear(year=year, allocation=ZERO)
    return YearSummary(
        year=year,
        as_of=today,
        budget_year=budget_year,
        allocation=budget_year.allocation if budget_year else ZERO,
        extra=extra,
        warning_pct=defaults.warning_pct,
        critical_pct=defaults.critical_pct,
        **totals,
    )


def year_summary(year: int, *, today: date | None = None) -> YearSummary:
    """The year's credit and spending. Two queries: the year with its extras, the sums of its
    month totals (at most 432 rows, whatever the number of expenses)."""
    today = today or timezone.localdate()
    budget_year = BudgetYear.objects.filter(year=year).annotate(extra=_sum(path="extra_allocations__amount")).first()
    totals = ExpenseMonthTotal.objects.in_year(year).aggregate(
        planned=_sum(PLANNED),
        committed=_sum(COMMITTED),
        paid=_sum(PAID),
        expense_count=Coalesce(Sum("lines", filter=~Q(status=STATUS.CANCELLED)), 0),
    )
    return _summary(year, today, budget_year, budget_year.extra if budget_year else ZERO, totals)


@dataclass(frozen=True)
class CategoryRow:
    category: str
    planned: Decimal
    committed: Decimal
    paid: Decimal
    share_pct: Decimal | None = None

    @property
    def label(self) -> str:
        return Category(self.category).label


def _category_rows(sums: dict[str, dict]) -> list[CategoryRow]:
    """category -> {planned, committed, paid} as rows with their share, the largest first."""
    total = sum((row["committed"] for row in sums.values()), ZERO)
    rows = [
        CategoryRow(category, row["planned"], row["committed"], row["paid"], money.percent(row["committed"], total))
        for category, row in sums.items()
    ]
    return sorted(rows, key=lambda r: (-r.committed, -r.planned, r.category))


def by_category(year: int) -> list[CategoryRow]:
    """Spending per category, the largest first (categories with no spending left out). One query
    (on the month totals)."""
    rows = (
        ExpenseMonthTotal.objects.in_year(year)
        .exclude(status=STATUS.CANCELLED)
        .values("category")
        .annotate(planned=_sum(PLANNED), committed=_sum(COMMITTED), paid=_sum(PAID))
        .order_by("category")
    )
    return _category_rows({row.pop("category"): row for row in rows})


@dataclass(frozen=True)
class MonthRow:
    first_day: date
    planned: Decimal
    committed: Decimal
    paid: Decimal
    cumulative_committed: Decimal
    cumulative_paid: Decimal

    @property
    def month(self) -> int:
        return self.first_day.month


def _month_rows(year: int, sums: dict[int, dict]) -> list[MonthRow]:
    """month -> {planned, committed, paid} as twelve rows with running totals (the burn-up)."""
    rows, cumulative_committed, cumulative_paid = [], ZERO, ZERO
    for month in range(1, 13):
        row = sums.get(month, {"planned": ZERO, "committed": ZERO, "paid": ZERO})
        # Running totals of sums PostgreSQL made: exact Decimal additions, twelve of them.
        cumulative_committed += row["committed"]
        cumulative_paid += row["paid"]
        rows.append(
            MonthRow(
                date(year, month, 1),
                row["planned"],
                row["committed"],
                row["paid"],
                cumulative_committed,
                cumulative_paid,
            )
        )
    return rows


def by_month(year: int) -> list[MonthRow]:
    """Twelve months of spending with running totals (the burn-up). One query (on the month totals)."""
    sums = {
        row.pop("month").month: row
        for row in ExpenseMonthTotal.objects.in_year(year)
        .exclude(status=STATUS.CANCELLED)
        .values("month")
        .annotate(planned=_sum(PLANNED), committed=_sum(COMMITTED), paid=_sum(PAID))
        .order_by("month")
    }
    return _month_rows(year, sums)


@dataclass(frozen=True)
class YearOverview:
    """Everything the budget dashboard shows of a year."""

    summary: YearSummary
    categories: list[CategoryRow]
    months: list[MonthRow]
    years: list[int]  # years with a recorded credit, newest first
    extras: list[ExtraAllocation]


# Which sum a status adds to (cancelled lines to none; planned ones are not committed).
_STATUS_SUMS = {
    STATUS.PLANNED: ("planned",),
    STATUS.COMMITTED: ("committed",),
    STATUS.PAID: ("committed", "paid"),
    STATUS.CANCELLED: (),
}


def year_overview(year: int, *, today: date | None = None) -> YearOverview:
    """The dashboard's year: credit, totals, categories, months. Three queries, whatever the
    number of expenses: the years with a credit, the year's extra allocations, and the year's
    month totals by (month, category, status) — at most 12 × 9 × 4 rows kept by the database,
    added up here into the totals, the categories and the months (exact Decimal additions)."""
    today = today or timezone.localdate()
    budget_years = list(BudgetYear.objects.order_by("-year"))
    budget_year = next((b for b in budget_years if b.year == year), None)
    extras = list(ExtraAllocation.objects.filter(budget_year__year=year).order_by("granted_on", "pk"))
    groups = ExpenseMonthTotal.objects.in_year(year).values_list("month", "category", "status", "amount", "lines")
    empty = {"planned": ZERO, "committed": ZERO, "paid": ZERO}
    totals = dict(empty, expense_count=0)
    categories: dict[str, dict] = {}
    months: dict[int, dict] = {}
    for first_day, category_value, status, amount, lines in groups:
        if status == STATUS.CANCELLED:
            continue
        totals["expense_count"] += lines
        category = categories.setdefault(category_value, dict(empty))
        month = months.setdefault(first_day.month, dict(empty))
        for name in _STATUS_SUMS[status]:
            totals[name] += amount
            category[name] += amount
            month[name] += amount
    extra = sum((e.amount for e in extras), ZERO)
    return YearOverview(
        summary=_summary(year, today, budget_year, extra, totals),
        categories=_category_rows(categories),
        months=_month_rows(year, months),
        years=[b.year for b in budget_years],
        extras=extras,
    )


@dataclass
class PatientYearCosts:
    year: int
    committed: Decimal = ZERO
    planned: Decimal = ZERO
    by_category: dict = field(default_factory=dict)  # category label -> committed


def patient_costs(patient_id: int) -> list[PatientYearCosts]:
    """What a patient's care cost, per year (newest first) and category. One query."""
    rows = (
        Expense.objects.filter(patient_id=patient_id)
        .exclude(status=STATUS.CANCELLED)
        .annotate(year=ExtractYear("spent_on"))
        .values("year", "category")
        .annotate(committed=_sum(COMMITTED), planned=_sum(PLANNED))
        .order_by("-year", "category")
    )
    years: dict[int, PatientYearCosts] = {}
    for row in rows:
        entry = years.setdefault(row["year"], PatientYearCosts(row["year"]))
        entry.committed += row["committed"]
        entry.planned += row["planned"]
        if row["committed"]:
            entry.by_category[Category(row["category"]).label] = row["committed"]
    return list(years.values())


@dataclass(frozen=True)
class CostlyPatient:
    patient: Patient
    committed: Decimal
    planned: Decimal
    by_category: dict  # category value -> committed
    share_pct: Decimal | None


def costliest_patients(year: int, *, limit: int = 20, total: Decimal | None = None) -> list[CostlyPatient]:
    """The patients whose care cost most in the year, with their spending per category.

    Two queries: the sums per patient and category of the `limit` costliest patients, then the
    patients themselves. The costliest are found first (two sums per patient over the year, an
    index-only scan), and only their lines are split by category: splitting every patient's
    lines nine ways cost three times as much at 100,000 patients.
    """
    spent = Expense.objects.in_year(year).filter(patient__isnull=False).exclude(status=STATUS.CANCELLED)
    costliest = (
        spent.values("patient")
        .annotate(committed=_sum(COMMITTED))
        .filter(committed__gt=0)
        .order_by("-committed", "patient")
        .values("patient")[:limit]
    )
    groups = (
        spent.filter(patient__in=costliest)
        .values("patient", "category")
        .annotate(committed=_sum(COMMITTED), planned=_sum(PLANNED))
        .order_by()
    )
    sums: dict[int, dict] = {}
    for group in groups:
        row = sums.setdefault(group["patient"], {"committed": ZERO, "planned": ZERO, "by_category": {}})
        row["committed"] += group["committed"]
        row["planned"] += group["planned"]
        row["by_category"][group["category"]] = group["committed"]
    patients = Patient.objects.in_bulk(list(sums))
    # The order of the first step, on the same exact sums.
    ranked = sorted(sums.items(), key=lambda item: (-item[1]["committed"], item[0]))
    return [
        CostlyPatient(
            patient=patients[patient_id],
            committed=row["committed"],
            planned=row["planned"],
            by_category={c.value: row["by_category"].get(c.value, ZERO) for c in Category},
            share_pct=money.percent(row["committed"], total) if total else None,
        )
        for patient_id, row in ranked
    ]


def filtered_total(queryset) -> dict:
    """Totals of an expense list (whatever its filters). One query."""
    return queryset.aggregate(planned=_sum(PLANNED), committed=_sum(COMMITTED), paid=_sum(PAID), count=Count("*"))


def category_totals(queryset) -> dict:
    """category -> committed, for any expense queryset. One query."""
    rows = queryset.values("category").annotate(committed=_sum(COMMITTED)).order_by("category")
    totals = defaultdict(lambda: ZERO)
    for row in rows:
        totals[row["category"]] = row["committed"]
    return dict(totals)


def case_option_costs(case, *, today: date | None = None) -> tuple[list[dict], YearSummary]:
    """Each option of an RCP case with its cost (catalogue pricing, else the cost entered),
    against what remains of this year's credit. Three queries."""
    options = list(case.options.filter(withdrawn_at__isnull=True).order_by("pk"))
    priced = dict(
        OptionCostLine.objects.filter(option__in=options, withdrawn_at__isnull=True)
        .values("option")
        .annotate(total=Sum("amount"))
        .values_list("option", "total")
    )
    summary = year_summary((today or timezone.localdate()).year, today=today)
    rows = []
    for option in options:
        cost = priced.get(option.pk, option.estimated_cost)
        rows.append(
            {
                "option": option,
                "cost": cost,
                "from_catalogue": option.pk in priced,
                "remaining_after": None if cost is None else summary.remaining - cost,
                "share_of_remaining": money.percent(cost, summary.remaining)
                if cost is not None and summary.remaining > 0
                else None,
            }
        )
    return rows, summary
