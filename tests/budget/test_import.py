"""The pharmacy's CSV: checked line by line, imported whole or not at all."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from budget import services
from budget.models import Expense, PharmacyImport
from pass_unit import audit
from pass_unit.models import AuditEvent
from tests.support.budget import CatalogueItemFactory
from tests.support.factories import PatientFactory

pytestmark = pytest.mark.django_db
D = Decimal

HEADER = "date;dossier;article;quantite;montant"


@pytest.fixture(autouse=True)
def english():
    """Reasons are checked in the English source: the French catalogue may word them differently."""
    with translation.override("en"):
        yield


@pytest.fixture
def known():
    """Two patients and two items the file can name."""
    amina = PatientFactory(file_number="PASS-2026-00012")
    omar = PatientFactory(file_number="PASS-2026-00013")
    CatalogueItemFactory(code="MED-ARV", name="Antirétroviraux, trithérapie (1 mois)", unit_price=D("590.00"))
    CatalogueItemFactory(code="MED-PARA500", name="Paracétamol 500 mg, comprimés", unit_price=D("1.20"))
    return amina, omar


def csv_bytes(*lines, header=HEADER, encoding="utf-8") -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode(encoding)


GOOD = [
    "02/03/2026;PASS-2026-00012;MED-ARV;1;590,00",
    "03/03/2026;pass-2026-00013;paracetamol 500 mg, comprimes;2;2,40",  # case and accents forgiven
    "2026-03-04;PASS-2026-00012;MED-PARA500;1,5;1 234,56",
]


def run(content: bytes, user, name="pui-mars.csv", encoding="utf-8"):
    return services.pharmacy_import(content=content, file_name=name, acting_user=user, encoding=encoding)


def test_a_good_file_is_imported_whole(coordinator, known):
    amina, omar = known
    report = run(csv_bytes(*GOOD), coordinator)

    assert report.ok and report.rows == 3
    assert report.total == D("1826.96")
    batch = PharmacyImport.objects.get()
    assert (batch.rows, batch.total, batch.imported_by) == (3, D("1826.96"), coordinator)
    lines = list(Expense.objects.order_by("spent_on").values_list("patient", "quantity", "amount", "status", "source"))
    assert lines == [
        (amina.pk, D("1.00"), D("590.00"), "committed", "import"),
        (omar.pk, D("2.00"), D("2.40"), "committed", "import"),
        (amina.pk, D("1.50"), D("1234.56"), "committed", "import"),
    ]
    assert Expense.objects.filter(pharmacy_import=batch, created_by=coordinator).count() == 3
    # The import and each of its lines are in the audit trail.
    assert AuditEvent.objects.filter(object_type="budget.pharmacyimport", action="create").count() == 1
    assert AuditEvent.objects.filter(object_type="budget.expense", action="create").count() == 3


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("02/03/2026;PASS-2099-99999;MED-ARV;1;590,00", "unknown file number"),
        ("02/03/2026;PASS-2026-00012;MED-INCONNU;1;590,00", "unknown item"),
        ("31/02/2026;PASS-2026-00012;MED-ARV;1;590,00", "date"),
        ("02/03/2999;PASS-2026-00012;MED-ARV;1;590,00", "future"),
        ("02/03/2026;PASS-2026-00012;MED-ARV;abc;590,00", "quantity"),
        ("02/03/2026;PASS-2026-00012;MED-ARV;0;590,00", "quantity"),
        ("02/03/2026;PASS-2026-00012;MED-ARV;1;-590,00", "amount"),
        ("02/03/2026;PASS-2026-00012;MED-ARV;1;abc", "amount"),
        ("02/03/2026;PASS-2026-00012;MED-ARV;1;999999,00", "amount"),
        ("02/03/2026;PASS-2026-00012", "unknown item"),  # a short line
    ],
)
def test_one_bad_line_and_nothing_is_imported(coordinator, known, line, reason):
    content = csv_bytes(*GOOD, line)
    with pytest.raises(services.ImportRejected) as rejected:
        run(content, coordinator)

    report = rejected.value.report
    assert [number for number, _reason, _values in report.errors] == [5]  # header is line 1
    assert reason in report.errors[0][1]
    assert not Expense.objects.exists()
    assert not PharmacyImport.objects.exists()
    assert not AuditEvent.objects.filter(action="create").exists()


def test_every_bad_line_is_reported_with_its_reasons(coordinator, known):
    content = csv_bytes(
        "02/03/2026;PASS-2026-00099;MED-XXX;0;0",
        GOOD[0],
        "xx;PASS-2026-00012;MED-ARV;1;12,345",
    )
    with pytest.raises(services.ImportRejected) as rejected:
        run(content, coordinator)
    errors = rejected.value.report.errors
    assert [number for number, *_ in errors] == [2, 4]
    assert errors[0][1].count(";") == 3  # file number, item, quantity, amount
    assert errors[0][2] == ["02/03/2026", "PASS-2026-00099", "MED-XXX", "0", "0"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (csv_bytes(*GOOD, header="date;patient;article;quantite;montant"), "file_number"),
        (csv_bytes(*GOOD, header="a;b;c"), "missing"),
        (csv_bytes(header=HEADER), "no lines"),
        ("date;dossier;article;quantité;montant\n02/03/2026;PASS-2026-00012;MED-ARV;1;590\n".encode("cp1252"), "UTF-8"),
        (b"\xff\xfe\x00d\x00a", "UTF-8"),
    ],
)
def test_a_malformed_file_is_reported_not_half_imported(coordinator, known, content, message):
    with pytest.raises(services.ImportRejected) as rejected:
        run(content, coordinator)
    assert message in rejected.value.report.file_error
    assert not Expense.objects.exists()


def test_a_windows_file_is_read_when_its_encoding_is_chosen(coordinator, known):
    content = "date;dossier;article;quantité;montant\n02/03/2026;PASS-2026-00012;MED-ARV;1;590\n".encode("cp1252")
    report = run(content, coordinator, encoding="cp1252")
    assert report.rows == 1


def test_comma_separated_files_with_english_headers_are_read(coordinator, known):
    content = csv_bytes(
        '2026-03-02,PASS-2026-00012,MED-ARV,1,"590,00"',
        "2026-03-03,PASS-2026-00013,MED-PARA500,2,2.40",
        header="Date,File number,Item,Quantity,Amount",
    )
    assert run(content, coordinator).total == D("592.40")


def test_the_same_file_is_not_imported_twice(coordinator, known):
    content = csv_bytes(*GOOD)
    run(content, coordinator)
    with pytest.raises(services.ImportRejected) as rejected:
        run(content, coordinator, name="copie.csv")
    assert "already imported" in rejected.value.report.file_error
    assert Expense.objects.count() == 3


def test_a_failure_while_writing_rolls_everything_back(coordinator, known, monkeypatch):
    """All or nothing also holds when the database or the audit fails halfway through."""
    calls = []
    real = audit.record_create

    def failing(user, obj, **kwargs):
        calls.append(obj)
        if len(calls) == 3:  # the import, the first line, then boom
            raise RuntimeError("disk full")
        return real(user, obj, **kwargs)

    monkeypatch.setattr(audit, "record_create", failing)
    with pytest.raises(RuntimeError):
        run(csv_bytes(*GOOD), coordinator)
    assert not Expense.objects.exists()
    assert not PharmacyImport.objects.exists()
    assert not AuditEvent.objects.exists()


def test_the_page_shows_the_report_and_imports_nothing(login, coordinator, known):
    client = login(coordinator)
    upload = SimpleUploadedFile("pui.csv", csv_bytes(*GOOD, "02/03/2026;PASS-2099-99999;MED-ARV;1;590,00"))
    response = client.post(reverse("budget:import"), {"file": upload, "encoding": "utf-8"})
    assert response.status_code == 200
    assert 'data-testid="rejected-row" data-line="5"' in response.content.decode()
    assert not Expense.objects.exists()

    upload = SimpleUploadedFile("pui.csv", csv_bytes(*GOOD))
    response = client.post(reverse("budget:import"), {"file": upload, "encoding": "utf-8"})
    batch = PharmacyImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("budget:import-detail", args=[batch.pk])
    detail = client.get(response["Location"])
    assert 'data-testid="import-total"' in detail.content.decode()


@pytest.mark.parametrize(
    ("name", "content"),
    [("pui.xlsx", b"PK\x03\x04rest"), ("pui.exe", b"MZ"), ("pui.csv", b"\x00\x01binary"), ("pui.csv", b"")],
)
def test_the_page_refuses_files_that_are_not_csv(login, coordinator, name, content):
    client = login(coordinator)
    response = client.post(reverse("budget:import"), {"file": SimpleUploadedFile(name, content), "encoding": "utf-8"})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not PharmacyImport.objects.exists()


@pytest.mark.parametrize("persona", ["nurse", "physician", "social", "admin_user", "reception"])
def test_only_the_coordinator_imports(login, personas, persona, known):
    client = login(personas[persona])
    upload = SimpleUploadedFile("pui.csv", csv_bytes(*GOOD))
    response = client.post(reverse("budget:import"), {"file": upload, "encoding": "utf-8"})
    assert response.status_code == 403
    assert not Expense.objects.exists()
