"""The coordinator's security pages in a real browser: team accounts, audit trail, file access log."""

import re

from django.contrib.auth.models import User
from playwright.sync_api import expect

from pass_unit.roles import Role
from tests.support.browser import screenshot
from tests.support.factories import PatientFactory
from tests.support.users import make_user

SUBMIT = "main form[method=post] button[type=submit]"
NEW_PASSWORD = "Cafe-du-matin-2026!"


def test_it_manages_an_account_and_reads_the_audit_trail(live_server, page, new_context, log_in, axe_check):
    coordinator = make_user("coordination", Role.COORDINATOR)
    physician = make_user("medecin", Role.PHYSICIAN)
    patient = PatientFactory(last_name="Traoré", first_name="Aïcha", referring_physician=physician)

    # The physician opens the file: the visit goes to the audit trail.
    physician_page = new_context().new_page()
    log_in(physician_page, physician)
    physician_page.goto(f"{live_server.url}/patients/{patient.pk}/")
    expect(physician_page.locator("[data-testid=patient-name]")).to_contain_text("TRAORÉ")

    log_in(page, coordinator)
    page.goto(live_server.url + "/accounts/users/new/")
    page.locator("input[name=username]").fill("lea.martin")
    page.locator("input[name=first_name]").fill("Léa")
    page.locator("input[name=last_name]").fill("Martin")
    page.locator("select[name=role]").select_option(Role.NURSE.value)
    # A short password is refused on the form, with what was typed kept.
    page.locator("input[name=password1]").fill("court")
    page.locator("input[name=password2]").fill("court")
    page.locator(SUBMIT).click()
    expect(page.locator("[data-testid=form-errors]")).to_be_visible()
    expect(page.locator("input[name=username]")).to_have_value("lea.martin")
    screenshot(page, "security-01-account-error")
    axe_check(page, "account form with errors")
    page.locator("input[name=password1]").fill(NEW_PASSWORD)
    page.locator("input[name=password2]").fill(NEW_PASSWORD)
    page.locator(SUBMIT).click()
    page.wait_for_url(re.compile(r"/accounts/users/$"))
    expect(page.locator("main table")).to_contain_text("lea.martin")
    screenshot(page, "security-02-team")
    assert User.objects.get(username="lea.martin").groups.get().name == Role.NURSE.value

    # The new nurse logs in with the password she was given.
    nurse_page = new_context().new_page()
    log_in(nurse_page, User.objects.get(username="lea.martin"), NEW_PASSWORD)

    # Who viewed the file? The physician, from the patient's file.
    page.goto(f"{live_server.url}/patients/{patient.pk}/access-log/")
    events = page.locator("[data-testid=audit-events]")
    expect(events).to_contain_text("medecin")
    screenshot(page, "security-03-file-access-log")

    # The audit trail, filtered on the physician.
    page.goto(live_server.url + "/audit/")
    page.locator("select[name=user]").select_option(str(physician.pk))
    page.locator("main form[method=get] button[type=submit]").click()
    expect(page.locator("[data-testid=audit-events]")).to_contain_text(patient.file_number)
    expect(page.locator("[data-testid=audit-events]")).not_to_contain_text("lea.martin")
    screenshot(page, "security-04-audit-trail")

    # The nurse is not allowed there.
    response = nurse_page.goto(live_server.url + "/audit/")
    assert response.status == 403
