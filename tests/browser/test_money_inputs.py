"""French amounts typed into every money field of the app, in a real Chromium, read back from the database.

Issue 8 ("Decimal input"): in an `<input type="number">`, Chromium stored "12,5" as 125,00 € and
took "1e9". Each money field is now a text box with `inputmode="decimal"`; this test types the
amounts key by key, the way a French user does, and checks what was stored.

    PASS_UNIT_TEST_DB=test_money_browser .venv/bin/pytest tests/browser/test_money_inputs.py
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from budget.models import BudgetYear, CatalogueItem, Expense, ExtraAllocation, OptionCostLine
from pass_unit.roles import Role
from patients.models import SocialAssessment
from rcp.models import CaseOption
from tests.support.browser import screenshot
from tests.support.budget import BudgetYearFactory, CatalogueItemFactory, make_option
from tests.support.factories import PatientFactory
from tests.support.users import make_user

D = Decimal
SAVE = "form.card[method=post] button[type=submit]"  # not the navbar's logout form


def type_amount(page, name: str, text: str) -> None:
    """Clear the box, check it is a decimal text box, then type key by key."""
    box = page.locator(f"input[name='{name}']")
    expect(box).to_have_attribute("type", "text")
    expect(box).to_have_attribute("inputmode", "decimal")
    box.fill("")
    box.press_sequentially(text)


def submit(page, button: str = SAVE) -> None:
    form_url = page.url
    with page.expect_navigation():
        page.locator(button).first.click()
    assert page.url != form_url, page.locator(".invalid-feedback, .errorlist, .alert-danger").all_inner_texts()


def no_number_box(page) -> None:
    """Integers (children, a year) may keep the number box; decimals never."""
    names = page.locator("input[type=number]").evaluate_all("boxes => boxes.map(box => box.name)")
    assert set(names) <= {"children", "year", "estimated_birth_year"}, names


def test_it_stores_french_amounts_typed_into_every_money_field(live_server, page, new_context, log_in):
    social = make_user("social", Role.SOCIAL_WORKER)
    physician = make_user("medecin", Role.PHYSICIAN)
    coordinator = make_user("coordination", Role.COORDINATOR)
    year = timezone.localdate().year
    budget_year = BudgetYearFactory(year=year, allocation=D("185000.00"))
    item = CatalogueItemFactory(code="MED-PARA", name="Paracétamol 500 mg", unit_price=D("2.40"))
    patient = PatientFactory(last_name="Diallo", first_name="Aminata")
    option = make_option(patient, physician)
    case = option.case_review

    # The social worker: the monthly income of the social assessment.
    log_in(page, social)
    page.goto(f"{live_server.url}/patients/{patient.pk}/assessments/new/")
    no_number_box(page)
    page.locator("select[name=housing]").select_option("street")
    page.locator("select[name=resources]").select_option("salary")
    type_amount(page, "monthly_income", "12,5")
    submit(page)
    assert SocialAssessment.objects.get(patient=patient).monthly_income == D("12.50")  # not 125,00 €

    # The physician in RCP: an option's estimated cost; then its costing from the catalogue.
    page = new_context().new_page()
    log_in(page, physician)
    page.goto(f"{live_server.url}/rcp/cases/{case.pk}/")
    no_number_box(page)
    page.locator("input[name=option-description]").fill("Hôtel social trois mois")
    type_amount(page, "option-estimated_cost", "1 234,56")
    submit(page, "[data-testid=add-option]")
    assert CaseOption.objects.get(description="Hôtel social trois mois").estimated_cost == D("1234.56")

    # "1e9" is refused in French, and stays in the box to be corrected.
    page.locator("input[name=option-description]").fill("Erreur de frappe")
    type_amount(page, "option-estimated_cost", "1e9")
    page.locator("[data-testid=add-option]").click()
    box = page.locator("input[name=option-estimated_cost]")
    expect(box).to_have_value("1e9")
    expect(page.locator("#options, form[action$='/options/']").first).to_contain_text("Saisissez un montant en euros")
    assert not CaseOption.objects.filter(description="Erreur de frappe").exists()
    screenshot(page, "money-01-option-1e9-refused")

    page.goto(f"{live_server.url}/budget/rcp-option/{option.pk}/")
    no_number_box(page)
    page.locator("select[name=cost-catalogue_item]").select_option(str(item.pk))
    type_amount(page, "cost-quantity", "1,5")
    with page.expect_navigation():
        page.locator("[data-testid=add-cost-line]").click()
    line = OptionCostLine.objects.get(option=option)
    assert (line.quantity, line.amount) == (D("1.50"), D("3.60"))

    # The physician dispenses: a quantity of a catalogue item and a free amount.
    page.goto(f"{live_server.url}/budget/patients/{patient.pk}/dispense/")
    no_number_box(page)
    type_amount(page, f"qty_{item.pk}", "2,5")
    page.locator("select[name=free_category]").select_option("transport")
    page.locator("input[name=free_description]").fill("Taxi vers l'hôpital")
    type_amount(page, "free_amount", "1 234,56")
    submit(page, "[data-testid=charge]")
    dispensed = Expense.objects.filter(patient=patient)
    assert dispensed.get(catalogue_item=item).quantity == D("2.50")
    assert dispensed.get(catalogue_item=None).amount == D("1234.56")

    # The coordinator: an expense of the unit, a catalogue price, next year's credit, an extra credit.
    page = new_context().new_page()
    log_in(page, coordinator)
    page.goto(f"{live_server.url}/budget/expenses/new/")
    no_number_box(page)
    page.locator("select[name=category]").select_option("interpreting")
    page.locator("input[name=description]").fill("Interprétariat téléphonique")
    type_amount(page, "amount", "12,5")
    submit(page)
    assert Expense.objects.get(description="Interprétariat téléphonique").amount == D("12.50")

    page.goto(f"{live_server.url}/budget/catalogue/new/")
    no_number_box(page)
    page.locator("input[name=code]").fill("LAB-NFS")
    page.locator("input[name=name]").fill("Numération formule sanguine")
    page.locator("select[name=category]").select_option("lab")
    page.locator("input[name=unit]").fill("examen")
    type_amount(page, "unit_price", "8,1")
    submit(page)
    assert CatalogueItem.objects.get(code="LAB-NFS").unit_price == D("8.10")

    page.goto(f"{live_server.url}/budget/years/new/")
    no_number_box(page)
    page.locator("input[name=year]").fill(str(year + 1))
    type_amount(page, "allocation", "172 500,5")
    type_amount(page, "warning_pct", "75,5")
    type_amount(page, "critical_pct", "90")
    submit(page)
    next_year = BudgetYear.objects.get(year=year + 1)
    assert (next_year.allocation, next_year.warning_pct, next_year.critical_pct) == (
        D("172500.50"),
        D("75.5"),
        D("90.0"),
    )

    page.goto(f"{live_server.url}/budget/{year}/allocations/new/")
    no_number_box(page)
    page.locator("input[name=label]").fill("Deuxième circulaire")
    page.locator("input[name=granted_on]").fill((timezone.localdate() - timedelta(days=1)).isoformat())
    type_amount(page, "amount", "1 234,56")
    submit(page)
    assert ExtraAllocation.objects.get(budget_year=budget_year).amount == D("1234.56")

    # The year's own form shows the stored credit the French way, ready to be typed over.
    page.goto(f"{live_server.url}/budget/{year}/edit/")
    expect(page.locator("input[name=allocation]")).to_have_value("185\u00a0000,00")
    type_amount(page, "allocation", "190 000")
    submit(page)
    budget_year.refresh_from_db()
    assert budget_year.allocation == D("190000.00")
