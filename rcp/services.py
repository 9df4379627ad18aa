"""Writes on concertation meetings. Each runs in one transaction and is audited.

Validated minutes are frozen: every write on a meeting, its participants, its cases,
their options (and their costing, in the budget app) and actions goes through
`lock_meeting_for_write()`, which raises `MeetingLocked` once the minutes are validated,
whatever the view or form in front. The only writes left on a validated meeting are the
follow-up of its actions (done / dropped, which the next meeting reviews) and a
correction, which reopens it and ends in a new version.
"""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from pass_unit import access, audit
from pass_unit.roles import role_of
from patients.models import Patient
from rcp import pdf, selectors
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


class RcpError(Exception):
    """A domain rule refused the write; `message` is shown to the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class MeetingLocked(Exception):
    """The minutes are validated: the meeting refuses every write.

    Not an RcpError: it is not a mistake to correct on a form, the views answer it with
    the page that explains the lock (rcp.views.refuses_locked).
    """

    def __init__(self, meeting: Meeting | None = None):
        self.message = _("The minutes of this meeting are validated: it can no longer be changed.")
        super().__init__(self.message)
        self.meeting = meeting


class DuplicateCase(RcpError):
    def __init__(self, patient: Patient):
        super().__init__(_("%(file)s is already on the agenda of this meeting.") % {"file": patient.file_number})


class NotReady(RcpError):
    pass


def refuse_if_locked(meeting: Meeting) -> Meeting:
    """The rule of frozen minutes, said once: MeetingLocked when `meeting`'s minutes are validated.

    Pages that write call it before showing their form; writes call `lock_meeting_for_write`.
    """
    if meeting.is_locked:
        raise MeetingLocked(meeting)
    return meeting


def lock_meeting_for_write(meeting: Meeting) -> Meeting:
    """The meeting's row, locked (SELECT … FOR UPDATE) until the end of the caller's transaction;
    MeetingLocked when its minutes are validated. Every write on a meeting or what hangs from it
    (participants, cases, options and their costing, actions) starts with it."""
    locked = refuse_if_locked(Meeting.objects.select_for_update().get(pk=meeting.pk))
    _draft_changes(locked.pk)
    return locked


def _draft_changes(*meeting_ids: int) -> None:
    """The meetings' draft minutes change with this transaction: render them ahead once it commits
    (rcp.tasks.render_draft_minutes), so that a download finds them made."""
    from rcp import tasks  # imported late: tasks import this module

    transaction.on_commit(lambda: tasks.queue_draft_minutes(meeting_ids))


def _record_medical(user, summary: CaseMedicalSummary, old_text: str | None, *, patient):
    """Audit a medical summary: flagged medical, so the log shows its values to medical roles only."""
    changes = {"text": [old_text, summary.text]}
    action = "create" if old_text is None else "update"
    if old_text is not None and old_text == summary.text:
        return
    audit.record(user, action, obj=summary, patient=patient, changes=changes, medical=True)


def _record_document(user, document, *, patient=None):
    """A stored PDF is audited by its fingerprint, not its bytes."""
    changes = {"sha256": [None, document.sha256], "size": [None, len(document.pdf)]}
    audit.record(user, "create", obj=document, patient=patient, changes=changes)


# --- meetings and participants ----------------------------------------------------------------


@transaction.atomic
def meeting_plan(*, meeting: Meeting, members=(), acting_user, at: datetime | None = None) -> Meeting:
    """Plan a new meeting; the chair and `members` are invited. `at`: when it is planned (now by default)."""
    if meeting.scheduled_at <= (at or timezone.now()):
        raise RcpError(_("A new meeting cannot be planned in the past."))
    meeting.status = Meeting.Status.PLANNED
    meeting.created_by = acting_user
    meeting.save()
    audit.record_create(acting_user, meeting)
    invited = [meeting.chair, *[m for m in members if m.pk != meeting.chair_id]]
    for user in invited:
        participant = Participant.objects.create(meeting=meeting, user=user, role=_role_value(user))
        audit.record_create(acting_user, participant)
    return meeting


def _role_value(user) -> str:
    role = role_of(user)
    return role.value if role else ""


@transaction.atomic
def meeting_update(*, meeting: Meeting, acting_user) -> Meeting:
    before = lock_meeting_for_write(meeting)
    if (
        meeting.scheduled_at != before.scheduled_at
        and meeting.scheduled_at <= timezone.now()
        and before.status == Meeting.Status.PLANNED
    ):
        raise RcpError(_("A planned meeting cannot be moved to the past."))
    meeting.status = before.status
    meeting.save()
    audit.record_update(acting_user, before, meeting)
    if meeting.chair_id != before.chair_id and not meeting.participants.filter(user=meeting.chair).exists():
        participant = Participant.objects.create(meeting=meeting, user=meeting.chair, role=_role_value(meeting.chair))
        audit.record_create(acting_user, participant)
    return meeting


@transaction.atomic
def participant_add(*, participant: Participant, meeting: Meeting, acting_user) -> Participant:
    """Invite a team member (participant.user) or an external guest (name, profession, organisation)."""
    lock_meeting_for_write(meeting)
    participant.meeting = meeting
    if participant.user_id:
        existing = meeting.participants.select_for_update().filter(user_id=participant.user_id).first()
        if existing is not None and existing.withdrawn_at is None:
            raise RcpError(_("This team member is already on the list."))
        if existing is not None:
            # Invited again after a withdrawal: the same row comes back.
            before = Participant.objects.get(pk=existing.pk)
            existing.withdrawn_at = None
            existing.role = _role_value(participant.user)
            existing.profession = participant.profession
            existing.save(update_fields=["withdrawn_at", "role", "profession"])
            audit.record_update(acting_user, before, existing)
            return existing
        participant.role = _role_value(participant.user)
        participant.name = ""
    participant.save()
    audit.record_create(acting_user, participant)
    return participant


@transaction.atomic
def participant_withdraw(*, participant: Participant, acting_user) -> Participant:
    """Take someone invited by mistake off the list, before attendance is taken. Nothing is deleted."""
    meeting = lock_meeting_for_write(participant.meeting)
    if meeting.status != Meeting.Status.PLANNED:
        raise RcpError(_("Attendance has been taken: mark the person absent or excused instead."))
    if participant.user_id and participant.user_id == meeting.chair_id:
        raise RcpError(_("The chair cannot be withdrawn: choose another chair first."))
    before = Participant.objects.select_for_update().get(pk=participant.pk)
    if before.withdrawn_at is None:
        participant.withdrawn_at = timezone.now()
        participant.save(update_fields=["withdrawn_at"])
        audit.record_update(acting_user, before, participant)
    return participant


@transaction.atomic
def attendance_record(*, meeting: Meeting, attendance: dict, acting_user) -> Meeting:
    """Take attendance on the day ({participant pk: Attendance}); the meeting is then held."""
    before = lock_meeting_for_write(meeting)
    if not before.has_come:
        raise NotReady(_("Attendance is taken on the day of the meeting."))
    for participant in before.participants.select_for_update().filter(withdrawn_at__isnull=True):
        status = attendance.get(participant.pk)
        if status and status != participant.attendance:
            old = Participant.objects.get(pk=participant.pk)
            participant.attendance = status
            participant.save(update_fields=["attendance"])
            audit.record_update(acting_user, old, participant)
    if before.status == Meeting.Status.PLANNED:
        meeting.status = Meeting.Status.HELD
        Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD, updated_at=timezone.now())
        audit.record(acting_user, "update", obj=meeting, changes={"status": [before.status, meeting.status]})
    return meeting


# --- the agenda ------------------------------------------------------------------------------


def _previous_review(patient: Patient, meeting: Meeting) -> CaseReview | None:
    return (
        CaseReview.objects.filter(patient=patient, meeting__scheduled_at__lt=meeting.scheduled_at)
        .order_by("-meeting__scheduled_at")
        .first()
    )


@transaction.atomic
def case_review_add(
    *, case_review: CaseReview, meeting: Meeting, patient: Patient, medical_summary: str = "", acting_user
) -> CaseReview:
    """Put a patient's case on the agenda. An urgent case goes after the other urgent ones, before the rest."""
    current = lock_meeting_for_write(meeting)
    if not access.can_propose_rcp_case(acting_user):
        raise RcpError(_("Your role may not put a case on the agenda."))
    if CaseReview.objects.filter(meeting=current, patient=patient).exists():
        raise DuplicateCase(patient)
    case_review.meeting = current
    case_review.patient = patient
    case_review.proposed_by = acting_user
    case_review.previous_review = _previous_review(patient, current)
    cases = CaseReview.objects.filter(meeting=current)
    if case_review.urgent:
        last_urgent = cases.filter(urgent=True).aggregate(last=Max("position"))["last"] or 0
        cases.filter(position__gt=last_urgent).update(position=F("position") + 1)
        case_review.position = last_urgent + 1
    else:
        case_review.position = (cases.aggregate(last=Max("position"))["last"] or 0) + 1
    try:
        with transaction.atomic():
            case_review.save()
    except IntegrityError:
        # Two colleagues adding the same patient at the same moment: the constraint decides.
        raise DuplicateCase(patient) from None
    audit.record_create(acting_user, case_review, patient=patient)
    # Only the medical roles write a medical summary, whatever was posted.
    if medical_summary.strip() and access.can_read_rcp_medical_summary(acting_user):
        summary = CaseMedicalSummary.objects.create(
            case_review=case_review, text=medical_summary, updated_by=acting_user
        )
        _record_medical(acting_user, summary, None, patient=patient)
    return case_review


_UNCHANGED = object()


@transaction.atomic
def case_review_update(*, case_review: CaseReview, medical_summary=_UNCHANGED, acting_user) -> CaseReview:
    """Save the agenda entry or the deliberation of a case (values already set on `case_review`)."""
    lock_meeting_for_write(case_review.meeting)
    before = CaseReview.objects.select_for_update().get(pk=case_review.pk)
    # What is not the form's business stays as it was.
    for name in ("meeting_id", "patient_id", "proposed_by_id", "previous_review_id", "position"):
        setattr(case_review, name, getattr(before, name))
    case_review.save()
    audit.record_update(acting_user, before, case_review, patient=case_review.patient)
    if medical_summary is not _UNCHANGED and access.can_read_rcp_medical_summary(acting_user):
        summary = CaseMedicalSummary.objects.select_for_update().filter(case_review=case_review).first()
        if summary is None:
            if medical_summary.strip():
                summary = CaseMedicalSummary.objects.create(
                    case_review=case_review, text=medical_summary, updated_by=acting_user
                )
                _record_medical(acting_user, summary, None, patient=case_review.patient)
        elif summary.text != medical_summary:
            old_text = summary.text
            summary.text = medical_summary
            summary.updated_by = acting_user
            summary.save()
            _record_medical(acting_user, summary, old_text, patient=case_review.patient)
    return case_review


@transaction.atomic
def agenda_move(*, case_review: CaseReview, direction: str, acting_user) -> None:
    """Swap a case with its neighbour on the agenda (direction "up" or "down")."""
    meeting = lock_meeting_for_write(case_review.meeting)
    cases = list(CaseReview.objects.select_for_update().filter(meeting=meeting).order_by("position", "pk"))
    index = next((i for i, c in enumerate(cases) if c.pk == case_review.pk), None)
    if index is None:
        return
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(cases):
        return
    cases[index], cases[other] = cases[other], cases[index]
    _renumber(cases, meeting, acting_user)


def _renumber(cases: list[CaseReview], meeting: Meeting, acting_user) -> None:
    old_order = list(CaseReview.objects.filter(meeting=meeting).order_by("position", "pk").values_list("pk", flat=True))
    for position, case in enumerate(cases, start=1):
        if case.position != position:
            CaseReview.objects.filter(pk=case.pk).update(position=position)
            case.position = position
    new_order = [c.pk for c in cases]
    if new_order != old_order:
        audit.record(acting_user, "update", obj=meeting, changes={"agenda": [old_order, new_order]})


@transaction.atomic
def agenda_set_urgent(*, case_review: CaseReview, urgent: bool, acting_user) -> None:
    lock_meeting_for_write(case_review.meeting)
    before = CaseReview.objects.select_for_update().get(pk=case_review.pk)
    if before.urgent == urgent:
        return
    after = CaseReview.objects.get(pk=case_review.pk)
    after.urgent = urgent
    after.save(update_fields=["urgent", "updated_at"])
    case_review.urgent = urgent
    audit.record_update(acting_user, before, after, patient=after.patient)


# --- during the meeting: options and actions --------------------------------------------------


@transaction.atomic
def option_add(*, option: CaseOption, case_review: CaseReview, acting_user) -> CaseOption:
    lock_meeting_for_write(case_review.meeting)
    option.case_review = case_review
    option.save()
    audit.record_create(acting_user, option, patient=case_review.patient)
    return option


@transaction.atomic
def option_withdraw(*, option: CaseOption, acting_user) -> CaseOption:
    """An option recorded by mistake is withdrawn: kept on record, left out of the pages and minutes."""
    case_review = option.case_review
    lock_meeting_for_write(case_review.meeting)
    before = CaseOption.objects.select_for_update().get(pk=option.pk)
    if before.withdrawn_at is None:
        option.withdrawn_at = timezone.now()
        option.save(update_fields=["withdrawn_at"])
        audit.record_update(acting_user, before, option, patient=case_review.patient)
    return option


@transaction.atomic
def action_add(*, action: Action, case_review: CaseReview, acting_user) -> Action:
    lock_meeting_for_write(case_review.meeting)
    if not action.assignee_id or not action.due_on:
        raise RcpError(_("An action needs someone to do it and a due date."))
    action.case_review = case_review
    action.created_by = acting_user
    action.status = Action.Status.OPEN
    action.save()
    audit.record_create(acting_user, action, patient=case_review.patient)
    return action


@transaction.atomic
def action_close(*, action: Action, status: str, reason: str = "", acting_user, at: datetime | None = None) -> Action:
    """Follow-up: an open action is done, or dropped with a reason. It is never reopened.

    Allowed after the minutes are validated: the minutes keep the status of the day, the
    next meeting's "Suivi" shows the new one.
    """
    before = Action.objects.select_for_update().get(pk=action.pk)
    if before.status != Action.Status.OPEN:
        raise RcpError(_("This action is already closed."))
    if status not in (Action.Status.DONE, Action.Status.DROPPED):
        raise RcpError(_("Choose done or dropped."))
    if status == Action.Status.DROPPED and not reason.strip():
        raise RcpError(_("Say why the action is dropped."))
    action.status = status
    action.drop_reason = reason.strip() if status == Action.Status.DROPPED else ""
    action.closed_at = at or timezone.now()
    action.closed_by = acting_user
    action.save(update_fields=["status", "drop_reason", "closed_at", "closed_by"])
    audit.record_update(acting_user, before, action, patient=action.case_review.patient)
    # The "Suivi" of the later meetings not yet validated shows the new status.
    from rcp import tasks  # imported late: tasks import this module

    after = action.case_review.meeting.scheduled_at
    transaction.on_commit(lambda: tasks.queue_draft_minutes(tasks.meetings_following(after)))
    return action


# --- minutes ---------------------------------------------------------------------------------


def validation_problems(meeting: Meeting, cases: list[CaseReview]) -> list[str]:
    """Why the minutes cannot be validated yet (empty when they can)."""
    problems = []
    if meeting.status == Meeting.Status.PLANNED:
        problems.append(_("Take the attendance first: the meeting has not been held yet."))
    if not meeting.has_come:
        problems.append(_("The meeting has not taken place yet."))
    undecided = [c.patient.file_number for c in cases if not c.is_decided]
    if undecided:
        problems.append(
            _("Record a decision, or mark the case as postponed, for: %(files)s.") % {"files": ", ".join(undecided)}
        )
    return problems


@transaction.atomic
def minutes_validate(*, meeting: Meeting, acting_user, at: datetime | None = None) -> MinutesVersion:
    """Freeze the meeting and store its minutes with their SHA-256; queue each patient's extract.

    The minutes PDF is rendered inside the transaction: it is the validated record, not a
    side effect; if rendering fails, nothing is validated. The patients' extracts are derived
    from it: their HTML is made here (so their text is that of the meeting as validated, whatever
    changes later), and their PDFs are made and filed by a background task queued in this same
    transaction (`rcp.tasks.file_minutes_extract`): a validation is never half-stored, and the
    request does not wait for 20 more PDFs.
    """
    current = lock_meeting_for_write(meeting)
    if not access.can_validate_rcp_minutes(acting_user, current):
        raise RcpError(_("Only the chair or the coordinator may validate the minutes."))
    cases = selectors.meeting_cases(current)
    problems = validation_problems(current, cases)
    if problems:
        raise NotReady(" ".join(problems))
    previous = current.versions.order_by("-number").first()
    now = at or timezone.now()
    number = previous.number + 1 if previous else 1
    reason = current.correction_reason if previous else ""
    rendered = pdf.render_minutes(
        current,
        cases=cases,
        version_number=number,
        validated_by=acting_user,
        validated_at=now,
        previous=previous,
        correction_reason=reason,
    )
    version = MinutesVersion.objects.create(
        meeting=current,
        number=number,
        supersedes=previous,
        correction_reason=reason,
        pdf=rendered.pdf,
        sha256=rendered.sha256,
        size=len(rendered.pdf),
        full_names=current.full_names_in_minutes,
        validated_by=acting_user,
        validated_at=now,
    )
    _record_document(acting_user, version)
    from rcp import tasks  # imported late: tasks import this module

    participants = selectors.meeting_participants(current)
    for case in cases:
        html = pdf.extract_html(
            current,
            case,
            cases=cases,
            participants=participants,
            version_number=number,
            validated_by=acting_user,
            validated_at=now,
            previous=previous,
            correction_reason=reason,
        )
        # Queued in this transaction (the database backend stores the task as a row): committed
        # with the version or not at all; the worker sees it once the validation is committed.
        tasks.file_minutes_extract.enqueue(
            version_id=version.pk,
            case_review_id=case.pk,
            patient_id=case.patient_id,
            html=html,
            acting_user_id=acting_user.pk,
            client_address=audit._client_address.get(),  # the extract's audit row names the validator's workstation
        )
    before_status = current.status
    Meeting.objects.filter(pk=current.pk).update(
        status=Meeting.Status.VALIDATED,
        validated_at=now,
        validated_by=acting_user,
        correction_reason="",
        updated_at=now,
    )
    meeting.status, meeting.validated_at, meeting.validated_by = Meeting.Status.VALIDATED, now, acting_user
    meeting.correction_reason = ""
    audit.record(
        acting_user,
        "update",
        obj=meeting,
        changes={
            "status": [before_status, Meeting.Status.VALIDATED],
            "version": [previous and previous.number, number],
        },
    )
    return version


def minutes_extract_file(
    *, version: MinutesVersion, case_review_id: int, patient_id: int, html: str, acting_user
) -> MinutesExtract:
    """File a patient's extract of validated minutes from the HTML fixed at validation.

    Idempotent: an extract already filed for this version and case is returned as it is (a
    task run twice, or by two workers at once, files it once: `rcp_extract_once`). The PDF is
    made outside the transaction; only the insert and its audit row are inside."""
    filed = MinutesExtract.objects.filter(version=version, case_review_id=case_review_id).first()
    if filed is not None:
        return filed
    rendered = pdf.pdf_from_html(html)
    try:
        with transaction.atomic():
            filed = MinutesExtract.objects.create(
                version=version,
                case_review_id=case_review_id,
                patient_id=patient_id,
                pdf=rendered.pdf,
                sha256=rendered.sha256,
            )
            _record_document(acting_user, filed, patient=filed.patient)
    except IntegrityError:
        return MinutesExtract.objects.get(version=version, case_review_id=case_review_id)
    return filed


@transaction.atomic
def minutes_correct(*, meeting: Meeting, reason: str, acting_user) -> Meeting:
    """Reopen validated minutes for a correction. The stored versions are kept; validating
    again stores a new version that supersedes the last one."""
    current = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not current.is_locked:
        raise RcpError(_("These minutes are not validated: they can still be changed directly."))
    if not access.can_validate_rcp_minutes(acting_user, current):
        raise RcpError(_("Only the chair or the coordinator may correct the minutes."))
    if not reason.strip():
        raise RcpError(_("Say what the correction is about."))
    Meeting.objects.filter(pk=current.pk).update(
        status=Meeting.Status.HELD, correction_reason=reason.strip(), updated_at=timezone.now()
    )
    meeting.status, meeting.correction_reason = Meeting.Status.HELD, reason.strip()
    audit.record(
        acting_user,
        "update",
        obj=meeting,
        changes={"status": [current.status, Meeting.Status.HELD], "correction_reason": ["", reason.strip()]},
    )
    return meeting
