"""RCP state for tests, built through the real services.

Also used by the security tests (tests/security/*): `rcp_url()` builds each rcp: URL
against objects made once per test `world`.
"""

from contextlib import contextmanager
from datetime import datetime, time, timedelta
from decimal import Decimal
from unittest import mock

from django.contrib.auth.models import User
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from patients import services as patient_services
from patients.models import Patient
from rcp import pdf, services
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

TINY_PDF = b"%PDF-1.4\n% a stand-in for tests that do not read the document\n%%EOF\n"


def at(day_offset: int, hour: int = 14) -> datetime:
    """An aware datetime `day_offset` days from today at `hour`:00, local time."""
    day = timezone.localdate() + timedelta(days=day_offset)
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def earlier_today(minutes: int = 60) -> datetime:
    """`minutes` ago, or less when that would fall on yesterday: a moment already past, still today.

    Just after midnight the time since midnight is shared out in proportion (a meeting held
    "60 minutes ago" stays before one held "30 minutes ago"), so tests run at any hour.
    """
    now = timezone.localtime()
    since_midnight = now - timezone.make_aware(datetime.combine(now.date(), time(0, 0)))
    return now - min(timedelta(minutes=minutes), since_midnight * minutes / (24 * 60))


def plan(
    chair, *, members=(), when=None, kind=Meeting.Kind.MEDICO_SOCIAL, place="Salle de staff, bâtiment B"
) -> Meeting:
    meeting = Meeting(scheduled_at=when or at(7), kind=kind, place=place, chair=chair)
    return services.meeting_plan(meeting=meeting, members=members, acting_user=chair)


def pass_time(meeting: Meeting, *, to: datetime | None = None) -> Meeting:
    """The meeting day comes (or goes): a meeting cannot be planned in the past, time must pass.

    By default the meeting began earlier today: an hour ago, or at midnight when that hour
    would fall on yesterday (a test run at 00:30 still has "today's meeting").
    """
    meeting.scheduled_at = to or earlier_today()
    Meeting.objects.filter(pk=meeting.pk).update(scheduled_at=meeting.scheduled_at)
    return meeting


def add_guest(meeting, user, *, name="Dr Anne Lefort", profession="Infectiologue", organisation="CHU voisin"):
    participant = Participant(name=name, profession=profession, organisation=organisation)
    return services.participant_add(participant=participant, meeting=meeting, acting_user=user)


def add_case(meeting, patient, user, *, question="Quelle prise en charge ?", social="", medical="", urgent=False):
    case = CaseReview(presented_by=user, question=question, social_summary=social, urgent=urgent)
    return services.case_review_add(
        case_review=case, meeting=meeting, patient=patient, medical_summary=medical, acting_user=user
    )


def take_attendance(meeting, user, *, statuses: dict | None = None) -> Meeting:
    """Everyone present unless `statuses` ({participant or user: Attendance}) says otherwise."""
    statuses = statuses or {}
    attendance = {}
    for participant in meeting.participants.select_related("user"):
        status = statuses.get(participant.user, statuses.get(participant, Participant.Attendance.PRESENT))
        attendance[participant.pk] = status
    return services.attendance_record(meeting=meeting, attendance=attendance, acting_user=user)


def decide(case, user, *, decision="Hospitalisation programmée", follow_up_by=None, next_review_on=None, **fields):
    case = CaseReview.objects.select_related("meeting", "patient").get(pk=case.pk)
    case.decision = decision
    case.follow_up_by = follow_up_by
    case.next_review_on = next_review_on
    for name, value in fields.items():
        setattr(case, name, value)
    return services.case_review_update(case_review=case, acting_user=user)


def add_option(case, user, *, description="Consultation spécialisée", cost="120.00", retained=True):
    option = CaseOption(description=description, estimated_cost=Decimal(cost) if cost else None, retained=retained)
    return services.option_add(option=option, case_review=case, acting_user=user)


def add_action(case, user, *, assignee, description="Prendre rendez-vous", due_in_days=14):
    action = Action(
        description=description, assignee=assignee, due_on=timezone.localdate() + timedelta(days=due_in_days)
    )
    return services.action_add(action=action, case_review=case, acting_user=user)


@contextmanager
def stand_in_pdf():
    """Validation without WeasyPrint, for tests that never open the document."""
    stand_in = pdf.Rendered(TINY_PDF, pdf.sha256(TINY_PDF))
    with (
        mock.patch.object(pdf, "render_pdf", return_value=stand_in),
        mock.patch.object(pdf, "pdf_from_html", return_value=stand_in),  # the extracts, made by a task
    ):
        yield


def validate(meeting, user, *, real_pdf: bool = True):
    if real_pdf:
        return services.minutes_validate(meeting=meeting, acting_user=user)
    with stand_in_pdf():
        return services.minutes_validate(meeting=meeting, acting_user=user)


def _matrix_objects(world: dict) -> dict:
    """RCP objects for the security tests' `world`, made once per world, straight in the database.

    No service is called: the access matrix counts audit rows around its requests, and these
    objects are made lazily, on the first rcp: URL. Users are the personas of tests/conftest.py
    (found by username), the patient is the world's.
    """
    objects = world.get("rcp")
    if objects is not None:
        return objects
    users = {u.username: u for u in User.objects.filter(username__in=["physician", "nurse", "social", "psychologist"])}
    fallback = world["target"]
    physician, nurse, social, psychologist = (
        users.get(name, fallback) for name in ("physician", "nurse", "social", "psychologist")
    )
    patient = world["patient"]
    now = timezone.now()
    present = Participant.Attendance.PRESENT

    def meeting_with_team(when, **extra):
        meeting = Meeting.objects.create(
            scheduled_at=when, place="Salle de staff", chair=physician, created_by=physician, **extra
        )
        for user in dict.fromkeys([physician, nurse, social, psychologist]):
            Participant.objects.create(meeting=meeting, user=user, role=_role(user), attendance=present)
        return meeting

    earlier = meeting_with_team(
        now - timedelta(days=14),
        status=Meeting.Status.VALIDATED,
        validated_at=now - timedelta(days=13),
        validated_by=physician,
    )
    earlier_case = CaseReview.objects.create(
        meeting=earlier,
        patient=patient,
        presented_by=physician,
        proposed_by=physician,
        question="Bilan ?",
        decision="Bilan en externe",
    )
    Action.objects.create(
        case_review=earlier_case,
        description="Bilan biologique",
        assignee=nurse,
        due_on=timezone.localdate(),
        created_by=physician,
    )
    version = MinutesVersion.objects.create(
        meeting=earlier,
        number=1,
        pdf=TINY_PDF,
        sha256=pdf.sha256(TINY_PDF),
        size=len(TINY_PDF),
        validated_by=physician,
        validated_at=earlier.validated_at,
    )
    extract = MinutesExtract.objects.create(
        version=version, case_review=earlier_case, patient=patient, pdf=TINY_PDF, sha256=pdf.sha256(TINY_PDF)
    )

    meeting = meeting_with_team(earlier_today(), status=Meeting.Status.HELD)
    Participant.objects.create(meeting=meeting, name="Dr Anne Lefort", profession="Infectiologue", attendance=present)
    case = CaseReview.objects.create(
        meeting=meeting,
        patient=patient,
        presented_by=social,
        proposed_by=social,
        question="Orientation ?",
        previous_review=earlier_case,
    )
    CaseMedicalSummary.objects.create(case_review=case, text="Tuberculose traitée", updated_by=physician)
    option = CaseOption.objects.create(case_review=case, description="Hôtel social", estimated_cost=Decimal("490.00"))
    action = Action.objects.create(
        case_review=case,
        description="Domiciliation",
        assignee=social,
        due_on=timezone.localdate(),
        created_by=physician,
    )
    objects = world["rcp"] = {
        "meeting": meeting,
        "case": case,
        "option": option,
        "participant": meeting.participants.get(user=nurse),
        "action": action,
        "validated": earlier,
        "version": version,
        "extract": extract,
        "patient": patient,
    }
    return objects


def _role(user) -> str:
    from pass_unit.roles import role_of

    role = role_of(user)
    return role.value if role else ""


# Which object each rcp: URL is built on (the held meeting unless said otherwise).
_TARGET = {
    "rcp:correct": "validated",
    "rcp:case-detail": "case",
    "rcp:case-edit": "case",
    "rcp:case-deliberation": "case",
    "rcp:case-option-add": "case",
    "rcp:case-option-withdraw": "case",
    "rcp:case-action-add": "case",
    "rcp:propose": "patient",
    "rcp:action-close": "action",
    "rcp:version-pdf": "version",
    "rcp:extract-pdf": "extract",
}
# The second object of an action's URL (a participant, a case on the agenda, an option of the case).
_TARGET_ITEM = {
    "rcp:participant-withdraw": ("participant_pk", "participant"),
    "rcp:agenda-move": ("case_pk", "case"),
    "rcp:agenda-urgent": ("case_pk", "case"),
    "rcp:case-option-withdraw": ("option_pk", "option"),
}


def rcp_url(name: str, world: dict) -> str:
    """An rcp: URL of the security tests (tests/security/test_access_matrix.py `_url`)."""
    if name in ("rcp:list", "rcp:create", "rcp:my-actions"):
        return reverse(name)
    objects = _matrix_objects(world)
    kwargs = {"pk": objects[_TARGET.get(name, "meeting")].pk}
    if name in _TARGET_ITEM:
        key, target = _TARGET_ITEM[name]
        kwargs[key] = objects[target].pk
    return reverse(name, kwargs=kwargs)


def register(user, last_name, first_name, *, year=1985, **extra) -> Patient:
    """A patient registered through the real intake service."""
    patient = Patient(last_name=last_name, first_name=first_name, birth_year=year, **extra)
    return patient_services.patient_register(patient=patient, acting_user=user)


def rcp_state() -> dict:
    """A fingerprint of every RCP table (and the option cost lines).

    Equal before and after an attempt: nothing was written.
    """
    tables = [
        "rcp_meeting",
        "rcp_participant",
        "rcp_casereview",
        "rcp_casemedicalsummary",
        "rcp_caseoption",
        "rcp_action",
        "rcp_minutesversion",
        "budget_optioncostline",
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(
                f"SELECT '{t}', md5(coalesce(string_agg(t::text, ',' ORDER BY t.id), '')) FROM {t} t" for t in tables
            )
        )
        return dict(cursor.fetchall())
