"""The RCP services: planning, the agenda, decisions, actions, validation, the lock and corrections."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from budget import services as budget_services
from pass_unit.models import AuditEvent
from rcp import pdf, selectors, services
from rcp.models import (
    Action,
    CaseMedicalSummary,
    CaseOption,
    CaseReview,
    Meeting,
    MinutesExtract,
    MinutesVersion,
    Participant,
)
from tests.support import rcp as helpers
from tests.support.budget import CatalogueItemFactory


def test_it_plans_a_meeting_and_invites_the_chair_and_members(physician, nurse, social):
    meeting = helpers.plan(physician, members=[nurse, social, physician])
    assert meeting.status == Meeting.Status.PLANNED
    invited = {p.user: p.role for p in meeting.participants.select_related("user")}
    assert invited == {physician: "physician", nurse: "nurse", social: "social_worker"}
    assert AuditEvent.objects.filter(object_type="rcp.meeting", action="create").count() == 1


def test_it_refuses_to_plan_a_meeting_in_the_past(physician):
    with pytest.raises(services.RcpError):
        helpers.plan(physician, when=timezone.now() - timedelta(minutes=1))
    assert not Meeting.objects.exists()


def test_it_refuses_a_patient_already_on_the_same_agenda(planned, patient, physician, social):
    helpers.add_case(planned, patient, physician)
    with pytest.raises(services.DuplicateCase):
        helpers.add_case(planned, patient, social)
    assert planned.cases.count() == 1


def test_the_database_refuses_a_patient_twice_on_one_agenda(planned, patient, physician):
    case = helpers.add_case(planned, patient, physician)
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseReview.objects.create(
            meeting=planned, patient=patient, presented_by=physician, proposed_by=physician, question="?", position=2
        )
    assert list(planned.cases.all()) == [case]


def test_urgent_cases_go_after_the_other_urgent_ones_before_the_rest(planned, physician, social):
    from tests.support.rcp import register

    first, second, third, fourth = (register(social, f"Patient{i}", "Test") for i in range(4))
    a = helpers.add_case(planned, first, physician)
    b = helpers.add_case(planned, second, physician, urgent=True)
    c = helpers.add_case(planned, third, physician)
    d = helpers.add_case(planned, fourth, physician, urgent=True)
    assert [case.pk for case in planned.cases.order_by("position")] == [b.pk, d.pk, a.pk, c.pk]
    assert list(planned.cases.order_by("position").values_list("position", flat=True)) == [1, 2, 3, 4]


def test_it_moves_a_case_up_and_down_the_agenda(planned, patient, other_patient, physician):
    first = helpers.add_case(planned, patient, physician)
    second = helpers.add_case(planned, other_patient, physician)
    services.agenda_move(case_review=second, direction="up", acting_user=physician)
    assert list(planned.cases.order_by("position").values_list("pk", flat=True)) == [second.pk, first.pk]
    services.agenda_move(case_review=second, direction="up", acting_user=physician)  # already first: nothing
    assert list(planned.cases.order_by("position").values_list("pk", flat=True)) == [second.pk, first.pk]
    services.agenda_set_urgent(case_review=first, urgent=True, acting_user=physician)
    assert CaseReview.objects.get(pk=first.pk).urgent


def test_only_medical_roles_write_a_medical_summary(planned, patient, other_patient, social, nurse):
    by_social = helpers.add_case(planned, patient, social, medical="Posted by a crafted form")
    by_nurse = helpers.add_case(planned, other_patient, nurse, medical="Tuberculose traitée")
    assert not CaseMedicalSummary.objects.filter(case_review=by_social).exists()
    assert CaseMedicalSummary.objects.get(case_review=by_nurse).text == "Tuberculose traitée"


def test_the_medical_summary_is_audited_as_medical(planned, patient, nurse):
    case = helpers.add_case(planned, patient, nurse, medical="Tuberculose traitée")
    case_event = AuditEvent.objects.get(object_type="rcp.casereview", action="create")
    assert not case_event.medical
    assert "Tuberculose" not in str(case_event.changes)
    medical_event = AuditEvent.objects.get(object_type="rcp.casemedicalsummary")
    assert medical_event.medical and medical_event.patient == case.patient


def test_a_case_presented_again_links_to_its_previous_review(held, patient, physician, coordinator):
    helpers.validate(held, coordinator, real_pdf=False)
    later = helpers.plan(physician)
    again = helpers.add_case(later, patient, physician)
    assert again.previous_review == held.cases.get(patient=patient)


def test_attendance_is_taken_on_the_day_and_marks_the_meeting_held(planned, physician):
    with pytest.raises(services.NotReady):
        helpers.take_attendance(planned, physician)
    helpers.pass_time(planned)
    helpers.take_attendance(planned, physician)
    planned.refresh_from_db()
    assert planned.status == Meeting.Status.HELD
    assert set(planned.participants.values_list("attendance", flat=True)) == {"present"}


def test_the_quorum_follows_the_kind_of_meeting(planned, physician, nurse, social, psychologist):
    helpers.pass_time(planned)
    helpers.take_attendance(planned, physician, statuses={nurse: "excused"})
    quorum = planned.quorum_status(selectors.meeting_participants(planned))
    # Medico-social RCP: 4 present including a physician, a social worker and a nurse.
    assert not quorum.met
    assert quorum.present == 3
    assert [role.value for role in quorum.missing_roles] == ["nurse"]
    helpers.take_attendance(planned, physician)
    assert planned.quorum_status(selectors.meeting_participants(planned)).met


def test_an_action_needs_an_assignee_and_a_due_date(held, physician):
    case = held.cases.first()
    with pytest.raises(services.RcpError):
        services.action_add(
            action=Action(description="Sans date", assignee=physician), case_review=case, acting_user=physician
        )
    assert not case.actions.filter(description="Sans date").exists()


def test_an_action_is_done_or_dropped_with_a_reason_and_never_reopened(held, nurse, physician):
    action = Action.objects.get(assignee=nurse)
    with pytest.raises(services.RcpError):
        services.action_close(action=action, status=Action.Status.DROPPED, reason="  ", acting_user=nurse)
    services.action_close(action=action, status=Action.Status.DROPPED, reason="Patient parti", acting_user=nurse)
    action.refresh_from_db()
    assert (action.status, action.drop_reason, action.closed_by) == ("dropped", "Patient parti", nurse)
    with pytest.raises(services.RcpError):
        services.action_close(action=action, status=Action.Status.DONE, acting_user=physician)


def test_validation_needs_a_held_meeting_with_every_case_decided(planned, patient, physician, coordinator):
    case = helpers.add_case(planned, patient, physician)
    with pytest.raises(services.NotReady):
        services.minutes_validate(meeting=planned, acting_user=coordinator)
    helpers.pass_time(planned)
    helpers.take_attendance(planned, physician)
    with pytest.raises(services.NotReady):
        services.minutes_validate(meeting=planned, acting_user=coordinator)
    helpers.decide(case, physician, decision="", postponed=True)
    version = services.minutes_validate(meeting=planned, acting_user=coordinator)
    assert version.number == 1


def test_only_the_chair_or_the_coordinator_validates(held, nurse):
    with pytest.raises(services.RcpError):
        services.minutes_validate(meeting=held, acting_user=nurse)
    assert not MinutesVersion.objects.exists()


def test_validation_stores_the_minutes_and_each_patients_extract(held, physician):
    version = services.minutes_validate(meeting=held, acting_user=physician)
    held.refresh_from_db()
    assert held.status == Meeting.Status.VALIDATED and held.validated_by == physician
    stored = bytes(MinutesVersion.objects.get(pk=version.pk).pdf)
    assert stored.startswith(b"%PDF") and pdf.sha256(stored) == version.sha256
    extracts = MinutesExtract.objects.filter(version=version)
    assert {e.patient_id for e in extracts} == set(held.cases.values_list("patient_id", flat=True))
    for extract in extracts:
        assert pdf.sha256(bytes(extract.pdf)) == extract.sha256
    audited = AuditEvent.objects.filter(object_type="rcp.minutesextract").values_list("patient_id", flat=True)
    assert set(audited) == {e.patient_id for e in extracts}


@pytest.fixture
def validated(held, coordinator):
    helpers.validate(held, coordinator, real_pdf=False)
    held.refresh_from_db()
    return held


def _writes(meeting, users):
    """Every write a user could attempt on a meeting, its participants, cases, options, actions."""
    physician = users["physician"]
    case = meeting.cases.first()
    option = CaseOption.objects.filter(case_review=case).first()
    participant = meeting.participants.exclude(user=meeting.chair).first()
    meeting.place = "Ailleurs"
    case.decision = "Changée après coup"
    return {
        "meeting_update": lambda: services.meeting_update(meeting=meeting, acting_user=physician),
        "participant_add": lambda: helpers.add_guest(meeting, physician),
        "participant_withdraw": lambda: services.participant_withdraw(participant=participant, acting_user=physician),
        "attendance": lambda: helpers.take_attendance(meeting, physician),
        "case_add": lambda: helpers.add_case(meeting, users["new_patient"], physician),
        "case_update": lambda: services.case_review_update(case_review=case, acting_user=physician),
        "medical_summary": lambda: services.case_review_update(
            case_review=case, medical_summary="Autre", acting_user=physician
        ),
        "move": lambda: services.agenda_move(case_review=case, direction="down", acting_user=physician),
        "urgent": lambda: services.agenda_set_urgent(case_review=case, urgent=True, acting_user=physician),
        "option_add": lambda: helpers.add_option(case, physician),
        "option_withdraw": lambda: services.option_withdraw(option=option, acting_user=physician),
        "action_add": lambda: helpers.add_action(case, physician, assignee=physician),
        "validate_again": lambda: services.minutes_validate(meeting=meeting, acting_user=users["coordinator"]),
        # The budget app prices the options: the same rule freezes their costing.
        "option_cost_line_add": lambda: budget_services.option_cost_line_add(
            option=option, item=CatalogueItemFactory(), quantity=Decimal("1"), acting_user=physician
        ),
    }


def test_validated_minutes_refuse_every_write(validated, personas, social):
    from tests.support.rcp import register

    users = {**personas, "new_patient": register(social, "Nouveau", "Patient")}
    before = helpers.rcp_state()
    for name, write in _writes(validated, users).items():
        with pytest.raises(services.MeetingLocked):
            write()
        assert helpers.rcp_state() == before, name


def test_the_database_refuses_to_rewrite_stored_minutes(validated):
    version = validated.versions.get()
    with pytest.raises(Exception, match="never rewritten"), transaction.atomic():
        MinutesVersion.objects.filter(pk=version.pk).update(sha256="0" * 64)
    with pytest.raises(Exception, match="never rewritten"), transaction.atomic():
        MinutesExtract.objects.filter(version=version).update(pdf=b"%PDF forged")


def test_actions_are_followed_up_after_validation(validated, nurse):
    action = Action.objects.get(assignee=nurse)
    services.action_close(action=action, status=Action.Status.DONE, acting_user=nurse)
    assert Action.objects.get(pk=action.pk).status == "done"


def test_a_correction_makes_a_new_linked_version_and_keeps_the_old_one(validated, coordinator, physician):
    first = validated.versions.get()
    with pytest.raises(services.RcpError):
        services.minutes_correct(meeting=validated, reason=" ", acting_user=coordinator)
    services.minutes_correct(meeting=validated, reason="Mauvais intervenant noté", acting_user=coordinator)
    validated.refresh_from_db()
    assert validated.status == Meeting.Status.HELD and validated.correction_reason == "Mauvais intervenant noté"
    case = validated.cases.first()
    helpers.decide(case, physician, decision="Décision corrigée")
    second = helpers.validate(validated, coordinator, real_pdf=False)
    assert (second.number, second.supersedes, second.correction_reason) == (2, first, "Mauvais intervenant noté")
    assert MinutesVersion.objects.filter(meeting=validated).count() == 2
    assert bytes(MinutesVersion.objects.get(pk=first.pk).pdf) == bytes(first.pdf)
    assert MinutesExtract.objects.filter(version=first).count() == MinutesExtract.objects.filter(version=second).count()
    validated.refresh_from_db()
    assert validated.status == Meeting.Status.VALIDATED and validated.correction_reason == ""


def test_a_nurse_who_is_not_the_chair_cannot_correct(validated, nurse):
    with pytest.raises(services.RcpError):
        services.minutes_correct(meeting=validated, reason="x", acting_user=nurse)


# --- follow-up: the carry-over of open actions ------------------------------------------------


def test_open_actions_carry_over_to_the_next_meeting(validated, physician, nurse, social):
    done = Action.objects.get(assignee=nurse)
    still_open = Action.objects.get(assignee=social)
    next_meeting = helpers.plan(physician)
    assert {a.pk: a.status_then for a in selectors.follow_up_actions(next_meeting)} == {
        done.pk: "open",
        still_open.pk: "open",
    }
    services.action_close(action=done, status=Action.Status.DONE, acting_user=nurse)
    assert {a.pk: a.status_then for a in selectors.follow_up_actions(next_meeting)} == {
        done.pk: "done",  # closed since the previous meeting: reviewed once more
        still_open.pk: "open",
    }


def test_actions_closed_before_the_previous_meeting_are_not_carried_over(validated, physician, nurse, coordinator):
    done = Action.objects.get(assignee=nurse)
    services.action_close(action=done, status=Action.Status.DONE, acting_user=nurse)
    second = helpers.plan(physician)
    helpers.pass_time(second, to=timezone.now() + timedelta(minutes=1))
    third = helpers.plan(physician, when=timezone.now() + timedelta(days=3))
    # `done` was closed before `second` took place: `third` does not review it again.
    assert done.pk in [a.pk for a in selectors.follow_up_actions(second)]
    assert done.pk not in [a.pk for a in selectors.follow_up_actions(third)]


def test_the_follow_up_of_validated_minutes_keeps_the_status_of_the_day(validated, physician, nurse, coordinator):
    action = Action.objects.get(assignee=nurse)
    second = helpers.plan(physician)
    case = helpers.add_case(second, validated.cases.first().patient, physician)
    helpers.pass_time(second, to=helpers.earlier_today(minutes=30))
    helpers.take_attendance(second, physician)
    helpers.decide(case, physician)
    helpers.validate(second, coordinator, real_pdf=False)
    second.refresh_from_db()
    services.action_close(action=action, status=Action.Status.DONE, acting_user=nurse)
    # Done after the validation: the validated meeting still shows it open, as its PDF does.
    shown = {a.pk: a.status_then for a in selectors.follow_up_actions(second)}
    assert shown[action.pk] == "open"


def test_open_actions_for_the_dashboard_are_the_users_own(held, nurse, social):
    actions, total = selectors.open_actions_for(nurse)
    assert [a.assignee for a in actions] == [nurse] and total == 1
    action = selectors.open_actions_for(social)[0][0]
    services.action_close(action=action, status=Action.Status.DONE, acting_user=social)
    assert selectors.open_actions_for(social) == ([], 0)


# --- nothing is deleted --------------------------------------------------------------------------


def test_a_participant_invited_by_mistake_is_withdrawn_then_may_come_back(planned, physician, nurse):
    participant = planned.participants.get(user=nurse)
    services.participant_withdraw(participant=participant, acting_user=physician)
    assert nurse not in [p.user for p in selectors.meeting_participants(planned)]
    assert planned.participants.filter(user=nurse).exists()  # kept on record
    with pytest.raises(services.RcpError):
        services.participant_withdraw(participant=planned.participants.get(user=physician), acting_user=physician)
    again = services.participant_add(participant=Participant(user=nurse), meeting=planned, acting_user=physician)
    assert again.pk == participant.pk and again.withdrawn_at is None


def test_an_option_recorded_by_mistake_is_withdrawn_and_left_out_of_the_minutes(held, physician):
    case = held.cases.first()
    option = helpers.add_option(case, physician, description="Saisie par erreur", cost="999.00")
    services.option_withdraw(option=option, acting_user=physician)
    assert CaseOption.objects.filter(pk=option.pk).exists()
    cases = selectors.meeting_cases(held)
    assert "Saisie par erreur" not in [o.description for c in cases for o in c.options.all()]
    assert AuditEvent.objects.filter(object_type="rcp.caseoption", action="update", object_id=str(option.pk)).exists()
