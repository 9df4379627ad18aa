"""The RCP pages: plan, put cases on the agenda, deliberate, validate; the lock; the panels elsewhere."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from pass_unit.models import AuditEvent
from rcp.models import Action, CaseMedicalSummary, CaseOption, CaseReview, Meeting, MinutesVersion
from tests.support import rcp as helpers
from tests.support.rcp import register

MEDICAL_SECRET = "Tuberculose"  # in the patient's medical context and the case's medical summary


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


# --- planning --------------------------------------------------------------------------------


def test_a_physician_plans_a_meeting(login, physician, nurse, social):
    client = login(physician)
    response = client.post(
        reverse("rcp:create"),
        {
            "scheduled_at": local(timezone.now() + timedelta(days=2)),
            "kind": "medico_social",
            "place": "Salle Pasteur",
            "chair": physician.pk,
            "members": [nurse.pk, social.pk],
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("rcp:detail", args=[meeting.pk])
    assert set(meeting.participants.values_list("user__username", flat=True)) == {"physician", "nurse", "social"}


def test_a_meeting_in_the_past_comes_back_with_what_was_typed(login, physician):
    client = login(physician)
    typed = {
        "scheduled_at": local(timezone.now() - timedelta(days=1)),
        "kind": "medical",
        "place": "Salle Pasteur, 3ᵉ étage",
        "chair": str(physician.pk),
    }
    response = client.post(reverse("rcp:create"), typed)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error("scheduled_at")
    assert escape(typed["place"]) in response.content.decode()
    assert 'data-testid="form-errors"' in response.content.decode()
    assert not Meeting.objects.exists()


# --- the agenda ------------------------------------------------------------------------------


def test_a_case_is_found_then_put_on_the_agenda_with_summaries_prefilled(login, planned, patient, physician):
    client = login(physician)
    url = reverse("rcp:case-create", args=[planned.pk])
    results = client.get(url, {"q": "eloise nguyen"})
    assert patient.file_number in results.content.decode()
    form_page = client.get(url, {"patient": patient.pk})
    initial = form_page.context["form"].initial
    assert "Domiciliation, AME" in initial["social_summary"]
    assert "Tuberculose pulmonaire" in initial["medical_summary"]
    assert AuditEvent.objects.filter(action="view_medical", patient=patient, user=physician).exists()
    response = client.post(
        f"{url}?patient={patient.pk}",
        {
            "presented_by": physician.pk,
            "question": "Traitement possible sans droits ?",
            "social_summary": "Hébergée au 115",
            "medical_summary": "Tuberculose pulmonaire en cours de traitement",
            "urgent": "on",
        },
    )
    assert response.status_code == 302
    case = CaseReview.objects.get(meeting=planned, patient=patient)
    assert case.urgent and case.proposed_by == physician
    assert case.medical.text == "Tuberculose pulmonaire en cours de traitement"


def test_a_social_worker_proposes_a_case_without_ever_seeing_medical_data(login, planned, patient, social):
    client = login(social)
    url = reverse("rcp:propose", args=[patient.pk])
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "medical_summary" not in page.context["form"].fields
    assert MEDICAL_SECRET not in html and "Pénicilline" not in html
    assert 'data-testid="medical-summary-field"' not in html
    response = client.post(
        url,
        {
            "meeting": planned.pk,
            "presented_by": social.pk,
            "question": "Hébergement ?",
            "social_summary": "À la rue",
            "medical_summary": "forged by a crafted POST",
        },
    )
    assert response.status_code == 302
    case = CaseReview.objects.get(patient=patient)
    assert not CaseMedicalSummary.objects.filter(case_review=case).exists()
    assert not AuditEvent.objects.filter(user=social, medical=True).exists()


def test_a_patient_already_on_the_agenda_is_refused_with_a_message(login, planned, patient, physician, nurse):
    helpers.add_case(planned, patient, physician)
    client = login(nurse)
    typed = {"meeting": str(planned.pk), "presented_by": str(nurse.pk), "question": "Une autre question, même patient"}
    response = client.post(reverse("rcp:propose", args=[patient.pk]), typed)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert escape(typed["question"]) in response.content.decode()
    assert CaseReview.objects.filter(patient=patient).count() == 1


def test_the_patient_file_offers_no_meeting_when_none_is_to_come(login, patient, social):
    response = login(social).get(reverse("rcp:propose", args=[patient.pk]))
    assert 'data-testid="no-meeting"' in response.content.decode()


def test_the_agenda_is_reordered_and_cases_marked_urgent(login, planned, patient, other_patient, physician):
    first = helpers.add_case(planned, patient, physician)
    second = helpers.add_case(planned, other_patient, physician)
    client = login(physician)
    agenda = reverse("rcp:agenda", args=[planned.pk])
    response = client.post(reverse("rcp:agenda-move", args=[planned.pk, second.pk]), {"direction": "up"})
    assert response.status_code == 302 and response["Location"] == agenda
    assert client.post(reverse("rcp:agenda-urgent", args=[planned.pk, first.pk]), {"urgent": "1"}).status_code == 302
    assert list(planned.cases.order_by("position").values_list("pk", "urgent")) == [
        (second.pk, False),
        (first.pk, True),
    ]
    # Nonsense is refused without a change; a change is not a page (GET).
    client.post(reverse("rcp:agenda-move", args=[planned.pk, first.pk]), {"direction": "sideways"})
    client.post(reverse("rcp:agenda-urgent", args=[planned.pk, first.pk]), {"urgent": "²"})
    other = helpers.plan(physician, when=helpers.at(9))
    assert client.post(reverse("rcp:agenda-move", args=[other.pk, first.pk]), {"direction": "up"}).status_code == 404
    assert client.get(reverse("rcp:agenda-move", args=[planned.pk, first.pk])).status_code == 405
    assert list(planned.cases.order_by("position").values_list("pk", "urgent")) == [
        (second.pk, False),
        (first.pk, True),
    ]


def test_attendance_is_taken_and_the_meeting_held(login, planned, physician, nurse):
    helpers.pass_time(planned)
    participants = {p.user: p for p in planned.participants.select_related("user")}
    data = {f"p{p.pk}": "present" for p in participants.values()}
    data[f"p{participants[nurse].pk}"] = "excused"
    response = login(physician).post(reverse("rcp:attendance", args=[planned.pk]), data)
    assert response.status_code == 302
    planned.refresh_from_db()
    assert planned.status == "held"
    assert planned.participants.get(user=nurse).attendance == "excused"


# --- during the meeting ----------------------------------------------------------------------


def test_the_case_page_records_deliberation_options_and_actions(login, held, physician, nurse, patient):
    case = held.cases.get(patient=patient)
    client = login(physician)
    url = reverse("rcp:case-detail", args=[case.pk])
    review_on = (timezone.localdate() + timedelta(days=40)).isoformat()
    response = client.post(
        reverse("rcp:case-deliberation", args=[case.pk]),
        {
            "delib-deliberation": "Discussion collégiale.",
            "delib-ethical_issues": "Coût élevé, bénéfice certain.",
            "delib-decision": "Traitement par la PUI",
            "delib-follow_up_by": nurse.pk,
            "delib-next_review_on": review_on,
            "delib-patient_informed": "on",
        },
    )
    assert response.status_code == 302 and response["Location"] == url
    case.refresh_from_db()
    assert (case.decision, case.follow_up_by, str(case.next_review_on), case.patient_informed) == (
        "Traitement par la PUI",
        nurse,
        review_on,
        True,
    )
    # A French user types a decimal comma.
    client.post(
        reverse("rcp:case-option-add", args=[case.pk]),
        {"option-description": "Ténofovir 6 mois", "option-estimated_cost": "1140,50"},
    )
    option = CaseOption.objects.get(case_review=case, description="Ténofovir 6 mois")
    assert option.estimated_cost == Decimal("1140.50")
    due = (timezone.localdate() + timedelta(days=7)).isoformat()
    client.post(
        reverse("rcp:case-action-add", args=[case.pk]),
        {"action-description": "Dispensation", "action-assignee": nurse.pk, "action-due_on": due},
    )
    assert case.actions.filter(description="Dispensation", assignee=nurse).exists()
    option = CaseOption.objects.filter(case_review=case).first()
    client.post(reverse("rcp:case-option-withdraw", args=[case.pk, option.pk]))
    option.refresh_from_db()
    assert option.withdrawn_at is not None  # kept on record, out of the page and the minutes
    assert option not in client.get(url).context["options"]


def test_an_action_without_assignee_or_date_comes_back_with_what_was_typed(login, held, physician):
    case = held.cases.first()
    count = Action.objects.count()
    response = login(physician).post(
        reverse("rcp:case-action-add", args=[case.pk]), {"action-description": "Appeler la PMI"}
    )
    assert response.status_code == 200
    form = response.context["action_form"]
    assert form.has_error("assignee") and form.has_error("due_on")
    assert "Appeler la PMI" in response.content.decode()
    assert Action.objects.count() == count


def test_a_refused_deliberation_comes_back_on_the_case_page_with_what_was_typed(login, held, physician):
    case = held.cases.first()
    before = helpers.rcp_state()
    typed = {"delib-deliberation": "Échange sur l'hébergement", "delib-decision": "LHSS", "delib-postponed": "on"}
    response = login(physician).post(reverse("rcp:case-deliberation", args=[case.pk]), typed)
    assert response.status_code == 200
    assert response.context["deliberation_form"].has_error("postponed")  # decided and postponed at once
    html = response.content.decode()
    assert 'data-testid="form-errors"' in html and escape(typed["delib-deliberation"]) in html
    assert 'data-testid="add-action"' in html  # the whole page, its other forms too
    assert helpers.rcp_state() == before


def test_minutes_validated_meanwhile_refuse_the_write_with_the_locked_page(login, held, physician, coordinator):
    from unittest import mock

    from pass_unit import access

    # The page was opened (and its meeting read) before the coordinator validated the minutes.
    stale = CaseReview.objects.select_related("meeting", "patient").get(pk=held.cases.first().pk)
    helpers.validate(held, coordinator, real_pdf=False)
    before = helpers.rcp_state()
    client = login(physician)
    with mock.patch.object(access, "get_case_review_for_user", return_value=stale):
        response = client.post(reverse("rcp:case-option-add", args=[stale.pk]), {"option-description": "Tardive"})
    assert response.status_code == 403 and 'data-testid="locked"' in response.content.decode()
    assert helpers.rcp_state() == before


def test_the_case_page_shows_the_medical_summary_only_to_medical_roles(
    login, held, patient, social, coordinator, nurse
):
    case = held.cases.get(patient=patient)
    url = reverse("rcp:case-detail", args=[case.pk])
    for reader in (social, coordinator):
        html = login(reader).get(url).content.decode()
        assert patient.file_number in html
        assert MEDICAL_SECRET not in html and 'data-testid="medical-summary"' not in html
    html = login(nurse).get(url).content.decode()
    assert 'data-testid="medical-summary"' in html and MEDICAL_SECRET in html
    assert AuditEvent.objects.filter(action="view_medical", user=nurse, patient=patient).exists()
    assert not AuditEvent.objects.filter(action="view_medical", user__in=[social, coordinator]).exists()


def test_the_meeting_page_never_shows_medical_summaries(login, held, social, physician):
    for user in (social, physician):
        html = login(user).get(reverse("rcp:detail", args=[held.pk])).content.decode()
        assert MEDICAL_SECRET not in html
        assert html.count('data-testid="case-row"') == 2


# --- validation, the lock, corrections -------------------------------------------------------


def test_the_coordinator_validates_the_minutes(login, held, coordinator):
    client = login(coordinator)
    url = reverse("rcp:validate", args=[held.pk])
    assert client.post(url, {}).status_code == 200  # the confirmation box is required
    assert not MinutesVersion.objects.exists()
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.status == "validated" and held.versions.count() == 1


def test_the_validation_page_lists_what_is_missing(login, planned, patient, physician):
    helpers.add_case(planned, patient, physician)
    response = login(physician).get(reverse("rcp:validate", args=[planned.pk]))
    assert 'data-testid="problems"' in response.content.decode()
    assert patient.file_number in response.content.decode()


def _crafted_posts(meeting, users) -> dict:
    """URL -> a plausible POST, for every page that writes on a meeting or its cases."""
    case = meeting.cases.first()
    participant = meeting.participants.exclude(user=meeting.chair).first()
    option = CaseOption.objects.filter(case_review=case).first() or helpers.add_option(case, users["physician"])
    due = (timezone.localdate() + timedelta(days=5)).isoformat()
    return {
        reverse("rcp:edit", args=[meeting.pk]): {
            "scheduled_at": local(timezone.now() + timedelta(days=1)),
            "kind": "medical",
            "place": "Ailleurs",
            "chair": users["physician"].pk,
        },
        reverse("rcp:participant-add-guest", args=[meeting.pk]): {"name": "Intrus", "profession": "Aucune"},
        reverse("rcp:participant-add-member", args=[meeting.pk]): {"user": users["coordinator"].pk},
        reverse("rcp:participant-withdraw", args=[meeting.pk, participant.pk]): {},
        reverse("rcp:attendance", args=[meeting.pk]): {f"p{p.pk}": "absent" for p in meeting.participants.all()},
        reverse("rcp:agenda-move", args=[meeting.pk, case.pk]): {"direction": "down"},
        reverse("rcp:agenda-urgent", args=[meeting.pk, case.pk]): {"urgent": "1"},
        reverse("rcp:case-create", args=[meeting.pk]) + f"?patient={users['new_patient'].pk}": {
            "presented_by": users["physician"].pk,
            "question": "Ajout après coup ?",
        },
        reverse("rcp:case-edit", args=[case.pk]): {
            "presented_by": users["physician"].pk,
            "question": "Question réécrite",
            "medical_summary": "Réécrit",
        },
        reverse("rcp:case-deliberation", args=[case.pk]): {"delib-decision": "Décision réécrite"},
        reverse("rcp:case-option-add", args=[case.pk]): {"option-description": "Nouvelle"},
        reverse("rcp:case-option-withdraw", args=[case.pk, option.pk]): {},
        reverse("rcp:case-action-add", args=[case.pk]): {
            "action-description": "Nouvelle action",
            "action-assignee": users["physician"].pk,
            "action-due_on": due,
        },
        reverse("rcp:validate", args=[meeting.pk]): {"confirm": "on"},
    }


@pytest.mark.parametrize("persona", ["physician", "coordinator"])
def test_a_crafted_post_to_a_validated_meeting_is_refused_and_changes_nothing(client, held, personas, persona):
    from tests.support.rcp import register

    users = {**personas, "new_patient": register(personas["social"], "Nouveau", "Patient")}
    posts = _crafted_posts(held, users)
    helpers.validate(held, personas["coordinator"], real_pdf=False)
    before = helpers.rcp_state()
    client.force_login(personas[persona])
    last_event = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    for url, data in posts.items():
        response = client.post(url.split("#")[0], data)
        # The physician edits the RCP: refused because the minutes are validated (403 with the reason);
        # the coordinator may not edit at all (403) but may validate (refused: already validated).
        assert response.status_code == 403, (url, response.status_code)
        if persona == "physician" or "validate" in url:
            assert 'data-testid="locked"' in response.content.decode(), url
    assert helpers.rcp_state() == before
    new_events = AuditEvent.objects.filter(pk__gt=last_event).exclude(action__in=["view", "view_medical"])
    assert list(new_events.values_list("action", "object_type")) == []


def test_the_pages_of_a_validated_meeting_are_read_only(login, held, physician, coordinator):
    helpers.validate(held, coordinator, real_pdf=False)
    client = login(physician)
    html = client.get(reverse("rcp:detail", args=[held.pk])).content.decode()
    assert 'data-testid="validated-banner"' in html and 'data-testid="add-case"' not in html
    case = held.cases.first()
    case_html = client.get(reverse("rcp:case-detail", args=[case.pk])).content.decode()
    # No form posts to the case's actions (/rcp/cases/<pk>/…).
    assert f'action="{reverse("rcp:case-detail", args=[case.pk])}' not in case_html
    assert client.get(reverse("rcp:edit", args=[held.pk])).status_code == 403


def test_a_correction_is_opened_then_validated_as_a_new_version(login, held, coordinator, physician):
    first = helpers.validate(held, coordinator, real_pdf=False)
    client = login(coordinator)
    url = reverse("rcp:correct", args=[held.pk])
    assert client.post(url, {"reason": ""}).status_code == 200
    assert client.post(url, {"reason": "Participant oublié"}).status_code == 302
    held.refresh_from_db()
    assert held.status == "held"
    helpers.add_guest(held, physician, name="Dr Oublié")
    with helpers.stand_in_pdf():
        assert client.post(reverse("rcp:validate", args=[held.pk]), {"confirm": "on"}).status_code == 302
    versions = list(held.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[1].supersedes_id == first.pk
    detail = client.get(reverse("rcp:detail", args=[held.pk])).content.decode()
    assert detail.count('data-testid="version"') == 2


# --- follow-up of actions --------------------------------------------------------------------


def test_the_assignee_closes_an_action_from_the_dashboard(login, held, nurse):
    client = login(nurse)
    home = client.get(reverse("home")).content.decode()
    action = Action.objects.get(assignee=nurse)
    assert 'data-testid="rcp-my-actions"' in home and f'data-pk="{action.pk}"' in home
    response = client.post(reverse("rcp:action-close", args=[action.pk]), {"status": "done", "next": "home"})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    action.refresh_from_db()
    assert action.status == "done" and action.closed_by == nurse
    assert f'data-pk="{action.pk}"' not in client.get(reverse("home")).content.decode()


def test_dropping_an_action_without_a_reason_is_refused(login, held, nurse):
    action = Action.objects.get(assignee=nurse)
    response = login(nurse).post(reverse("rcp:action-close", args=[action.pk]), {"status": "dropped", "reason": ""})
    assert response.status_code == 200 and response.context["form"].has_error("reason")
    action.refresh_from_db()
    assert action.status == "open"


def test_the_next_meeting_shows_the_follow_up_of_open_actions(login, held, coordinator, physician, nurse):
    helpers.validate(held, coordinator, real_pdf=False)
    action = Action.objects.get(assignee=nurse)
    following = helpers.plan(physician)
    html = login(physician).get(reverse("rcp:detail", args=[following.pk])).content.decode()
    assert f'data-testid="follow-up-row" data-pk="{action.pk}" data-status="open"' in html


# --- what the RCP adds to other pages --------------------------------------------------------


def test_the_patient_file_lists_reviews_and_offers_to_present_in_rcp(login, held, patient, coordinator, social):
    helpers.validate(held, coordinator, real_pdf=False)
    case = held.cases.get(patient=patient)
    propose = reverse("rcp:propose", args=[patient.pk])
    html = login(social).get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert 'data-testid="rcp-reviews"' in html and f'data-pk="{case.pk}"' in html
    assert case.decision in html
    assert 'data-testid="rcp-extract"' in html
    assert f'href="{propose}"' in html
    html = login(coordinator).get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert 'data-testid="rcp-reviews"' in html and f'href="{propose}"' not in html


def test_reception_sees_neither_rcp_section_nor_button_nor_menu(login, held, patient, reception):
    client = login(reception)
    html = client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert 'data-testid="rcp-reviews"' not in html and reverse("rcp:propose", args=[patient.pk]) not in html
    home = client.get(reverse("home")).content.decode()
    assert 'data-testid="rcp-my-actions"' not in home and f'href="{reverse("rcp:list")}"' not in home


def test_the_menu_links_to_the_rcp_for_the_team(login, social):
    assert f'href="{reverse("rcp:list")}"' in login(social).get(reverse("home")).content.decode()


def test_the_meetings_list_shows_meetings_to_come_and_validated_ones(login, held, planned, coordinator):
    other = helpers.plan(held.chair, when=timezone.now() + timedelta(days=20))
    helpers.validate(held, coordinator, real_pdf=False)
    response = login(coordinator).get(reverse("rcp:list"))
    assert [m.pk for m in response.context["in_progress"]] == [other.pk]
    assert [m.pk for m in response.context["page"]] == [held.pk]


def test_the_meetings_in_progress_are_counted_and_paged(login, physician, coordinator):
    """However many meetings await their minutes, the list says how many and pages them (50 a
    page, soonest first), each with its own number of cases."""
    from rcp import views

    start = timezone.now() + timedelta(days=1)
    meetings = [helpers.plan(physician, when=start + timedelta(days=n)) for n in range(views.IN_PROGRESS_MAX + 3)]
    patient = register(physician, "Compté", "Cas")
    helpers.add_case(meetings[-1], patient, physician)
    client = login(coordinator)
    first = client.get(reverse("rcp:list"))
    html = first.content.decode()
    assert 'data-testid="in-progress-count">53<' in html
    assert [m.pk for m in first.context["in_progress"]] == [m.pk for m in meetings[: views.IN_PROGRESS_MAX]]
    second = client.get(reverse("rcp:list"), {"in_progress_page": 2})
    rows = list(second.context["in_progress"])
    assert [m.pk for m in rows] == [m.pk for m in meetings[views.IN_PROGRESS_MAX :]]
    assert [m.case_count for m in rows] == [0, 0, 1]
