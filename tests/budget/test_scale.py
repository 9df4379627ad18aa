"""What keeps the budget's pages fast at 100,000 patients (300,000 expenses over 20 years).

Whole-year sums read the month totals the database keeps (tests/budget/test_month_totals.py);
the sums of filtered lines (the expense list's totals, the costliest patients) read only
columns of the index `expense_spent_on_totals` (an index-only scan instead of every heap page
of the year), and the expense list's order is the index's. With a handful of rows the planner
rightly reads the table: the plans are taken with sequential scans forbidden, so that they show
whether the index can answer on its own.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budget import selectors
from budget.models import Expense
from tests.support.budget import ExpenseFactory

pytestmark = pytest.mark.django_db
D = Decimal
S = Expense.Status


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def _expense_plans(read) -> list[tuple[str, str]]:
    """(SQL, plan) of each query on the expenses that `read()` runs, as it runs them."""
    with CaptureQueriesContext(connection) as queries:
        read()
    sqls = [q["sql"] for q in queries.captured_queries if 'FROM "budget_expense"' in q["sql"]]
    assert sqls
    return [(sql, _plan(sql)) for sql in sqls]


@pytest.fixture
def expenses(nurse):
    for month in range(1, 13):
        ExpenseFactory(spent_on=date(2026, month, 15), amount=D("10.00"), created_by=nurse)


@pytest.mark.parametrize(
    "read",
    [
        pytest.param(lambda: selectors.filtered_total(Expense.objects.in_year(2026)), id="expense list totals"),
        pytest.param(
            lambda: selectors.filtered_total(Expense.objects.in_year(2026).filter(category="lab", status="paid")),
            id="filtered expense list totals",
        ),
        pytest.param(lambda: selectors.costliest_patients(2026), id="costliest patients"),
    ],
)
def test_it_sums_a_year_from_the_index_alone(expenses, read):
    for sql, plan in _expense_plans(read):
        assert "Index Only Scan using expense_spent_on_totals" in plan, (sql, plan)


@pytest.mark.parametrize(
    "read",
    [
        pytest.param(lambda: selectors.year_overview(2026), id="dashboard"),
        pytest.param(lambda: selectors.year_summary(2026), id="year summary (home, dispensing, RCP costing)"),
        pytest.param(lambda: selectors.by_category(2026), id="by category"),
        pytest.param(lambda: selectors.by_month(2026), id="by month"),
    ],
)
def test_whole_year_sums_read_the_month_totals_not_the_expenses(expenses, read):
    with CaptureQueriesContext(connection) as queries:
        read()
    sqls = [q["sql"] for q in queries.captured_queries]

    assert not [sql for sql in sqls if '"budget_expense"' in sql]
    assert [sql for sql in sqls if 'FROM "budget_expensemonthtotal"' in sql]


def test_it_reads_the_expense_list_in_the_index_order_without_sorting(login, coordinator, expenses):
    client = login(coordinator)
    (_totals, (sql, plan)) = _expense_plans(lambda: client.get(reverse("budget:expenses"), {"year": 2026}))

    assert "ORDER BY" in sql and "LIMIT" in sql
    assert "Index Scan Backward using expense_spent_on_totals" in plan, plan
    assert "Sort" not in plan, plan


@pytest.mark.parametrize(
    ("month", "inside", "outside"),
    [(1, date(2026, 1, 31), date(2026, 2, 1)), (12, date(2026, 12, 31), date(2027, 1, 1))],
)
def test_the_month_filter_keeps_the_whole_month_and_nothing_else(login, coordinator, nurse, month, inside, outside):
    ExpenseFactory(spent_on=date(2026, month, 1), amount=D("1.00"), created_by=nurse)
    ExpenseFactory(spent_on=inside, amount=D("2.00"), created_by=nurse)
    ExpenseFactory(spent_on=outside, amount=D("40.00"), created_by=nurse)
    ExpenseFactory(spent_on=date(2025, month, 15), amount=D("80.00"), created_by=nurse)

    response = login(coordinator).get(reverse("budget:expenses"), {"year": 2026, "month": month})

    assert response.context["totals"]["count"] == 2
    assert response.context["totals"]["committed"] == D("3.00")
    assert sorted(e.spent_on for e in response.context["page"]) == [date(2026, month, 1), inside]
