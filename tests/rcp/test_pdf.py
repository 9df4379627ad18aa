"""The minutes PDF: what it says (text extracted with pypdf), that it is stored once and served
identical, and that medical summaries stay out of it."""

import hashlib
import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from pass_unit.models import AuditEvent
from rcp import pdf
from rcp.models import Meeting
from tests.support import rcp as helpers
from tests.support.rcp import register

# "Page 1 / 3" in any language: the word comes from the catalogue, the numbers from CSS counters.
PAGE_FOOTER = re.compile(r"(\w+) (\d+) / (\d+)")


def text_of(data: bytes) -> tuple[str, int]:
    """The text of every page, lines joined (a name wrapped in a table cell reads whole), and the page count."""
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"(?<=-)\n", "", text).replace("\n", " "), len(reader.pages)


def footers(text: str) -> list[tuple[int, int]]:
    return [(int(n), int(total)) for _word, n, total in PAGE_FOOTER.findall(text)]


@pytest.fixture
def validated(held, coordinator):
    helpers.add_guest(held, coordinator, name="Dr Anne-Sophie Lefèvre-Ngatchou", profession="Infectiologue")
    helpers.validate(held, coordinator)
    held.refresh_from_db()
    return held


def test_the_minutes_list_participants_cases_decisions_and_number_the_pages(login, validated, coordinator):
    response = login(coordinator).get(reverse("rcp:minutes-pdf", args=[validated.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text, pages = text_of(response.content)
    for name in ("Physician", "Nurse", "Social", "Psychologist", "Dr Anne-Sophie Lefèvre-Ngatchou", "Infectiologue"):
        assert name in text, name
    for case in validated.cases.select_related("patient"):
        assert f"{case.patient.file_number} — {case.patient.initials}" in text
        assert case.decision in text
    assert "Demande SIAO" in text  # an action
    assert "120,00" in text  # an option's cost, French format
    assert footers(text)[0] == (1, pages)
    assert [n for n, _total in footers(text)] == list(range(1, pages + 1))


def test_accents_come_out_exactly(login, validated, coordinator):
    text, _pages = text_of(bytes(validated.versions.get().pdf))
    assert "ÉN" in text  # Éloïse Nguyễn's initials
    assert "Hébergée au 115" in text


def test_the_stored_pdf_is_served_identical_every_time(login, validated, coordinator, social, monkeypatch):
    version = validated.versions.get()
    url = reverse("rcp:minutes-pdf", args=[validated.pk])
    first = login(coordinator).get(url).content
    second = login(social).get(url).content
    assert first == second == bytes(version.pdf)
    assert hashlib.sha256(first).hexdigest() == version.sha256

    # Never made again: even if rendering were broken today, the validated minutes are served.
    def broken(*args, **kwargs):
        raise AssertionError("validated minutes must not be rendered again")

    monkeypatch.setattr(pdf, "render_pdf", broken)
    response = login(coordinator).get(url)
    assert response.content == first
    assert response["ETag"] == f'"{version.sha256}"'
    assert login(coordinator).get(reverse("rcp:version-pdf", args=[version.pk])).content == first


def test_each_download_is_recorded_for_each_patient(login, validated, social):
    login(social).get(reverse("rcp:minutes-pdf", args=[validated.pk]))
    exported = AuditEvent.objects.filter(action="export", user=social)
    assert set(exported.values_list("patient_id", flat=True)) == set(
        validated.cases.values_list("patient_id", flat=True)
    )


def test_a_patients_extract_holds_only_their_case(login, validated, patient, other_patient, nurse):
    extract = validated.versions.get().extracts.get(patient=patient)
    response = login(nurse).get(reverse("rcp:extract-pdf", args=[extract.pk]))
    text, pages = text_of(response.content)
    assert patient.file_number in text and other_patient.file_number not in text
    assert "Physician" in text  # who deliberated
    assert footers(text)[0] == (1, pages)
    assert AuditEvent.objects.filter(action="export", user=nurse, patient=patient).exists()


def test_medical_summaries_stay_out_of_the_minutes_and_in_the_medical_annex(login, validated, patient, physician):
    secret = "Tuberculose"
    version = validated.versions.get()
    for document in [bytes(version.pdf), *(bytes(e.pdf) for e in version.extracts.all())]:
        assert secret not in text_of(document)[0]
    response = login(physician).get(reverse("rcp:annex-pdf", args=[validated.pk]))
    text, _pages = text_of(response.content)
    assert secret in text and patient.file_number in text
    assert AuditEvent.objects.filter(action="export", user=physician, patient=patient, medical=True).exists()


def test_the_draft_says_so_and_is_not_stored(login, held, physician):
    response = login(physician).get(reverse("rcp:minutes-pdf", args=[held.pk]))
    text, _pages = text_of(response.content)
    assert "PROJET — NON VALIDÉ" in text.upper() or "DRAFT" in text.upper()  # French by default
    assert "Tuberculose" not in text
    assert not held.versions.exists()


def test_full_names_appear_only_when_the_meeting_chose_them(login, held, patient, coordinator, settings):
    text, _pages = text_of(pdf.render_minutes(held).pdf)
    assert "Nguyễn".upper() not in text and "Éloïse" not in text
    Meeting.objects.filter(pk=held.pk).update(full_names_in_minutes=True)
    held.refresh_from_db()
    text, _pages = text_of(pdf.render_minutes(held).pdf)
    assert f"{patient.file_number} — NGUYỄN Éloïse" in text


def test_long_names_and_texts_wrap_inside_the_page(held, social, physician):
    long_name = "Wolfeschlegelsteinhausenbergerdorff-Ngatchou-Mbakop"
    patient = register(social, long_name, "Marie-Ange-Bénédicte", year=1960)
    helpers.add_case(held, patient, physician, question="Hébergement ? " + "très-long-mot-sans-espace" * 8)
    held.full_names_in_minutes = True
    Meeting.objects.filter(pk=held.pk).update(full_names_in_minutes=True)
    reader = PdfReader(io.BytesIO(pdf.render_minutes(held).pdf))
    text = "".join(page.extract_text() for page in reader.pages).replace("\n", "").replace("-", "")
    assert long_name.upper().replace("-", "") in text
    # Nothing is drawn past the right margin: every piece of text of every page starts inside the A4 width.
    for page in reader.pages:
        starts = []

        def visit(text, cm, tm, font, size, starts=starts):
            if text.strip():
                starts.append(tm[4] * cm[0] + cm[4])

        page.extract_text(visitor_text=visit)
        assert max(starts) < float(page.mediabox.width), max(starts)


def test_a_twenty_case_meeting_renders_every_case(planned, physician, social):
    for n in range(20):
        patient = register(social, f"Patient{n:02d}", "Test")
        case = helpers.add_case(planned, patient, physician, question=f"Question {n}", social="À la rue, sans droits")
        helpers.add_option(case, physician)
        helpers.add_action(case, physician, assignee=social)
    helpers.pass_time(planned)
    helpers.take_attendance(planned, physician)
    for case in planned.cases.all():
        helpers.decide(case, physician, decision=f"Décision {case.position}")
    text, pages = text_of(pdf.render_minutes(planned).pdf)
    assert pages > 3 and footers(text)[-1] == (pages, pages)
    assert all(f"Décision {n} " in text for n in range(1, 21))
