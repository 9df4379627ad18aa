from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One line of the audit trail. Append-only, enforced by a PostgreSQL trigger."""

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed the file")
        VIEW_MEDICAL = "view_medical", _("Viewed the medical part")
        CREATE = "create", _("Created")
        UPDATE = "update", _("Updated")
        EXPORT = "export", _("Exported or printed")
        VIEW_REPORT = "view_report", _("Viewed a report")
        LOGIN = "login", _("Logged in")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOGOUT = "logout", _("Logged out")
        ACCOUNT = "account", _("Account management")

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("user"),
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=20, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("patient"),
    )
    changes = models.JSONField(default=dict, blank=True)
    medical = models.BooleanField(default=False)
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["patient", "-at"], name="audit_patient_at"),
            models.Index(fields=["user", "-at"], name="audit_user_at"),
        ]

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M} {self.username} {self.action} {self.object_repr}"


class StaffFTE(models.Model):
    """The unit's staff in full-time equivalents for a year, by profession (activity report).

    Never updated: each entry is a new row, the latest per (year, profession) counts, and the
    history keeps who entered what and when.
    """

    class Profession(models.TextChoices):
        PHYSICIAN = "physician", _("Physicians")
        NURSE = "nurse", _("Nurses")
        SOCIAL_WORKER = "social_worker", _("Social workers")
        PSYCHOLOGIST = "psychologist", _("Psychologists")
        SECRETARY = "secretary", _("Reception and secretarial staff")
        COORDINATOR = "coordinator", _("Coordination")
        OTHER = "other", _("Other professions")

    year = models.PositiveSmallIntegerField(_("year"))
    profession = models.CharField(_("profession"), max_length=20, choices=Profession)
    fte = models.DecimalField(_("full-time equivalents"), max_digits=5, decimal_places=2)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by")
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("staff full-time equivalents")
        verbose_name_plural = _("staff full-time equivalents")
        ordering = ["year", "profession", "-entered_at"]
        indexes = [models.Index(fields=["year", "profession", "-entered_at"], name="staff_fte_year_profession")]
        constraints = [
            models.CheckConstraint(condition=models.Q(fte__gte=0) & models.Q(fte__lte=50), name="staff_fte_bounds"),
            models.CheckConstraint(
                condition=models.Q(year__gte=2000) & models.Q(year__lte=2100), name="staff_fte_year_plausible"
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.get_profession_display()}: {self.fte}"


class ReportSnapshot(models.Model):
    """The activity report's raw figures for one period, computed in the background
    (`pass_unit.reports.snapshots`), with what the computation saw of the data.

    `data_seen` and `db_snapshot` say which changes the figures include: the report's tables note
    each writing transaction in `pass_unit_report_change` (statement triggers, migration 0005), so a
    snapshot is current exactly when no change outside it has been committed since (checked on every
    read: stale figures are never shown as current).
    """

    class Kind(models.TextChoices):
        REPORT = "report", _("Activity report")
        QUALITY_COUNT = "quality_count", _("Files to complete")

    kind = models.CharField(max_length=20, choices=Kind)
    start = models.DateField()
    end = models.DateField()
    figures = models.JSONField(null=True, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    # The last change noted when the computation started, its PostgreSQL snapshot (pg_snapshot as
    # text) and its own transaction id if it had one (its own earlier writes are in the figures).
    data_seen = models.BigIntegerField(null=True, blank=True)
    db_snapshot = models.TextField(blank=True)
    own_xid = models.CharField(max_length=30, blank=True)
    requested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "start", "end"], name="report_snapshot_period")]

    def __str__(self):
        return f"{self.kind} {self.start:%d/%m/%Y}–{self.end:%d/%m/%Y}"
