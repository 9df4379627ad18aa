"""Totals summed by PostgreSQL: the parts add up to the total to the cent."""

import random
from datetime import date
from decimal import Decimal

import pytest

from budget import selectors
from budget.models import Category, Expense, ExtraAllocation
from budget.money import Alert
from tests.support.budget import BudgetYearFactory, ExpenseFactory
from tests.support.factories import PatientFactory

pytestmark = pytest.mark.django_db
D = Decimal
S = Expense.Status
TODAY = date(2026, 7, 1)  # 182 days lived in 2026


@pytest.fixture
def year(coordinator):
    budget_year = BudgetYearFactory(year=2026, allocation=D("170000.00"), warning_pct=80, critical_pct=95)
    ExtraAllocation.objects.create(
        budget_year=budget_year, amount=D("10000.00"), label="2e circulaire", created_by=coordinator
    )
    return budget_year


def charge(user, amount, *, on=date(2026, 3, 10), status=S.COMMITTED, category=Category.LAB, patient=None, **extra):
    if status == S.PAID:
        extra.setdefault("paid_on", on)
    if status == S.CANCELLED:
        extra |= {"cancel_reason": "Erreur", "cancelled_at": "2026-03-11T10:00:00+01:00"}
    return ExpenseFactory(
        amount=D(amount), spent_on=on, status=status, category=category, patient=patient, created_by=user, **extra
    )


def test_the_year_summary_adds_up_to_the_cent(year, nurse):
    charge(nurse, "40000.10", status=S.PAID)
    charge(nurse, "50999.90")
    charge(nurse, "1234.56", status=S.PLANNED, on=date(2026, 9, 1))
    charge(nurse, "999.99", status=S.CANCELLED)
    charge(nurse, "777.77", on=date(2025, 12, 31))  # another year
    charge(nurse, "888.88", on=date(2027, 1, 1))

    summary = selectors.year_summary(2026, today=TODAY)

    assert summary.allocation == D("170000.00")
    assert summary.extra == D("10000.00")
    assert summary.available == D("180000.00")
    assert summary.committed == D("91000.00")
    assert summary.paid == D("40000.10")
    assert summary.unpaid == D("50999.90")
    assert summary.planned == D("1234.56")
    assert summary.remaining == D("89000.00")
    assert summary.remaining_after_planned == D("87765.44")
    assert summary.expense_count == 3
    assert summary.consumed_pct == D("50.6")
    assert summary.projection == D("182500.00")  # 500 €/day × 365
    assert summary.projected_pct == D("101.4")
    assert summary.projected_remaining == D("-2500.00")
    assert summary.run_out_date == date(2026, 12, 26)
    assert summary.alert == Alert.OK


def test_the_alert_follows_the_year_thresholds(year, nurse):
    charge(nurse, "72000.00")  # one line is at most 100 000 € (a check constraint)
    charge(nurse, "72000.00")  # 80.0 % of 180 000
    assert selectors.year_summary(2026, today=TODAY).alert == Alert.WARNING
    charge(nurse, "27000.00")  # 95.0 %
    assert selectors.year_summary(2026, today=TODAY).alert == Alert.CRITICAL
    charge(nurse, "9000.01")  # over 100 %
    summary = selectors.year_summary(2026, today=TODAY)
    assert summary.alert == Alert.EXCEEDED
    assert summary.remaining == D("-0.01")
    assert summary.run_out_date == TODAY


def test_a_year_without_allocation_still_counts_its_spending(nurse):
    charge(nurse, "12.34")
    summary = selectors.year_summary(2026, today=TODAY)
    assert summary.budget_year is None
    assert summary.available == D("0")
    assert summary.committed == D("12.34")
    assert summary.consumed_pct is None
    assert summary.alert == Alert.NONE


def test_categories_and_months_add_up_to_the_total(year, nurse):
    rng = random.Random(4)
    categories = list(Category)
    for _ in range(300):
        status = rng.choice([S.COMMITTED, S.PAID, S.PAID, S.PLANNED, S.CANCELLED])
        cents = rng.randint(1, 5_000_00)
        on = date(2026, rng.randint(1, 12), rng.randint(1, 28))
        charge(nurse, f"{cents // 100}.{cents % 100:02d}", on=on, status=status, category=rng.choice(categories))

    summary = selectors.year_summary(2026, today=TODAY)
    rows = selectors.by_category(2026)
    months = selectors.by_month(2026)

    assert sum(r.committed for r in rows) == summary.committed
    assert sum(r.paid for r in rows) == summary.paid
    assert sum(r.planned for r in rows) == summary.planned
    assert sum(m.committed for m in months) == summary.committed
    assert months[-1].cumulative_committed == summary.committed
    assert months[-1].cumulative_paid == summary.paid
    assert [m.month for m in months] == list(range(1, 13))
    assert all(a.cumulative_committed <= b.cumulative_committed for a, b in zip(months, months[1:], strict=False))
    assert [r.committed for r in rows] == sorted((r.committed for r in rows), reverse=True)
    assert abs(sum(r.share_pct for r in rows) - 100) <= D("0.1") * len(rows)


def test_patient_costs_per_year_and_category(nurse):
    patient, other = PatientFactory(), PatientFactory()
    charge(nurse, "100.00", patient=patient, category=Category.MEDICINES, on=date(2025, 5, 1))
    charge(nurse, "21.28", patient=patient, category=Category.IMAGING)
    charge(nurse, "7.56", patient=patient, category=Category.LAB)
    charge(nurse, "2.44", patient=patient, category=Category.LAB, status=S.PAID)
    charge(nurse, "50.00", patient=patient, category=Category.SPECIALIST, status=S.PLANNED)
    charge(nurse, "99.00", patient=patient, category=Category.LAB, status=S.CANCELLED)
    charge(nurse, "500.00", patient=other)

    years = selectors.patient_costs(patient.pk)

    assert [y.year for y in years] == [2026, 2025]
    assert years[0].committed == D("31.28")
    assert years[0].planned == D("50.00")
    assert years[0].by_category == {Category.IMAGING.label: D("21.28"), Category.LAB.label: D("10.00")}
    assert years[1].committed == D("100.00")


def test_the_costliest_patients_come_first_with_their_categories(nurse):
    a, b, c = PatientFactory(), PatientFactory(), PatientFactory()
    charge(nurse, "7995.00", patient=a, category=Category.MEDICINES)
    charge(nurse, "590.00", patient=a, category=Category.MEDICINES)
    charge(nurse, "175.00", patient=a, category=Category.IMAGING)
    charge(nurse, "3000.00", patient=b, category=Category.DENTAL)
    charge(nurse, "9999.00", patient=c, category=Category.DENTAL, status=S.CANCELLED)
    charge(nurse, "10.00", patient=c, category=Category.LAB, status=S.PLANNED)
    charge(nurse, "400.00")  # the unit's own

    rows = selectors.costliest_patients(2026, total=D("11760.00"))

    assert [(r.patient, r.committed) for r in rows] == [(a, D("8760.00")), (b, D("3000.00"))]
    assert rows[0].by_category[Category.MEDICINES] == D("8585.00")
    assert rows[0].by_category[Category.IMAGING] == D("175.00")
    assert sum(rows[0].by_category.values()) == rows[0].committed
    assert rows[0].share_pct == D("74.5")


def test_the_costliest_patients_are_the_first_by_committed_spending_ties_by_file(nurse):
    """The costliest are chosen on two sums per patient, then split by category: the same patients,
    in the same order, as a full ranking in Python."""
    rng = random.Random(20)
    patients = [PatientFactory() for _ in range(26)]
    for patient in patients:
        for _ in range(rng.randint(1, 4)):
            cents = rng.choice([1_000_00, 2_000_00, rng.randint(1, 3_000_00)])  # some patients tie
            status = rng.choice([S.COMMITTED, S.PAID, S.PLANNED, S.CANCELLED])
            category = rng.choice(list(Category))
            charge(nurse, f"{cents // 100}.{cents % 100:02d}", patient=patient, status=status, category=category)
    charge(nurse, "99999.00", patient=patients[0], on=date(2025, 6, 1))  # another year

    rows = selectors.costliest_patients(2026, limit=20)

    expected = []
    for patient in patients:
        lines = Expense.objects.filter(patient=patient, spent_on__year=2026)
        committed = sum((e.amount for e in lines if e.status in Expense.COMMITTED), D(0))
        planned = sum((e.amount for e in lines if e.status == S.PLANNED), D(0))
        if committed > 0:
            expected.append((-committed, patient.pk, planned))
    expected.sort()
    assert [(r.patient.pk, r.committed, r.planned) for r in rows] == [(pk, -c, p) for c, pk, p in expected[:20]]
    assert all(sum(r.by_category.values()) == r.committed for r in rows)
    assert set(rows[0].by_category) == set(Category.values)


def test_the_dashboards_single_pass_gives_the_same_figures_as_the_separate_sums(year, nurse, coordinator):
    """year_overview adds up (month, category, status) groups in Python: it must agree, to the cent,
    with the totals, categories and months PostgreSQL sums one by one."""
    rng = random.Random(11)
    categories = list(Category)
    for _ in range(300):
        status = rng.choice([S.COMMITTED, S.PAID, S.PLANNED, S.CANCELLED])
        cents = rng.randint(1, 5_000_00)
        on = date(2026, rng.randint(1, 12), rng.randint(1, 28))
        charge(nurse, f"{cents // 100}.{cents % 100:02d}", on=on, status=status, category=rng.choice(categories))
    # Other years are left out, and a category spent only in cancelled lines is not listed.
    charge(nurse, "999.99", on=date(2025, 12, 31))
    charge(nurse, "888.88", on=date(2027, 1, 1))
    charge(nurse, "77.77", on=date(2026, 5, 5), category=Category.OPTICAL, status=S.CANCELLED)
    Expense.objects.filter(category=Category.OPTICAL, spent_on__year=2026).exclude(amount=D("77.77")).delete()
    ExtraAllocation.objects.create(budget_year=year, amount=D("0.01"), label="reliquat", created_by=coordinator)

    overview = selectors.year_overview(2026, today=TODAY)

    assert overview.summary == selectors.year_summary(2026, today=TODAY)
    assert overview.summary.extra == D("10000.01")
    assert overview.categories == selectors.by_category(2026)
    assert Category.OPTICAL not in {row.category for row in overview.categories}
    assert overview.months == selectors.by_month(2026)
    assert overview.years == [2026]
    assert [e.amount for e in overview.extras] == [D("10000.00"), D("0.01")]


def test_a_year_without_credit_or_spending_is_all_zeros(nurse):
    charge(nurse, "12.00", on=date(2026, 3, 1))

    overview = selectors.year_overview(2031, today=TODAY)

    assert overview.summary.budget_year is None
    assert (overview.summary.committed, overview.summary.expense_count, overview.summary.extra) == (0, 0, 0)
    assert overview.categories == [] and overview.extras == []
    assert [m.committed for m in overview.months] == [0] * 12
