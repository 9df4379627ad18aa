"""The intake journey in a real browser: register, spot a duplicate, document, keep the secret.

Elements are found by input names, URLs and data-testid, never by visible wording:
the interface is translated into French later, and these tests must keep passing.
Labels of choices are read from the form itself, then looked for on the patient file.
"""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from pass_unit.roles import Role
from patients.models import MedicalContext, Patient
from tests.support.browser import screenshot
from tests.support.users import make_user

SUBMIT = "main form[method=post] button[type=submit]"
FILE_URL = re.compile(r"/patients/(\d+)/$")


def _selected_label(page, name: str) -> str:
    return page.locator(f"select[name={name}] option:checked").inner_text().strip()


def _register(page, live_server, *, last_name, first_name, year, languages=(), interpreter=False):
    page.goto(live_server.url + "/patients/new/")
    page.locator("input[name=last_name]").fill(last_name)
    page.locator("input[name=first_name]").fill(first_name)
    page.locator("select[name=sex]").select_option("F")
    page.locator("input[name=estimated_birth_year]").fill(str(year))
    if languages:  # ISO 639 codes, chosen from the list
        page.locator("select[name=languages]").select_option(languages)
    if interpreter:
        page.locator("input[name=interpreter_needed]").check()
    page.locator("select[name=referred_by]").select_option("association")


def test_it_runs_the_intake_journey(live_server, page, new_context, log_in, axe_check):
    social = make_user("social", Role.SOCIAL_WORKER)
    physician = make_user("physician", Role.PHYSICIAN)

    # The social worker logs in and registers a patient known only by an estimated birth year.
    log_in(page, social)
    _register(page, live_server, last_name="Nguyễn", first_name="Éloïse", year=1991, languages=["vi"], interpreter=True)
    screenshot(page, "02-registration-form")
    page.locator(SUBMIT).click()

    # She lands on the new file.
    page.wait_for_url(FILE_URL)
    pk = int(FILE_URL.search(page.url).group(1))
    file_path = f"/patients/{pk}/"
    patient = Patient.objects.get(pk=pk)
    assert (patient.last_name, patient.first_name, patient.birth_year) == ("Nguyễn", "Éloïse", 1991)
    assert patient.interpreter_needed
    expect(page.locator("[data-testid=patient-name]")).to_contain_text("NGUYỄN")
    expect(page.locator("[data-testid=patient-name]")).to_contain_text("Éloïse")
    expect(page.locator("main")).to_contain_text(patient.file_number)
    expect(page.locator("main")).to_contain_text("vietnamien")

    # A colleague's near-identical registration is stopped by the duplicate warning.
    _register(page, live_server, last_name="Nguyen", first_name="Eloise", year=1992)
    page.locator(SUBMIT).click()
    duplicates = page.locator("[data-testid=duplicates]")
    expect(duplicates).to_be_visible()
    expect(duplicates).to_contain_text(patient.file_number)
    expect(page.locator("input[name=last_name]")).to_have_value("Nguyen")
    screenshot(page, "03-duplicate-warning")
    axe_check(page, "duplicate warning")
    assert Patient.objects.count() == 1

    # She opens the existing file from the warning: in a new tab, her typing stays in the form.
    with page.context.expect_page() as opened:
        duplicates.locator(f'a[href="{file_path}"]').click()
    expect(page.locator("input[name=last_name]")).to_have_value("Nguyen")
    page = opened.value
    page.wait_for_url(live_server.url + file_path)

    # A social interview.
    page.locator(f'main a[href="{file_path}visits/new/"]').click()
    page.locator("select[name=kind]").select_option("social")
    page.locator("input[name=reason]").fill("Premier entretien, ouverture des droits")
    visit_kind = _selected_label(page, "kind")
    page.locator(SUBMIT).click()
    page.wait_for_url(live_server.url + file_path)
    visits = page.locator("[data-testid=visits]")
    expect(visits.locator("li")).to_have_count(1)
    expect(visits).to_contain_text(visit_kind)
    expect(visits).to_contain_text("Premier entretien, ouverture des droits")

    # A social assessment: housed by the 115 emergency shelter line.
    page.locator(f'main a[href="{file_path}assessments/new/"]').click()
    page.locator("select[name=housing]").select_option("shelter_115")
    page.locator("select[name=administrative_status]").select_option("undocumented")
    page.locator("textarea[name=needs]").fill("Domiciliation, demande d'AME, médecin traitant")
    housing = _selected_label(page, "housing")
    page.locator(SUBMIT).click()
    page.wait_for_url(live_server.url + file_path)
    social_section = page.locator("[data-testid=social]")
    expect(social_section).to_contain_text(housing)
    expect(social_section).to_contain_text("Domiciliation, demande d'AME, médecin traitant")

    # An AME application, file being built.
    page.locator(f'main a[href="{file_path}rights/new/"]').click()
    page.locator("select[name=regime]").select_option("ame")
    page.locator("select[name=status]").select_option("building")
    page.locator("input[name=organisation]").fill("CPAM du Rhône")
    regime, status = _selected_label(page, "regime"), _selected_label(page, "status")
    page.locator(SUBMIT).click()
    page.wait_for_url(live_server.url + file_path)
    rights = page.locator("[data-testid=rights]")
    expect(rights).to_contain_text(regime)
    expect(rights).to_contain_text(status)
    expect(rights).to_contain_text("CPAM du Rhône")
    # The next step of the application is offered.
    expect(rights.locator('a[href*="/rights/"][href$="?next=filed"]')).to_have_count(1)

    # Meanwhile a physician, on another workstation, records the medical context.
    physician_page = new_context().new_page()
    log_in(physician_page, physician)
    physician_page.goto(live_server.url + file_path)
    expect(physician_page.locator("[data-testid=medical]")).to_be_visible()
    physician_page.locator(f'main a[href="{file_path}medical/"]').click()
    physician_page.locator("textarea[name=infections]").fill("Tuberculose pulmonaire, traitement en cours")
    physician_page.locator("textarea[name=allergies]").fill("Pénicilline")
    physician_page.locator(SUBMIT).click()
    physician_page.wait_for_url(live_server.url + file_path)
    medical = physician_page.locator("[data-testid=medical]")
    expect(medical).to_contain_text("Tuberculose pulmonaire")
    expect(medical).to_contain_text("Pénicilline")
    # The physician also sees the social work.
    expect(physician_page.locator("[data-testid=rights]")).to_contain_text(regime)
    screenshot(physician_page, "05-patient-file-physician")
    assert MedicalContext.objects.get(patient=patient).updated_by == physician

    # The social worker sees everything but the medical context, which exists now.
    page.reload()
    expect(page.locator("[data-testid=rights]")).to_contain_text(regime)
    expect(page.locator("[data-testid=medical]")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text("Tuberculose")
    expect(page.locator(f'a[href="{file_path}medical/"]')).to_have_count(0)
    screenshot(page, "04-patient-file-social-worker")
    # Guessing the URL does not help either.
    # The medical form of a role that may not read the medical context: as if it did not exist.
    response = page.goto(live_server.url + file_path + "medical/")
    assert response.status == 404
    screenshot(page, "07-medical-form-forbidden-to-social-worker")

    # Search: without accents, first name first.
    page.goto(live_server.url + "/patients/")
    page.locator("input[name=q]").fill("eloise nguyen")
    page.locator("input[name=q]").press("Enter")
    page.wait_for_url(re.compile(r"/patients/\?.*q=eloise"))
    results = page.locator("main table tbody")
    expect(results.locator(f'a[href="{file_path}"]')).to_have_count(1)
    expect(results.locator("tr")).to_have_count(1)
    expect(results).to_contain_text(patient.file_number)
    screenshot(page, "01-patient-list")


def test_it_keeps_input_and_shows_errors_on_bad_input(live_server, page, log_in, axe_check):
    reception = make_user("reception", Role.RECEPTION)
    page.goto(live_server.url + "/patients/new/")
    # Anonymous: sent to the login form, which brings her back afterwards.
    expect(page.locator("input[name=username]")).to_be_visible()
    assert "/accounts/login/" in page.url
    screenshot(page, "00-login")
    log_in(page, reception)
    page.goto(live_server.url + "/patients/new/")
    page.locator("input[name=last_name]").fill("Diallo")
    page.locator("input[name=first_name]").fill("Aminata")
    future = timezone.localdate() + timedelta(days=30)
    page.locator("input[name=birth_date]").fill(future.isoformat())
    page.locator(SUBMIT).click()

    expect(page.locator("input[name=birth_date].is-invalid")).to_have_count(1)
    assert page.url == live_server.url + "/patients/new/"
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    # What was typed is kept for correction.
    expect(page.locator("input[name=last_name]")).to_have_value("Diallo")
    expect(page.locator("input[name=first_name]")).to_have_value("Aminata")
    expect(page.locator("input[name=birth_date]")).to_have_value(future.isoformat())
    screenshot(page, "06-form-validation-errors")
    axe_check(page, "registration form with errors")
    assert not Patient.objects.exists()
