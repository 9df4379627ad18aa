"""The budget pages: what each role sees and may do, bad input refused with the typed values kept."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from budget.models import BudgetYear, CatalogueItem, Category, Expense
from pass_unit.models import AuditEvent
from pass_unit.templatetags.pass_extras import money
from tests.support.budget import BudgetYearFactory, CatalogueItemFactory, ExpenseFactory
from tests.support.factories import PatientFactory, VisitFactory

pytestmark = pytest.mark.django_db
D = Decimal
S = Expense.Status


def euros(amount) -> str:
    with translation.override("fr"):
        return money(amount)


def text_of(html: str, name: str) -> str:
    """The text inside the element carrying data-testid=name."""
    match = re.search(rf'data-testid="{name}"[^>]*>(.*?)<', html, re.S)
    assert match, f"no {name} in the page"
    return match.group(1).strip()


@pytest.fixture
def catalogue():
    return {
        "para": CatalogueItemFactory(code="MED-PARA500", name="Paracétamol 500 mg", unit_price=D("1.20")),
        "xray": CatalogueItemFactory(
            code="IMG-RXTHO", name="Radiographie du thorax", category=Category.IMAGING, unit_price=D("21.28")
        ),
        "old": CatalogueItemFactory(code="MED-OLD", name="Ancien article", active=False),
    }


@pytest.fixture
def patient(nurse):
    patient = PatientFactory(last_name="Diallo", first_name="Aminata")
    patient.visit = VisitFactory(patient=patient, professional=nurse, kind="nursing")
    return patient


# --------------------------------------------------------------------------- dashboard


def test_the_dashboard_shows_the_year_to_the_cent(login, coordinator, nurse):
    BudgetYearFactory(allocation=D("100000.00"), warning_pct=60, critical_pct=90)
    ExpenseFactory(amount=D("60000.10"), created_by=nurse, status=S.PAID, paid_on=timezone.localdate())
    ExpenseFactory(amount=D("0.45"), created_by=nurse, status=S.PLANNED)
    html = login(coordinator).get(reverse("budget:dashboard")).content.decode()

    assert text_of(html, "committed") == euros(D("60000.10"))
    assert text_of(html, "remaining") == euros(D("39999.90"))
    assert text_of(html, "planned") == euros(D("0.45"))
    assert text_of(html, "total-committed") == euros(D("60000.10"))
    assert 'data-testid="budget-alert" data-level="warning"' in html
    assert "<script" not in html.split("<main", 1)[1].split("</main>")[0]  # charts are plain SVG
    assert 'data-testid="burn-up-chart"' in html and 'data-testid="category-chart"' in html


def test_a_year_without_allocation_says_so_and_a_silly_year_is_not_found(login, social):
    client = login(social)
    html = client.get(reverse("budget:year", args=[2019])).content.decode()
    assert 'data-testid="no-allocation"' in html
    assert client.get("/budget/1999/").status_code == 404
    assert client.get("/budget/99999999999999999999/").status_code == 404


def test_the_home_dashboard_shows_the_alert_to_budget_readers_only(login, personas, nurse):
    BudgetYearFactory(allocation=D("1000.00"))
    ExpenseFactory(amount=D("960.00"), created_by=nurse)
    for persona in ("social", "nurse", "physician", "coordinator", "admin_user"):
        html = login(personas[persona]).get(reverse("home")).content.decode()
        assert 'data-testid="budget-panel" data-level="critical"' in html, persona
        assert text_of(html, "budget-panel-pct").startswith("96")
    for persona in ("reception", "psychologist", "outsider"):
        html = login(personas[persona]).get(reverse("home")).content.decode()
        assert 'data-testid="budget-panel"' not in html, persona


# --------------------------------------------------------------------------- the patient file


def test_the_patient_file_shows_costs_and_the_dispense_button_by_role(login, personas, patient, nurse):
    ExpenseFactory(patient=patient, amount=D("12.15"), category=Category.MEDICINES, created_by=nurse)
    ExpenseFactory(patient=patient, amount=D("0.85"), category=Category.LAB, created_by=nurse)
    dispense = reverse("budget:dispense", args=[patient.pk])
    for persona, sees_costs, may_dispense in [
        ("nurse", True, True),
        ("physician", True, True),
        ("social", True, False),
        ("coordinator", True, False),
        ("admin_user", True, False),
        ("reception", False, False),
        ("psychologist", False, False),
    ]:
        html = login(personas[persona]).get(reverse("patients:detail", args=[patient.pk])).content.decode()
        assert ('data-testid="patient-costs"' in html) is sees_costs, persona
        assert (f'href="{dispense}"' in html) is may_dispense, persona
        if sees_costs:
            assert text_of(html, "patient-costs-total") == euros(D("13.00"))


# --------------------------------------------------------------------------- dispensing


def post_dispense(client, patient, **data):
    return client.post(reverse("budget:dispense", args=[patient.pk]), {"status": "committed", **data})


def test_a_nurse_dispenses_with_french_quantities(login, nurse, patient, catalogue):
    client = login(nurse)
    page = client.get(reverse("budget:dispense", args=[patient.pk]), {"visit": patient.visit.pk})
    html = page.content.decode()
    assert f'name="qty_{catalogue["para"].pk}"' in html
    assert f'name="qty_{catalogue["old"].pk}"' not in html  # inactive items are not offered
    assert page.context["form"].initial["visit"] == patient.visit.pk

    response = post_dispense(
        client,
        patient,
        visit=patient.visit.pk,
        spent_on=timezone.localdate().isoformat(),
        **{f"qty_{catalogue['para'].pk}": "2", f"qty_{catalogue['xray'].pk}": "1,5"},
        free_category="transport",
        free_description="Taxi retour",
        free_amount="12,5",
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("patients:detail", args=[patient.pk])
    rows = list(Expense.objects.order_by("amount").values_list("catalogue_item", "quantity", "amount", "visit"))
    assert rows == [
        (catalogue["para"].pk, D("2.00"), D("2.40"), patient.visit.pk),
        (None, D("1.00"), D("12.50"), patient.visit.pk),
        (catalogue["xray"].pk, D("1.50"), D("31.92"), patient.visit.pk),
    ]
    assert AuditEvent.objects.filter(action="create", object_type="budget.expense", patient=patient).count() == 3


@pytest.mark.parametrize(
    ("quantity", "free_amount"),
    [("abc", ""), ("-2", ""), ("0", ""), ("1,234", ""), ("99999", ""), ("", "abc"), ("", "-5"), ("", "1000000")],
)
def test_bad_amounts_are_refused_with_the_typed_values_kept(login, nurse, patient, catalogue, quantity, free_amount):
    field = f"qty_{catalogue['para'].pk}"
    data = {field: quantity, f"qty_{catalogue['xray'].pk}": "1"}
    if free_amount:
        data |= {"free_category": "other", "free_description": "Divers", "free_amount": free_amount}
    response = post_dispense(login(nurse), patient, spent_on=timezone.localdate().isoformat(), **data)

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors
    html = response.content.decode()
    assert 'data-testid="form-errors"' in html
    if quantity:
        assert form.errors[field]
        assert f'value="{quantity}"' in html
    else:
        assert form.errors["free_amount"]
        assert f'value="{free_amount}"' in html
    assert 'value="1"' in html  # the other, valid quantity is kept too
    assert not Expense.objects.exists()


def test_an_empty_or_half_filled_form_is_refused(login, nurse, patient, catalogue):
    client = login(nurse)
    response = post_dispense(client, patient, spent_on=timezone.localdate().isoformat())
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    response = post_dispense(client, patient, spent_on=timezone.localdate().isoformat(), free_amount="12")
    assert set(response.context["form"].errors) == {"free_category", "free_description"}
    assert not Expense.objects.exists()


def test_a_visit_of_another_patient_cannot_be_used(login, nurse, patient, catalogue):
    other_visit = VisitFactory(professional=nurse)
    response = post_dispense(
        login(nurse),
        patient,
        visit=other_visit.pk,
        spent_on=timezone.localdate().isoformat(),
        **{f"qty_{catalogue['para'].pk}": "1"},
    )
    assert response.status_code == 200 and response.context["form"].errors["visit"]
    assert not Expense.objects.exists()


def test_prescribing_for_later_is_planned_but_dispensing_later_is_refused(login, nurse, patient, catalogue):
    later = (timezone.localdate() + timedelta(days=10)).isoformat()
    client = login(nurse)
    qty = {f"qty_{catalogue['xray'].pk}": "1"}
    response = post_dispense(client, patient, spent_on=later, **qty)
    assert response.status_code == 200 and response.context["form"].errors["spent_on"]
    response = client.post(
        reverse("budget:dispense", args=[patient.pk]), {"status": "planned", "spent_on": later, **qty}
    )
    assert response.status_code == 302
    assert Expense.objects.get().status == S.PLANNED


@pytest.mark.parametrize("persona", ["reception", "social", "psychologist", "coordinator", "admin_user"])
def test_other_roles_cannot_dispense(login, personas, persona, patient, catalogue):
    response = post_dispense(
        login(personas[persona]),
        patient,
        spent_on=timezone.localdate().isoformat(),
        **{f"qty_{catalogue['para'].pk}": "1"},
    )
    assert response.status_code == 403
    assert not Expense.objects.exists()


# --------------------------------------------------------------------------- expenses


def test_a_unit_expense_is_read_the_french_way(login, coordinator):
    response = login(coordinator).post(
        reverse("budget:expense-create"),
        {
            "spent_on": timezone.localdate().isoformat(),
            "category": "interpreting",
            "description": "Facture mensuelle",
            "amount": "1 234,5",
            "status": "committed",
        },
    )
    expense = Expense.objects.get()
    assert response["Location"] == reverse("budget:expense-detail", args=[expense.pk])
    assert (expense.amount, expense.patient, expense.created_by) == (D("1234.50"), None, coordinator)


def test_items_of_patients_are_shown_to_medical_roles_only(login, personas, patient, catalogue, nurse):
    secret = ExpenseFactory(
        patient=patient,
        catalogue_item=catalogue["para"],
        unit_price=D("1.20"),
        quantity=2,
        amount=D("2.40"),
        category=Category.MEDICINES,
        created_by=nurse,
    )
    ExpenseFactory(description="Facture interprétariat", category=Category.INTERPRETING, created_by=nurse)
    for persona, sees in [("nurse", True), ("physician", True), ("social", False), ("coordinator", False)]:
        client = login(personas[persona])
        listing = client.get(reverse("budget:expenses")).content.decode()
        detail = client.get(reverse("budget:expense-detail", args=[secret.pk])).content.decode()
        assert ("Paracétamol" in listing) is sees, persona
        assert ("Paracétamol" in detail) is sees, persona
        assert "Facture interprétariat" in listing  # the unit's own expenses are not secret


def test_reading_a_patients_expenses_is_logged(login, nurse, patient):
    ExpenseFactory(patient=patient, created_by=nurse)
    login(nurse).get(reverse("budget:expenses"), {"patient": patient.pk})
    assert AuditEvent.objects.filter(action="view_medical", patient=patient, username="nurse").exists()


def test_an_expense_is_committed_paid_and_cancelled_from_its_page(login, nurse, coordinator, patient):
    expense = ExpenseFactory(patient=patient, created_by=nurse, status=S.PLANNED)
    url = reverse("budget:expense-detail", args=[expense.pk])
    assert login(nurse).post(url, {"status": "committed"}).status_code == 302
    client = login(coordinator)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert client.post(url, {"status": "paid", "paid_on": yesterday}).status_code == 302
    expense.refresh_from_db()
    assert (expense.status, expense.paid_on.isoformat()) == (S.PAID, yesterday)

    cancel = reverse("budget:expense-cancel", args=[expense.pk])
    response = client.post(cancel, {"reason": "   "})
    assert response.status_code == 200 and response.context["form"].errors["reason"]
    assert client.post(cancel, {"reason": "Doublon"}).status_code == 302
    expense.refresh_from_db()
    assert (expense.status, expense.cancel_reason) == (S.CANCELLED, "Doublon")
    # Still listed, struck through; a second cancellation is refused politely.
    assert str(expense.pk) in client.get(reverse("budget:expenses")).content.decode()
    assert client.post(cancel, {"reason": "Encore"}).status_code == 302
    expense.refresh_from_db()
    assert expense.cancel_reason == "Doublon"


@pytest.mark.parametrize("persona", ["social", "admin_user"])
def test_readers_cannot_change_an_expense(login, personas, persona, nurse):
    expense = ExpenseFactory(created_by=nurse)
    client = login(personas[persona])
    assert client.post(reverse("budget:expense-detail", args=[expense.pk]), {"status": "paid"}).status_code == 403
    assert client.post(reverse("budget:expense-cancel", args=[expense.pk]), {"reason": "x"}).status_code == 403
    expense.refresh_from_db()
    assert expense.status == S.COMMITTED


@pytest.mark.parametrize("persona", ["reception", "psychologist", "outsider"])
def test_an_expense_does_not_exist_for_non_readers(login, personas, persona, nurse):
    expense = ExpenseFactory(created_by=nurse)
    client = login(personas[persona])
    assert client.get(reverse("budget:expense-detail", args=[expense.pk])).status_code == 404
    assert client.post(reverse("budget:expense-cancel", args=[expense.pk]), {"reason": "x"}).status_code == 404
    assert client.get(reverse("budget:expenses")).status_code == 403


# --------------------------------------------------------------------------- catalogue and years


def test_the_coordinator_manages_the_catalogue(login, coordinator, catalogue):
    client = login(coordinator)
    response = client.post(
        reverse("budget:catalogue-create"),
        {"code": "lab-nfs", "name": "NFS", "category": "lab", "unit": "examen", "unit_price": "7,56", "active": "on"},
    )
    assert response.status_code == 302
    item = CatalogueItem.objects.get(code="LAB-NFS")
    assert item.unit_price == D("7.56")
    response = client.post(
        reverse("budget:catalogue-create"),
        {"code": "LAB-NFS", "name": "Doublon", "category": "lab", "unit_price": "abc"},
    )
    assert set(response.context["form"].errors) == {"code", "unit_price"}
    assert 'value="abc"' in response.content.decode()
    response = client.post(
        reverse("budget:catalogue-edit", args=[item.pk]),
        {"code": "LAB-NFS", "name": "NFS", "category": "lab", "unit_price": "8"},  # "active" unticked
    )
    item.refresh_from_db()
    assert (item.unit_price, item.active) == (D("8.00"), False)
    html = client.get(reverse("budget:catalogue"), {"q": "radiographie thorax"}).content.decode()
    assert "IMG-RXTHO" in html and "MED-PARA500" not in html


@pytest.mark.parametrize("persona", ["nurse", "physician", "social", "admin_user"])
def test_others_cannot_change_the_catalogue(login, personas, persona, catalogue):
    client = login(personas[persona])
    data = {"code": "X", "name": "X", "category": "lab", "unit_price": "1"}
    assert client.post(reverse("budget:catalogue-create"), data).status_code == 403
    assert client.post(reverse("budget:catalogue-edit", args=[catalogue["para"].pk]), data).status_code == 403
    assert not CatalogueItem.objects.filter(code="X").exists()


def test_the_coordinator_records_a_year_and_its_thresholds(login, coordinator):
    client = login(coordinator)
    data = {"year": "2026", "allocation": "175 000", "warning_pct": "85", "critical_pct": "80"}
    response = client.post(reverse("budget:year-create"), data)
    assert response.context["form"].errors["critical_pct"]
    assert not BudgetYear.objects.exists()
    response = client.post(reverse("budget:year-create"), data | {"critical_pct": "97,5"})
    assert response["Location"] == reverse("budget:year", args=[2026])
    year = BudgetYear.objects.get()
    assert (year.allocation, year.warning_pct, year.critical_pct) == (D("175000.00"), D("85.0"), D("97.5"))
    response = client.post(reverse("budget:allocation-create", args=[2026]), {"label": "2e circulaire", "amount": "0"})
    assert response.context["form"].errors["amount"]
    client.post(
        reverse("budget:allocation-create", args=[2026]),
        {"label": "2e circulaire", "amount": "12 500,00", "granted_on": timezone.localdate().isoformat()},
    )
    html = client.get(reverse("budget:year", args=[2026])).content.decode()
    assert text_of(html, "available") == euros(D("187500.00"))
    response = client.post(reverse("budget:year-create"), data | {"critical_pct": "99"})
    assert response.context["form"].errors["year"]  # already recorded


def test_the_costliest_patients_page_lists_them(login, physician, nurse):
    rich, poor = PatientFactory(last_name="Premier"), PatientFactory(last_name="Second")
    ExpenseFactory(patient=rich, amount=D("7995.00"), category=Category.MEDICINES, created_by=nurse)
    ExpenseFactory(patient=poor, amount=D("50.00"), created_by=nurse)
    response = login(physician).get(reverse("budget:costliest-patients", args=[timezone.localdate().year]))
    html = response.content.decode()
    assert html.count('data-testid="costly-patient"') == 2
    assert html.index("PREMIER") < html.index("SECOND")


def test_care_decided_in_rcp_is_tied_to_the_decision(login, physician, patient, catalogue):
    from rcp.models import CaseReview
    from tests.support.budget import make_option

    case = make_option(patient, physician).case_review
    CaseReview.objects.filter(pk=case.pk).update(decision="Radiographie puis avis.")
    elsewhere = make_option(PatientFactory(), physician).case_review
    CaseReview.objects.filter(pk=elsewhere.pk).update(decision="Autre patient.")
    client = login(physician)
    qty = {f"qty_{catalogue['xray'].pk}": "1", "spent_on": timezone.localdate().isoformat()}

    response = post_dispense(client, patient, case_review=elsewhere.pk, **qty)
    assert response.status_code == 200 and response.context["form"].errors["case_review"]
    response = post_dispense(client, patient, case_review=case.pk, **qty)
    assert response.status_code == 302
    assert Expense.objects.get().case_review == case


def test_the_catalogue_reads_in_french_order_medicines_first(login, nurse):
    for name, category in [
        ("Radiographie du thorax", Category.IMAGING),
        ("IRM", Category.IMAGING),
        ("Échographie abdominale", Category.IMAGING),
        ("Paracétamol", Category.MEDICINES),
    ]:
        CatalogueItemFactory(name=name, category=category)
    page = login(nurse).get(reverse("budget:catalogue")).context["page"]
    assert [item.name for item in page] == ["Paracétamol", "Échographie abdominale", "IRM", "Radiographie du thorax"]


def test_an_allocation_is_shown_grouped_and_read_back(login, coordinator):
    BudgetYearFactory(year=2026, allocation=D("175000.00"))
    client = login(coordinator)
    html = client.get(reverse("budget:year-edit", args=[2026])).content.decode()
    assert 'value="175\u00a0000,00"' in html
    response = client.post(
        reverse("budget:year-edit", args=[2026]),
        {"allocation": "175\u00a0000,00", "warning_pct": "80,0", "critical_pct": "95,0"},
    )
    assert response.status_code == 302
    assert BudgetYear.objects.get().allocation == D("175000.00")


def test_an_invalid_filter_is_said_on_the_form_and_the_valid_ones_still_apply(login, coordinator, patient):
    today = timezone.localdate()
    ExpenseFactory(patient=patient, created_by=coordinator, spent_on=today, status=Expense.Status.PAID, paid_on=today)
    ExpenseFactory(patient=patient, created_by=coordinator, spent_on=today, status=Expense.Status.PLANNED)
    response = login(coordinator).get(reverse("budget:expenses"), {"year": "1999", "status": "paid"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="form-errors"' in html and 'value="1999"' in html  # said, and what was typed kept
    assert [e.status for e in response.context["page"]] == [Expense.Status.PAID]  # the status filter applies
    assert response.context["year"] == today.year  # the invalid year is left out: the current year
