"""The activity report in a real browser: from the dashboard's data-quality count to the downloads.

The issue's story has the coordinator complete a missing field; DESIGN.md gives the coordinator
read-only identities. So the coordinator follows the count to the worklist (read-only, a link to
each file), the social worker completes the country of birth in that file, and the coordinator
sees the count drop, opens the report and downloads the PDF and the spreadsheet.

Elements are found by input names, URLs and data-testid, never by visible wording. Run on your
own database:

    PASS_UNIT_TEST_DB=test_report_browser .venv/bin/pytest tests/browser/test_report.py
"""

import io
from datetime import date, timedelta

import openpyxl
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from pass_unit.roles import Role
from patients.models import CoverageRight, Patient, SocialAssessment, Visit
from tests.support.browser import screenshot
from tests.support.factories import CoverageRightFactory, PatientFactory, SocialAssessmentFactory, VisitFactory
from tests.support.users import make_user


def _world():
    """This year's file active: one file complete but for its country of birth, one with more gaps."""
    coordinator = make_user("coordination", Role.COORDINATOR, last_name="Lemoine")
    social = make_user("social", Role.SOCIAL_WORKER, last_name="Garnier")
    today = timezone.localdate()
    seen = timezone.now() - timedelta(minutes=30)
    nearly = PatientFactory(
        last_name="Atlante",
        first_name="Awa",
        sex=Patient.Sex.FEMALE,
        birth_date=date(1990, 3, 4),
        birth_year=1990,
        birth_country="",
        birth_country_text="Atlantide",  # typed before the list, not recognised
        nationality="SN",
        languages=["wo", "fr"],
    )
    VisitFactory(patient=nearly, kind=Visit.Kind.SOCIAL, professional=social, occurred_at=seen)
    CoverageRightFactory(
        patient=nearly,
        regime=CoverageRight.Regime.AME,
        status=CoverageRight.Status.FILED,
        filed_on=today,
        created_by=social,
    )
    SocialAssessmentFactory(patient=nearly, author=social, assessed_on=today, housing=SocialAssessment.Housing.STREET)
    sparse = PatientFactory(last_name="Lacunaire", sex=Patient.Sex.UNKNOWN, birth_year=1985)
    VisitFactory(patient=sparse, kind=Visit.Kind.SOCIAL, professional=social, occurred_at=seen)
    return coordinator, social, nearly


def _quality_count(page) -> int:
    return int(page.locator("[data-testid=quality-link] strong").inner_text())


def test_the_coordinator_follows_the_data_quality_count_down_to_the_downloads(page, live_server, log_in, axe_check):
    coordinator, social, nearly = _world()
    year = timezone.localdate().year

    # The coordinator's dashboard: the data-quality count, linked to the worklist.
    log_in(page, coordinator)
    page.goto(live_server.url + "/")
    expect(page.locator("[data-testid=report-card]")).to_be_visible()
    axe_check(page, "dashboard (coordinator)")
    assert _quality_count(page) == 2
    page.locator("[data-testid=quality-link]").click()
    page.wait_for_url(f"**{reverse('reports:quality', args=[year])}")
    row = page.locator(f"[data-testid=worklist-row][data-pk='{nearly.pk}']")
    expect(row).to_be_visible()
    # Read-only for the coordinator: a link to the file, none to edit it.
    expect(row.locator(f"a[href='{reverse('patients:detail', args=[nearly.pk])}']")).to_be_visible()
    expect(row.locator(f"a[href='{reverse('patients:edit', args=[nearly.pk])}']")).to_have_count(0)
    axe_check(page, "data-quality worklist (coordinator)")
    screenshot(page, "report-worklist")

    # The social worker completes the country of birth from the same worklist.
    page.context.clear_cookies()
    log_in(page, social)
    page.goto(live_server.url + reverse("reports:quality", args=[year]))
    page.locator(f"[data-testid=worklist-row][data-pk='{nearly.pk}'] a[href$='/edit/']").click()
    page.wait_for_url(f"**{reverse('patients:edit', args=[nearly.pk])}")
    page.select_option("select[name=birth_country]", "SN")
    page.locator("form[method=post] button[type=submit]:not([name])").last.click()
    page.wait_for_url(f"**{reverse('patients:detail', args=[nearly.pk])}")
    nearly.refresh_from_db()
    assert (nearly.birth_country.code, nearly.birth_country_text) == ("SN", "")

    # Back to the coordinator: one file fewer to complete, then the report and its downloads.
    page.context.clear_cookies()
    log_in(page, coordinator)
    page.goto(live_server.url + "/")
    assert _quality_count(page) == 1
    page.locator(f"[data-testid=report-card] a[href='{reverse('reports:activity', args=[year])}']").click()
    page.wait_for_url(f"**{reverse('reports:activity', args=[year])}")
    expect(page.locator("[data-testid=data-quality]")).to_be_visible()
    axe_check(page, "activity report")
    screenshot(page, "report-page")

    with page.expect_download() as pdf_download:
        page.locator("[data-testid=download-pdf]").click()
    pdf = pdf_download.value
    assert pdf.suggested_filename.endswith(".pdf")
    assert open(pdf.path(), "rb").read(5) == b"%PDF-"

    with page.expect_download() as xlsx_download:
        page.locator("[data-testid=download-xlsx]").click()
    xlsx = xlsx_download.value
    assert xlsx.suggested_filename.endswith(".xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(open(xlsx.path(), "rb").read()))
    indicators = {row[0]: row for row in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert indicators["file_active"][3] == 2


DUMMY_TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


def test_the_report_says_when_its_figures_are_being_computed_then_stale(page, live_server, log_in, axe_check, settings):
    """No worker has run yet: the page says the figures are being computed, then shows them with
    their date; after a change, the same figures flagged as no longer current while the worker
    has not run again, with the coordinator's update button."""
    from pass_unit.reports import tasks
    from pass_unit.reports.indicators import ReportKind

    coordinator, social, nearly = _world()
    year = timezone.localdate().year
    url = live_server.url + reverse("reports:activity", args=[year])
    settings.TASKS = DUMMY_TASKS  # a worker that has not run yet

    log_in(page, coordinator)
    page.goto(url)
    expect(page.locator("[data-testid=figures-computing]")).to_be_visible()
    expect(page.locator("[data-testid=section-activity]")).to_have_count(0)
    expect(page.locator("[data-testid=refresh]")).to_be_visible()
    axe_check(page, "activity report (figures being computed)")
    screenshot(page, "report-computing")

    # The worker runs: the figures, dated, with their tables and charts.
    start, end = date(year, 1, 1), date(year, 12, 31)
    tasks.compute_report_snapshot.call(kind=ReportKind.REPORT, start=start.isoformat(), end=end.isoformat())
    page.goto(url)
    expect(page.locator("[data-testid=figures-at]")).to_be_visible()
    expect(page.locator("[data-value=file_active]")).to_have_text("2")
    expect(page.locator("svg[data-testid=chart-sex] rect")).to_have_count(2)  # women, not stated

    # A new file seen today: the figures shown are flagged stale until the worker runs again.
    newcomer = PatientFactory(last_name="Nouvelle", sex=Patient.Sex.FEMALE, birth_year=2000)
    VisitFactory(patient=newcomer, kind=Visit.Kind.SOCIAL, professional=social, occurred_at=timezone.now())
    page.goto(url)
    expect(page.locator("[data-testid=figures-stale]")).to_be_visible()
    expect(page.locator("[data-testid=figures-at]")).to_have_count(0)
    expect(page.locator("[data-value=file_active]")).to_have_text("2")  # the stored figures, said stale
    axe_check(page, "activity report (stale figures)")
    screenshot(page, "report-stale")

    tasks.compute_report_snapshot.call(kind=ReportKind.REPORT, start=start.isoformat(), end=end.isoformat())
    page.goto(url)
    expect(page.locator("[data-testid=figures-at]")).to_be_visible()
    expect(page.locator("[data-value=file_active]")).to_have_text("3")
