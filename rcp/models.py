"""Concertation meetings (RCP): meetings, participants, cases on the agenda, decisions, actions, minutes.

The medical summary of a case lives in its own table (`CaseMedicalSummary`), as the
medical context does for a patient: the roles that may not read it never load it, and
its audit rows are flagged medical.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pass_unit.lib.dates import day_start
from pass_unit.roles import Role
from patients.models import Patient

TEXT_MAX = 4000
DESCRIPTION_MAX = 300
# The estimated cost of one option for one patient: above this it is a typing error ("1e9" once
# showed an option costing "1875513,5 %" of the remaining budget). The same bound as one budget
# line (budget.money.MAX_LINE_AMOUNT: rcp may not import budget); the form, the costing from the
# catalogue and a check constraint all hold it.
MAX_OPTION_COST = Decimal("100000.00")


@dataclass(frozen=True)
class Quorum:
    minimum: int  # participants present
    roles: tuple  # team roles that must each be present


@dataclass(frozen=True)
class QuorumStatus:
    met: bool
    present: int
    minimum: int
    missing_roles: list

    @property
    def missing_labels(self) -> list:
        return [str(role.label) for role in self.missing_roles]


class MeetingQuerySet(models.QuerySet):
    def in_progress(self):
        """Planned, or held with minutes still to validate."""
        return self.exclude(status=Meeting.Status.VALIDATED)

    def validated(self):
        return self.filter(status=Meeting.Status.VALIDATED)

    def open_for_cases(self):
        """Meetings a case may still be put on: not validated, not long past."""
        return self.filter(
            status__in=[Meeting.Status.PLANNED, Meeting.Status.HELD],
            scheduled_at__gte=day_start(timezone.localdate()),
        )


class Meeting(models.Model):
    class Kind(models.TextChoices):
        MEDICO_SOCIAL = "medico_social", _("Medico-social and ethics RCP")
        MEDICAL = "medical", _("Medical case review")
        PSYCHOSOCIAL = "psychosocial", _("Psychosocial synthesis")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held, minutes to validate")
        VALIDATED = "validated", _("Minutes validated")

    # The quorum each kind of meeting needs (DOMAIN.md: a PASS team is at least a
    # physician, a social worker and a nurse).
    QUORUMS = {
        Kind.MEDICO_SOCIAL: Quorum(4, (Role.PHYSICIAN, Role.SOCIAL_WORKER, Role.NURSE)),
        Kind.MEDICAL: Quorum(3, (Role.PHYSICIAN, Role.NURSE)),
        Kind.PSYCHOSOCIAL: Quorum(3, (Role.SOCIAL_WORKER, Role.PSYCHOLOGIST)),
    }

    scheduled_at = models.DateTimeField(_("date and time"))
    kind = models.CharField(_("kind of meeting"), max_length=20, choices=Kind, default=Kind.MEDICO_SOCIAL)
    place = models.CharField(_("place"), max_length=200)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="chaired_meetings", verbose_name=_("chair")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.PLANNED)
    full_names_in_minutes = models.BooleanField(
        _("full patient names in the minutes"),
        default=False,
        help_text=_("By default the minutes identify patients by file number and initials only."),
    )
    # Set while validated minutes are being corrected; becomes the new version's reason.
    correction_reason = models.TextField(_("reason for the correction"), max_length=TEXT_MAX, blank=True)
    validated_at = models.DateTimeField(null=True, blank=True, editable=False)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True, editable=False
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("concertation meeting")
        verbose_name_plural = _("concertation meetings")
        ordering = ["-scheduled_at"]
        indexes = [models.Index(fields=["scheduled_at"], name="rcp_meeting_scheduled")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="validated", validated_at__isnull=False) | ~Q(status="validated"),
                name="rcp_meeting_validated_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {timezone.localtime(self.scheduled_at):%d/%m/%Y %H:%M}"

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.VALIDATED

    @property
    def has_come(self) -> bool:
        """The meeting day has come: attendance and validation make sense."""
        return timezone.localtime(self.scheduled_at).date() <= timezone.localdate()

    @property
    def quorum_rule(self) -> Quorum:
        return self.QUORUMS[self.Kind(self.kind)]

    def quorum_status(self, participants) -> QuorumStatus:
        """Whether the participants marked present meet the quorum of this kind of meeting."""
        rule = self.quorum_rule
        present = [p for p in participants if p.attendance == Participant.Attendance.PRESENT]
        roles_present = {p.role for p in present if p.role}
        missing = [Role(r) for r in rule.roles if r not in roles_present]
        return QuorumStatus(
            met=len(present) >= rule.minimum and not missing,
            present=len(present),
            minimum=rule.minimum,
            missing_roles=missing,
        )


class Participant(models.Model):
    """A team member (user) or an external guest (name, profession, organisation)."""

    class Attendance(models.TextChoices):
        INVITED = "invited", _("Invited")
        PRESENT = "present", _("Present")
        EXCUSED = "excused", _("Excused")
        ABSENT = "absent", _("Absent")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="rcp_participations",
        null=True,
        blank=True,
        verbose_name=_("team member"),
    )
    # The member's role when invited: the quorum counts professions as they were on the day.
    role = models.CharField(_("role"), max_length=20, choices=Role, blank=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    profession = models.CharField(_("profession or specialty"), max_length=150, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    attendance = models.CharField(_("attendance"), max_length=10, choices=Attendance, default=Attendance.INVITED)
    # Invited by mistake: withdrawn from the list, never deleted (the audit trail keeps who and when).
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(name="")) | (Q(user__isnull=True) & ~Q(name="")),
                name="rcp_participant_member_or_guest",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(profession=""),
                name="rcp_participant_guest_has_profession",
            ),
            models.UniqueConstraint(
                fields=["meeting", "user"], condition=Q(user__isnull=False), name="rcp_participant_once"
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def is_guest(self) -> bool:
        return self.user_id is None

    @property
    def display_name(self) -> str:
        if self.user_id:
            return self.user.get_full_name() or self.user.username
        return self.name

    @property
    def display_profession(self) -> str:
        if self.profession:
            return self.profession
        return Role(self.role).label if self.role else ""


class CaseReview(models.Model):
    """A patient's case on a meeting's agenda, and what the meeting decided."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="cases")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="rcp_reviews")
    position = models.PositiveSmallIntegerField(_("order on the agenda"), default=1)
    urgent = models.BooleanField(_("urgent"), default=False)
    presented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("presented by")
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    question = models.TextField(_("question asked"), max_length=TEXT_MAX)
    social_summary = models.TextField(_("social situation and coverage"), max_length=TEXT_MAX, blank=True)
    deliberation = models.TextField(_("deliberation"), max_length=TEXT_MAX, blank=True)
    ethical_issues = models.TextField(_("ethical issues raised"), max_length=TEXT_MAX, blank=True)
    decision = models.TextField(_("decision"), max_length=TEXT_MAX, blank=True)
    departs_from_guidelines = models.BooleanField(_("the decision departs from guidelines"), default=False)
    follow_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("professional responsible for follow-up"),
    )
    next_review_on = models.DateField(_("next review"), null=True, blank=True)
    patient_informed = models.BooleanField(_("the patient was informed"), default=False)
    postponed = models.BooleanField(_("not discussed, postponed"), default=False)
    previous_review = models.ForeignKey(
        "self", on_delete=models.PROTECT, related_name="+", null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("case review")
        verbose_name_plural = _("case reviews")
        ordering = ["meeting", "position", "pk"]
        indexes = [models.Index(fields=["patient", "meeting"], name="rcp_case_patient")]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "patient"], name="rcp_case_patient_once_per_meeting"),
            models.CheckConstraint(condition=Q(position__gte=1), name="rcp_case_position_positive"),
            models.CheckConstraint(condition=~Q(question=""), name="rcp_case_has_question"),
        ]

    def __str__(self):
        return f"{self.patient.file_number} — {self.meeting}"

    @property
    def is_decided(self) -> bool:
        return bool(self.decision.strip()) or self.postponed


class CaseMedicalSummary(models.Model):
    """Restricted: the medical summary of a case, for the medical roles only."""

    case_review = models.OneToOneField(CaseReview, on_delete=models.CASCADE, related_name="medical")
    text = models.TextField(_("medical summary"), max_length=TEXT_MAX, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("medical summary")
        verbose_name_plural = _("medical summaries")

    def __str__(self):
        return f"{self.case_review_id}"


class CaseOption(models.Model):
    """An option discussed for a case, with its estimated cost for the unit."""

    case_review = models.ForeignKey(CaseReview, on_delete=models.CASCADE, related_name="options")
    description = models.CharField(_("option"), max_length=DESCRIPTION_MAX)
    estimated_cost = models.DecimalField(
        _("estimated cost (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    retained = models.BooleanField(_("retained"), default=False)
    # Recorded by mistake: withdrawn, never deleted; a withdrawn option is not part of the minutes.
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("option discussed")
        verbose_name_plural = _("options discussed")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(estimated_cost__isnull=True) | Q(estimated_cost__gte=0),
                name="rcp_option_cost_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(estimated_cost__isnull=True) | Q(estimated_cost__lte=MAX_OPTION_COST),
                name="rcp_option_cost_plausible",
            ),
        ]

    def __str__(self):
        return self.description


class Action(models.Model):
    """Something to do after the meeting: what, who, by when; then done or dropped."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    case_review = models.ForeignKey(CaseReview, on_delete=models.PROTECT, related_name="actions")
    description = models.CharField(_("action"), max_length=DESCRIPTION_MAX)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="rcp_actions", verbose_name=_("who")
    )
    due_on = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.OPEN)
    drop_reason = models.CharField(_("reason for dropping it"), max_length=DESCRIPTION_MAX, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True, editable=False
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["assignee", "status"], name="rcp_action_assignee"),
            # The activity report's actions created and done in a period (issue 10).
            models.Index(fields=["created_at"], name="rcp_action_created_at"),
            models.Index(fields=["closed_at"], name="rcp_action_closed_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="dropped") | ~Q(drop_reason=""), name="rcp_action_dropped_has_reason"
            ),
            models.CheckConstraint(
                condition=(Q(status="open") & Q(closed_at__isnull=True))
                | (~Q(status="open") & Q(closed_at__isnull=False)),
                name="rcp_action_closed_has_date",
            ),
        ]

    def __str__(self):
        return self.description

    def status_at(self, moment) -> str:
        """The status as it was at `moment`: an action is closed once, never reopened."""
        if self.closed_at is None or self.closed_at > moment:
            return self.Status.OPEN
        return self.status

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_on < timezone.localdate()


class MinutesVersion(models.Model):
    """Validated minutes: the PDF stored once, with its SHA-256. Never updated (a trigger refuses it)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, related_name="superseded_by", null=True, blank=True
    )
    correction_reason = models.TextField(_("reason for the correction"), max_length=TEXT_MAX, blank=True)
    pdf = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    full_names = models.BooleanField(default=False)
    validated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    validated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("minutes version")
        verbose_name_plural = _("minutes versions")
        ordering = ["meeting", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="rcp_minutes_version_once"),
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="rcp_minutes_sha256_hex"),
            models.CheckConstraint(condition=Q(number__gte=1), name="rcp_minutes_number_positive"),
        ]

    def __str__(self):
        return f"{self.meeting} — v{self.number}"

    @property
    def filename(self) -> str:
        return f"rcp-{timezone.localtime(self.meeting.scheduled_at):%Y-%m-%d}-{self.meeting_id}-v{self.number}.pdf"


class MinutesExtract(models.Model):
    """A patient's part of validated minutes, filed in the patient's record. Never updated."""

    version = models.ForeignKey(MinutesVersion, on_delete=models.PROTECT, related_name="extracts")
    case_review = models.ForeignKey(CaseReview, on_delete=models.PROTECT, related_name="extracts")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="rcp_extracts")
    pdf = models.BinaryField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("minutes extract")
        verbose_name_plural = _("minutes extracts")
        ordering = ["-version__validated_at"]
        constraints = [
            models.UniqueConstraint(fields=["version", "case_review"], name="rcp_extract_once"),
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="rcp_extract_sha256_hex"),
        ]

    def __str__(self):
        return f"{self.patient.file_number} — {self.version}"

    @property
    def filename(self) -> str:
        day = timezone.localtime(self.version.meeting.scheduled_at)
        return f"rcp-{day:%Y-%m-%d}-{self.patient.file_number}-v{self.version.number}.pdf"


class DraftMinutes(models.Model):
    """The draft minutes of a meeting not yet validated, rendered ahead (by the background worker
    after each change, or at a download) and keyed by the SHA-256 of the HTML they were made from,
    the print time left out. A download renders the draft's HTML (a few tens of ms) and serves these
    bytes only when its hash is the same: the same text, never stale. One per meeting, replaced when
    the draft changes; not an official document (the validated versions are)."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="draft_minutes")
    html_sha256 = models.CharField(max_length=64)
    pdf = models.BinaryField()
    made_at = models.DateTimeField()

    class Meta:
        verbose_name = _("draft minutes")
        verbose_name_plural = _("draft minutes")
        constraints = [
            models.CheckConstraint(condition=Q(html_sha256__regex=r"^[0-9a-f]{64}$"), name="rcp_draft_sha256_hex"),
        ]

    def __str__(self):
        return f"{self.meeting} — draft"
