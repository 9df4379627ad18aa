import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from pass_unit.models import AuditEvent, StaffFTE
from pass_unit.reports.indicators import build_activity_report

pytestmark = pytest.mark.django_db
URL = reverse("reports:activity", kwargs={"year": 2025})


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_it_refuses_reception_and_sends_anonymous_visitors_to_login(client, reception):
    assert client.get(URL).status_code == 302
    client.force_login(reception)
    for name in ("reports:activity", "reports:activity-pdf", "reports:activity-xlsx", "reports:activity-csv"):
        assert client.get(reverse(name, kwargs={"year": 2025})).status_code == 403
    assert client.post(URL, {"profession": "nurse", "fte": "1"}).status_code == 403
    assert not StaffFTE.objects.exists()


def test_it_shows_the_figures_with_definitions_and_the_previous_year(client, coordinator, dataset):
    client.force_login(coordinator)
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Distinct patients with at least one visit (not cancelled) in the period." in html or "File active" in html
    assert '<td class="num" data-value="file_active">5</td>' in html
    assert "2024" in html
    assert AuditEvent.objects.filter(user=coordinator, action="view_report").count() == 1


def test_it_names_no_patient_in_the_page_pdf_xlsx_and_csv_for_the_coordinator(client, coordinator, dataset):
    client.force_login(coordinator)
    page = client.get(URL).content.decode()
    pdf = pdf_text(client.get(reverse("reports:activity-pdf", kwargs={"year": 2025})).content)
    xlsx = load_workbook(io.BytesIO(client.get(reverse("reports:activity-xlsx", kwargs={"year": 2025})).content))
    cells = " ".join(str(c.value) for ws in xlsx.worksheets for row in ws.iter_rows() for c in row)
    csv = client.get(reverse("reports:activity-csv", kwargs={"year": 2025})).content.decode("utf-8-sig")
    for patient in dataset.values():
        for secret in (patient.last_name, patient.file_number):
            for name, text in (("page", page), ("pdf", pdf), ("xlsx", cells), ("csv", csv)):
                assert secret.lower() not in text.lower(), f"{secret} in the {name}"
    assert "Atlantide" not in page + pdf + cells + csv  # free text not recognised stays out
    assert AuditEvent.objects.filter(user=coordinator, action="export").count() == 3


QUALITY_URL = reverse("reports:quality", kwargs={"year": 2025})


@pytest.mark.parametrize("persona", ["social", "nurse", "coordinator"])
def test_it_lists_files_to_complete_for_the_roles_that_complete_or_follow_them(client, personas, dataset, persona):
    client.force_login(personas[persona])
    assert f'href="{QUALITY_URL}"' in client.get(URL).content.decode()
    html = client.get(QUALITY_URL).content.decode()
    assert 'data-testid="worklist"' in html
    assert "OLLIVIER" in html  # dan: no rights, no assessment, sex not stated
    assert "VARGAS" in html  # chloe: "Atlantide" typed before the list, not recognised
    # The identity editors get a link to complete it; the coordinator reads only.
    edit_link = reverse("patients:edit", args=[dataset["dan"].pk])
    assert (edit_link in html) == (persona != "coordinator")
    assert AuditEvent.objects.filter(user=personas[persona], detail__startswith="data-quality worklist").exists()


@pytest.mark.parametrize("persona", ["reception", "admin_user", "outsider"])
def test_it_refuses_the_worklist_to_roles_that_neither_complete_nor_follow_files(client, personas, dataset, persona):
    client.force_login(personas[persona])
    response = client.get(QUALITY_URL)
    assert response.status_code == 403
    assert "OLLIVIER" not in response.content.decode()


def test_it_names_nobody_on_the_report_page_whoever_reads_it(client, social, dataset):
    client.force_login(social)
    html = client.get(URL).content.decode()
    for patient in dataset.values():
        assert patient.last_name.upper() not in html


def test_it_lowers_the_worklist_when_a_file_is_completed(client, nurse, dataset):
    client.force_login(nurse)
    before = client.get(QUALITY_URL).context["count"]
    emma = dataset["emma"]
    assert f'data-pk="{emma.pk}"' in client.get(QUALITY_URL).content.decode()
    emma.birth_date = date(1960, 4, 2)
    emma.save()
    after = client.get(QUALITY_URL)
    assert after.context["count"] == before - 1
    assert f'data-pk="{emma.pk}"' not in after.content.decode()


def test_it_agrees_in_the_page_pdf_and_spreadsheet(client, physician, dataset):
    client.force_login(physician)
    report = build_activity_report(date(2025, 1, 1), date(2025, 12, 31))
    xlsx = load_workbook(io.BytesIO(client.get(reverse("reports:activity-xlsx", kwargs={"year": 2025})).content))
    sheet = {row[0]: row for row in xlsx["Indicateurs"].iter_rows(min_row=2, values_only=True)}
    assert sheet["file_active"][3:] == (5, 2)
    for indicator in report.indicators:
        if indicator.value is not None:
            assert sheet[indicator.code][3] == pytest.approx(float(indicator.value)), indicator.code
    age = {row[0]: row[2] for row in xlsx["age"].iter_rows(min_row=4, values_only=True)}
    assert age["0_17"] == 1 and age["unknown"] == 0 and age["total"] == 5
    pdf = pdf_text(client.get(reverse("reports:activity-pdf", kwargs={"year": 2025})).content)
    assert "Rapport d’activité 2025" in pdf or "2025" in pdf
    assert PASS_UNIT_NAME_IN(pdf)


def PASS_UNIT_NAME_IN(text: str) -> bool:
    from django.conf import settings

    return settings.PASS_UNIT_NAME.split("—")[0].strip() in text


def test_it_shows_a_date_range(client, coordinator, dataset):
    client.force_login(coordinator)
    html = client.get(URL, {"from": "01/12/2025", "to": "31/12/2025"}).content.decode()
    assert '<td class="num" data-value="file_active">1</td>' in html
    bad = client.get(URL, {"from": "31/12/2025", "to": "01/12/2025"}).content.decode()
    assert 'data-testid="period-errors"' in bad


def test_it_records_the_staff_fte_typed_with_a_comma(client, coordinator):
    client.force_login(coordinator)
    response = client.post(URL, {"profession": "nurse", "fte": "0,8"})
    assert response.status_code == 302
    entry = StaffFTE.objects.get()
    assert (entry.year, entry.profession, entry.fte, entry.entered_by) == (2025, "nurse", Decimal("0.80"), coordinator)
    report = build_activity_report(date(2025, 1, 1), date(2025, 12, 31))
    assert {r.key: r.value for r in report.breakdown("staff_fte").rows}["nurse"] == Decimal("0.80")


@pytest.mark.parametrize("typed", ["-1", "abc", "51", "1e9", "NaN", "0,123", ""])
def test_it_refuses_bad_fte_and_saves_nothing(client, coordinator, typed):
    client.force_login(coordinator)
    response = client.post(URL, {"profession": "nurse", "fte": typed})
    assert response.status_code == 200
    assert 'data-testid="form-errors"' in response.content.decode()
    assert f'value="{typed}"' in response.content.decode()
    assert not StaffFTE.objects.exists()


def test_it_keeps_the_fte_form_for_the_coordinator(client, physician):
    client.force_login(physician)
    assert 'data-testid="fte-form"' not in client.get(URL).content.decode()
    assert client.post(URL, {"profession": "nurse", "fte": "1"}).status_code == 403
    assert not StaffFTE.objects.exists()
