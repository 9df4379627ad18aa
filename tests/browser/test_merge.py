"""Merging two files of one person in a real browser (issue 9).

Reception opens the comparison from file A, merges file B into A, then finds A again by B's
old file number. Elements are found by URLs, input names and data-testid, not by wording.
"""

import re

from playwright.sync_api import expect

from pass_unit.roles import Role
from patients import services
from patients.models import Patient, Visit
from tests.support.users import make_user

SUBMIT = "main form[method=post] button[type=submit]"


def _register(user, last_name, first_name, **extra) -> Patient:
    patient = Patient(last_name=last_name, first_name=first_name, birth_year=1988, sex="M", **extra)
    return services.patient_register(patient=patient, acting_user=user)


def test_reception_merges_two_files_and_finds_the_patient_by_the_old_number(live_server, page, log_in, axe_check):
    reception = make_user("accueil", Role.RECEPTION)
    kept = _register(reception, "Abdelkader", "Youssef")
    duplicate = _register(reception, "Abdel Kader", "Youssef", phone="06 12 34 56 78")
    Visit.objects.create(patient=duplicate, kind=Visit.Kind.RECEPTION, professional=reception, reason="Premier accueil")
    log_in(page, reception)

    # From file A, reception opens the choice of the other file, then the comparison with B.
    page.goto(f"{live_server.url}/patients/{kept.pk}/")
    page.locator(f"a[href='/patients/{kept.pk}/merge/']").click()
    page.locator(f"a[href='/patients/{kept.pk}/merge/{duplicate.pk}/']").click()
    page.wait_for_url(re.compile(rf"/patients/{kept.pk}/merge/{duplicate.pk}/$"))
    expect(page.locator("[data-testid=merge-target]")).to_contain_text(kept.file_number)
    expect(page.locator("[data-testid=merge-source]")).to_contain_text(duplicate.file_number)
    expect(page.locator("[data-testid=merge-source]")).to_contain_text("Premier accueil")
    axe_check(page, "merge comparison")

    # She gives the reason, confirms, and lands on file A.
    page.locator("textarea[name=reason]").fill("Même passeport présenté à l'accueil")
    page.locator("input[name=confirm]").check()
    page.locator(SUBMIT).click()
    page.wait_for_url(re.compile(rf"/patients/{kept.pk}/$"))
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == kept.pk
    assert Visit.objects.get(reason="Premier accueil").patient_id == kept.pk

    # B's old file number now finds A; B's own URL leads to A.
    page.goto(f"{live_server.url}/patients/?q={duplicate.file_number}")
    expect(page.locator(f"main a[href='/patients/{kept.pk}/']").first).to_be_visible()
    page.goto(f"{live_server.url}/patients/{duplicate.pk}/")
    page.wait_for_url(re.compile(rf"/patients/{kept.pk}/$"))
