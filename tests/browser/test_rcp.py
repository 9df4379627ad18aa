"""The RCP in a real browser: plan, put two cases on the agenda, deliberate, validate, print, follow up.

Elements are found by input names, URLs and data-testid, never by visible wording (the
interface is translated later). Run on your own test database:

    PASS_UNIT_TEST_DB=test_rcp_browser .venv/bin/pytest tests/browser/test_rcp.py -q
"""

import hashlib
import io
import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from pass_unit.roles import Role
from patients import services as patient_services
from patients.models import Patient, SocialAssessment
from rcp.models import Action, CaseReview, Meeting
from tests.support.browser import screenshot
from tests.support.users import make_user

SUBMIT = "main form[method=post] button[type=submit]"
MEETING_URL = re.compile(r"/rcp/(\d+)/$")


def _member(username, role, first_name, last_name):
    user = make_user(username, role, last_name=last_name)
    user.first_name = first_name
    user.save(update_fields=["first_name"])
    return user


def _register(user, last_name, first_name, year, housing) -> Patient:
    patient = patient_services.patient_register(
        patient=Patient(last_name=last_name, first_name=first_name, birth_year=year), acting_user=user
    )
    patient_services.assessment_add(
        assessment=SocialAssessment(housing=housing, needs="Ouverture des droits"), patient=patient, acting_user=user
    )
    return patient


def test_it_runs_a_meeting_from_agenda_to_signed_minutes(live_server, page, browser, log_in, axe_check):
    physician = _member("medecin", Role.PHYSICIAN, "Claire", "Vasseur")
    nurse = _member("infirmier", Role.NURSE, "Julien", "Mercier")
    social = _member("social", Role.SOCIAL_WORKER, "Nadia", "Bensaïd")
    coordinator = _member("coordination", Role.COORDINATOR, "Marc", "Lemoine")
    eloise = _register(social, "Nguyễn", "Éloïse", 1991, SocialAssessment.Housing.SHELTER_115)
    mohammed = _register(social, "Benali", "Mohammed", 1978, SocialAssessment.Housing.STREET)

    # The physician plans tomorrow's meeting and invites the nurse and the social worker.
    log_in(page, physician)
    page.goto(live_server.url + "/rcp/")
    page.locator("[data-testid=plan-meeting]").click()
    tomorrow = timezone.localtime() + timedelta(days=1)
    page.locator("input[name=scheduled_at]").fill(tomorrow.strftime("%Y-%m-%dT14:00"))
    page.locator("select[name=kind]").select_option("medico_social")
    page.locator("input[name=place]").fill("Salle de staff, bâtiment B")
    page.locator(f"input[name=members][value='{nurse.pk}']").check()
    page.locator(f"input[name=members][value='{social.pk}']").check()
    screenshot(page, "rcp-01-plan-meeting")
    page.locator(SUBMIT).click()
    page.wait_for_url(MEETING_URL)
    meeting = Meeting.objects.get(pk=int(MEETING_URL.search(page.url).group(1)))
    meeting_path = f"/rcp/{meeting.pk}/"
    assert meeting.participants.count() == 3

    # First case, from the meeting page: find the patient, the social summary comes prefilled.
    page.locator("[data-testid=add-case]").click()
    page.locator("input[name=q]").fill("eloise nguyen")
    page.locator("input[name=q]").press("Enter")
    page.locator("[data-testid=choose-patient]").first.click()
    expect(page.locator("textarea[name=social_summary]")).not_to_have_value("")
    page.locator("textarea[name=question]").fill("Traitement de la tuberculose sans droits ouverts ?")
    page.locator("textarea[name=medical_summary]").fill("Tuberculose pulmonaire, BK positifs.")
    screenshot(page, "rcp-02-case-form")
    axe_check(page, "case form")
    page.locator(SUBMIT).click()
    page.wait_for_url(live_server.url + meeting_path)

    # Second case, straight from the patient file ("Present in RCP").
    page.goto(f"{live_server.url}/patients/{mohammed.pk}/")
    page.locator(f"main a[href='/rcp/propose/{mohammed.pk}/']").click()
    page.locator("select[name=meeting]").select_option(str(meeting.pk))
    page.locator("textarea[name=question]").fill("Quelle solution d'hébergement à la sortie ?")
    page.locator("input[name=urgent]").check()
    page.locator(SUBMIT).click()
    page.wait_for_url(live_server.url + meeting_path)
    expect(page.locator("[data-testid=case-row]")).to_have_count(2)
    # The urgent case comes first.
    expect(page.locator("[data-testid=case-row]").first).to_contain_text(mohammed.file_number)

    # The day of the meeting comes.
    Meeting.objects.filter(pk=meeting.pk).update(scheduled_at=timezone.now() - timedelta(minutes=30))
    page.reload()
    page.locator("[data-testid=take-attendance]").click()
    page.locator(SUBMIT).click()
    page.wait_for_url(live_server.url + meeting_path)
    expect(page.locator("[data-testid=quorum]")).to_be_visible()

    # One page per case: decision and an action for the nurse on the first, a decision on the second.
    eloise_case = CaseReview.objects.get(meeting=meeting, patient=eloise)
    page.goto(f"{live_server.url}/rcp/cases/{eloise_case.pk}/")
    expect(page.locator("[data-testid=medical-summary]")).to_contain_text("BK positifs")
    page.locator("textarea[name=delib-deliberation]").fill("Traitement indispensable, coût élevé mais justifié.")
    page.locator("textarea[name=delib-decision]").fill("Traitement antituberculeux dispensé par la PUI.")
    page.locator("select[name=delib-follow_up_by]").select_option(str(nurse.pk))
    page.locator("[data-testid=save-deliberation]").click()
    page.locator("input[name=option-description]").fill("Traitement de 6 mois par la PUI")
    page.locator("input[name=option-estimated_cost]").fill("310,50")
    page.locator("input[name=option-retained]").check()
    page.locator("[data-testid=add-option]").click()
    page.locator("input[name=action-description]").fill("Observance du traitement chaque semaine")
    page.locator("select[name=action-assignee]").select_option(str(nurse.pk))
    page.locator("input[name=action-due_on]").fill((timezone.localdate() + timedelta(days=14)).isoformat())
    page.locator("[data-testid=add-action]").click()
    expect(page.locator("[data-testid=action]")).to_have_count(1)
    screenshot(page, "rcp-03-case-page")
    page.locator("[data-testid=previous-case]").click()
    page.locator("textarea[name=delib-decision]").fill("Demande de place en LHSS.")
    page.locator("[data-testid=save-deliberation]").click()
    expect(page.locator("textarea[name=delib-decision]")).to_have_value("Demande de place en LHSS.")

    # The coordinator validates the minutes and downloads them.
    coordinator_page = browser.new_page(
        locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": 1366, "height": 900}
    )
    log_in(coordinator_page, coordinator)
    coordinator_page.goto(live_server.url + meeting_path)
    coordinator_page.locator("[data-testid=validate-link]").click()
    coordinator_page.locator("input[name=confirm]").check()
    screenshot(coordinator_page, "rcp-04-validate")
    coordinator_page.locator("[data-testid=validate]").click()
    coordinator_page.wait_for_url(live_server.url + meeting_path)
    expect(coordinator_page.locator("[data-testid=validated-banner]")).to_be_visible()
    screenshot(coordinator_page, "rcp-05-validated-meeting")
    axe_check(coordinator_page, "validated meeting")
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.VALIDATED
    minutes = coordinator_page.request.get(live_server.url + f"/rcp/{meeting.pk}/minutes.pdf")
    assert minutes.ok and minutes.headers["content-type"] == "application/pdf"
    assert hashlib.sha256(minutes.body()).hexdigest() == meeting.versions.get().sha256
    reader = PdfReader(io.BytesIO(minutes.body()))
    text = " ".join(p.extract_text() for p in reader.pages).replace("\n", " ")
    for expected in (eloise.file_number, mohammed.file_number, "Traitement antituberculeux", "LHSS", "Mercier"):
        assert expected in text, expected
    assert "BK positifs" not in text  # medical summaries stay out of the minutes
    assert re.search(rf"1 / {len(reader.pages)}\b", text)
    coordinator_page.close()

    # The nurse finds her action on her dashboard.
    page.context.clear_cookies()
    log_in(page, nurse)
    page.goto(live_server.url + "/")
    action = Action.objects.get(assignee=nurse)
    block = page.locator("[data-testid=rcp-my-actions]")
    expect(block.locator(f"[data-testid=rcp-my-action][data-pk='{action.pk}']")).to_be_visible()
    expect(block).to_contain_text(eloise.file_number)
    screenshot(page, "rcp-06-nurse-dashboard")

    # And the patient file lists the review, its decision and the filed extract.
    page.goto(f"{live_server.url}/patients/{eloise.pk}/")
    reviews = page.locator("[data-testid=rcp-reviews]")
    expect(reviews).to_contain_text("Traitement antituberculeux")
    expect(reviews.locator("[data-testid=rcp-extract]")).to_be_visible()
    screenshot(page, "rcp-07-patient-file-reviews")


def test_the_meeting_page_shows_a_bounded_follow_up_and_links_to_the_whole_of_it(live_server, page, log_in, axe_check):
    """Twenty actions from an earlier meeting: the page shows the first ones by priority (the
    patient on this agenda first, then the most overdue), exact counts, and a link to all of them."""
    from tests.support import rcp as helpers

    physician = _member("medecin", Role.PHYSICIAN, "Claire", "Vasseur")
    nurse = _member("infirmier", Role.NURSE, "Julien", "Mercier")
    social = _member("social", Role.SOCIAL_WORKER, "Nadia", "Bensaïd")
    coordinator = _member("coordination", Role.COORDINATOR, "Marc", "Lemoine")
    earlier = helpers.plan(physician, members=[nurse, social])
    patients = [
        _register(social, f"Patient{n:02d}", "Test", 1980 + n, SocialAssessment.Housing.SHELTER_115) for n in range(10)
    ]
    for n, patient in enumerate(patients):
        case = helpers.add_case(earlier, patient, physician)
        helpers.add_action(case, physician, assignee=nurse, description=f"Rendez-vous {n}", due_in_days=n - 12)
        helpers.add_action(case, physician, assignee=social, description=f"Dossier AME {n}", due_in_days=n + 2)
    helpers.pass_time(earlier, to=timezone.now() - timedelta(days=1))
    helpers.take_attendance(earlier, physician)
    for case in earlier.cases.all():
        helpers.decide(case, physician)
    helpers.validate(earlier, coordinator, real_pdf=False)
    meeting = helpers.plan(physician, members=[nurse, social])
    helpers.add_case(meeting, patients[9], physician)

    log_in(page, coordinator)
    page.goto(f"{live_server.url}/rcp/{meeting.pk}/")
    follow_up = page.locator("[data-testid=follow-up]")
    rows = follow_up.locator("[data-testid=follow-up-row]")
    expect(rows).to_have_count(15)
    expect(rows.first).to_have_attribute("data-on-agenda", "yes")  # patient 9, on today's agenda
    counts = follow_up.locator("[data-testid=follow-up-counts]")
    expect(counts).to_have_attribute("data-open", "20")
    expect(counts).to_have_attribute("data-overdue", "10")
    screenshot(page, "rcp-08-meeting-follow-up-bounded")
    axe_check(page, "meeting page with a bounded follow-up")

    follow_up.locator("[data-testid=follow-up-more] a").click()
    page.wait_for_url(re.compile(rf"/rcp/{meeting.pk}/follow-up/$"))
    expect(page.locator("[data-testid=follow-up-row]")).to_have_count(20)
    page.locator("[data-testid=follow-up-filters] a[href='?show=overdue']").click()
    expect(page.locator("[data-testid=follow-up-row]")).to_have_count(10)
    screenshot(page, "rcp-09-whole-follow-up-overdue")
    axe_check(page, "the whole follow-up of a meeting")


def test_a_nurse_goes_from_the_dashboard_to_all_her_actions_and_closes_one(live_server, page, log_in, axe_check):
    """Twelve open actions: the dashboard shows the first eight and the exact total, the list shows
    all of them (overdue ones on their own), and closing one from the list comes back to it."""
    from tests.support import rcp as helpers

    physician = _member("medecin", Role.PHYSICIAN, "Claire", "Vasseur")
    nurse = _member("infirmier", Role.NURSE, "Julien", "Mercier")
    social = _member("social", Role.SOCIAL_WORKER, "Nadia", "Bensaïd")
    meeting = helpers.plan(physician, members=[nurse, social])
    for n in range(12):
        patient = _register(social, f"Patient{n:02d}", "Test", 1980 + n, SocialAssessment.Housing.SHELTER_115)
        case = helpers.add_case(meeting, patient, physician)
        helpers.add_action(case, physician, assignee=nurse, description=f"Rendez-vous {n}", due_in_days=n - 5)

    log_in(page, nurse)
    page.goto(live_server.url + "/")
    block = page.locator("[data-testid=rcp-my-actions]")
    expect(block.locator("[data-testid=rcp-my-action]")).to_have_count(8)
    expect(block.locator("[data-testid=rcp-my-actions-total]")).to_have_text("12")
    block.locator("[data-testid=rcp-my-actions-all]").click()
    page.wait_for_url(re.compile(r"/rcp/actions/$"))
    expect(page.locator("[data-testid=my-actions-list] [data-testid=rcp-my-action]")).to_have_count(12)
    page.locator("[data-testid=my-actions-filters] a[href='?show=overdue']").click()
    overdue = page.locator("[data-testid=my-actions-list] [data-testid=rcp-my-action]")
    expect(overdue).to_have_count(5)
    screenshot(page, "rcp-10-my-actions-overdue")
    axe_check(page, "my RCP actions")

    overdue.first.locator("a[href*='next=my-actions']").click()
    page.locator("input[name=status][value=done]").check()
    page.locator(SUBMIT).click()
    page.wait_for_url(re.compile(r"/rcp/actions/$"))
    expect(page.locator("[data-testid=my-actions-list] [data-testid=rcp-my-action]")).to_have_count(11)
    assert Action.objects.filter(assignee=nurse, status=Action.Status.DONE).count() == 1
