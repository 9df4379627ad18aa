"""RCP forms: they validate and clean; bad input comes back with a message."""

from datetime import timedelta

from django.utils import timezone

from rcp import forms
from rcp.models import Meeting
from tests.support import rcp as helpers


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def meeting_data(chair, **overrides) -> dict:
    data = {
        "scheduled_at": local(timezone.now() + timedelta(days=3)),
        "kind": Meeting.Kind.MEDICO_SOCIAL,
        "place": "Salle de staff",
        "chair": str(chair.pk),
    }
    data.update(overrides)
    return data


def test_a_new_meeting_cannot_be_in_the_past(physician):
    form = forms.MeetingForm(meeting_data(physician, scheduled_at=local(timezone.now() - timedelta(hours=2))))
    assert not form.is_valid()
    assert form.has_error("scheduled_at")


def test_a_meeting_form_accepts_a_date_to_come(physician, nurse):
    form = forms.MeetingForm(meeting_data(physician, members=[str(nurse.pk)]))
    assert form.is_valid(), form.errors
    assert list(form.cleaned_data["members"]) == [nurse]


def test_the_chair_is_a_member_of_the_rcp_team(physician, reception):
    form = forms.MeetingForm(meeting_data(reception))
    assert form.has_error("chair")


def test_free_text_refuses_markup(physician):
    form = forms.MeetingForm(meeting_data(physician, place="<script>alert(1)</script>"))
    assert form.has_error("place", "markup")


def test_the_case_form_has_no_medical_field_for_a_social_worker(planned, patient, social, nurse):
    assert "medical_summary" not in forms.CaseReviewForm(user=social, meeting=planned, patient=patient).fields
    assert "medical_summary" in forms.CaseReviewForm(user=nurse, meeting=planned, patient=patient).fields


def test_the_case_form_refuses_a_patient_already_on_the_agenda(planned, patient, physician, nurse):
    helpers.add_case(planned, patient, physician)
    data = {"presented_by": str(nurse.pk), "question": "Encore ?"}
    form = forms.CaseReviewForm(data, user=nurse, meeting=planned, patient=patient)
    assert not form.is_valid()
    assert form.non_field_errors()
    meetings = Meeting.objects.all()
    form = forms.CaseReviewForm({**data, "meeting": str(planned.pk)}, user=nurse, patient=patient, meetings=meetings)
    assert form.has_error("meeting")


def test_the_case_form_needs_a_question(planned, patient, nurse):
    form = forms.CaseReviewForm(
        {"presented_by": str(nurse.pk), "question": "   "}, user=nurse, meeting=planned, patient=patient
    )
    assert form.has_error("question")


def test_an_action_needs_an_assignee_and_a_due_date(planned):
    form = forms.ActionForm({"action-description": "Appeler le 115"}, meeting=planned)
    assert not form.is_valid()
    assert form.has_error("assignee") and form.has_error("due_on")


def test_an_action_is_not_due_before_the_meeting(planned, nurse):
    day_before = timezone.localtime(planned.scheduled_at).date() - timedelta(days=1)
    data = {"action-description": "Appeler", "action-assignee": str(nurse.pk), "action-due_on": day_before.isoformat()}
    assert forms.ActionForm(data, meeting=planned).has_error("due_on")


def test_a_cost_is_not_negative(planned):
    form = forms.OptionForm({"option-description": "Hôtel social", "option-estimated_cost": "-10"})
    assert form.has_error("estimated_cost")
    form = forms.OptionForm({"option-description": "Hôtel social", "option-estimated_cost": "490.50"})
    assert form.is_valid() and str(form.cleaned_data["estimated_cost"]) == "490.50"


def test_the_next_review_comes_after_the_meeting_and_a_postponed_case_has_no_decision(held):
    case = held.cases.first()
    today = timezone.localdate().isoformat()
    form = forms.DeliberationForm({"delib-next_review_on": today}, instance=case)
    assert form.has_error("next_review_on")
    form = forms.DeliberationForm({"delib-decision": "Hospitaliser", "delib-postponed": "on"}, instance=case)
    assert form.has_error("postponed")


def test_dropping_an_action_needs_a_reason():
    assert forms.ActionCloseForm({"status": "dropped", "reason": ""}).has_error("reason")
    assert forms.ActionCloseForm({"status": "done"}).is_valid()
    assert forms.ActionCloseForm({"status": "open"}).has_error("status")


def test_attendance_offers_present_excused_absent(held):
    participants = list(held.participants.all())
    form = forms.AttendanceForm(participants=participants)
    assert len(form.fields) == len(participants)
    choices = {c[0] for c in next(iter(form.fields.values())).choices}
    assert choices == {"present", "excused", "absent"}
