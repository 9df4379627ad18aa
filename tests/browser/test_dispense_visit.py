"""Charging from a visit in a real browser: a nurse records a visit, then charges a medicine from it.

Elements are found by input names, URLs and data-testid, never by visible wording. Run on your
own database:

    PASS_UNIT_TEST_DB=test_dispense_browser .venv/bin/pytest tests/browser/test_dispense_visit.py
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from budget.models import Expense
from pass_unit.roles import Role
from patients.models import Visit
from tests.support.browser import screenshot
from tests.support.budget import BudgetYearFactory, CatalogueItemFactory
from tests.support.factories import PatientFactory, VisitFactory
from tests.support.users import make_user

SUBMIT = "main form[method=post] button[type=submit]"


def test_a_nurse_charges_a_medicine_from_the_visit_she_just_recorded(live_server, page, log_in):
    nurse = make_user("infirmier", Role.NURSE, last_name="Mercier")
    physician = make_user("medecin", Role.PHYSICIAN, last_name="Vasseur")
    BudgetYearFactory()
    paracetamol = CatalogueItemFactory(code="MED-PARA500", name="Paracétamol 500 mg", unit_price=Decimal("1.20"))
    patient = PatientFactory(last_name="Diallo", first_name="Aminata")
    earlier = VisitFactory(
        patient=patient, professional=physician, kind=Visit.Kind.MEDICAL, occurred_at=timezone.now() - timedelta(days=7)
    )
    file_path = f"/patients/{patient.pk}/"
    dispense_path = f"/budget/patients/{patient.pk}/dispense/"

    # The nurse records today's nursing visit.
    log_in(page, nurse)
    page.goto(live_server.url + file_path)
    page.locator(f'main a[href="{file_path}visits/new/"]').click()
    page.locator("select[name=kind]").select_option(Visit.Kind.NURSING)
    page.locator("input[name=reason]").fill("Pansement")
    page.locator(SUBMIT).click()
    page.wait_for_url(live_server.url + file_path)
    visit = Visit.objects.get(patient=patient, professional=nurse)

    # Each visit of the file has its own "Dispenser / prescrire" link; she uses the one of her visit.
    visits = page.locator("[data-testid=visits]")
    expect(visits.locator("[data-testid=visit-actions] a")).to_have_count(2)
    expect(visits.locator(f'a[href="{dispense_path}?visit={earlier.pk}"]')).to_be_visible()
    screenshot(page, "dispense-visit-01-file")
    visits.locator(f'a[href="{dispense_path}?visit={visit.pk}"]').click()
    page.wait_for_url(f"**{dispense_path}?visit={visit.pk}")
    expect(page.locator("select[name=visit]")).to_have_value(str(visit.pk))

    page.locator(f"input[name=qty_{paracetamol.pk}]").fill("2")
    screenshot(page, "dispense-visit-02-form")
    page.locator("[data-testid=charge]").click()
    page.wait_for_url(live_server.url + file_path)

    expense = Expense.objects.get(patient=patient)
    assert (expense.visit, expense.catalogue_item, expense.quantity, expense.amount, expense.created_by) == (
        visit,
        paracetamol,
        Decimal("2.00"),
        Decimal("2.40"),
        nurse,
    )

    # Opened from the file's own button, the page still picks her visit of the day.
    page.locator(f'main a.btn[href="{dispense_path}"]').click()
    page.wait_for_url(f"**{dispense_path}")
    expect(page.locator("select[name=visit]")).to_have_value(str(visit.pk))
