"""Reads of RCP data reused across views, panels, the PDF and other apps."""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.functions import Coalesce
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
    """Planned meetings and held ones whose minutes are not validated yet, soonest first.

    Each row's number of cases is a subquery, counted for the rows of the page only: a
    `Count("cases")` grouped every meeting in progress before the page was cut (10 ms with the
    1,000 held meetings of the scale seed, instead of 1)."""
    cases = CaseReview.objects.filter(meeting=OuterRef("pk")).order_by().values("meeting").annotate(n=Count("pk"))
    return (
        Meeting.objects.in_progress()
        .select_related("chair")
        .annotate(case_count=Coalesce(Subquery(cases.values("n")), 0))
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


# The patient's columns a page needs to name them: name, file number, identity badge.
_PATIENT_NAMED = ("last_name", "usage_name", "first_name", "file_number", "identity_status", "identity_attributes")
_PERSON = ("first_name", "last_name", "username")  # the `person` filter


def _columns(relation: str, fields) -> list[str]:
    return [relation, *(f"{relation}__{field}" for field in fields)]


def agenda_cases(meeting: Meeting) -> list[CaseReview]:
    """The agenda as the meeting's page shows it, in order: each case's patient, presenter,
    question, decision and how many actions it decided (`action_count`, a subquery), with only
    the columns shown. One query (`meeting_cases` adds the options and actions themselves, and
    every text of the case, for the minutes)."""
    actions = Action.objects.filter(case_review=OuterRef("pk")).order_by().values("case_review")
    return list(
        meeting.cases.select_related("patient", "presented_by")
        .annotate(action_count=Coalesce(Subquery(actions.annotate(n=Count("pk")).values("n")), 0))
        .only(
            "meeting_id",
            "position",
            "urgent",
            "question",
            "decision",
            "postponed",
            *_columns("patient", _PATIENT_NAMED),
            *_columns("presented_by", _PERSON),
        )
        .order_by("position", "pk")
    )


def _medical_text(case: CaseReview) -> str:
    try:
        return case.medical.text
    except CaseReview.medical.RelatedObjectDoesNotExist:
        return ""


def medical_summary_of(case: CaseReview) -> str:
    """The medical summary of one case (one query). Callers check the role first."""
    return CaseMedicalSummary.objects.filter(case_review=case).values_list("text", flat=True).first() or ""


def _follow_up_queryset(meeting: Meeting, *, as_of) -> QuerySet[Action]:
    """The "Suivi" of a meeting: actions decided at earlier meetings that were still open at
    `as_of`, and those closed since the previous meeting.

    `as_of` is the validation time for validated minutes (so the page matches the stored
    PDF), now otherwise. Actions are closed once and never reopened: the status at any
    moment follows from `closed_at`.
    """
    previous_meeting = (
        Meeting.objects.filter(scheduled_at__lt=meeting.scheduled_at).order_by("-scheduled_at").values("scheduled_at")
    )[:1]
    # Bounded on both sides (the same set, since later closings are "still open"): PostgreSQL
    # then estimates a narrow range instead of a third of all actions for a bound it cannot
    # know at planning time, and joins the few actions found to their patients by index
    # rather than reading every patient (1 December 2026: 120 -> a few ms at 999 meetings).
    closed_since_previous = Q(closed_at__gte=Subquery(previous_meeting), closed_at__lte=as_of)
    return Action.objects.filter(
        case_review__meeting__scheduled_at__lt=meeting.scheduled_at, created_at__lte=as_of
    ).filter(_still_open(as_of) | closed_since_previous)


def _still_open(as_of) -> Q:
    return Q(closed_at__isnull=True) | Q(closed_at__gt=as_of)


def _with_status_then(actions: list[Action], as_of) -> list[Action]:
    for action in actions:
        action.status_then = action.status_at(as_of)
        action.status_then_label = Action.Status(action.status_then).label
    return actions


_FOLLOW_UP_RELATED = ("assignee", "case_review", "case_review__patient", "case_review__meeting")


def follow_up_actions(meeting: Meeting, *, as_of=None) -> list[Action]:
    """The whole "Suivi" of a meeting (see `_follow_up_queryset`), earliest due first, each
    with its status at `as_of` (`status_then`). For the minutes, which record all of it."""
    as_of = as_of or meeting.validated_at or timezone.now()
    qs = _follow_up_queryset(meeting, as_of=as_of).select_related(*_FOLLOW_UP_RELATED).order_by("due_on", "pk")
    return _with_status_then(list(qs), as_of)


@dataclass
class FollowUp:
    """The part of a meeting's "Suivi" shown on its page, and exact counts of all of it."""

    actions: list[Action]
    total: int
    open: int
    overdue: int
    closed: int
    on_agenda: int

    @property
    def hidden(self) -> int:
        return self.total - len(self.actions)


FOLLOW_UP_SHOWN = 15


def _follow_up_priority(meeting: Meeting, as_of) -> tuple[QuerySet[Action], Q, Q]:
    """The Suivi annotated for the meeting's page and its full list, most useful first: the
    actions about patients on this meeting's agenda (discussed again today), then those still
    open, most overdue first, then those closed since the previous meeting."""
    still_open = _still_open(as_of)
    overdue = still_open & Q(due_on__lt=timezone.localtime(as_of).date())
    on_agenda = Q(case_review__patient_id__in=CaseReview.objects.filter(meeting=meeting).values("patient_id"))
    qs = (
        _follow_up_queryset(meeting, as_of=as_of)
        .annotate(
            on_agenda=ExpressionWrapper(on_agenda, output_field=BooleanField()),
            open_then=ExpressionWrapper(still_open, output_field=BooleanField()),
        )
        .select_related(*_FOLLOW_UP_RELATED)
        # The columns its table shows (rcp/_follow_up_table.html), not every text of each case and
        # patient: the rows are read and built in Python faster.
        .only(
            "case_review_id",
            "description",
            "assignee_id",
            "due_on",
            "status",
            "drop_reason",
            "closed_at",
            *_columns("assignee", _PERSON),
            "case_review__meeting_id",
            "case_review__patient_id",
            *_columns("case_review__patient", _PATIENT_NAMED),
            *_columns("case_review__meeting", ("scheduled_at",)),
        )
        .order_by("-on_agenda", "-open_then", "due_on", "pk")
    )
    return qs, overdue, on_agenda


def follow_up_summary(meeting: Meeting, *, as_of=None, limit: int | None = None) -> FollowUp:
    """The first `limit` actions of the meeting's Suivi in order of priority (see
    `_follow_up_priority`), with exact counts of the whole Suivi taken in the same query
    (window aggregates, computed before the LIMIT): one query whatever the number of actions."""
    as_of = as_of or meeting.validated_at or timezone.now()
    limit = FOLLOW_UP_SHOWN if limit is None else limit
    qs, overdue, on_agenda = _follow_up_priority(meeting, as_of)
    everything = Window(Count("pk"))
    actions = list(
        qs.annotate(
            n_total=everything,
            n_open=Window(Count("pk", filter=_still_open(as_of))),
            n_overdue=Window(Count("pk", filter=overdue)),
            n_on_agenda=Window(Count("pk", filter=on_agenda)),
        )[:limit]
    )
    first = actions[0] if actions else None
    return FollowUp(
        actions=_with_status_then(actions, as_of),
        total=first.n_total if first else 0,
        open=first.n_open if first else 0,
        overdue=first.n_overdue if first else 0,
        closed=(first.n_total - first.n_open) if first else 0,
        on_agenda=first.n_on_agenda if first else 0,
    )


FOLLOW_UP_FILTERS = ("open", "overdue", "closed")


def follow_up_counts(meeting: Meeting) -> FollowUp:
    """Exact counts of the meeting's whole Suivi, without its rows (one aggregate query)."""
    as_of = meeting.validated_at or timezone.now()
    qs, overdue, on_agenda = _follow_up_priority(meeting, as_of)
    counts = qs.order_by().aggregate(
        total=Count("pk"),
        open=Count("pk", filter=_still_open(as_of)),
        overdue=Count("pk", filter=overdue),
        on_agenda=Count("pk", filter=on_agenda),
    )
    return FollowUp(actions=[], closed=counts["total"] - counts["open"], **counts)


def follow_up_page(meeting: Meeting, *, number, show: str = "", per_page: int = 25):
    """One page of the meeting's whole Suivi in the order of its page, optionally only the
    actions still open, overdue or closed since the previous meeting (`show`, one of
    FOLLOW_UP_FILTERS). Two queries: the count and the page."""
    as_of = meeting.validated_at or timezone.now()
    qs, overdue, _on_agenda = _follow_up_priority(meeting, as_of)
    if show == "open":
        qs = qs.filter(_still_open(as_of))
    elif show == "overdue":
        qs = qs.filter(overdue)
    elif show == "closed":
        qs = qs.exclude(_still_open(as_of))
    page = Paginator(qs, per_page).get_page(number)
    page.object_list = _with_status_then(list(page.object_list), as_of)
    return page


MY_ACTIONS_SHOWN = 8


def _open_actions_of(user):
    return (
        Action.objects.filter(assignee=user, status=Action.Status.OPEN)
        .select_related("case_review", "case_review__patient", "case_review__meeting")
        .order_by("due_on", "pk")
    )


def open_actions_for(user, *, limit: int = MY_ACTIONS_SHOWN) -> tuple[list[Action], int]:
    """The user's open actions, earliest due first, at most `limit` of them, and how many there
    are in all (the dashboard block; 1 query: the total is a window over the same rows)."""
    actions = list(_open_actions_of(user).annotate(total=Window(Count("pk"))).only(*_MY_ACTION_FIELDS)[:limit])
    return actions, actions[0].total if actions else 0


# What the dashboard block shows of each action (templates/rcp/_my_action.html), not the whole
# rows of the action, its review, the patient and the meeting.
_MY_ACTION_FIELDS = (
    "description",
    "due_on",
    "status",
    "case_review__patient__file_number",
    "case_review__patient__last_name",
    "case_review__patient__usage_name",
    "case_review__patient__first_name",
    "case_review__patient__identity_status",
    "case_review__patient__identity_attributes",
    "case_review__meeting__scheduled_at",
)


MY_ACTIONS_FILTERS = ("overdue",)


def my_actions_page(user, *, number, show: str = "", per_page: int = 25):
    """One page of the user's open actions, earliest due first, optionally only the overdue ones
    (2 queries: the count and the page)."""
    qs = _open_actions_of(user)
    if show == "overdue":
        qs = qs.filter(due_on__lt=timezone.localdate())
    return Paginator(qs, per_page).get_page(number)


def my_actions_counts(user) -> dict:
    """How many open actions the user has, and how many of them are overdue (1 query)."""
    return Action.objects.filter(assignee=user, status=Action.Status.OPEN).aggregate(
        open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=timezone.localdate()))
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
