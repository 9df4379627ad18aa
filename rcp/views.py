from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from pass_unit import access, audit, panels
from patients.models import Patient
from rcp import forms, pdf, selectors, services
from rcp.models import Action, CaseReview, Meeting, Participant

PAGE_SIZE = 25
IN_PROGRESS_MAX = 50
SEARCH_RESULTS = 20


def _locked(request, meeting):
    """Validated minutes refuse every write: a 403 that says why and what to do."""
    ctx = {"meeting": meeting, "can_correct": access.can_validate_rcp_minutes(request.user, meeting)}
    return render(request, "rcp/locked.html", ctx, status=403)


def refuses_locked(view):
    """The one answer to a write on validated minutes: 403 with the page that explains the lock.

    The views of this decorator get what they write on through `_meeting_for_write()` /
    `_case_for_write()` (refused before a form is shown) and write through services that lock
    the meeting's row (refused when validated meanwhile): both raise MeetingLocked, turned here
    into the page. No view checks `is_locked` itself.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except services.MeetingLocked as exc:
            return _locked(request, exc.meeting)

    return wrapper


def _meeting_for_write(request, pk) -> Meeting:
    """The meeting, for a role that edits the RCP (403 otherwise), while its minutes are open."""
    return services.refuse_if_locked(access.get_meeting_for_user(request, pk, edit=True))


def _case_for_write(request, pk) -> CaseReview:
    """The case, for a role that edits the RCP (403 otherwise), while the meeting's minutes are open."""
    case = access.get_case_review_for_user(request, pk, edit=True)
    services.refuse_if_locked(case.meeting)
    return case


def _saved[T](form, write: Callable[[], T], *, field: str | None = None) -> T | None:
    """Run a write service: its result, or None with the refusal of a domain rule (RcpError) on the form.

    A locked meeting (MeetingLocked) is not a form error: it goes up to `refuses_locked`.
    """
    try:
        return write()
    except services.RcpError as exc:
        form.add_error(field, exc.message)
        return None


def _done(request, message: str, to: str, *args, anchor: str = "") -> HttpResponse:
    """After a write: say it was done, and go to the page named `to` (at `anchor`)."""
    messages.success(request, message)
    return redirect(reverse(to, args=args) + anchor)


def _as_pk(value: str) -> int:
    """A primary key from user input, or 0 (matches nothing) when it is not a plain number."""
    return int(value) if value.isascii() and value.isdigit() and len(value) < 18 else 0


def _pdf_response(data: bytes, filename: str, *, sha256: str | None = None) -> HttpResponse:
    response = HttpResponse(bytes(data), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    if sha256:
        response["ETag"] = f'"{sha256}"'
    return response


def _meeting_flags(user, meeting) -> dict:
    editable = not meeting.is_locked
    return {
        "can_edit": access.can_edit_rcp(user) and editable,
        "can_propose": access.can_propose_rcp_case(user) and editable,
        "can_validate": access.can_validate_rcp_minutes(user, meeting) and editable,
        "can_correct": access.can_validate_rcp_minutes(user, meeting) and meeting.is_locked,
        "can_read_minutes": access.can_read_rcp_minutes(user),
        "can_read_medical": access.can_read_rcp_medical_summary(user),
    }


# /rcp/
@require_safe
def meeting_list(request):
    access.require(access.can_read_rcp(request.user))
    in_progress = Paginator(selectors.meetings_in_progress(), IN_PROGRESS_MAX).get_page(
        request.GET.get("in_progress_page")
    )
    page = Paginator(selectors.meetings_validated(), PAGE_SIZE).get_page(request.GET.get("page"))
    ctx = {
        "in_progress": in_progress,
        "page": page,
        "now": timezone.now(),
        "can_plan": access.can_edit_rcp(request.user),
    }
    return render(request, "rcp/list.html", ctx)


# /rcp/new/
def meeting_create(request):
    access.require(access.can_edit_rcp(request.user))
    form = forms.MeetingForm(request.POST or None, initial={"chair": request.user.pk})
    if request.method == "POST" and form.is_valid():
        meeting = _saved(
            form,
            lambda: services.meeting_plan(
                meeting=form.save(commit=False), members=form.cleaned_data["members"], acting_user=request.user
            ),
        )
        if meeting is not None:
            return _done(request, _("Meeting planned."), "rcp:detail", meeting.pk)
    return render(request, "rcp/meeting_form.html", {"form": form, "creating": True})


# /rcp/<pk>/
@require_safe
def meeting_detail(request, pk):
    meeting = access.get_meeting_for_user(request, pk)
    participants = selectors.meeting_participants(meeting)
    cases = selectors.agenda_cases(meeting)
    ctx = {
        "meeting": meeting,
        "participants": participants,
        "quorum": meeting.quorum_status(participants),
        "cases": cases,
        # Bounded: the first actions by priority and exact counts of all (one query).
        "follow_up": selectors.follow_up_summary(meeting),
        "versions": selectors.meeting_versions(meeting),
        **_meeting_flags(request.user, meeting),
    }
    if ctx["can_validate"]:
        ctx["problems"] = services.validation_problems(meeting, cases)
    return render(request, "rcp/detail.html", ctx)


# /rcp/<pk>/follow-up/
@require_safe
def meeting_follow_up(request, pk):
    """The whole "Suivi" of a meeting, paginated, optionally only the open, overdue or closed actions."""
    meeting = access.get_meeting_for_user(request, pk)
    show = request.GET.get("show", "")
    if show not in selectors.FOLLOW_UP_FILTERS:
        show = ""
    ctx = {
        "meeting": meeting,
        "follow_up": selectors.follow_up_counts(meeting),
        "page": selectors.follow_up_page(meeting, number=request.GET.get("page"), show=show),
        "show": show,
        "query_string": f"show={show}" if show else "",
    }
    return render(request, "rcp/follow_up.html", ctx)


# /rcp/<pk>/edit/
@refuses_locked
def meeting_edit(request, pk):
    meeting = _meeting_for_write(request, pk)
    form = forms.MeetingForm(request.POST or None, instance=meeting)
    if request.method == "POST" and form.is_valid():
        if _saved(form, lambda: services.meeting_update(meeting=form.save(commit=False), acting_user=request.user)):
            return _done(request, _("Meeting updated."), "rcp:detail", meeting.pk)
    return render(request, "rcp/meeting_form.html", {"form": form, "meeting": meeting})


# --- participants: the list, and one POST view per change -------------------------------------


def _participants_page(request, meeting, *, member_form=None, guest_form=None):
    ctx = {
        "meeting": meeting,
        "participants": selectors.meeting_participants(meeting),
        "member_form": member_form if member_form is not None else forms.MemberForm(meeting=meeting),
        "guest_form": guest_form if guest_form is not None else forms.GuestForm(),
    }
    return render(request, "rcp/participants.html", ctx)


def _participant_add(request, meeting, form, participant, form_name: str):
    """Invite `participant` (None when `form` is invalid); on a refusal the page comes back with the form."""
    if participant is not None:
        added = _saved(
            form, lambda: services.participant_add(participant=participant, meeting=meeting, acting_user=request.user)
        )
        if added is not None:
            return _done(
                request,
                _("%(name)s added to the participants.") % {"name": added.display_name},
                "rcp:participants",
                meeting.pk,
            )
    return _participants_page(request, meeting, **{form_name: form})


# /rcp/<pk>/participants/
@require_safe
@refuses_locked
def meeting_participants(request, pk):
    return _participants_page(request, _meeting_for_write(request, pk))


# /rcp/<pk>/participants/member/
@require_POST
@refuses_locked
def participant_add_member(request, pk):
    meeting = _meeting_for_write(request, pk)
    form = forms.MemberForm(request.POST, meeting=meeting)
    participant = None
    if form.is_valid():
        participant = Participant(user=form.cleaned_data["user"], profession=form.cleaned_data["profession"])
    return _participant_add(request, meeting, form, participant, "member_form")


# /rcp/<pk>/participants/guest/
@require_POST
@refuses_locked
def participant_add_guest(request, pk):
    meeting = _meeting_for_write(request, pk)
    form = forms.GuestForm(request.POST)
    participant = form.save(commit=False) if form.is_valid() else None
    return _participant_add(request, meeting, form, participant, "guest_form")


# /rcp/<pk>/participants/<participant_pk>/withdraw/
@require_POST
@refuses_locked
def participant_withdraw(request, pk, participant_pk):
    meeting = _meeting_for_write(request, pk)
    participant = get_object_or_404(
        Participant.objects.select_related("user"), pk=participant_pk, meeting=meeting, withdrawn_at__isnull=True
    )
    try:
        services.participant_withdraw(participant=participant, acting_user=request.user)
    except services.RcpError as exc:
        messages.error(request, exc.message)
        return redirect("rcp:participants", pk=meeting.pk)
    message = _("%(name)s removed from the list.") % {"name": participant.display_name}
    return _done(request, message, "rcp:participants", meeting.pk)


# /rcp/<pk>/attendance/
@refuses_locked
def meeting_attendance(request, pk):
    meeting = _meeting_for_write(request, pk)
    participants = selectors.meeting_participants(meeting)
    form = forms.AttendanceForm(request.POST or None, participants=participants)
    if request.method == "POST" and form.is_valid():
        attendance = form.attendance()
        if _saved(
            form, lambda: services.attendance_record(meeting=meeting, attendance=attendance, acting_user=request.user)
        ):
            return _done(request, _("Attendance recorded."), "rcp:detail", meeting.pk)
    ctx = {"meeting": meeting, "form": form, "quorum": meeting.quorum_status(participants)}
    return render(request, "rcp/attendance.html", ctx)


# --- the agenda: its order, and one POST view per change (one button each, no script needed) ---


# /rcp/<pk>/agenda/
@require_safe
@refuses_locked
def meeting_agenda(request, pk):
    meeting = _meeting_for_write(request, pk)
    ctx = {"meeting": meeting, "cases": selectors.meeting_cases(meeting, with_details=False)}
    return render(request, "rcp/agenda.html", ctx)


def _agenda_change(request, pk, case_pk, *, field: str, values: tuple[str, ...], change) -> HttpResponse:
    """Apply `change(case, value)` when the posted `field` is one of `values`; back to the agenda."""
    meeting = _meeting_for_write(request, pk)
    case = get_object_or_404(CaseReview, pk=case_pk, meeting=meeting)
    value = request.POST.get(field, "")
    if value in values:
        change(case, value)
    else:
        messages.error(request, _("Unknown change: reload the page and try again."))
    return redirect("rcp:agenda", pk=meeting.pk)


# /rcp/<pk>/agenda/<case_pk>/move/  (direction: up or down)
@require_POST
@refuses_locked
def agenda_move(request, pk, case_pk):
    def move(case, direction):
        services.agenda_move(case_review=case, direction=direction, acting_user=request.user)

    return _agenda_change(request, pk, case_pk, field="direction", values=("up", "down"), change=move)


# /rcp/<pk>/agenda/<case_pk>/urgent/  (urgent: 1 or 0)
@require_POST
@refuses_locked
def agenda_urgent(request, pk, case_pk):
    def mark(case, urgent):
        services.agenda_set_urgent(case_review=case, urgent=urgent == "1", acting_user=request.user)

    return _agenda_change(request, pk, case_pk, field="urgent", values=("0", "1"), change=mark)


# --- putting a case on the agenda -------------------------------------------------------------


def _case_form_page(request, *, meeting, patient, form, template, extra=None):
    ctx = {"meeting": meeting, "patient": patient, "form": form, **(extra or {})}
    return render(request, template, ctx)


def _prefill(request, patient) -> dict:
    initial = {"social_summary": selectors.social_summary_prefill(patient)}
    if access.can_read_rcp_medical_summary(request.user):
        initial["medical_summary"] = selectors.medical_summary_prefill(patient)
        if initial["medical_summary"]:
            # The form shows the medical context: a read to record, as on the patient file.
            audit.record_view(request.user, patient, medical=True)
    return initial


def _add_case(request, form, *, meeting, patient):
    """Save a valid CaseReviewForm through the service; a refusal goes back on the form."""
    case = _saved(
        form,
        lambda: services.case_review_add(
            case_review=form.save(commit=False),
            meeting=meeting,
            patient=patient,
            medical_summary=form.cleaned_data.get("medical_summary", ""),
            acting_user=request.user,
        ),
        field="meeting" if "meeting" in form.fields else None,
    )
    if case is not None:
        messages.success(
            request, _("%(file)s put on the agenda of %(meeting)s.") % {"file": patient.file_number, "meeting": meeting}
        )
    return case


# /rcp/<pk>/cases/new/
@refuses_locked
def case_create(request, pk):
    meeting = access.get_meeting_for_user(request, pk)
    access.require(access.can_propose_rcp_case(request.user))
    services.refuse_if_locked(meeting)
    patient_pk = _as_pk(request.GET.get("patient", ""))
    if not patient_pk:
        # First step: find the patient.
        search = forms.PatientSearchForm(request.GET or None)
        results = []
        if search.is_valid() and search.cleaned_data["q"]:
            on_agenda = meeting.cases.values("patient")
            results = list(Patient.objects.active().search(search.cleaned_data["q"]).exclude(pk__in=on_agenda))
            results = results[:SEARCH_RESULTS]
        ctx = {"meeting": meeting, "search": search, "results": results}
        return render(request, "rcp/case_search.html", ctx)
    patient = access.get_patient_for_user(request, patient_pk)
    initial = _prefill(request, patient) if request.method == "GET" else {}
    form = forms.CaseReviewForm(
        request.POST or None, initial=initial, user=request.user, meeting=meeting, patient=patient
    )
    if request.method == "POST" and form.is_valid():
        case = _add_case(request, form, meeting=meeting, patient=patient)
        if case is not None:
            return redirect("rcp:detail", pk=meeting.pk)
    return _case_form_page(request, meeting=meeting, patient=patient, form=form, template="rcp/case_form.html")


# /rcp/propose/<pk>/  (pk: the patient)
@refuses_locked
def case_propose(request, pk):
    """ "Present in RCP" from the patient file: choose a meeting to come, then the agenda entry."""
    patient = access.get_patient_for_user(request, pk)
    access.require(access.can_propose_rcp_case(request.user))
    # Meetings already holding the case stay in the list: choosing one gets a clear refusal.
    meetings = Meeting.objects.open_for_cases().order_by("scheduled_at")
    initial = _prefill(request, patient) if request.method == "GET" else {}
    form = forms.CaseReviewForm(
        request.POST or None, initial=initial, user=request.user, patient=patient, meetings=meetings
    )
    if request.method == "POST" and form.is_valid():
        meeting = form.cleaned_data["meeting"]
        case = _add_case(request, form, meeting=meeting, patient=patient)
        if case is not None:
            return redirect("rcp:detail", pk=meeting.pk)
    ctx = {
        "has_meetings": meetings.exists(),
        "already": list(
            CaseReview.objects.filter(patient=patient, meeting__in=Meeting.objects.open_for_cases()).select_related(
                "meeting"
            )
        ),
        "can_plan": access.can_edit_rcp(request.user),
        "proposing": True,
    }
    return _case_form_page(request, meeting=None, patient=patient, form=form, template="rcp/case_form.html", extra=ctx)


# --- the case page during the meeting, and one POST view per change ---------------------------


def _case_neighbours(case):
    ids = list(case.meeting.cases.order_by("position", "pk").values_list("pk", flat=True))
    index = ids.index(case.pk)
    return (
        ids[index - 1] if index > 0 else None,
        ids[index + 1] if index + 1 < len(ids) else None,
        index + 1,
        len(ids),
    )


def _case_page(request, case, **bound):
    """The case page; `bound` holds the form posted to one of its actions, with its errors and values."""
    meeting, user = case.meeting, request.user
    can_medical = access.can_read_rcp_medical_summary(user)
    medical_text = selectors.medical_summary_of(case) if can_medical else ""
    audit.record_view(user, case.patient)
    if medical_text:
        audit.record_view(user, case.patient, medical=True)
    previous_pk, next_pk, number, total = _case_neighbours(case)
    options = list(case.options.filter(withdrawn_at__isnull=True).order_by("pk"))
    ctx = {
        "case": case,
        "meeting": meeting,
        "patient": case.patient,
        "options": options,
        "retained_cost": pdf.retained_cost(options),
        "actions": list(case.actions.select_related("assignee", "closed_by").order_by("due_on", "pk")),
        "previous_review": case.previous_review_id
        and CaseReview.objects.select_related("meeting").filter(pk=case.previous_review_id).first(),
        "medical_text": medical_text,
        "can_read_medical": can_medical,
        "can_edit": access.can_edit_rcp(user) and not meeting.is_locked,
        "deliberation_form": forms.DeliberationForm(instance=case),
        "option_form": forms.OptionForm(),
        "action_form": forms.ActionForm(meeting=meeting),
        **bound,
        "previous_pk": previous_pk,
        "next_pk": next_pk,
        "number": number,
        "total": total,
        # The budget app prices the options against what remains of the credit.
        "panels": panels.render(panels.RCP_CASE, request, case),
    }
    return render(request, "rcp/case_detail.html", ctx)


def _case_change(request, case, form, form_name: str, write, *, done: str, anchor: str = ""):
    """Save a form posted from the case page through `write(form)`; back to the page (at `anchor`),
    or the page again with the form's errors and the values typed."""
    if form.is_valid() and _saved(form, lambda: write(form)) is not None:
        return _done(request, done, "rcp:case-detail", case.pk, anchor=anchor)
    return _case_page(request, case, **{form_name: form})


# /rcp/cases/<pk>/
@require_safe
def case_detail(request, pk):
    """One page per case during the meeting: deliberation, options and costs, decision, actions."""
    return _case_page(request, access.get_case_review_for_user(request, pk))


# /rcp/cases/<pk>/deliberation/
@require_POST
@refuses_locked
def case_deliberation(request, pk):
    case = _case_for_write(request, pk)

    def save(form):
        return services.case_review_update(case_review=form.save(commit=False), acting_user=request.user)

    form = forms.DeliberationForm(request.POST, instance=case)
    return _case_change(request, case, form, "deliberation_form", save, done=_("Deliberation saved."))


def _case_add(request, pk, kind: str, make_form, add, *, done: str):
    """Add an option or an action (`kind`) to a case through `add(<kind>=…, case_review=…, acting_user=…)`."""
    case = _case_for_write(request, pk)

    def save(form):
        return add(**{kind: form.save(commit=False)}, case_review=case, acting_user=request.user)

    return _case_change(request, case, make_form(case), f"{kind}_form", save, done=done, anchor=f"#{kind}s")


# /rcp/cases/<pk>/options/
@require_POST
@refuses_locked
def case_option_add(request, pk):
    return _case_add(
        request, pk, "option", lambda case: forms.OptionForm(request.POST), services.option_add, done=_("Option added.")
    )


# /rcp/cases/<pk>/actions/
@require_POST
@refuses_locked
def case_action_add(request, pk):
    def form(case):
        return forms.ActionForm(request.POST, meeting=case.meeting)

    return _case_add(request, pk, "action", form, services.action_add, done=_("Action added."))


# /rcp/cases/<pk>/options/<option_pk>/withdraw/
@require_POST
@refuses_locked
def case_option_withdraw(request, pk, option_pk):
    case = _case_for_write(request, pk)
    option = access.get_case_option_for_user(request, case, option_pk)
    services.option_withdraw(option=option, acting_user=request.user)
    return _done(request, _("Option withdrawn."), "rcp:case-detail", case.pk, anchor="#options")


# /rcp/cases/<pk>/edit/
@refuses_locked
def case_edit(request, pk):
    case = _case_for_write(request, pk)
    initial = {}
    can_medical = access.can_read_rcp_medical_summary(request.user)
    if can_medical:
        initial["medical_summary"] = selectors.medical_summary_of(case)
        if request.method == "GET" and initial["medical_summary"]:
            audit.record_view(request.user, case.patient, medical=True)
    form = forms.CaseReviewForm(
        request.POST or None,
        instance=case,
        initial=initial,
        user=request.user,
        meeting=case.meeting,
        patient=case.patient,
    )
    if request.method == "POST" and form.is_valid():
        kwargs = {"medical_summary": form.cleaned_data["medical_summary"]} if form.has_medical_field else {}
        services.case_review_update(case_review=form.save(commit=False), acting_user=request.user, **kwargs)
        return _done(request, _("Agenda entry saved."), "rcp:case-detail", case.pk)
    return _case_form_page(
        request,
        meeting=case.meeting,
        patient=case.patient,
        form=form,
        template="rcp/case_form.html",
        extra={"case": case},
    )


# /rcp/actions/
@require_safe
def my_actions(request):
    """Every open action assigned to the logged-in user, earliest due first, paginated."""
    access.require(access.can_read_rcp(request.user))
    show = request.GET.get("show", "")
    if show not in selectors.MY_ACTIONS_FILTERS:
        show = ""
    ctx = {
        "counts": selectors.my_actions_counts(request.user),
        "page": selectors.my_actions_page(request.user, number=request.GET.get("page"), show=show),
        "show": show,
        "query_string": f"show={show}" if show else "",
    }
    return render(request, "rcp/my_actions.html", ctx)


# /rcp/actions/<pk>/
def action_close(request, pk):
    action = access.get_rcp_action_for_user(request, pk)
    form = forms.ActionCloseForm(request.POST or None)
    if request.method == "POST" and action.status == Action.Status.OPEN and form.is_valid():
        closed = _saved(
            form,
            lambda: services.action_close(
                action=action,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            ),
        )
        if closed is not None:
            messages.success(request, _("Follow-up recorded."))
            if request.POST.get("next") == "home":
                return redirect("home")
            if request.POST.get("next") == "my-actions":
                return redirect("rcp:my-actions")
            return redirect("rcp:case-detail", pk=action.case_review_id)
    ctx = {"action": action, "case": action.case_review, "form": form, "next": request.GET.get("next", "")}
    return render(request, "rcp/action_close.html", ctx)


# /rcp/<pk>/validate/
@refuses_locked
def minutes_validate(request, pk):
    meeting = access.get_meeting_for_user(request, pk)
    access.require(access.can_validate_rcp_minutes(request.user, meeting))
    services.refuse_if_locked(meeting)
    cases = selectors.meeting_cases(meeting, with_details=False)
    problems = services.validation_problems(meeting, cases)
    form = forms.ValidateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        version = _saved(form, lambda: services.minutes_validate(meeting=meeting, acting_user=request.user))
        if version is not None:
            return _done(
                request, _("Minutes validated (version %(n)d).") % {"n": version.number}, "rcp:detail", meeting.pk
            )
    participants = selectors.meeting_participants(meeting)
    ctx = {
        "meeting": meeting,
        "form": form,
        "problems": problems,
        "cases": cases,
        "quorum": meeting.quorum_status(participants),
        "previous": selectors.latest_version(meeting) if meeting.correction_reason else None,
    }
    return render(request, "rcp/validate.html", ctx)


# /rcp/<pk>/correct/
def minutes_correct(request, pk):
    meeting = access.get_meeting_for_user(request, pk)
    access.require(access.can_validate_rcp_minutes(request.user, meeting))
    form = forms.CorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        if _saved(form, lambda: services.minutes_correct(meeting=meeting, reason=reason, acting_user=request.user)):
            return _done(
                request,
                _("The minutes are open for correction. Validate them again when done."),
                "rcp:detail",
                meeting.pk,
            )
    ctx = {"meeting": meeting, "form": form, "latest": selectors.latest_version(meeting)}
    return render(request, "rcp/correct.html", ctx)


# /rcp/<pk>/minutes.pdf
@require_safe
@never_cache
def minutes_pdf(request, pk):
    """The validated minutes as stored (byte for byte), or a draft made on the fly before validation."""
    meeting = access.get_meeting_for_user(request, pk)
    access.require(access.can_read_rcp_minutes(request.user))
    if meeting.is_locked:
        version = selectors.latest_version(meeting)
        patients = selectors.minutes_patients(version)
        audit.record_export(request.user, version, patients, detail=f"minutes v{version.number}")
        return _pdf_response(version.pdf, version.filename, sha256=version.sha256)
    data, _stored = pdf.draft_minutes(meeting)
    patients = list(Patient.objects.filter(rcp_reviews__meeting=meeting))
    audit.record_export(request.user, meeting, patients, detail="minutes draft")
    day = timezone.localtime(meeting.scheduled_at)
    return _pdf_response(data, f"rcp-{day:%Y-%m-%d}-{meeting.pk}-draft.pdf")


# /rcp/<pk>/medical-annex.pdf
@require_safe
@never_cache
def annex_pdf(request, pk):
    """The medical summaries of the cases, for the medical roles only; made on the fly, never stored."""
    meeting = access.get_meeting_for_user(request, pk)
    access.require(access.can_read_rcp_medical_summary(request.user))
    rendered = pdf.render_medical_annex(meeting)
    patients = list(Patient.objects.filter(rcp_reviews__meeting=meeting))
    audit.record_export(request.user, meeting, patients, medical=True, detail="medical annex")
    day = timezone.localtime(meeting.scheduled_at)
    return _pdf_response(rendered.pdf, f"rcp-{day:%Y-%m-%d}-{meeting.pk}-medical-annex.pdf")


# /rcp/minutes/<pk>.pdf  (pk: a stored version, current or superseded)
@require_safe
@never_cache
def version_pdf(request, pk):
    version = access.get_minutes_version_for_user(request, pk)
    patients = selectors.minutes_patients(version)
    audit.record_export(request.user, version, patients, detail=f"minutes v{version.number}")
    return _pdf_response(version.pdf, version.filename, sha256=version.sha256)


# /rcp/extracts/<pk>.pdf  (pk: a patient's extract, as filed in their record)
@require_safe
@never_cache
def extract_pdf(request, pk):
    extract = access.get_minutes_extract_for_user(request, pk)
    audit.record_export(request.user, extract, [extract.patient], detail=f"minutes extract v{extract.version.number}")
    return _pdf_response(extract.pdf, extract.filename, sha256=extract.sha256)
