"""The patient list above its count cap, and the dashboard's file counts, in a real browser (issue 11).

The cap (10,000 in production) is lowered so that a few files stand for it: the live server runs
in this process, so the patched constant is the one the view reads.
"""

from playwright.sync_api import expect

from pass_unit.roles import Role
from patients import views
from patients.models import Patient
from tests.support.browser import screenshot
from tests.support.factories import PatientFactory
from tests.support.users import make_user


def test_the_list_says_more_than_the_cap_and_pages_through_the_first_files(
    live_server, page, log_in, axe_check, monkeypatch
):
    monkeypatch.setattr(views, "LIST_COUNT_CAP", 50)
    PatientFactory.create_batch(60)
    social = make_user("social", Role.SOCIAL_WORKER)
    log_in(page, social)

    page.goto(live_server.url + "/patients/")
    count = page.locator("[data-testid=result-count]")
    expect(count).to_contain_text("50")
    expect(count).not_to_contain_text("60")
    expect(page.locator("tbody tr")).to_have_count(25)
    screenshot(page, "patient-list-capped")
    axe_check(page, "patient list above the count cap")

    page.locator(".pagination a.page-link").last.click()
    page.wait_for_url("**page=2")
    expect(page.locator("tbody tr")).to_have_count(25)
    # The last page counted: no further link.
    expect(page.locator(".pagination a.page-link")).to_have_count(1)

    # The dashboard still counts every followed file exactly.
    page.goto(live_server.url + "/")
    expect(page.locator(".display-6").first).to_have_text(str(Patient.objects.filter(status="active").count()))
    screenshot(page, "home-social-counts")
    axe_check(page, "home dashboard")
