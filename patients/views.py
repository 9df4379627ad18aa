from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from pass_unit import access, audit, panels
from pass_unit.lib.urls import url_by_pk
from patients import forms, selectors, services
from patients.models import SEARCH_LIMIT, CoverageRight, MedicalContext, Patient, PatientMerge, Visit
from patients.selectors import find_duplicates

PAGE_SIZE = 25
# The file shows the patient's visits a page at a time, latest first, with their exact number.
VISITS_PER_PAGE = 25
# The patient list counts exactly up to this many files, then says "more than" (a multiple of PAGE_SIZE).
LIST_COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """Counts at most `cap` + 1 rows (`SELECT COUNT(*) FROM (… LIMIT cap + 1)`): the count of a
    filtered list no longer reads every file that matches (the uncovered files: 94 ms at 100,000).
    Above the cap, `count` is the cap, `is_capped` is true, and the pages stop there: the page
    says "more than 10 000" and invites to narrow the search."""

    def __init__(self, object_list, per_page, *, cap: int, known_count: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap
        self.known_count = known_count

    @cached_property
    def _bounded_count(self) -> int:
        if self.known_count is not None:  # a name search's, counted as it ranked the rows
            return min(self.known_count, self.cap + 1)
        # Without the list's order: the count need not read the files in name order.
        return self.object_list.order_by()[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._bounded_count, self.cap)

    @property
    def is_capped(self) -> bool:
        return self._bounded_count > self.cap


def _not_archived(qs):
    """Every file but the (few) archived ones, as `id NOT IN (archived files)` (a hashed subplan
    on the patient_status index) rather than `status <> 'archived'`: the capped count of a
    filtered list then runs on indexes alone (primary key, partial rights indexes) instead of
    reading the files (the uncovered files: 26-53 -> 6 ms at 100,000). Same rows as .active()."""
    return qs.exclude(pk__in=Patient.objects.filter(status=Patient.Status.ARCHIVED).values("pk"))


def _filtered_patients(form, *, can_filter_rights: bool):
    qs = Patient.objects.all()
    if form.is_bound and not form.is_valid():
        # The errors are shown above the list; an unreadable query must not list everyone.
        return qs.none()
    if not form.is_bound:
        return _not_archived(qs)
    data = form.cleaned_data
    if data["status"]:
        qs = qs.filter(status=data["status"])
    else:
        qs = _not_archived(qs)
    todo = data.get("todo")
    # A dashboard block's list; the rights' lists only for the roles that read the rights.
    if todo and (can_filter_rights or todo not in selectors.TODO_NEEDS_RIGHTS):
        qs = qs.filter(selectors.todo_filter(todo, now=timezone.now()))
    coverage = data["coverage"]
    # Filtering on rights would reveal them to roles that may not read them.
    if coverage and can_filter_rights:
        granted = CoverageRight.objects.current_granted(timezone.localdate()).filter(patient=OuterRef("pk"))
        if coverage == "uncovered":
            qs = qs.exclude(Exists(granted.exclude(regime=CoverageRight.Regime.NONE)))
        else:
            qs = qs.filter(Exists(granted.filter(regime=coverage)))
    return qs.search(data["q"])


# /patients/
@require_safe
def patient_list(request):
    access.require(access.can_read_identity(request.user))
    form = forms.PatientFilterForm(request.GET or None)
    can_see_rights = access.can_read_social_summary(request.user)
    qs = _filtered_patients(form, can_filter_rights=can_see_rights).only(
        "pk",
        "file_number",
        "last_name",
        "first_name",
        "usage_name",
        "aliases",
        "sex",
        "birth_date",
        "birth_year",
        "status",
        "nationality",
        "interpreter_needed",
        "languages",
        "languages_text",
        "identity_status",
        "identity_attributes",
        "last_visit_at",  # kept by the database: no query of the visits
    )
    paginator = CappedPaginator(qs, PAGE_SIZE, cap=LIST_COUNT_CAP, known_count=qs.ranked_count())
    page = paginator.get_page(request.GET.get("page"))
    query = form.cleaned_data["q"] if form.is_bound and form.is_valid() else ""
    # Each listed file's latest right (DISTINCT ON: one row per file, only what the row shows);
    # of two recorded at the same instant, the first (as the list showed them before).
    latest_rights = (
        CoverageRight.objects.filter(patient__in=[p.pk for p in page])
        .order_by("patient_id", "-created_at", "pk")
        .distinct("patient_id")
        .only("patient_id", "regime", "status")
    )
    rights = {right.patient_id: right for right in latest_rights} if can_see_rights else {}
    detail_url = url_by_pk("patients:detail")
    rows = []
    for patient in page:
        patient.detail_url = detail_url(patient.pk)
        rows.append((patient, patient.last_visit_at, rights.get(patient.pk)))
    query_string = request.GET.copy()
    query_string.pop("page", None)
    ctx = {
        "form": form,
        "page": page,
        "rows": rows,
        "query_string": query_string.urlencode(),
        "can_register": access.can_edit_identity(request.user),
        "can_see_rights": can_see_rights,
        "todo_label": dict(form.fields["todo"].choices).get(form.cleaned_data.get("todo"))
        if form.is_bound and form.is_valid()
        else None,
        # A name search lists its SEARCH_LIMIT best matches; none: the closest spellings instead.
        "search_truncated": "search_rank" in qs.query.annotations and page.paginator.count >= SEARCH_LIMIT,
        "suggestions": Patient.objects.active().search_suggestions(query) if query and not page.paginator.count else [],
    }
    return render(request, "patients/list.html", ctx)


# /patients/new/
def patient_create(request):
    access.require(access.can_edit_identity(request.user))
    form = forms.PatientForm(request.POST or None)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        patient = form.apply(Patient())
        # Checked again on "create anyway": the audit trail names the files the agent set aside.
        duplicates = list(
            find_duplicates(
                last_name=patient.last_name,
                first_name=patient.first_name,
                usage_name=patient.usage_name,
                aliases=patient.aliases,
                birth_year=patient.birth_year,
            )
        )
        if not duplicates or request.POST.get("confirm_new") == "1":
            services.patient_register(patient=patient, acting_user=request.user, possible_duplicates=duplicates)
            messages.success(request, _("File %(number)s created.") % {"number": patient.file_number})
            return redirect("patients:detail", pk=patient.pk)
        last_visits = selectors.last_visit_dates([dup.pk for dup in duplicates])
        for dup in duplicates:
            dup.last_visit = last_visits.get(dup.pk)
    return render(request, "patients/form.html", {"form": form, "duplicates": duplicates, "creating": True})


def _visits_page(patient, number) -> Page:
    """One page of the patient's visits, latest first (+ professional), and how many visits the
    file has, counted in the same query (a scalar subquery PostgreSQL runs once, from the
    `visit_patient_date` index): one query whatever the number of visits. Only a page number
    past the last (a link typed or kept by hand) costs two more: the count, then the last page."""
    try:
        number = max(int(number), 1)
    except (TypeError, ValueError):
        number = 1
    every_visit = Visit.objects.filter(patient_id=patient.pk).order_by().values("patient_id")
    total = Subquery(every_visit.annotate(n=Count("pk")).values("n"), output_field=IntegerField())
    visits = (
        patient.visits.select_related("professional")
        .annotate(visits_total=Coalesce(total, 0))
        .order_by("-occurred_at", "-pk")
    )
    start = (number - 1) * VISITS_PER_PAGE
    rows = list(visits[start : start + VISITS_PER_PAGE])
    paginator = Paginator(visits, VISITS_PER_PAGE)
    if rows:
        paginator.count = rows[0].visits_total  # known: Paginator's own COUNT query is not needed
        page = paginator.page(number)
        page.object_list = rows
        return page
    if number == 1:
        paginator.count = 0
        page = paginator.page(1)
        page.object_list = []
        return page
    return paginator.get_page(number)  # past the last page: the last one


def _kind_labels(choices) -> dict:
    """{value: label} of a field's choices, translated once for the whole list."""
    return {value: str(label) for value, label in choices}


def _patient_file_context(request, patient):
    user = request.user
    can_social = access.can_read_social(user)
    can_summary = access.can_read_social_summary(user)
    can_medical = access.can_read_medical(user)
    visits_page = _visits_page(patient, request.GET.get("visits"))
    visits = list(visits_page.object_list)
    # Links contributed by other apps on each visit ("Dispenser / prescrire"), computed once for the list.
    visit_actions = panels.visit_actions(request, visits)
    kinds, interpreting = _kind_labels(Visit.Kind.choices), _kind_labels(Visit.Interpreting.choices)
    for visit in visits:
        visit.actions = visit_actions.get(visit.pk, [])
        visit.notes_visible = access.can_read_visit_notes(user, visit.kind)
        visit.can_cancel = not visit.is_cancelled and access.can_write_visit(user, visit)
        # The reason of a medical visit is itself medical; reception reasons are for the whole team.
        visit.reason_visible = visit.notes_visible or visit.kind == Visit.Kind.RECEPTION
        # Written up to three times on each line (heading, and the hidden text of its links): formatted once.
        visit.when = date_format(timezone.localtime(visit.occurred_at), "SHORT_DATETIME_FORMAT")
        visit.kind_label = kinds.get(visit.kind, visit.kind)
        visit.interpreting_label = interpreting.get(visit.interpreting, visit.interpreting)
    assessments = list(patient.assessments.select_related("author")) if can_summary else []
    rights = list(patient.rights.all()) if can_summary else []
    medical = None
    if can_medical:
        medical = MedicalContext.objects.filter(patient=patient).select_related("updated_by").first()
    today = timezone.localdate()
    for right in rights:
        right.expiry = right.expiry_state(today)
        right.can_edit = access.can_write_right(user, right)
    return {
        "patient": patient,
        "visits": visits,
        "latest_assessment": assessments[0] if assessments else None,
        "older_assessments": assessments[1:],
        "rights": rights,
        "expiring_rights": [r for r in rights if r.expiry],
        "medical": medical,
        "orientations": list(patient.orientations.select_related("author"))
        if access.can_read_orientations(user)
        else None,
        "visits_page": visits_page,
        "can_edit_identity": access.can_edit_identity(user),
        "can_read_social": can_social,
        "can_read_social_summary": can_summary,
        "can_edit_social": access.can_edit_social(user),
        "can_read_medical": can_medical,
        "can_edit_medical": access.can_write_medical_context(user, patient),
        "can_edit_orientation": access.can_edit_orientation(user),
        "can_change_status": access.can_change_patient_status(user, patient),
        "can_add_visit": bool(access.visit_kinds_for(user)),
        "can_read_access_log": access.can_read_patient_access_log(user, patient),
        "can_validate_identity": access.can_validate_identity(user),
        "can_merge": access.can_merge_patients(user),
        # Merges into this file, with their undo: the coordinator's (one query, for that role only).
        "merges": list(PatientMerge.objects.filter(target=patient).select_related("source", "merged_by"))
        if access.can_undo_patient_merge(user)
        else [],
        # Sections and buttons contributed by other apps (RCP reviews, care costs…).
        "panels": panels.render(panels.PATIENT_FILE, request, patient),
        "extra_actions": panels.render(panels.PATIENT_ACTIONS, request, patient),
    }


# /patients/<pk>/
@require_safe
def patient_detail(request, pk):
    patient = access.get_patient_for_user(request, pk)
    if patient.merged_into_id:
        # A file merged into another leads there: its history, aliases and number live on in that file.
        messages.info(request, _("File %(number)s was merged into this file.") % {"number": patient.file_number})
        return redirect("patients:detail", pk=patient.merged_into_id)
    ctx = _patient_file_context(request, patient)
    # "view" and "view_medical" in one INSERT: two commits (two WAL flushes) were the largest
    # part of the page's SQL time at 100,000 patients.
    audit.record_file_read(request.user, patient, medical=ctx["can_read_medical"])
    return render(request, "patients/detail.html", ctx)


# /patients/<pk>/edit/
def patient_edit(request, pk):
    patient = access.get_patient_for_user(request, pk, edit=True)
    form = forms.PatientForm(request.POST or None, instance=patient)
    stale = None
    if request.method == "POST" and form.is_valid():
        form.apply(patient)
        try:
            services.patient_update(
                patient=patient,
                expected_version=form.cleaned_data["version"],
                acting_user=request.user,
                reason=form.cleaned_data.get("identity_change_reason", ""),
                document_type=form.cleaned_data.get("identity_document_recheck", ""),
            )
        except services.IdentityRefused as exc:
            form.add_error("identity_change_reason" if "identity_change_reason" in form.fields else None, exc.message)
        except services.StaleEdit as exc:
            stale = exc.current
            form.add_error(
                None,
                _(
                    "This file was changed by %(user)s at %(time)s while you were editing it. "
                    "Your input is kept below: compare with the current file, then save again."
                )
                % {
                    "user": stale.updated_by.get_full_name() or stale.updated_by.username if stale.updated_by else "?",
                    "time": timezone.localtime(stale.updated_at).strftime("%d/%m/%Y %H:%M"),
                },
            )
            # The next save is checked against the version the user has now seen.
            data = form.data.copy()
            data["version"] = stale.version
            form.data = data
        else:
            messages.success(request, _("File updated."))
            return redirect("patients:detail", pk=patient.pk)
    return render(request, "patients/form.html", {"form": form, "patient": patient, "stale": stale})


def _simple_add(
    request, pk, *, allowed, form_class, service, title, template="patients/subform.html", form_kwargs=None, success
):
    patient = access.get_patient_for_user(request, pk)
    access.require(allowed)
    form = form_class(request.POST or None, **(form_kwargs or {}))
    if request.method == "POST" and form.is_valid():
        service(form.save(commit=False), patient)
        messages.success(request, success)
        return redirect("patients:detail", pk=patient.pk)
    return render(request, template, {"form": form, "patient": patient, "title": title})


# /patients/<pk>/visits/new/
def visit_create(request, pk):
    return _simple_add(
        request,
        pk,
        allowed=bool(access.visit_kinds_for(request.user)),
        form_class=forms.VisitForm,
        form_kwargs={"user": request.user},
        service=lambda obj, patient: services.visit_add(visit=obj, patient=patient, acting_user=request.user),
        title=_("New visit"),
        success=_("Visit recorded."),
    )


# /patients/<pk>/visits/<visit_pk>/cancel/
def visit_cancel(request, pk, visit_pk):
    patient = access.get_patient_for_user(request, pk)
    # Cancelling follows who writes that kind of visit, not who edits the identity (issue 8).
    visit = access.get_visit_for_user(request, patient, visit_pk, write=True)
    form = forms.VisitCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.visit_cancel(visit=visit, reason=form.cleaned_data["reason"], acting_user=request.user)
        messages.success(request, _("Visit cancelled."))
        return redirect("patients:detail", pk=patient.pk)
    return render(
        request,
        "patients/subform.html",
        {
            "form": form,
            "patient": patient,
            "title": _("Cancel the visit of %(date)s")
            % {"date": timezone.localtime(visit.occurred_at).strftime("%d/%m/%Y %H:%M")},
            "danger": True,
        },
    )


# /patients/<pk>/assessments/new/
def assessment_create(request, pk):
    return _simple_add(
        request,
        pk,
        allowed=access.can_edit_social(request.user),
        form_class=forms.SocialAssessmentForm,
        service=lambda obj, patient: services.assessment_add(assessment=obj, patient=patient, acting_user=request.user),
        title=_("New social assessment"),
        success=_("Social assessment recorded."),
    )


# /patients/<pk>/rights/new/
def right_create(request, pk):
    return _simple_add(
        request,
        pk,
        allowed=access.can_edit_social(request.user),
        form_class=forms.CoverageRightForm,
        service=lambda obj, patient: services.right_add(right=obj, patient=patient, acting_user=request.user),
        title=_("New coverage right or application"),
        success=_("Coverage right recorded."),
    )


# /patients/<pk>/rights/<right_pk>/
def right_edit(request, pk, right_pk):
    patient = access.get_patient_for_user(request, pk)
    right = access.get_right_for_user(request, patient, right_pk, write=True)
    initial = {}
    next_status = request.GET.get("next")
    if next_status in {s.value for s in right.next_steps}:
        initial["status"] = next_status
        if next_status == CoverageRight.Status.FILED and not right.filed_on:
            initial["filed_on"] = timezone.localdate()
        if next_status in (CoverageRight.Status.GRANTED, CoverageRight.Status.REFUSED) and not right.decision_on:
            initial["decision_on"] = timezone.localdate()
    form = forms.CoverageRightForm(request.POST or None, instance=right, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.right_update(right=form.save(commit=False), acting_user=request.user)
        messages.success(request, _("Coverage right updated."))
        return redirect("patients:detail", pk=patient.pk)
    return render(
        request,
        "patients/subform.html",
        {
            "form": form,
            "patient": patient,
            "title": _("Coverage right: %(regime)s") % {"regime": right.get_regime_display()},
        },
    )


# /patients/<pk>/medical/
def medical_edit(request, pk):
    patient = access.get_patient_for_user(request, pk)
    context = access.get_medical_context_for_user(request, patient, write=True)
    if request.method == "GET" and context.pk:
        # The form shows the whole medical context: a read to record, as on the file.
        audit.record_view(request.user, patient, medical=True)
    form = forms.MedicalContextForm(request.POST or None, instance=context)
    if request.method == "POST" and form.is_valid():
        try:
            services.medical_context_save(
                context=form.save(commit=False),
                expected_version=form.cleaned_data["version"],
                acting_user=request.user,
            )
        except services.StaleEdit as exc:
            form.add_error(
                None,
                _(
                    "The medical context was changed by someone else while you were editing it. "
                    "Your input is kept below: check the current values, then save again."
                ),
            )
            data = form.data.copy()
            data["version"] = exc.current.version
            form.data = data
        else:
            messages.success(request, _("Medical context saved."))
            return redirect("patients:detail", pk=patient.pk)
    return render(
        request,
        "patients/subform.html",
        {
            "form": form,
            "patient": patient,
            "title": _("Medical context"),
            "medical": True,
        },
    )


# /patients/<pk>/orientations/new/
def orientation_create(request, pk):
    return _simple_add(
        request,
        pk,
        allowed=access.can_edit_orientation(request.user),
        form_class=forms.OrientationForm,
        service=lambda obj, patient: services.orientation_add(
            orientation=obj, patient=patient, acting_user=request.user
        ),
        title=_("New orientation"),
        success=_("Orientation recorded."),
    )


# /patients/<pk>/exit/
def patient_exit(request, pk):
    patient = access.get_patient_for_user(request, pk)
    access.require(access.can_change_patient_status(request.user, patient))
    form = forms.ExitForm(request.POST or None, current=patient.status)
    if request.method == "POST" and form.is_valid():
        services.patient_exit(
            patient=patient,
            status=form.cleaned_data["status"],
            exit_date=form.cleaned_data["exit_date"],
            reason=form.cleaned_data["reason"],
            acting_user=request.user,
        )
        messages.success(request, _("Follow-up status updated."))
        return redirect("patients:detail", pk=patient.pk)
    return render(
        request,
        "patients/subform.html",
        {
            "form": form,
            "patient": patient,
            "title": _("Exit from the PASS or change of follow-up status"),
        },
    )


# /patients/<pk>/identity/
def patient_identity(request, pk):
    """Identity vigilance: validate the identity against a document, set its attributes."""
    patient = access.get_patient_for_user(request, pk)
    access.require(access.can_validate_identity(request.user))
    form = forms.IdentityForm(request.POST or None, patient=patient)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.patient_identity_set(
                patient=patient,
                status=data["identity_status"],
                attributes=data["identity_attributes"],
                document_type=data["identity_document_type"],
                reason=data["reason"],
                expected_version=data["version"],
                acting_user=request.user,
            )
        except services.IdentityRefused as exc:
            form.add_error(None, exc.message)
        except services.StaleEdit:
            form.add_error(
                None, _("This file was changed by someone else meanwhile: check the identity below, then save again.")
            )
            data = form.data.copy()
            data["version"] = Patient.objects.values_list("version", flat=True).get(pk=patient.pk)
            form.data = data
        else:
            messages.success(request, _("Identity status saved."))
            return redirect("patients:detail", pk=patient.pk)
    return render(request, "patients/identity.html", {"form": form, "patient": patient})


MERGE_CANDIDATES_SHOWN = 20
MERGE_VISITS_SHOWN = 10


# /patients/<pk>/merge/
@require_safe
def patient_merge_choose(request, pk):
    """Choose the other file of the same person: likely duplicates first, or a search."""
    patient = access.get_patient_for_user(request, pk)
    access.require(access.can_merge_patients(request.user))
    form = forms.MergeChooseForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_bound and form.is_valid() else ""
    if query:
        candidates = Patient.objects.active().search(query)
    else:
        candidates = Patient.objects.likely_duplicates(
            last_name=patient.last_name,
            first_name=patient.first_name,
            aliases=patient.aliases,
            birth_year=patient.birth_year,
        )
    candidates = list(candidates.exclude(pk=patient.pk).filter(merged_into__isnull=True)[:MERGE_CANDIDATES_SHOWN])
    ctx = {"patient": patient, "form": form, "candidates": candidates, "query": query}
    return render(request, "patients/merge_choose.html", ctx)


def _merge_side(request, patient) -> dict:
    """What the comparison shows of one file, as the user's role may see it."""
    user = request.user
    visits = list(patient.visits.select_related("professional").order_by("-occurred_at")[: MERGE_VISITS_SHOWN + 1])
    for visit in visits:
        visit.reason_visible = access.can_read_visit_notes(user, visit.kind) or visit.kind == Visit.Kind.RECEPTION
    return {
        "patient": patient,
        "visits": visits[:MERGE_VISITS_SHOWN],
        "more_visits": len(visits) > MERGE_VISITS_SHOWN,
        "rights": list(patient.rights.all()) if access.can_read_social_summary(user) else None,
        "medical": MedicalContext.objects.filter(patient=patient).first() if access.can_read_medical(user) else None,
        # The RCP history and care costs, as on the file: each panel checks the role itself.
        "panels": panels.render(panels.PATIENT_FILE, request, patient),
    }


# /patients/<pk>/merge/<other_pk>/
def patient_merge(request, pk, other_pk):
    """Side-by-side comparison of file A (`pk`, kept) and file B (`other_pk`), and the merge of B into A."""
    target = access.get_patient_for_user(request, pk)
    access.require(access.can_merge_patients(request.user))
    source = access.get_patient_for_user(request, other_pk)
    form = forms.MergeForm(request.POST or None)
    problems = services.merge_conflicts(target=target, source=source)
    if request.method == "POST" and form.is_valid() and not problems:
        try:
            services.patient_merge(
                target=target, source=source, reason=form.cleaned_data["reason"], acting_user=request.user
            )
        except services.MergeRefused as exc:
            problems = exc.messages
        else:
            messages.success(
                request,
                _("File %(source)s merged into %(target)s.")
                % {"source": source.file_number, "target": target.file_number},
            )
            return redirect("patients:detail", pk=target.pk)
    ctx = {
        "patient": target,
        "target": _merge_side(request, target),
        "source": _merge_side(request, source),
        "form": form,
        "problems": problems,
        "can_read_medical": access.can_read_medical(request.user),
        "can_read_rights": access.can_read_social_summary(request.user),
    }
    return render(request, "patients/merge.html", ctx)


# /patients/<pk>/merges/<merge_pk>/undo/
def patient_merge_undo(request, pk, merge_pk):
    """Undo a mistaken merge into this file (the coordinator)."""
    patient = access.get_patient_for_user(request, pk)
    merge = access.get_patient_merge_for_user(request, patient, merge_pk)
    form = forms.MergeUndoForm(request.POST or None)
    problems = services.merge_undo_blockers(merge)
    if request.method == "POST" and form.is_valid() and not problems:
        try:
            services.patient_merge_undo(merge=merge, reason=form.cleaned_data["reason"], acting_user=request.user)
        except services.MergeRefused as exc:
            problems = exc.messages
        else:
            messages.success(
                request,
                _("Merge undone: %(source)s is a file of its own again.") % {"source": merge.source.file_number},
            )
            return redirect("patients:detail", pk=patient.pk)
    ctx = {"patient": patient, "merge": merge, "form": form, "problems": problems}
    return render(request, "patients/merge_undo.html", ctx)
