"""Reads of RCP data reused across views, panels, the PDF and other apps."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from patients.models import CoverageRight, MedicalContext, Patient, SocialAssessment
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


def meetings_in_progress():
    """Planned meetings and held ones whose minutes are not validated yet, soonest first."""
    return (
        Meeting.objects.in_progress()
        .select_related("chair")
        .annotate(case_count=Count("cases"))
        .order_by("scheduled_at", "pk")
    )


def meetings_validated():
    return (
        Meeting.objects.validated()
        .select_related("chair")
        .annotate(case_count=Count("cases", distinct=True), version_count=Count("versions", distinct=True))
        .order_by("-scheduled_at", "-pk")
    )


def meeting_participants(meeting: Meeting) -> list[Participant]:
    """Team members first (in the order invited), then external guests."""
    participants = meeting.participants.filter(withdrawn_at__isnull=True).select_related("user").order_by("pk")
    return sorted(participants, key=lambda p: p.is_guest)


def meeting_cases(meeting: Meeting, *, with_medical: bool = False, with_details: bool = True) -> list[CaseReview]:
    """The agenda in order. `with_medical` loads the medical summaries: only for roles that may read them."""
    qs = (
        meeting.cases.select_related("patient", "presented_by", "follow_up_by")
        .annotate(
            # Whether there is one, not what it says: the minutes mention it for every reader.
            has_medical_summary=Exists(CaseMedicalSummary.objects.filter(case_review=OuterRef("pk")).exclude(text=""))
        )
        .order_by("position", "pk")
    )
    if with_details:
        qs = qs.prefetch_related(
            Prefetch("options", queryset=CaseOption.objects.filter(withdrawn_at__isnull=True).order_by("pk")),
            Prefetch("actions", queryset=Action.objects.select_related("assignee").order_by("due_on", "pk")),
        )
    if with_medical:
        qs = qs.select_related("medical")
    cases = list(qs)
    for case in cases:
        case.medical_text = _medical_text(case) if with_medical else ""
    return cases


def _medical_text(case: CaseReview) -> str:
    try:
        return case.medical.text
    except CaseReview.medical.RelatedObjectDoesNotExist:
        return ""


def medical_summary_of(case: CaseReview) -> str:
    """The medical summary of one case (one query). Callers check the role first."""
    return CaseMedicalSummary.objects.filter(case_review=case).values_list("text", flat=True).first() or ""


def follow_up_actions(meeting: Meeting, *, as_of=None) -> list[Action]:
    """The "Suivi" of a meeting: actions decided at earlier meetings that were still open at
    `as_of`, and those closed since the previous meeting, each with its status at `as_of`.

    `as_of` is the validation time for validated minutes (so the page matches the stored
    PDF), now otherwise. Actions are closed once and never reopened: the status at any
    moment follows from `closed_at`.
    """
    as_of = as_of or meeting.validated_at or timezone.now()
    previous_meeting = (
        Meeting.objects.filter(scheduled_at__lt=meeting.scheduled_at).order_by("-scheduled_at").values("scheduled_at")
    )[:1]
    still_open = Q(closed_at__isnull=True) | Q(closed_at__gt=as_of)
    # Bounded on both sides (the same set, since later closings are "still open"): PostgreSQL
    # then estimates a narrow range instead of a third of all actions for a bound it cannot
    # know at planning time, and joins the few actions found to their patients by index
    # rather than reading every patient (1 December 2026: 120 -> a few ms at 999 meetings).
    closed_since_previous = Q(closed_at__gte=Subquery(previous_meeting), closed_at__lte=as_of)
    actions = list(
        Action.objects.filter(case_review__meeting__scheduled_at__lt=meeting.scheduled_at, created_at__lte=as_of)
        .filter(still_open | closed_since_previous)
        .select_related("assignee", "case_review", "case_review__patient", "case_review__meeting")
        .order_by("due_on", "pk")
    )
    for action in actions:
        action.status_then = action.status_at(as_of)
        action.status_then_label = Action.Status(action.status_then).label
    return actions


def open_actions_for(user, *, limit: int = 50) -> list[Action]:
    """The user's open actions, earliest due first (the dashboard block)."""
    return list(
        Action.objects.filter(assignee=user, status=Action.Status.OPEN)
        .select_related("case_review", "case_review__patient", "case_review__meeting")
        .order_by("due_on", "pk")[:limit]
    )


def patient_reviews(patient: Patient) -> list[CaseReview]:
    """Every RCP review of a patient, latest first, with its actions and its filed extract."""
    reviews = list(
        CaseReview.objects.filter(patient=patient)
        .select_related("meeting", "presented_by", "follow_up_by")
        .prefetch_related(
            Prefetch("actions", queryset=Action.objects.select_related("assignee").order_by("due_on", "pk")),
            Prefetch(
                "extracts",
                queryset=MinutesExtract.objects.select_related("version").order_by("-version__number").defer("pdf"),
            ),
        )
        .order_by("-meeting__scheduled_at", "-pk")
    )
    for review in reviews:
        extracts = list(review.extracts.all())
        review.latest_extract = extracts[0] if extracts else None
    return reviews


def decided_cases(patient: Patient) -> QuerySet[CaseReview]:
    """The patient's reviews that reached a decision, latest meeting first (care may be charged to one)."""
    return (
        CaseReview.objects.filter(patient=patient)
        .exclude(decision="")
        .select_related("meeting")
        .order_by("-meeting__scheduled_at", "-pk")
    )


def cases_with_options(patient: Patient, *, limit: int = 5) -> list[CaseReview]:
    """The patient's latest reviews that have options still standing, each with them in
    `current_options`; reviews without one are left out. Two queries."""
    current = CaseOption.objects.filter(withdrawn_at__isnull=True)
    return list(
        CaseReview.objects.filter(patient=patient)
        .filter(Exists(current.filter(case_review=OuterRef("pk"))))
        .select_related("meeting")
        .prefetch_related(Prefetch("options", queryset=current.order_by("pk"), to_attr="current_options"))
        .order_by("-meeting__scheduled_at", "-pk")[:limit]
    )


def meeting_versions(meeting: Meeting) -> list[MinutesVersion]:
    """Newest first; `extracts_filed`: the patients' extracts filed so far (a background task files them)."""
    versions = meeting.versions.defer("pdf").select_related("validated_by").annotate(extracts_filed=Count("extracts"))
    return list(versions.order_by("-number"))


def minutes_patients(version: MinutesVersion) -> list[Patient]:
    """The patients a stored minutes version names (for the audit of its downloads): those of its
    extracts, and, for the current version of a validated meeting, those of its cases, whose extracts
    may still be being filed by the background task."""
    named = Q(rcp_extracts__version=version)
    meeting = version.meeting
    if meeting.is_locked and meeting.validated_at == version.validated_at:
        named |= Q(rcp_reviews__meeting=meeting)
    return list(Patient.objects.filter(named).distinct())


def latest_version(meeting: Meeting) -> MinutesVersion | None:
    return meeting.versions.order_by("-number").first()


# --- summaries prefilled from the patient file -----------------------------------------------


def social_summary_prefill(patient: Patient) -> str:
    """Social situation and coverage from the latest assessment and rights, as editable text."""
    lines = []
    assessment = SocialAssessment.objects.filter(patient=patient).order_by("-assessed_on", "-created_at").first()
    if assessment:
        lines.append(
            _("Social assessment of %(date)s: %(housing)s; %(household)s; %(resources)s; %(status)s.")
            % {
                "date": date_format(assessment.assessed_on, "SHORT_DATE_FORMAT"),
                "housing": assessment.get_housing_display(),
                "household": assessment.get_household_display(),
                "resources": assessment.get_resources_display(),
                "status": assessment.get_administrative_status_display(),
            }
        )
        if assessment.needs:
            lines.append(_("Needs: %(needs)s") % {"needs": assessment.needs})
    rights = list(CoverageRight.objects.filter(patient=patient).order_by("-created_at")[:3])
    for right in rights:
        text = f"{right.get_regime_display()} — {right.get_status_display()}"
        if right.end_date:
            text += " " + _("(until %(date)s)") % {"date": date_format(right.end_date, "SHORT_DATE_FORMAT")}
        lines.append(_("Coverage: %(right)s") % {"right": text})
    if not rights:
        lines.append(_("Coverage: none recorded."))
    return "\n".join(lines)


def medical_summary_prefill(patient: Patient) -> str:
    """The medical context as editable text. Only for roles that may read it (callers check)."""
    context = MedicalContext.objects.filter(patient=patient).first()
    if context is None:
        return ""
    parts = [
        (_("History"), context.history),
        (_("Chronic conditions"), context.chronic_conditions),
        (_("Infections"), context.infections),
        (_("Mental health"), context.mental_health),
        (_("Allergies"), context.allergies),
        (_("Treatments"), context.treatments),
    ]
    lines = [f"{label}: {value}" for label, value in parts if value]
    if context.pregnant:
        lines.append(_("Pregnancy in progress."))
    return "\n".join(lines)
