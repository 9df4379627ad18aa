"""The patient file's visits in a real browser (issue 11): the latest 25, their exact number, and
pages to every older visit, as a physician of a patient seen 60 times."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from pass_unit.roles import Role
from tests.support.browser import screenshot
from tests.support.factories import PatientFactory, VisitFactory
from tests.support.users import make_user


def test_the_file_pages_through_every_visit_with_their_number(live_server, page, log_in, axe_check):
    physician = make_user("medecin", Role.PHYSICIAN)
    patient = PatientFactory()
    now = timezone.now()
    for n in range(1, 61):
        VisitFactory(patient=patient, professional=physician, occurred_at=now - timedelta(days=n), reason=f"Motif {n}")
    log_in(page, physician)

    page.goto(f"{live_server.url}/patients/{patient.pk}/")
    visits = page.locator("[data-testid=visits]")
    expect(visits.locator("[data-testid=visits-count]")).to_have_text("60")
    expect(visits.locator("ol.timeline > li")).to_have_count(25)
    expect(visits.locator("[data-testid=visits-range]")).to_be_visible()
    visits.locator("[data-testid=visits-range]").scroll_into_view_if_needed()
    screenshot(page, "patient-file-visits-page-1")
    axe_check(page, "patient file, first page of visits")

    visits.locator("[data-testid=older-visits]").click()
    page.wait_for_url("**visits=2#visits")
    expect(page.locator("[data-testid=visits] ol.timeline > li").first).to_contain_text("Motif 26")
    page.locator("[data-testid=older-visits]").click()
    page.wait_for_url("**visits=3#visits")
    expect(page.locator("[data-testid=visits] ol.timeline > li")).to_have_count(10)
    expect(page.locator("[data-testid=visits] ol.timeline > li").last).to_contain_text("Motif 60")
    expect(page.locator("[data-testid=older-visits]")).to_have_count(0)
    screenshot(page, "patient-file-visits-last-page")
    axe_check(page, "patient file, last page of visits")
