"""The expenses' month totals (`ExpenseMonthTotal`), kept by PostgreSQL: after every way of
writing expenses, the stored groups are exactly the sums over `budget_expense`, and the
dashboards read the same figures as sums over the expenses themselves.
"""

import io
import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.models import Q, Sum
from django.db.models.functions import ExtractMonth
from django.utils import timezone
from psycopg import sql

from budget import selectors, services
from budget.models import Category, Expense, ExpenseMonthTotal
from patients.demo import DEFAULT_PATIENTS
from patients.demo_scale import Copier
from tests.support.budget import CatalogueItemFactory, ExpenseFactory
from tests.support.factories import PatientFactory

pytestmark = pytest.mark.django_db
D = Decimal
S = Expense.Status
EXPENSES = Expense._meta.db_table
TOTALS = ExpenseMonthTotal._meta.db_table

# The groups as summed from the expenses, and as stored: equal as sets (no empty group stored).
EXPECTED = f"""
    SELECT date_trunc('month', spent_on::timestamp)::date, category, status, sum(amount), count(*)
    FROM {EXPENSES} GROUP BY 1, 2, 3
"""
STORED = f"SELECT month, category, status, amount, lines FROM {TOTALS}"


def mismatches() -> list[tuple]:
    """Groups stored wrong, missing or left over (empty when the totals are right)."""
    with connection.cursor() as cursor:
        cursor.execute(f"({EXPECTED} EXCEPT {STORED}) UNION ALL ({STORED} EXCEPT {EXPECTED})")
        return cursor.fetchall()


def stored() -> dict[tuple, tuple]:
    return {(row.month, row.category, row.status): (row.amount, row.lines) for row in ExpenseMonthTotal.objects.all()}


def line(user, amount, *, on, status=S.COMMITTED, category=Category.LAB, **extra):
    if status == S.PAID:
        extra.setdefault("paid_on", on)
    if status == S.CANCELLED:
        extra |= {"cancel_reason": "Erreur", "cancelled_at": timezone.now()}
    return ExpenseFactory(amount=D(amount), spent_on=on, status=status, category=category, created_by=user, **extra)


@pytest.fixture
def item():
    return CatalogueItemFactory(code="MED-ARV", category=Category.MEDICINES, unit_price=D("590.00"))


# --------------------------------------------------------------------------- the services


def test_it_adds_charged_lines_to_their_month(nurse, item):
    patient = PatientFactory()
    services.expense_charge(
        lines=[
            services.Line(item=item, quantity=D("2")),
            services.Line(category=Category.TRANSPORT, description="Taxi", amount=D("35.50")),
            services.Line(category=Category.TRANSPORT, description="Retour", amount=D("12.25")),
        ],
        spent_on=date(2026, 3, 10),
        status=S.COMMITTED,
        patient=patient,
        acting_user=nurse,
    )

    assert stored() == {
        (date(2026, 3, 1), "medicines", "committed"): (D("1180.00"), 1),
        (date(2026, 3, 1), "transport", "committed"): (D("47.75"), 2),
    }
    assert mismatches() == []


def test_it_moves_a_line_from_status_to_status_and_drops_emptied_groups(nurse, coordinator):
    planned = line(nurse, "100.00", on=date(2026, 4, 2), status=S.PLANNED)
    line(nurse, "7.00", on=date(2026, 4, 20), status=S.COMMITTED)

    committed = services.expense_set_status(expense=planned, status=S.COMMITTED, acting_user=coordinator)
    assert stored() == {(date(2026, 4, 1), "lab", "committed"): (D("107.00"), 2)}

    services.expense_set_status(expense=committed, status=S.PAID, paid_on=date(2026, 5, 3), acting_user=coordinator)
    assert stored() == {
        (date(2026, 4, 1), "lab", "committed"): (D("7.00"), 1),
        (date(2026, 4, 1), "lab", "paid"): (D("100.00"), 1),
    }
    assert mismatches() == []


def test_it_follows_a_cancellation(nurse, coordinator):
    expense = line(nurse, "64.10", on=date(2026, 6, 30), status=S.PAID)

    services.expense_cancel(expense=expense, reason="Doublon", acting_user=coordinator)

    assert stored() == {(date(2026, 6, 1), "lab", "cancelled"): (D("64.10"), 1)}
    assert mismatches() == []


def test_it_follows_an_amount_or_category_corrected(nurse):
    expense = line(nurse, "10.00", on=date(2026, 2, 28))
    line(nurse, "5.00", on=date(2026, 2, 1))

    expense.amount = D("12.34")
    expense.save()
    assert stored() == {(date(2026, 2, 1), "lab", "committed"): (D("17.34"), 2)}

    Expense.objects.filter(pk=expense.pk).update(category=Category.IMAGING, amount=D("99.99"))
    assert stored() == {
        (date(2026, 2, 1), "lab", "committed"): (D("5.00"), 1),
        (date(2026, 2, 1), "imaging", "committed"): (D("99.99"), 1),
    }
    assert mismatches() == []


def test_the_pharmacy_import_adds_its_lines(coordinator, item):
    PatientFactory(file_number="PASS-2026-00012")
    content = (
        b"date;dossier;article;quantite;montant\n"
        b"02/03/2026;PASS-2026-00012;MED-ARV;1;590,00\n"
        b"31/03/2026;PASS-2026-00012;MED-ARV;2;1 180,00\n"
        b"01/04/2026;PASS-2026-00012;MED-ARV;1;590,00\n"
    )

    services.pharmacy_import(content=content, file_name="pui.csv", acting_user=coordinator)

    assert stored() == {
        (date(2026, 3, 1), "medicines", "committed"): (D("1770.00"), 2),
        (date(2026, 4, 1), "medicines", "committed"): (D("590.00"), 1),
    }
    assert mismatches() == []


def test_a_planned_rcp_option_adds_its_lines(physician, item):
    from budget.models import OptionCostLine
    from tests.support.budget import make_option

    option = make_option(PatientFactory(), physician, retained=True)
    OptionCostLine.objects.create(
        option=option,
        catalogue_item=item,
        quantity=D(3),
        unit_price=item.unit_price,
        amount=D("1770.00"),
        created_by=physician,
    )

    services.option_expenses_plan(option=option, acting_user=physician)

    assert stored() == {(timezone.localdate().replace(day=1), "medicines", "planned"): (D("1770.00"), 1)}
    assert mismatches() == []


# --------------------------------------------------------------------------- bulk and raw writes


def test_bulk_create_and_copy_add_every_line_in_one_grouped_write(nurse):
    Expense.objects.bulk_create(
        [
            Expense(spent_on=date(2025, 12, 31), category="lab", description="x", amount=D("1.01"), created_by=nurse),
            Expense(spent_on=date(2026, 1, 1), category="lab", description="x", amount=D("2.02"), created_by=nurse),
            Expense(spent_on=date(2026, 1, 31), category="lab", description="x", amount=D("3.03"), created_by=nurse),
        ]
    )
    rng = random.Random(11)
    with Copier(Expense) as copy:
        for _ in range(500):
            copy.row(
                {
                    "spent_on": date(2026, 1, 1) + timedelta(days=rng.randrange(365)),
                    "category": rng.choice(Category.values),
                    "description": "copié",
                    "amount": D(rng.randrange(1, 100_000)) / 100,
                    "status": S.COMMITTED,
                    "created_by_id": nurse.pk,
                }
            )

    assert ExpenseMonthTotal.objects.filter(month=date(2026, 1, 1), category="lab").exclude(lines=0).exists()
    assert sum(row.lines for row in ExpenseMonthTotal.objects.all()) == 503
    assert mismatches() == []


def test_a_raw_update_moving_lines_to_another_month_or_year_moves_their_sums(nurse):
    for day in (date(2026, 1, 15), date(2026, 1, 31), date(2026, 12, 31), date(2026, 6, 1)):
        line(nurse, "10.00", on=day)
        line(nurse, "2.50", on=day, status=S.PAID)

    with connection.cursor() as cursor:
        # One statement, several groups in and out: into February, into the next year, back a year.
        cursor.execute(
            f"UPDATE {EXPENSES} SET spent_on = CASE "
            "WHEN spent_on < '2026-02-01' THEN spent_on + 29 "
            "WHEN spent_on = '2026-12-31' THEN DATE '2027-01-01' "
            "ELSE DATE '2025-06-01' END"
        )

    assert not ExpenseMonthTotal.objects.filter(month__in=[date(2026, 1, 1), date(2026, 12, 1), date(2026, 6, 1)])
    assert stored()[(date(2026, 2, 1), "lab", "committed")] == (D("10.00"), 1)  # 15 January + 29 days
    assert stored()[(date(2026, 3, 1), "lab", "paid")] == (D("2.50"), 1)  # 31 January + 29 days
    assert stored()[(date(2027, 1, 1), "lab", "paid")] == (D("2.50"), 1)
    assert stored()[(date(2025, 6, 1), "lab", "committed")] == (D("10.00"), 1)
    assert mismatches() == []


def test_an_update_of_other_columns_writes_no_total(nurse):
    line(nurse, "10.00", on=date(2026, 3, 3))
    line(nurse, "20.00", on=date(2026, 3, 4))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT xmin::text FROM {TOTALS}")
        before = cursor.fetchall()
        # Amounts swapped within the same group: no sum changes either.
        cursor.execute(f"UPDATE {EXPENSES} SET description = 'Relu', amount = 30.00 - amount")
        cursor.execute(f"SELECT xmin::text FROM {TOTALS}")
        assert cursor.fetchall() == before
    assert mismatches() == []


def test_a_delete_or_truncate_takes_lines_out(nurse):
    kept = line(nurse, "10.00", on=date(2026, 3, 3))
    line(nurse, "20.00", on=date(2026, 3, 4))
    line(nurse, "30.00", on=date(2026, 4, 4))

    Expense.objects.exclude(pk=kept.pk).delete()
    assert stored() == {(date(2026, 3, 1), "lab", "committed"): (D("10.00"), 1)}

    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no foreign key check left pending
        cursor.execute(f"TRUNCATE {EXPENSES}")
    assert stored() == {}
    assert mismatches() == []


def test_nothing_else_writes_the_totals(nurse):
    line(nurse, "10.00", on=date(2026, 3, 3))
    total = ExpenseMonthTotal.objects.get()
    for write in (
        lambda: ExpenseMonthTotal.objects.create(
            month=date(2026, 5, 1), category="lab", status="paid", amount=1, lines=1
        ),
        lambda: ExpenseMonthTotal.objects.filter(pk=total.pk).update(amount=D("1.00")),
        lambda: ExpenseMonthTotal.objects.filter(pk=total.pk).delete(),
    ):
        with pytest.raises(DatabaseError, match="kept by the triggers"), transaction.atomic():
            write()
    assert mismatches() == []


def test_the_bulk_seed_copy_leaves_the_totals_right(settings):
    settings.DEBUG = True
    call_command("seed_demo", "--patients", str(DEFAULT_PATIENTS + 120), "--scale", stdout=io.StringIO())

    assert Expense.objects.count() > 200
    assert mismatches() == []


# --------------------------------------------------------------------------- the runtime role


def test_the_triggers_work_for_the_runtime_role(nurse, coordinator, item):
    name = f"{connection.settings_dict['NAME']}_runtime"[:63]
    call_command("create_runtime_role", name=name, stdout=io.StringIO())
    PatientFactory(file_number="PASS-2026-00012")
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(name)))
        try:
            (expense,) = services.expense_charge(
                lines=[services.Line(item=item)], spent_on=date(2026, 3, 10), status=S.COMMITTED, acting_user=nurse
            )
            services.expense_set_status(expense=expense, status=S.PAID, acting_user=coordinator)
            services.expense_cancel(expense=expense, reason="Erreur", acting_user=coordinator)
            services.pharmacy_import(
                content=b"date;dossier;article;quantite;montant\n02/03/2026;PASS-2026-00012;MED-ARV;1;590,00\n",
                file_name="pui.csv",
                acting_user=coordinator,
            )
            with pytest.raises(DatabaseError, match="kept by the triggers"), transaction.atomic():
                ExpenseMonthTotal.objects.update(amount=D("0.01"))
        finally:
            cursor.execute("RESET ROLE")
    assert stored() == {
        (date(2026, 3, 1), "medicines", "cancelled"): (D("590.00"), 1),
        (date(2026, 3, 1), "medicines", "committed"): (D("590.00"), 1),
    }
    assert mismatches() == []


# --------------------------------------------------------------------------- the reads


def _reference(year: int) -> dict:
    """The figures as summed over the expenses themselves (the implementation before the totals)."""
    year_lines = Expense.objects.in_year(year)
    planned, committed, paid = Q(status=S.PLANNED), Q(status__in=Expense.COMMITTED), Q(status=S.PAID)
    sums = {"planned": Sum("amount", filter=planned), "committed": Sum("amount", filter=committed)}
    sums["paid"] = Sum("amount", filter=paid)
    zero = D("0.00")

    def clean(row):
        return {k: (v if v is not None else zero) for k, v in row.items()}

    totals = clean(year_lines.aggregate(**sums))
    totals["expense_count"] = year_lines.exclude(status=S.CANCELLED).count()
    live = year_lines.exclude(status=S.CANCELLED)
    categories = {r.pop("category"): clean(r) for r in live.values("category").annotate(**sums).order_by()}
    months = {
        r.pop("month"): clean(r)
        for r in live.annotate(month=ExtractMonth("spent_on")).values("month").annotate(**sums).order_by()
    }
    return {"totals": totals, "categories": categories, "months": months}


@pytest.mark.parametrize("year", [2025, 2026, 2027])
def test_the_dashboards_read_the_same_figures_as_sums_over_the_expenses(nurse, coordinator, year):
    rng = random.Random(year)
    for _ in range(150):
        day = date(2025, 1, 1) + timedelta(days=rng.randrange(3 * 365))
        status = rng.choice([S.PLANNED, S.COMMITTED, S.PAID, S.CANCELLED])
        line(
            nurse, str(D(rng.randrange(1, 500_000)) / 100), on=day, status=status, category=rng.choice(Category.values)
        )
    # And a few writes after the fact.
    for expense in Expense.objects.filter(status=S.COMMITTED).order_by("pk")[:10]:
        services.expense_cancel(expense=expense, reason="Erreur", acting_user=coordinator)
    Expense.objects.filter(pk__in=Expense.objects.order_by("pk").values("pk")[:5]).update(spent_on=date(year, 12, 31))

    reference = _reference(year)
    summary = selectors.year_summary(year, today=date(2026, 7, 1))
    overview = selectors.year_overview(year, today=date(2026, 7, 1))

    for figures in (summary, overview.summary):
        assert {name: getattr(figures, name) for name in reference["totals"]} == reference["totals"]
    assert {
        r.category: {"planned": r.planned, "committed": r.committed, "paid": r.paid} for r in overview.categories
    } == (reference["categories"])
    months = {r.month: {"planned": r.planned, "committed": r.committed, "paid": r.paid} for r in overview.months}
    zero = {"planned": D("0.00"), "committed": D("0.00"), "paid": D("0.00")}
    assert months == {m: reference["months"].get(m, zero) for m in range(1, 13)}
    assert selectors.by_category(year) == overview.categories
    assert selectors.by_month(year) == overview.months
    assert mismatches() == []
