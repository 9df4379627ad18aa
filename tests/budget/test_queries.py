"""The budget's pages cost a fixed number of SQL queries, whatever the number of expenses."""

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from budget.models import Category, Expense, ExtraAllocation
from tests.support.budget import BudgetYearFactory, CatalogueItemFactory
from tests.support.factories import PatientFactory
from tests.support.pages import REQUEST_QUERIES
from tests.support.users import make_user

# /budget/: the years with a credit (the year list and the year shown), the year's extra
# allocations, the year's month totals by month, category and status (totals, categories and
# months are added up from those groups, at most 432 rows kept by the database).
DASHBOARD_QUERIES = REQUEST_QUERIES + 3

# /budget/expenses/: the totals and count of the filtered list, one page of expenses
# (+ patient, catalogue item, author).
LIST_QUERIES = REQUEST_QUERIES + 2
# … filtered on a patient: that patient, and the audit row of reading their expenses.
PATIENT_LIST_QUERIES = LIST_QUERIES + 2

# /: the dashboard's own queries (patients, visits, rights) are counted by its tests; the budget
# panel adds two: the year with its extras, the sums of the year's month totals.
BUDGET_PANEL_QUERIES = 2


def populate(count: int) -> None:
    """`count` expenses over the year, for many patients, authors and items, in every status."""
    year = timezone.localdate().year
    budget_year = BudgetYearFactory(year=year, allocation=Decimal("150000.00"))
    author = make_user("author", None)
    ExtraAllocation.objects.create(budget_year=budget_year, amount=Decimal("5000"), label="x", created_by=author)
    rng = random.Random(count)
    patients = [PatientFactory() for _ in range(5)]
    items = [CatalogueItemFactory(unit_price=Decimal("3.10")) for _ in range(4)]
    users = [make_user(f"user{n}", None) for n in range(3)]
    expenses = []
    for n in range(count):
        item = rng.choice(items + [None])
        status = rng.choice([Expense.Status.PLANNED, Expense.Status.COMMITTED, Expense.Status.PAID])
        expenses.append(
            Expense(
                spent_on=date(year, 1, 1) + timedelta(days=n % 300),
                category=item.category if item else rng.choice(Category.values),
                catalogue_item=item,
                description="" if item else "Facture",
                quantity=Decimal(2),
                unit_price=item.unit_price if item else None,
                amount=item.unit_price * 2 if item else Decimal("42.00"),
                status=status,
                paid_on=date(year, 1, 1) if status == Expense.Status.PAID else None,
                patient=rng.choice(patients + [None]),
                created_by=rng.choice(users),
            )
        )
    Expense.objects.bulk_create(expenses)


@pytest.mark.parametrize("count", [5, 200])
def test_the_dashboard_runs_a_fixed_number_of_queries(login, coordinator, django_assert_max_num_queries, count):
    populate(count)
    client = login(coordinator)
    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        response = client.get(reverse("budget:dashboard"))
    assert response.status_code == 200
    assert response.context["summary"].expense_count == count


@pytest.mark.parametrize("count", [5, 200])
def test_the_expense_list_runs_a_fixed_number_of_queries(login, nurse, django_assert_max_num_queries, count):
    populate(count)
    client = login(nurse)
    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get(reverse("budget:expenses"))
    assert len(response.context["page"]) == min(count, 50)
    patient = Expense.objects.filter(patient__isnull=False).first().patient
    with django_assert_max_num_queries(PATIENT_LIST_QUERIES):
        response = client.get(reverse("budget:expenses"), {"patient": patient.pk, "status": "committed"})
    assert response.status_code == 200


@pytest.mark.parametrize("count", [5, 200])
def test_the_budget_panels_cost_a_fixed_number_of_queries(rf, coordinator, django_assert_num_queries, count):
    from budget import panels

    populate(count)
    request = rf.get("/")
    request.user = coordinator
    patient = Expense.objects.filter(patient__isnull=False).first().patient
    coordinator.groups.all()  # the role is cached on the user by the first access check
    panels.dispense_action(request, patient)
    with django_assert_num_queries(BUDGET_PANEL_QUERIES):
        assert panels.dashboard_panel(request, None)
    with django_assert_num_queries(1):
        assert panels.patient_costs_panel(request, patient)
    with django_assert_num_queries(0):
        panels.dispense_action(request, patient)
