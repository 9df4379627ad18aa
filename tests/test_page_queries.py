"""Pages that had no query-count test: each costs a fixed number of SQL queries, with few rows or many.

Each page is opened twice, on a small and a large data set: both must stay under the bound
(no query per row), and the bound names its queries. The home dashboard is counted in
tests/test_home.py, the patient, RCP and budget lists in each app's test_queries.py.
"""

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from budget.models import Expense, OptionCostLine, PharmacyImport
from pass_unit import audit
from pass_unit.models import AuditEvent
from pass_unit.roles import Role
from tests.support.budget import BudgetYearFactory, CatalogueItemFactory, ExpenseFactory, make_option
from tests.support.factories import PatientFactory, VisitFactory
from tests.support.users import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

# Every page of a logged-in user: session, user, user's groups; then the idle-timeout session
# save (SESSION_SAVE_EVERY_REQUEST): savepoint, UPDATE django_session, release savepoint.
REQUEST = 3 + 3


def _expense(patient, user, item, **extra):
    return ExpenseFactory(
        patient=patient,
        catalogue_item=item,
        unit_price=item.unit_price,
        amount=item.unit_price,
        category=item.category,
        created_by=user,
        **extra,
    )


def audit_log(n: int, coordinator, nurse):
    """/audit/ as the coordinator: `n` events by several users about several patients."""
    patients = [PatientFactory() for _ in range(min(n, 5))]
    for i in range(n):
        patient = patients[i % len(patients)]
        audit.record(user=nurse, action=AuditEvent.Action.VIEW, obj=patient, patient=patient)
    return coordinator, reverse("audit-log")


def patient_access_log(n: int, coordinator, nurse):
    """/patients/<pk>/access-log/ as the coordinator: `n` readings of one file."""
    patient = PatientFactory()
    for _ in range(n):
        audit.record(user=nurse, action=AuditEvent.Action.VIEW, obj=patient, patient=patient)
    return coordinator, reverse("patient-access-log", args=[patient.pk])


def accounts(n: int, coordinator, nurse):
    """/accounts/users/ as the coordinator: `n` more accounts, each with its role."""
    roles = list(Role)
    start = User.objects.count()
    for i in range(start, start + n):
        make_user(f"agent{i}", roles[i % len(roles)])
    return coordinator, reverse("accounts:list")


def catalogue(n: int, coordinator, nurse):
    """/budget/catalogue/: `n` items."""
    for _ in range(n):
        CatalogueItemFactory()
    return coordinator, reverse("budget:catalogue")


def dispense(n: int, coordinator, nurse):
    """/budget/patients/<pk>/dispense/ as the nurse: a patient with `n` visits, expenses and RCP options."""
    patient = PatientFactory()
    item = CatalogueItemFactory()
    BudgetYearFactory()
    for _ in range(n):
        VisitFactory(patient=patient, professional=nurse)
        _expense(patient, nurse, item)
        make_option(patient, nurse)
    return nurse, reverse("budget:dispense", args=[patient.pk])


def expense_detail(n: int, coordinator, nurse):
    """/budget/expenses/<pk>/: one expense, among `n` of the same patient."""
    patient = PatientFactory()
    item = CatalogueItemFactory()
    expenses = [_expense(patient, nurse, item) for _ in range(n)]
    return coordinator, reverse("budget:expense-detail", args=[expenses[0].pk])


def costliest_patients(n: int, coordinator, nurse):
    """/budget/<year>/patients/: `n` patients with expenses in several categories."""
    year = BudgetYearFactory().year
    items = [CatalogueItemFactory(category=category) for category in ("medicines", "lab")]
    for i in range(n):
        patient = PatientFactory()
        for item in items:
            _expense(patient, nurse, item)
        if i % 2:
            _expense(patient, nurse, items[0], status=Expense.Status.PAID, paid_on=timezone.localdate())
    return coordinator, reverse("budget:costliest-patients", args=[year])


def rcp_option(n: int, coordinator, nurse):
    """/budget/rcp-option/<pk>/ as the nurse: an option priced with `n` catalogue lines."""
    BudgetYearFactory()
    option = make_option(PatientFactory(), nurse)
    for _ in range(n):
        item = CatalogueItemFactory()
        OptionCostLine.objects.create(
            option=option,
            catalogue_item=item,
            quantity=1,
            unit_price=item.unit_price,
            amount=item.unit_price,
            created_by=nurse,
        )
    return nurse, reverse("budget:rcp-option", args=[option.pk])


def import_detail(n: int, coordinator, nurse):
    """/budget/imports/<pk>/: a pharmacy import of `n` lines for several patients."""
    batch = PharmacyImport.objects.create(
        file_name="pui.csv", sha256=f"{n:064d}", rows=n, total=Decimal("10.00") * n, imported_by=coordinator
    )
    patients = [PatientFactory() for _ in range(min(n, 4))]
    items = [CatalogueItemFactory() for _ in range(min(n, 3))]
    for i in range(n):
        _expense(patients[i % len(patients)], coordinator, items[i % len(items)], pharmacy_import=batch)
    return coordinator, reverse("budget:import-detail", args=[batch.pk])


# The page, and the most queries it may cost, named.
PAGES = {
    # The count of events, one page of events (+ user), the users of the "who" filter.
    "audit-log": (audit_log, REQUEST + 3),
    # The patient, the count of their events, one page of events (+ user).
    "patient-access-log": (patient_access_log, REQUEST + 3),
    # The count of accounts, one page of accounts, their groups (one prefetch).
    "accounts": (accounts, REQUEST + 3),
    # The count of active items, one page of items.
    "catalogue": (catalogue, REQUEST + 2),
    # The patient, their recent visits, the catalogue, the year's credit, the year's totals,
    # whether they have a case in RCP, their cases, the options of those cases, the visits of
    # the form's "visit" choice.
    "dispense": (dispense, REQUEST + 9),
    # The expense (+ patient, item, author, import), the audit row of reading it.
    "expense-detail": (expense_detail, REQUEST + 2),
    # The year's credit, the year's totals, the patients' totals per category, those patients.
    "costliest-patients": (costliest_patients, REQUEST + 4),
    # The option (+ case, meeting, patient), the option locked for the page, the lines' totals,
    # the year's credit, the year's totals, the expenses planned from it, its lines (+ item), the
    # catalogue of the form's "item" choice.
    "rcp-option": (rcp_option, REQUEST + 8),
    # The import (+ author), its totals per category, its totals.
    "import-detail": (import_detail, REQUEST + 3),
}


def count(client, user, url) -> int:
    client.force_login(user)
    client.get(url)  # the first request of a session writes it: not counted
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("page", PAGES)
def test_it_opens_the_page_in_a_fixed_number_of_queries(client, django_assert_max_num_queries, page):
    build, bound = PAGES[page]
    coordinator = make_user("coordinator", Role.COORDINATOR)
    nurse = make_user("nurse", Role.NURSE)
    user, few = build(2, coordinator, nurse)
    few_queries = count(client, user, few)
    user, many = build(15, coordinator, nurse)
    many_queries = count(client, user, many)
    assert many_queries == few_queries, "one more query per row"
    with django_assert_max_num_queries(bound):
        assert client.get(many).status_code == 200


def test_it_pages_the_team_accounts(client):
    """The accounts list shows 50 accounts a page, active ones first, and links to the next page."""
    coordinator = make_user("coordinator", Role.COORDINATOR)
    for i in range(54):
        make_user(f"agent{i:02d}", Role.NURSE, is_active=i >= 4)
    client.force_login(coordinator)

    first = client.get(reverse("accounts:list"))
    second = client.get(reverse("accounts:list"), {"page": 2})

    assert len(first.context["users"]) == 50
    assert all(account.is_active for account in first.context["users"])
    assert "?page=2" in first.content.decode()
    # 51 active accounts (the coordinator's last, by first name), then the 4 deactivated ones.
    assert [account.username for account in second.context["users"]] == [
        "coordinator",
        *(f"agent{i:02d}" for i in range(4)),
    ]
    assert second.context["page"].number == 2
