"""Charging, following and cancelling expenses: priced from the catalogue, audited, never deleted."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from budget import services
from budget.models import BudgetYear, CatalogueItem, Category, Expense, ExtraAllocation
from budget.services import Line
from pass_unit.models import AuditEvent
from tests.support.budget import CatalogueItemFactory
from tests.support.factories import PatientFactory, VisitFactory

pytestmark = pytest.mark.django_db
D = Decimal
S = Expense.Status


@pytest.fixture
def items():
    return (
        CatalogueItemFactory(code="MED-PARA500", unit_price=D("1.20")),
        CatalogueItemFactory(code="IMG-RXTHO", category=Category.IMAGING, unit_price=D("21.28")),
    )


def test_it_prices_lines_from_the_catalogue_and_keeps_the_price(nurse, items):
    paracetamol, xray = items
    patient = PatientFactory()
    visit = VisitFactory(patient=patient, professional=nurse)
    today = timezone.localdate()

    expenses = services.expense_charge(
        lines=[
            Line(item=paracetamol, quantity=D("2")),
            Line(item=xray, quantity=D("1")),
            Line(category=Category.TRANSPORT, description="Taxi retour", amount=D("35.00")),
        ],
        patient=patient,
        visit=visit,
        spent_on=today,
        status=S.COMMITTED,
        source=Expense.Source.DISPENSING,
        acting_user=nurse,
    )

    rows = [(e.catalogue_item_id, e.category, e.quantity, e.unit_price, e.amount) for e in expenses]
    assert rows == [
        (paracetamol.pk, Category.MEDICINES, D("2"), D("1.20"), D("2.40")),
        (xray.pk, Category.IMAGING, D("1"), D("21.28"), D("21.28")),
        (None, Category.TRANSPORT, D("1"), None, D("35.00")),
    ]
    assert all(e.patient == patient and e.visit == visit and e.created_by == nurse for e in expenses)
    # A later price change does not rewrite what was charged.
    CatalogueItem.objects.filter(pk=paracetamol.pk).update(unit_price=D("9.99"))
    assert Expense.objects.get(pk=expenses[0].pk).amount == D("2.40")
    # Each line is in the audit trail, on the patient's file.
    events = AuditEvent.objects.filter(action="create", object_type="budget.expense")
    assert events.count() == 3
    assert set(events.values_list("patient_id", flat=True)) == {patient.pk}
    assert events.first().changes["amount"][1] in {"2.40", "21.28", "35.00"}


@pytest.mark.parametrize(
    "problem",
    ["no lines", "inactive item", "other patient's visit", "future committed", "paid at once", "over the cap"],
)
def test_it_refuses_and_writes_nothing(nurse, items, problem):
    paracetamol, _xray = items
    patient = PatientFactory()
    kwargs = {
        "lines": [Line(item=paracetamol, quantity=D("1"))],
        "patient": patient,
        "spent_on": timezone.localdate(),
        "status": S.COMMITTED,
        "acting_user": nurse,
    }
    if problem == "no lines":
        kwargs["lines"] = []
    elif problem == "inactive item":
        inactive = CatalogueItemFactory(active=False)
        kwargs["lines"] = [Line(item=paracetamol, quantity=D("1")), Line(item=inactive, quantity=D("1"))]
    elif problem == "other patient's visit":
        kwargs["visit"] = VisitFactory(professional=nurse)
    elif problem == "future committed":
        kwargs["spent_on"] = timezone.localdate() + timedelta(days=3)
    elif problem == "paid at once":
        kwargs["status"] = S.PAID
    elif problem == "over the cap":
        big = CatalogueItemFactory(unit_price=D("7995.00"))
        kwargs["lines"] = [Line(item=paracetamol, quantity=D("1")), Line(item=big, quantity=D("13"))]

    with pytest.raises(services.BudgetError):
        services.expense_charge(**kwargs)

    assert not Expense.objects.exists()  # not even the first, valid line
    assert not AuditEvent.objects.filter(object_type="budget.expense").exists()


def test_a_planned_expense_may_be_dated_in_the_future(nurse, items):
    (expense,) = services.expense_charge(
        lines=[Line(item=items[1], quantity=D("1"))],
        spent_on=timezone.localdate() + timedelta(days=20),
        status=S.PLANNED,
        acting_user=nurse,
    )
    assert expense.status == S.PLANNED
    # …but it cannot be committed before its date.
    with pytest.raises(services.BudgetError):
        services.expense_set_status(expense=expense, status=S.COMMITTED, acting_user=nurse)


def test_an_expense_moves_from_planned_to_paid_then_is_cancelled_never_deleted(nurse, coordinator, items):
    (expense,) = services.expense_charge(
        lines=[Line(item=items[0], quantity=D("3"))],
        patient=PatientFactory(),
        spent_on=timezone.localdate(),
        status=S.PLANNED,
        acting_user=nurse,
    )
    with pytest.raises(services.BudgetError):
        services.expense_set_status(expense=expense, status=S.PAID, acting_user=coordinator)  # skips a step

    services.expense_set_status(expense=expense, status=S.COMMITTED, acting_user=nurse)
    paid_on = timezone.localdate() - timedelta(days=1)
    services.expense_set_status(expense=expense, status=S.PAID, paid_on=paid_on, acting_user=coordinator)
    expense.refresh_from_db()
    assert (expense.status, expense.paid_on) == (S.PAID, paid_on)

    with pytest.raises(services.BudgetError):
        services.expense_cancel(expense=expense, reason="   ", acting_user=coordinator)
    services.expense_cancel(expense=expense, reason="Saisie en double", acting_user=coordinator)
    expense.refresh_from_db()
    assert expense.status == S.CANCELLED
    assert expense.cancel_reason == "Saisie en double"
    assert expense.cancelled_at is not None
    with pytest.raises(services.BudgetError):
        services.expense_cancel(expense=expense, reason="Encore", acting_user=coordinator)
    with pytest.raises(services.BudgetError):
        services.expense_set_status(expense=expense, status=S.COMMITTED, acting_user=coordinator)

    updates = AuditEvent.objects.filter(action="update", object_type="budget.expense", object_id=str(expense.pk))
    assert [e.changes["status"] for e in updates.order_by("pk")] == [
        ["planned", "committed"],
        ["committed", "paid"],
        ["paid", "cancelled"],
    ]
    assert updates.order_by("pk").last().changes["cancel_reason"] == ["", "Saisie en double"]
    assert updates.order_by("pk").last().username == coordinator.username
    assert Expense.objects.filter(pk=expense.pk).exists()


def test_years_allocations_and_catalogue_changes_are_audited(coordinator):
    year = services.budget_year_save(budget_year=BudgetYear(year=2026, allocation=D("170000")), acting_user=coordinator)
    year.allocation = D("175000.00")
    services.budget_year_save(budget_year=year, acting_user=coordinator)
    services.extra_allocation_add(
        allocation=ExtraAllocation(amount=D("5000"), label="2e circulaire"), budget_year=year, acting_user=coordinator
    )
    item = services.catalogue_item_save(
        item=CatalogueItem(code="X-1", name="Article", category=Category.OTHER, unit_price=D("3")),
        acting_user=coordinator,
    )
    item.unit_price = D("3.50")
    services.catalogue_item_save(item=item, acting_user=coordinator)

    events = list(AuditEvent.objects.order_by("pk").values_list("action", "object_type"))
    assert events == [
        ("create", "budget.budgetyear"),
        ("update", "budget.budgetyear"),
        ("create", "budget.extraallocation"),
        ("create", "budget.catalogueitem"),
        ("update", "budget.catalogueitem"),
    ]
    assert AuditEvent.objects.get(action="update", object_type="budget.catalogueitem").changes == {
        "unit_price": ["3.00", "3.50"]
    }
