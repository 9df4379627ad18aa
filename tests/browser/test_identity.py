"""Identity vigilance in a real browser (issue 9): reception checks a patient's passport.

The identity page is reached from the file; a validation without a document is refused on the
same form, with the choice kept; with a passport the badge beside the name says "validated".
Elements are found by URLs, input names and values, not by wording.
"""

import re

from playwright.sync_api import expect

from pass_unit.roles import Role
from patients import services
from patients.models import Patient
from tests.support.browser import screenshot
from tests.support.users import make_user

SUBMIT = "main form[method=post] button[type=submit]"


def test_reception_validates_an_identity_against_a_passport(live_server, page, log_in, axe_check):
    reception = make_user("accueil", Role.RECEPTION)
    patient = services.patient_register(
        patient=Patient(last_name="Haidari", first_name="Farid", birth_year=1994, sex="M"), acting_user=reception
    )
    log_in(page, reception)
    page.goto(f"{live_server.url}/patients/{patient.pk}/")
    page.locator(f"a[href='/patients/{patient.pk}/identity/']").first.click()
    page.wait_for_url(re.compile(rf"/patients/{patient.pk}/identity/$"))
    axe_check(page, "identity page")

    # "Validated" without a document: refused on the same page, the choice kept.
    page.locator("input[name=identity_status][value=validated]").check()
    page.locator(SUBMIT).click()
    expect(page.locator("input[name=identity_status][value=validated]")).to_be_checked()
    expect(page.locator(".invalid-feedback, .alert-danger").first).to_be_visible()
    axe_check(page, "identity page with errors")
    patient.refresh_from_db()
    assert patient.identity_status == Patient.IdentityStatus.PROVISIONAL

    # With the passport seen, the identity is validated, by her, and the file says so.
    page.locator("select[name=identity_document_type]").select_option(Patient.IdentityDocument.PASSPORT)
    page.locator(SUBMIT).click()
    page.wait_for_url(re.compile(rf"/patients/{patient.pk}/$"))
    patient.refresh_from_db()
    assert patient.identity_status == Patient.IdentityStatus.VALIDATED
    assert patient.identity_document_type == Patient.IdentityDocument.PASSPORT
    assert patient.identity_checked_by_id == reception.pk
    expect(page.locator("main")).to_contain_text("Identité validée")
    screenshot(page, "identity-01-validated")
