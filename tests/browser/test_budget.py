"""The MIG budget in a real browser: a nurse dispenses from a visit, the coordinator follows the money.

Elements are found by input names, URLs and data-testid, never by visible wording (the
interface is translated later). Run on your own database:

    PASS_UNIT_TEST_DB=test_budget_browser .venv/bin/pytest tests/browser/test_budget.py
"""

import io
import random
from datetime import timedelta
from decimal import Decimal

import openpyxl
from django.utils import timezone, translation
from playwright.sync_api import expect

from budget import demo, selectors
from budget.models import BudgetYear, CatalogueItem, Expense
from pass_unit.roles import Role
from pass_unit.templatetags.pass_extras import money
from patients.models import Visit
from tests.support.browser import screenshot
from tests.support.factories import PatientFactory, VisitFactory
from tests.support.users import make_user

CHARGE = "[data-testid=charge]"


def euros(amount: Decimal) -> str:
    with translation.override("fr"):
        return money(amount)


def _world():
    """A unit in mid-year: the demo catalogue, years and expenses, and a patient seen today by a nurse."""
    nurse = make_user("infirmier", Role.NURSE, last_name="Mercier")
    physician = make_user("medecin", Role.PHYSICIAN, last_name="Vasseur")
    coordinator = make_user("coordination", Role.COORDINATOR, last_name="Lemoine")
    patients = [PatientFactory(last_name=f"Patient{n}") for n in range(8)]
    for n, patient in enumerate(patients):
        for days in range(3, 300, 25):
            VisitFactory(
                patient=patient,
                kind=Visit.Kind.MEDICAL if n % 2 else Visit.Kind.NURSING,
                professional=physician if n % 2 else nurse,
                occurred_at=timezone.now() - timedelta(days=days),
            )
    users = {"infirmier": nurse, "medecin": physician, "coordination": coordinator}
    demo.seed(rng=random.Random(3), users=users, patients=patients)
    amina = PatientFactory(last_name="Diallo", first_name="Aminata")
    visit = VisitFactory(
        patient=amina,
        kind=Visit.Kind.NURSING,
        professional=nurse,
        occurred_at=timezone.now() - timedelta(minutes=30),
        reason="Pansement et bilan",
    )
    return nurse, coordinator, amina, visit


def test_a_nurse_dispenses_from_a_visit_and_the_coordinator_follows(live_server, page, new_context, log_in, axe_check):
    nurse, coordinator, patient, visit = _world()
    year = timezone.localdate().year
    committed_before = selectors.year_summary(year).committed

    # The coordinator looks at the dashboard first.
    coordinator_page = new_context().new_page()
    log_in(coordinator_page, coordinator)
    coordinator_page.goto(live_server.url + "/budget/")
    expect(coordinator_page.locator("[data-testid=committed]")).to_have_text(euros(committed_before))
    expect(coordinator_page.locator("[data-testid=burn-up-chart]")).to_be_visible()
    expect(coordinator_page.locator("[data-testid=category-chart] rect").first).to_be_visible()
    screenshot(coordinator_page, "budget-01-dashboard")

    # The nurse opens the patient's file and the dispensing form from its button.
    log_in(page, nurse)
    file_path = f"/patients/{patient.pk}/"
    page.goto(live_server.url + file_path)
    expect(page.locator("[data-testid=patient-costs]")).to_be_visible()
    page.locator(f'main a.btn[href="/budget/patients/{patient.pk}/dispense/"]').click()
    page.wait_for_url(f"**/budget/patients/{patient.pk}/dispense/")
    page.locator("select[name=visit]").select_option(str(visit.pk))

    # She finds two items with the search box and gives their quantities.
    paracetamol = CatalogueItem.objects.get(code="MED-PARA500")
    dressing = CatalogueItem.objects.get(code="MED-PANS")
    search = page.locator("#catalogue-search")
    search.fill("paracetamol")
    expect(page.locator("[data-testid=pick-MED-PANS]")).to_be_hidden()
    page.locator(f"input[name=qty_{paracetamol.pk}]").fill("2")
    search.fill("pansement")
    expect(page.locator("[data-testid=pick-MED-PARA500]")).to_be_visible()  # picked rows stay in view
    page.locator(f"input[name=qty_{dressing.pk}]").fill("1,5")
    total = Decimal("2") * paracetamol.unit_price + (Decimal("1.5") * dressing.unit_price).quantize(Decimal("0.01"))
    expect(page.locator("#dispense-total")).to_have_text(euros(total))
    screenshot(page, "budget-02-dispense")
    axe_check(page, "dispense")
    page.locator(CHARGE).click()
    page.wait_for_url(live_server.url + file_path)

    charged = Expense.objects.filter(patient=patient).order_by("amount")
    assert [(e.catalogue_item_id, e.quantity, e.amount, e.visit_id) for e in charged] == [
        (paracetamol.pk, Decimal("2.00"), Decimal("2.40"), visit.pk),
        (dressing.pk, Decimal("1.50"), Decimal("9.75"), visit.pk),
    ]
    assert all(e.status == Expense.Status.COMMITTED and e.created_by == nurse for e in charged)
    expect(page.locator("[data-testid=patient-costs-total]").first).to_have_text(euros(Decimal("12.15")))
    screenshot(page, "budget-03-patient-file-costs")

    # The coordinator's dashboards have moved by exactly what was charged.
    coordinator_page.goto(live_server.url + "/")
    expect(coordinator_page.locator("[data-testid=budget-panel]")).to_be_visible()
    screenshot(coordinator_page, "budget-00-home-panel")
    coordinator_page.goto(live_server.url + "/budget/")
    expect(coordinator_page.locator("[data-testid=committed]")).to_have_text(euros(committed_before + Decimal("12.15")))

    # She downloads the year's XLSX for the finance department: the two lines are in it.
    coordinator_page.goto(live_server.url + "/budget/export/")
    screenshot(coordinator_page, "budget-04-export")
    with coordinator_page.expect_download() as download_info:
        coordinator_page.locator("[data-testid=export-xlsx]").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(open(download.path(), "rb").read()))  # noqa: SIM115
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    line_ids = {str(e.pk) for e in charged}
    exported = [row for row in rows if row[-1] in line_ids]
    assert sorted(Decimal(str(row[7])) for row in exported) == [Decimal("2.40"), Decimal("9.75")]
    assert sheet.cell(row=2, column=8).number_format == '#,##0.00 "€"'
    assert BudgetYear.objects.filter(year=year).exists()


def test_the_coordinator_imports_follows_and_corrects(live_server, page, new_context, log_in, tmp_path, axe_check):
    nurse, coordinator, patient, _visit = _world()
    physician = make_user("physician2", Role.PHYSICIAN, last_name="Hamdani")
    log_in(page, coordinator)
    year = timezone.localdate().year
    submit = "main form[method=post] button[type=submit]"

    # About 70 % spent: lowering the warning threshold to 60 % turns the alert on.
    page.goto(live_server.url + f"/budget/{year}/")
    expect(page.locator("[data-testid=budget-alert]")).to_have_attribute("data-level", "ok")
    page.goto(live_server.url + f"/budget/{year}/edit/")
    page.locator("input[name=warning_pct]").fill("60")
    page.locator("input[name=critical_pct]").fill("55")
    page.locator(submit).click()
    expect(page.locator("input[name=critical_pct].is-invalid")).to_have_value("55")
    screenshot(page, "budget-13-year-thresholds-error")
    page.locator("input[name=critical_pct]").fill("92,5")
    page.locator(submit).click()
    page.wait_for_url(f"**/budget/{year}/")
    expect(page.locator("[data-testid=budget-alert]")).to_have_attribute("data-level", "warning")

    # An extra allocation raises what is available, to the cent.
    available = selectors.year_summary(year).available
    page.goto(live_server.url + f"/budget/{year}/allocations/new/")
    page.locator("input[name=label]").fill("Crédit complémentaire ARS")
    page.locator("input[name=amount]").fill("4 999,99")
    page.locator(submit).click()
    page.wait_for_url(f"**/budget/{year}/")
    expect(page.locator("[data-testid=available]")).to_have_text(euros(available + Decimal("4999.99")))

    # The interpreting service's invoice, for the unit: "abc" is refused, then the French amount read.
    page.goto(live_server.url + "/budget/expenses/new/")
    page.locator("select[name=category]").select_option("interpreting")
    page.locator("input[name=description]").fill("Facture ISM novembre")
    page.locator("input[name=amount]").fill("abc")
    page.locator(submit).click()
    expect(page.locator("input[name=amount].is-invalid")).to_have_value("abc")
    expect(page.locator("input[name=description]")).to_have_value("Facture ISM novembre")
    screenshot(page, "budget-14-unit-expense-error")
    page.locator("input[name=amount]").fill("1 234,5")
    page.locator(submit).click()
    page.wait_for_url("**/budget/expenses/*/")
    assert Expense.objects.filter(description="Facture ISM novembre", amount=Decimal("1234.50")).exists()

    # A pharmacy file with one unknown file number: the report lists it, nothing is imported.
    bad = tmp_path / "pui-bad.csv"
    good = tmp_path / "pui.csv"
    header = "date;dossier;article;quantite;montant\n"
    today = timezone.localdate().strftime("%d/%m/%Y")
    bad.write_text(header + f"{today};{patient.file_number};MED-ARV;1;590,00\n{today};PASS-1999-00001;MED-ARV;1;590\n")
    good.write_text(
        header + f"{today};{patient.file_number};MED-ARV;1;590,00\n{today};{patient.file_number};LAB-SERO;1;61,2\n"
    )
    before = Expense.objects.count()
    page.goto(live_server.url + "/budget/imports/new/")
    page.locator("input[name=file]").set_input_files(str(bad))
    page.locator("main form[method=post] button[type=submit]").click()
    expect(page.locator("[data-testid=rejected-row]")).to_have_count(1)
    expect(page.locator("[data-testid=rejected-row]")).to_have_attribute("data-line", "3")
    screenshot(page, "budget-05-import-refused")
    axe_check(page, "pharmacy import refused")
    assert Expense.objects.count() == before
    page.locator("input[name=file]").set_input_files(str(good))
    page.locator("main form[method=post] button[type=submit]").click()
    expect(page.locator("[data-testid=import-total]")).to_have_text(euros(Decimal("651.20")))
    screenshot(page, "budget-06-import-done")
    assert Expense.objects.count() == before + 2

    # The expense list, then one line: the coordinator sees the category, not the medicine.
    page.goto(live_server.url + f"/budget/expenses/?patient={patient.pk}")
    expect(page.locator("[data-testid=expense-row]")).to_have_count(2)
    expect(page.locator("main")).not_to_contain_text("Antirétroviraux")
    screenshot(page, "budget-07-expenses-of-a-patient")
    expense = Expense.objects.filter(patient=patient, amount=Decimal("61.20")).get()
    page.goto(live_server.url + f"/budget/expenses/{expense.pk}/")
    page.locator("[data-testid=to-paid]").click()
    expect(page.locator("[data-testid=expense] .badge, h1 .badge").first).to_be_visible()
    expense.refresh_from_db()
    assert expense.status == Expense.Status.PAID
    page.goto(live_server.url + f"/budget/expenses/{expense.pk}/cancel/")
    page.locator("input[name=reason]").fill("Sérologie facturée deux fois")
    page.locator("main form[method=post] button[type=submit]").click()
    page.wait_for_url(f"**/budget/expenses/{expense.pk}/")
    screenshot(page, "budget-08-expense-cancelled")
    expense.refresh_from_db()
    assert (expense.status, expense.cancel_reason) == (Expense.Status.CANCELLED, "Sérologie facturée deux fois")

    # A bad price in the catalogue is refused and kept for correction.
    page.goto(live_server.url + "/budget/catalogue/new/")
    page.locator("input[name=code]").fill("LAB-FERR")
    page.locator("input[name=name]").fill("Ferritinémie")
    page.locator("select[name=category]").select_option("lab")
    page.locator("input[name=unit_price]").fill("-8,10")
    page.locator("main form[method=post] button[type=submit]").click()
    expect(page.locator("input[name=unit_price].is-invalid")).to_have_value("-8,10")
    screenshot(page, "budget-09-catalogue-error")
    page.locator("input[name=unit_price]").fill("8,10")
    page.locator("main form[method=post] button[type=submit]").click()
    page.wait_for_url("**/budget/catalogue/")
    assert CatalogueItem.objects.get(code="LAB-FERR").unit_price == Decimal("8.10")
    screenshot(page, "budget-10-catalogue")

    page.goto(live_server.url + f"/budget/{timezone.localdate().year}/patients/")
    expect(page.locator("[data-testid=costly-patient]").first).to_be_visible()
    screenshot(page, "budget-11-costliest-patients")

    # A physician prices the options of an RCP case from the catalogue.
    from tests.support.budget import make_option

    option = make_option(patient, physician, retained=True)
    physician_page = new_context().new_page()
    log_in(physician_page, physician)
    physician_page.goto(live_server.url + f"/budget/rcp-option/{option.pk}/")
    physician_page.locator("select[name=cost-catalogue_item]").select_option(
        str(CatalogueItem.objects.get(code="MED-VHC").pk)
    )
    physician_page.locator("input[name=cost-quantity]").fill("3")
    physician_page.locator("[data-testid=add-cost-line]").click()
    expect(physician_page.locator("[data-testid=option-cost]")).to_contain_text(euros(Decimal("23985.00")))
    screenshot(physician_page, "budget-12-rcp-option")
