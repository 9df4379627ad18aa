"""Exports for the finance department, opened back with the csv module and openpyxl."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from budget import exports
from budget.models import Category, Expense
from pass_unit.models import AuditEvent
from tests.support.budget import CatalogueItemFactory, ExpenseFactory
from tests.support.factories import PatientFactory

pytestmark = pytest.mark.django_db
D = Decimal
S = Expense.Status
PERIOD = {"start": "2026-01-01", "end": "2026-12-31"}


@pytest.fixture
def expenses(nurse):
    amina = PatientFactory(last_name="Diallo", first_name="Aminata", file_number="PASS-2026-00012")
    arv = CatalogueItemFactory(code="MED-ARV", name="Antirétroviraux (1 mois)", unit_price=D("590.00"))
    dressing = CatalogueItemFactory(code="MED-PANS", name="Pansements", unit_price=D("6.50"))
    rows = [
        ExpenseFactory(
            patient=amina,
            catalogue_item=arv,
            category=Category.MEDICINES,
            unit_price=D("590.00"),
            quantity=D("2"),
            amount=D("1180.00"),
            spent_on=datetime.date(2026, 3, 2),
            status=S.PAID,
            paid_on=datetime.date(2026, 4, 1),
            created_by=nurse,
        ),
        ExpenseFactory(
            patient=amina,
            catalogue_item=dressing,
            category=Category.MEDICINES,
            unit_price=D("6.50"),
            quantity=D("1.5"),
            amount=D("9.75"),
            spent_on=datetime.date(2026, 3, 3),
            created_by=nurse,
        ),
        ExpenseFactory(
            category=Category.INTERPRETING,
            description='=HYPERLINK("http://evil.example")',
            amount=D("1234.56"),
            spent_on=datetime.date(2026, 3, 31),
            reference="ISM-2026-03",
            created_by=nurse,
        ),
        ExpenseFactory(
            patient=amina,
            category=Category.TRANSPORT,
            description="Taxi pour Mme Diallo",
            amount=D("35.00"),
            spent_on=datetime.date(2026, 4, 2),
            created_by=nurse,
        ),
    ]
    # Left out: planned, cancelled, another year.
    ExpenseFactory(amount=D("50.00"), status=S.PLANNED, spent_on=datetime.date(2026, 5, 1), created_by=nurse)
    ExpenseFactory(
        amount=D("60.00"),
        status=S.CANCELLED,
        cancel_reason="Doublon",
        cancelled_at=datetime.datetime(2026, 5, 2, tzinfo=datetime.UTC),
        created_by=nurse,
    )
    ExpenseFactory(amount=D("70.00"), spent_on=datetime.date(2025, 12, 31), created_by=nurse)
    return amina, rows


def column(name: str, *, pseudonymised: bool) -> int:
    return [c.key for c in exports.columns(pseudonymised=pseudonymised)].index(name)


def read_csv(response) -> list[list[str]]:
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")  # so that Excel reads the accents
    return list(csv.reader(io.StringIO(content[1:]), delimiter=";"))


def test_the_csv_is_french_and_complete(login, coordinator, expenses):
    amina, rows = expenses
    response = login(coordinator).get(reverse("budget:export-csv"), PERIOD)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    table = read_csv(response)
    header, lines = table[0], table[1:]
    assert len(header) == len(exports.columns(pseudonymised=False))
    assert [line[column("id", pseudonymised=False)] for line in lines] == [str(e.pk) for e in rows]
    first = lines[0]
    assert first[column("date", pseudonymised=False)] == "02/03/2026"
    assert first[column("amount", pseudonymised=False)] == "1180,00"
    # The coordinator is not a medical role: no item, and no unit price that would betray it.
    assert first[column("unit_price", pseudonymised=False)] == ""
    assert first[column("file_number", pseudonymised=False)] == "PASS-2026-00012"
    assert first[column("patient", pseudonymised=False)] == amina.display_name
    assert first[column("paid_on", pseudonymised=False)] == "01/04/2026"
    assert lines[1][column("quantity", pseudonymised=False)] == "1,5"
    # The sum of the lines is the period's total, to the cent.
    total = sum(D(line[column("amount", pseudonymised=False)].replace(",", ".")) for line in lines)
    assert total == D("2459.31")
    # A formula typed in a free-text field stays text.
    assert lines[2][column("item", pseudonymised=False)].startswith("'=HYPERLINK")


def test_the_coordinator_sees_categories_not_items_next_to_names(login, coordinator, nurse, expenses):
    _amina, _rows = expenses
    lines = read_csv(login(coordinator).get(reverse("budget:export-csv"), PERIOD))[1:]
    items = [line[column("item", pseudonymised=False)] for line in lines]
    assert "Antirétroviraux (1 mois)" not in items  # medical secrecy: not with the patient's name
    assert items[0] == str(Category.MEDICINES.label)
    assert items[2].startswith("'=HYPERLINK")  # the unit's own expense: no patient, shown


def test_the_pseudonymised_csv_has_no_name_no_file_number_no_free_text(login, coordinator, expenses):
    amina, rows = expenses
    response = login(coordinator).get(reverse("budget:export-csv"), PERIOD | {"pseudonymised": "on"})
    content = response.content.decode("utf-8")
    for secret in ("Diallo", "Aminata", "PASS-2026-00012", "Taxi pour Mme", "ISM-2026-03", "Nurse"):
        assert secret not in content
    lines = read_csv(response)[1:]
    codes = [line[column("patient_code", pseudonymised=True)] for line in lines]
    assert codes[0] == codes[1] == codes[3] == exports.pseudonym(amina.pk)
    assert codes[0].startswith("P-") and codes[2] == ""
    # Without names the items can be shown: statistics need them.
    assert lines[0][column("item", pseudonymised=True)] == "Antirétroviraux (1 mois)"
    assert lines[0][column("unit_price", pseudonymised=True)] == "590,00"
    assert lines[0][column("code", pseudonymised=True)] == "MED-ARV"
    assert "pseudo" in response["Content-Disposition"]


def test_the_xlsx_has_real_numbers_dates_and_totals_per_category(login, coordinator, expenses):
    _amina, rows = expenses
    response = login(coordinator).get(reverse("budget:export-xlsx"), PERIOD)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet, summary = book.worksheets
    amount_col = column("amount", pseudonymised=False) + 1
    date_col = column("date", pseudonymised=False) + 1
    data = list(sheet.iter_rows(min_row=2))
    assert len(data) == 4
    first_amount = data[0][amount_col - 1]
    assert isinstance(first_amount.value, (int, float)) and first_amount.value == 1180
    assert first_amount.number_format == '#,##0.00 "€"'
    first_date = data[0][date_col - 1]
    assert first_date.value == datetime.datetime(2026, 3, 2)
    assert first_date.number_format == "DD/MM/YYYY"
    assert data[2][column("item", pseudonymised=False)].value.startswith("'=")
    assert data[2][column("item", pseudonymised=False)].data_type == "s"
    lines_total = sum(D(str(row[amount_col - 1].value)) for row in data)

    totals = {row[0]: row[1] for row in summary.iter_rows(min_row=3, values_only=True)}
    grand_total = D(str(totals.pop(str(_label("Total")))))
    assert lines_total == grand_total == D("2459.31")
    assert sum(D(str(value)) for value in totals.values()) == grand_total
    assert D(str(totals[str(Category.MEDICINES.label)])) == D("1189.75")


def _label(text):
    from django.utils.translation import gettext

    return gettext(text)


def test_the_pseudonymised_xlsx_has_no_names(login, coordinator, expenses):
    response = login(coordinator).get(reverse("budget:export-xlsx"), PERIOD | {"pseudonymised": "on"})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    text = " ".join(str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row)
    assert "Diallo" not in text and "PASS-2026-00012" not in text


def test_the_admin_gets_the_pseudonymised_file_whatever_it_asks(login, admin_user, expenses):
    response = login(admin_user).get(reverse("budget:export-csv"), PERIOD)
    assert response.status_code == 200
    assert "Diallo" not in response.content.decode()
    header = read_csv(response)[0]
    assert len(header) == len(exports.columns(pseudonymised=True))


def test_every_export_is_in_the_audit_trail(login, coordinator, expenses):
    client = login(coordinator)
    client.get(reverse("budget:export-csv"), PERIOD)
    client.get(reverse("budget:export-xlsx"), PERIOD | {"pseudonymised": "on"})
    events = list(AuditEvent.objects.filter(action="export").order_by("pk").values_list("username", "detail"))
    assert events == [
        ("coordinator", "budget expenses 01/01/2026–31/12/2026 CSV named, 4 lines"),
        ("coordinator", "budget expenses 01/01/2026–31/12/2026 XLSX pseudonymised, 4 lines"),
    ]


def test_a_bad_period_shows_the_form_again(login, coordinator, expenses):
    response = login(coordinator).get(reverse("budget:export-xlsx"), {"start": "2026-12-31", "end": "2026-01-01"})
    assert response.status_code == 200
    assert response.context["form"].errors["end"]
    assert not AuditEvent.objects.filter(action="export").exists()


@pytest.mark.parametrize("persona", ["reception", "social", "nurse", "physician", "psychologist", "outsider"])
def test_other_roles_cannot_export(login, personas, persona, expenses):
    client = login(personas[persona])
    for name in ("budget:export-csv", "budget:export-xlsx"):
        response = client.get(reverse(name), PERIOD)
        assert response.status_code == 403
        assert "Diallo" not in response.content.decode()
    assert not AuditEvent.objects.filter(action="export").exists()


def test_the_named_csv_gives_usage_names_and_who_charged_each_line(login, coordinator, nurse, expenses):
    from tests.support.users import make_user

    nurse.first_name, nurse.last_name = "Inès", "Martin"
    nurse.save()
    initials_only = make_user("tech-pharma", None)
    initials_only.first_name = ""  # no name: the user name stands
    initials_only.save()
    married = PatientFactory(last_name="Nguyen", usage_name="Bernard", first_name="Linh")
    ExpenseFactory(patient=married, amount=D("12.00"), spent_on=datetime.date(2026, 6, 1), created_by=initials_only)
    ExpenseFactory(patient=married, amount=D("13.00"), spent_on=datetime.date(2026, 6, 2), created_by=nurse)

    lines = read_csv(login(coordinator).get(reverse("budget:export-csv"), PERIOD))[1:]

    by_id = {line[column("id", pseudonymised=False)]: line for line in lines}
    last_two = lines[-2:]
    assert [line[column("patient", pseudonymised=False)] for line in last_two] == ["NGUYEN (Bernard) Linh"] * 2
    assert [line[column("charged_by", pseudonymised=False)] for line in last_two] == ["tech-pharma", "Inès Martin"]
    assert by_id[str(expenses[1][2].pk)][column("patient", pseudonymised=False)] == ""  # the unit's own line
    assert by_id[str(expenses[1][2].pk)][column("file_number", pseudonymised=False)] == ""
