"""Costing the options of an RCP case from the catalogue, against what remains in the budget."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from budget.models import Category, Expense, OptionCostLine
from pass_unit.models import AuditEvent
from rcp.models import CaseOption
from tests.support.budget import BudgetYearFactory, CatalogueItemFactory, ExpenseFactory, make_option
from tests.support.factories import PatientFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def hcv():
    return CatalogueItemFactory(code="MED-VHC", name="Sofosbuvir / velpatasvir (4 semaines)", unit_price=D("7995.00"))


@pytest.fixture
def option(physician):
    BudgetYearFactory(allocation=D("100000.00"))
    return make_option(PatientFactory(), physician, retained=True)


def add_line(client, option, item, quantity):
    return client.post(
        reverse("budget:rcp-option-line-add", args=[option.pk]),
        {"cost-catalogue_item": item.pk, "cost-quantity": quantity},
    )


def test_a_physician_prices_an_option_and_sees_it_against_the_budget(login, physician, nurse, option, hcv):
    ExpenseFactory(amount=D("60000.00"), created_by=nurse)
    cheaper = CaseOption.objects.create(case_review=option.case_review, description="Surveillance", estimated_cost=120)
    client = login(physician)

    assert add_line(client, option, hcv, "3").status_code == 302

    line = OptionCostLine.objects.get()
    assert (line.quantity, line.unit_price, line.amount) == (D("3.00"), D("7995.00"), D("23985.00"))
    option.refresh_from_db()
    assert option.estimated_cost == D("23985.00")  # the RCP page shows the same figure
    assert AuditEvent.objects.filter(object_type="budget.optioncostline", action="create").count() == 1
    assert AuditEvent.objects.get(object_type="rcp.caseoption", action="update").changes == {
        "estimated_cost": [None, "23985.00"]
    }

    response = client.get(reverse("budget:rcp-option", args=[option.pk]))
    rows = {row["option"].pk: row for row in response.context["rows"]}
    assert rows[option.pk]["cost"] == D("23985.00") and rows[option.pk]["from_catalogue"]
    assert rows[option.pk]["remaining_after"] == D("16015.00")  # 100 000 − 60 000 − 23 985
    assert rows[option.pk]["share_of_remaining"] == D("60.0")
    assert rows[cheaper.pk]["cost"] == D("120.00") and not rows[cheaper.pk]["from_catalogue"]
    assert len(re.findall(r'data-testid="option-row"', response.content.decode())) == 2


def test_a_line_priced_by_mistake_is_withdrawn_not_deleted(login, physician, option, hcv):
    client = login(physician)
    add_line(client, option, hcv, "1")
    line = OptionCostLine.objects.get()
    response = client.post(reverse("budget:rcp-option-line-withdraw", args=[option.pk, line.pk]))
    assert response.status_code == 302
    line.refresh_from_db()
    option.refresh_from_db()
    assert line.withdrawn_at is not None
    assert option.estimated_cost is None


def test_bad_quantities_are_refused(login, physician, option, hcv):
    for quantity in ("abc", "-1", "0", "20"):  # 20 × 7 995 € is over the per-line cap
        response = add_line(login(physician), option, hcv, quantity)
        assert response.status_code == 200
        assert response.context["form"].errors
    assert not OptionCostLine.objects.exists()


def test_a_retained_option_becomes_planned_expenses_tied_to_the_decision(login, physician, option, hcv):
    client = login(physician)
    add_line(client, option, hcv, "3")
    response = client.post(reverse("budget:rcp-option-plan", args=[option.pk]))
    assert response.status_code == 302
    expense = Expense.objects.get()
    assert (expense.status, expense.amount, expense.category) == ("planned", D("23985.00"), Category.MEDICINES)
    assert (expense.case_review, expense.patient) == (option.case_review, option.case_review.patient)


def test_an_option_not_retained_is_not_planned(login, physician, hcv):
    option = make_option(PatientFactory(), physician, retained=False)
    client = login(physician)
    add_line(client, option, hcv, "1")
    response = client.post(reverse("budget:rcp-option-plan", args=[option.pk]))
    assert response.status_code == 200 and response.context["action_error"]
    assert 'data-testid="action-error"' in response.content.decode()
    assert not Expense.objects.exists()


def test_validated_minutes_freeze_the_costing(login, physician, hcv):
    option = make_option(PatientFactory(), physician, retained=True, locked=True)
    client = login(physician)
    response = add_line(client, option, hcv, "1")
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert not response.context["can_price"]
    assert 'data-testid="add-cost-line"' not in response.content.decode()
    assert not OptionCostLine.objects.exists()


@pytest.mark.parametrize("persona", ["social", "coordinator"])
def test_the_rcp_team_reads_the_costing_but_only_carers_price_it(login, personas, persona, option, hcv):
    client = login(personas[persona])
    response = client.get(reverse("budget:rcp-option", args=[option.pk]))
    assert response.status_code == 200
    assert 'data-testid="add-cost-line"' not in response.content.decode()
    assert add_line(client, option, hcv, "1").status_code == 403
    assert not OptionCostLine.objects.exists()


@pytest.mark.parametrize("persona", ["reception", "psychologist", "admin_user", "outsider"])
def test_the_costing_does_not_exist_outside_the_rcp_and_budget(login, personas, persona, option, hcv):
    client = login(personas[persona])
    assert client.get(reverse("budget:rcp-option", args=[option.pk])).status_code == 404
    assert add_line(client, option, hcv, "1").status_code == 404
    assert not OptionCostLine.objects.exists()


def test_the_dispensing_page_leads_to_the_costing_of_the_patients_options(login, physician, nurse, option):
    patient = option.case_review.patient
    url = reverse("budget:dispense", args=[patient.pk])
    html = login(physician).get(url).content.decode()
    assert f'href="{reverse("budget:rcp-option", args=[option.pk])}"' in html
    assert 'data-testid="rcp-options"' in login(nurse).get(url).content.decode()


def test_the_case_page_shows_each_option_cost_against_the_budget(login, physician, psychologist, option, hcv):
    add_line(login(physician), option, hcv, "2")
    case_url = reverse("rcp:case-detail", args=[option.case_review.pk])

    response = login(physician).get(case_url)
    html = response.content.decode()
    assert 'data-testid="rcp-case-costing"' in html
    assert reverse("budget:rcp-option", args=[option.pk]) in html
    assert html.count('data-testid="case-option-cost"') == 1

    # The psychologist works in RCP but does not read the budget: no costing on the case page.
    response = login(psychologist).get(case_url)
    assert response.status_code == 200
    assert 'data-testid="rcp-case-costing"' not in response.content.decode()
