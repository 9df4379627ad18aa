"""PostgreSQL itself refuses impossible money: raw SQL, bypassing every form and service."""

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction

from budget.models import BudgetYear, CatalogueItem, Expense
from tests.support.budget import BudgetYearFactory, CatalogueItemFactory, ExpenseFactory

pytestmark = pytest.mark.django_db


def insert_expense(user, **overrides):
    values = {
        "spent_on": date(2026, 3, 2),
        "category": "lab",
        "description": "Bilan",
        "quantity": "1",
        "unit_price": None,
        "amount": "25.00",
        "status": "committed",
        "reference": "",
        "source": "form",
        "cancel_reason": "",
        "created_by_id": user.pk,
        "catalogue_item_id": None,
        "visit_id": None,
        "patient_id": None,
        "paid_on": None,
        "cancelled_at": None,
    } | overrides
    columns = ", ".join(values)
    placeholders = ", ".join(["%s"] * len(values))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Expense._meta.db_table} ({columns}, created_at, updated_at) "
            f"VALUES ({placeholders}, now(), now())",
            list(values.values()),
        )


def test_a_valid_raw_insert_passes(nurse):
    insert_expense(nurse)
    assert Expense.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "constraint"),
    [
        ({"amount": "-12.50"}, "expense_amount_positive"),
        ({"amount": "0"}, "expense_amount_positive"),
        ({"quantity": "0"}, "expense_quantity_positive"),
        ({"quantity": "-1"}, "expense_quantity_positive"),
        # A zero or negative price breaks two rules; PostgreSQL names the first it checks.
        ({"unit_price": "0", "amount": "0.01"}, "expense_unit_price_positive|expense_amount_is_quantity"),
        ({"unit_price": "-3.00", "quantity": "-1", "amount": "3.00"}, "expense_unit_price|expense_quantity"),
        ({"unit_price": "1.20", "quantity": "2", "amount": "2.41"}, "expense_amount_is_quantity_times_price"),
        ({"status": "lost"}, "expense_status_valid"),
        ({"category": "holidays"}, "expense_category_valid"),
        ({"description": ""}, "expense_has_item_or_description"),
        ({"status": "cancelled"}, "expense_cancel_has_reason"),
        ({"status": "paid"}, "expense_paid_has_date"),
    ],
)
def test_the_database_refuses_impossible_expenses(nurse, overrides, constraint):
    with pytest.raises(IntegrityError, match=constraint):
        insert_expense(nurse, **overrides)
    assert not Expense.objects.exists()


def test_a_visit_needs_its_patient(nurse):
    from tests.support.factories import VisitFactory

    visit = VisitFactory(professional=nurse)
    with pytest.raises(IntegrityError, match="expense_visit_has_patient"):
        insert_expense(nurse, visit_id=visit.pk)


def test_a_catalogue_line_rounds_like_the_application(nurse):
    # 0.5 × 0.05 = 0.025 -> 0.03 in PostgreSQL (round half away from zero) and in budget.money.
    item = CatalogueItemFactory(unit_price="0.05")
    insert_expense(nurse, catalogue_item_id=item.pk, unit_price="0.05", quantity="0.5", amount="0.03")
    with pytest.raises(IntegrityError):
        insert_expense(nurse, catalogue_item_id=item.pk, unit_price="0.05", quantity="0.5", amount="0.02")


def test_the_catalogue_refuses_a_free_item():
    with pytest.raises(IntegrityError, match="catalogue_item_price_positive"), transaction.atomic():
        CatalogueItem.objects.bulk_create([CatalogueItem(code="X", name="X", category="lab", unit_price=0)])
    with pytest.raises(IntegrityError, match="catalogue_item_price_positive"), transaction.atomic():
        CatalogueItemFactory.create(unit_price=-1)


def test_a_year_refuses_a_negative_credit_and_muddled_thresholds():
    with pytest.raises(IntegrityError, match="allocation_not_negative"), transaction.atomic():
        BudgetYearFactory(year=2030, allocation=-1)
    with pytest.raises(IntegrityError, match="thresholds_ordered"), transaction.atomic():
        BudgetYearFactory(year=2031, warning_pct=95, critical_pct=80)
    with pytest.raises(IntegrityError, match="thresholds_ordered"), transaction.atomic():
        BudgetYearFactory(year=2032, warning_pct=80, critical_pct=120)
    with pytest.raises(IntegrityError, match="year_plausible"), transaction.atomic():
        BudgetYear.objects.create(year=1999, allocation=1)


def test_even_an_orm_update_cannot_make_an_amount_negative(nurse):
    expense = ExpenseFactory(created_by=nurse)
    with pytest.raises(IntegrityError), transaction.atomic():
        Expense.objects.filter(pk=expense.pk).update(amount=-expense.amount)
    expense.refresh_from_db()
    assert expense.amount > 0
