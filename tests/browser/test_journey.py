"""The whole journey in a real browser (issue 11): one patient through the unit, each role on its own workstation.

Reception registers the patient; the social worker records the social assessment and files an AME
application; the nurse records a nursing visit and dispenses a medicine from it; the physician records
a consultation, plans an RCP and puts the case on it; the meeting is held; the coordinator validates the
minutes, downloads their PDF, and sees the budget and the activity report move.

Each role has its own browser context. A screenshot of every step is kept in
tests/browser/screenshots/journey/ (git-ignored): the folder for CI to keep as an artifact, a picture of
the whole journey for whoever reviews a change. axe-core checks every page visited. Elements are found
by input names, URLs and data-testid, never by visible wording. Run on your own database:

    PASS_UNIT_TEST_DB=test_journey .venv/bin/pytest tests/browser/test_journey.py
"""

import io
import re
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone, translation
from playwright.sync_api import expect
from pypdf import PdfReader

from budget.models import Expense
from pass_unit.roles import Role
from pass_unit.templatetags.pass_extras import money
from patients.models import CoverageRight, Patient, SocialAssessment, Visit
from rcp.models import Action, CaseReview, Meeting
from tests.support.browser import SCREENSHOTS, screenshot
from tests.support.budget import BudgetYearFactory, CatalogueItemFactory
from tests.support.users import make_user

SUBMIT = "main form[method=post] button[type=submit]"
FILE_URL = re.compile(r"/patients/(\d+)/$")
MEETING_URL = re.compile(r"/rcp/(\d+)/$")


def euros(amount: Decimal) -> str:
    with translation.override("fr"):
        return money(amount)


def test_it_follows_a_patient_through_the_whole_unit(live_server, new_context, log_in, axe_check):
    reception = make_user("accueil", Role.RECEPTION, last_name="Roussel")
    social = make_user("social", Role.SOCIAL_WORKER, last_name="Bensaïd")
    nurse = make_user("infirmier", Role.NURSE, last_name="Mercier")
    physician = make_user("medecin", Role.PHYSICIAN, last_name="Vasseur")
    coordinator = make_user("coordination", Role.COORDINATOR, last_name="Lemoine")
    BudgetYearFactory()
    paracetamol = CatalogueItemFactory(code="MED-PARA500", name="Paracétamol 500 mg", unit_price=Decimal("1.20"))
    year = timezone.localdate().year
    report_path = f"/reports/activity/{year}/"
    (SCREENSHOTS / "journey").mkdir(parents=True, exist_ok=True)

    def step(page, name: str, label: str) -> None:
        """Keep a screenshot of the step and check the page with axe-core."""
        screenshot(page, f"journey/{name}")
        axe_check(page, label)

    def workstation(user):
        page = new_context().new_page()
        log_in(page, user)
        return page

    # The coordinator looks at the budget and the activity report before the patient arrives.
    coordinator_page = workstation(coordinator)
    coordinator_page.goto(live_server.url + "/budget/")
    committed_before = coordinator_page.locator("[data-testid=committed]").inner_text()
    step(coordinator_page, "00-budget-before", "budget dashboard (before)")
    coordinator_page.goto(live_server.url + report_path)
    file_active = coordinator_page.locator("td[data-value=file_active]")
    expect(file_active).to_have_text("0")
    step(coordinator_page, "00-report-before", "activity report (before)")

    # Reception registers the patient.
    reception_page = workstation(reception)
    reception_page.goto(live_server.url + "/patients/new/")
    reception_page.locator("input[name=last_name]").fill("Diallo")
    reception_page.locator("input[name=first_name]").fill("Aminata")
    reception_page.locator("select[name=sex]").select_option("F")
    reception_page.locator("input[name=estimated_birth_year]").fill("1990")
    reception_page.locator("select[name=referred_by]").select_option("association")
    step(reception_page, "01-reception-registration", "registration form")
    reception_page.locator(SUBMIT).click()
    reception_page.wait_for_url(FILE_URL)
    patient = Patient.objects.get(pk=int(FILE_URL.search(reception_page.url).group(1)))
    file_path = f"/patients/{patient.pk}/"
    expect(reception_page.locator("main")).to_contain_text(patient.file_number)
    step(reception_page, "02-reception-file", "patient file (reception)")

    # The social worker records the social assessment, then files an AME application.
    social_page = workstation(social)
    social_page.goto(live_server.url + file_path)
    social_page.locator(f'main a[href="{file_path}assessments/new/"]').click()
    social_page.locator("select[name=housing]").select_option("shelter_115")
    social_page.locator("select[name=administrative_status]").select_option("undocumented")
    social_page.locator("textarea[name=needs]").fill("Domiciliation, demande d'AME, médecin traitant")
    step(social_page, "03-social-assessment", "social assessment form")
    social_page.locator(SUBMIT).click()
    social_page.wait_for_url(live_server.url + file_path)
    expect(social_page.locator("[data-testid=social]")).to_contain_text("Domiciliation, demande d'AME")
    social_page.locator(f'main a[href="{file_path}rights/new/"]').click()
    social_page.locator("select[name=regime]").select_option("ame")
    social_page.locator("select[name=status]").select_option("filed")
    social_page.locator("input[name=organisation]").fill("CPAM du Rhône")
    social_page.locator("input[name=filed_on]").fill(timezone.localdate().isoformat())
    step(social_page, "04-social-ame-application", "coverage right form")
    social_page.locator(SUBMIT).click()
    social_page.wait_for_url(live_server.url + file_path)
    expect(social_page.locator("[data-testid=rights]")).to_contain_text("CPAM du Rhône")
    step(social_page, "05-social-file", "patient file (social worker)")
    right = CoverageRight.objects.get(patient=patient)
    assert (right.regime, right.status, right.filed_on) == (
        CoverageRight.Regime.AME,
        CoverageRight.Status.FILED,
        timezone.localdate(),
    )
    assert SocialAssessment.objects.get(patient=patient).housing == SocialAssessment.Housing.SHELTER_115

    # The nurse records a nursing visit and dispenses a medicine from that visit.
    nurse_page = workstation(nurse)
    nurse_page.goto(live_server.url + file_path)
    nurse_page.locator(f'main a[href="{file_path}visits/new/"]').click()
    nurse_page.locator("select[name=kind]").select_option(Visit.Kind.NURSING)
    nurse_page.locator("input[name=reason]").fill("Pansement et bilan")
    step(nurse_page, "06-nurse-visit", "visit form (nurse)")
    nurse_page.locator(SUBMIT).click()
    nurse_page.wait_for_url(live_server.url + file_path)
    visit = Visit.objects.get(patient=patient, professional=nurse)
    dispense_path = f"/budget/patients/{patient.pk}/dispense/"
    step(nurse_page, "07-nurse-file", "patient file (nurse)")
    nurse_page.locator(f'[data-testid=visits] a[href="{dispense_path}?visit={visit.pk}"]').click()
    nurse_page.wait_for_url(f"**{dispense_path}?visit={visit.pk}")
    expect(nurse_page.locator("select[name=visit]")).to_have_value(str(visit.pk))
    nurse_page.locator(f"input[name=qty_{paracetamol.pk}]").fill("2")
    expect(nurse_page.locator("#dispense-total")).to_have_text(euros(Decimal("2.40")))
    step(nurse_page, "08-nurse-dispense", "dispense form")
    nurse_page.locator("[data-testid=charge]").click()
    nurse_page.wait_for_url(live_server.url + file_path)
    expense = Expense.objects.get(patient=patient)
    assert (expense.visit, expense.amount, expense.created_by) == (visit, Decimal("2.40"), nurse)

    # The physician records a consultation, plans tomorrow's RCP and puts the case on it from the file.
    physician_page = workstation(physician)
    physician_page.goto(live_server.url + file_path)
    physician_page.locator(f'main a[href="{file_path}visits/new/"]').click()
    physician_page.locator("select[name=kind]").select_option(Visit.Kind.MEDICAL)
    physician_page.locator("input[name=reason]").fill("Toux persistante, amaigrissement")
    step(physician_page, "09-physician-consultation", "visit form (physician)")
    physician_page.locator(SUBMIT).click()
    physician_page.wait_for_url(live_server.url + file_path)
    assert Visit.objects.filter(patient=patient, professional=physician, kind=Visit.Kind.MEDICAL).exists()

    physician_page.goto(live_server.url + "/rcp/")
    physician_page.locator("[data-testid=plan-meeting]").click()
    tomorrow = timezone.localtime() + timedelta(days=1)
    physician_page.locator("input[name=scheduled_at]").fill(tomorrow.strftime("%Y-%m-%dT14:00"))
    physician_page.locator("select[name=kind]").select_option("medico_social")
    physician_page.locator("input[name=place]").fill("Salle de staff, bâtiment B")
    physician_page.locator(f"input[name=members][value='{nurse.pk}']").check()
    physician_page.locator(f"input[name=members][value='{social.pk}']").check()
    step(physician_page, "10-physician-plan-meeting", "plan meeting form")
    physician_page.locator(SUBMIT).click()
    physician_page.wait_for_url(MEETING_URL)
    meeting = Meeting.objects.get(pk=int(MEETING_URL.search(physician_page.url).group(1)))
    meeting_path = f"/rcp/{meeting.pk}/"

    physician_page.goto(live_server.url + file_path)
    physician_page.locator(f"main a[href='/rcp/propose/{patient.pk}/']").click()
    physician_page.locator("select[name=meeting]").select_option(str(meeting.pk))
    physician_page.locator("textarea[name=question]").fill("Traitement d'une tuberculose sans droits ouverts ?")
    step(physician_page, "11-physician-propose-case", "present in RCP form")
    physician_page.locator(SUBMIT).click()
    physician_page.wait_for_url(live_server.url + meeting_path)
    expect(physician_page.locator("[data-testid=case-row]")).to_have_count(1)
    expect(physician_page.locator("[data-testid=case-row]")).to_contain_text(patient.file_number)
    step(physician_page, "12-physician-meeting-agenda", "meeting agenda")

    # The day of the meeting comes: attendance, then a decision and an action on the case page.
    Meeting.objects.filter(pk=meeting.pk).update(scheduled_at=timezone.now() - timedelta(minutes=30))
    physician_page.reload()
    physician_page.locator("[data-testid=take-attendance]").click()
    step(physician_page, "13-physician-attendance", "attendance form")
    physician_page.locator(SUBMIT).click()
    physician_page.wait_for_url(live_server.url + meeting_path)
    expect(physician_page.locator("[data-testid=quorum]")).to_be_visible()
    case = CaseReview.objects.get(meeting=meeting, patient=patient)
    physician_page.goto(f"{live_server.url}/rcp/cases/{case.pk}/")
    physician_page.locator("textarea[name=delib-deliberation]").fill("Traitement indispensable, droits en cours.")
    physician_page.locator("textarea[name=delib-decision]").fill("Traitement antituberculeux dispensé par la PUI.")
    physician_page.locator("select[name=delib-follow_up_by]").select_option(str(nurse.pk))
    physician_page.locator("[data-testid=save-deliberation]").click()
    expect(physician_page.locator("textarea[name=delib-decision]")).to_have_value(
        "Traitement antituberculeux dispensé par la PUI."
    )
    physician_page.locator("input[name=action-description]").fill("Observance du traitement chaque semaine")
    physician_page.locator("select[name=action-assignee]").select_option(str(nurse.pk))
    physician_page.locator("input[name=action-due_on]").fill((timezone.localdate() + timedelta(days=14)).isoformat())
    physician_page.locator("[data-testid=add-action]").click()
    expect(physician_page.locator("[data-testid=action]")).to_have_count(1)
    step(physician_page, "14-physician-case-decision", "case page")
    assert Action.objects.get(assignee=nurse).description == "Observance du traitement chaque semaine"

    # The coordinator validates the minutes and downloads their PDF.
    coordinator_page.goto(live_server.url + meeting_path)
    coordinator_page.locator("[data-testid=validate-link]").click()
    coordinator_page.locator("input[name=confirm]").check()
    step(coordinator_page, "15-coordinator-validate", "validate minutes form")
    coordinator_page.locator("[data-testid=validate]").click()
    coordinator_page.wait_for_url(live_server.url + meeting_path)
    expect(coordinator_page.locator("[data-testid=validated-banner]")).to_be_visible()
    step(coordinator_page, "16-coordinator-validated-meeting", "validated meeting")
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.VALIDATED
    minutes = coordinator_page.request.get(live_server.url + f"{meeting_path}minutes.pdf")
    assert minutes.ok and minutes.headers["content-type"] == "application/pdf"
    assert minutes.body()[:5] == b"%PDF-"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(minutes.body())).pages).replace("\n", " ")
    assert patient.file_number in text
    assert "Traitement antituberculeux" in text

    # The budget has moved by the dispensed amount.
    coordinator_page.goto(live_server.url + "/budget/")
    committed = coordinator_page.locator("[data-testid=committed]")
    expect(committed).not_to_have_text(committed_before)
    expect(committed).to_have_text(euros(Decimal("2.40")))
    step(coordinator_page, "17-coordinator-budget-after", "budget dashboard (after)")

    # The activity report counts the patient in the file active.
    coordinator_page.goto(live_server.url + report_path)
    expect(file_active).to_have_text("1")
    step(coordinator_page, "18-coordinator-report-after", "activity report (after)")
