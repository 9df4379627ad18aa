from datetime import date

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from pass_unit import access, audit
from pass_unit.lib.urls import url_by_pk
from pass_unit.models import StaffFTE
from pass_unit.reports import outputs, snapshots
from pass_unit.reports.forms import PeriodForm, StaffFTEForm
from pass_unit.reports.indicators import ReportKind, build_activity_report, quality_worklist, report_from_figures


def _period(request, year: int):
    """The calendar year, or the ?from=…&to=… range when both are given and valid."""
    if not 2000 <= year <= 2100:
        raise Http404
    form = PeriodForm(request.GET if ("from" in request.GET or "to" in request.GET) else None)
    if form.is_bound and form.is_valid():
        return form.cleaned_data["start"], form.cleaned_data["end"], form
    if not form.is_bound:
        form = PeriodForm(initial={"start": date(year, 1, 1), "end": date(year, 12, 31)})
    return date(year, 1, 1), date(year, 12, 31), form


def _detail(start, end) -> str:
    return f"activity report {start:%d/%m/%Y}–{end:%d/%m/%Y}"


# /reports/activity/<year>/
@require_http_methods(["GET", "HEAD", "POST"])
def activity(request, year: int):
    access.require(access.can_read_activity_report(request.user))
    if request.method == "POST" and "refresh" in request.POST:
        # "Update": the coordinator asks for the figures now (the worker computes them).
        access.require(access.can_enter_staff_fte(request.user))
        start, end, _form = _period(request, year)
        snapshots.request(ReportKind.REPORT, start, end, force=True)
        messages.success(request, _("The figures are being updated: reload the page in a moment."))
        query = request.GET.urlencode()
        return redirect(reverse("reports:activity", kwargs={"year": year}) + (f"?{query}" if query else ""))
    fte_form = None
    if access.can_enter_staff_fte(request.user):
        fte_form = StaffFTEForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and fte_form.is_valid():
            with transaction.atomic():
                entry = StaffFTE.objects.create(
                    year=year,
                    profession=fte_form.cleaned_data["profession"],
                    fte=fte_form.cleaned_data["fte"],
                    entered_by=request.user,
                )
                audit.record_create(request.user, entry)
            messages.success(request, _("Full-time equivalents recorded."))
            return redirect("reports:activity", year=year)
    elif request.method == "POST":
        access.require(False)
    start, end, period_form = _period(request, year)
    # The figures stored by the background worker, shown only with their date and state; a
    # missing or stale snapshot is asked for (once; the page says it is being computed).
    state = snapshots.stored_or_asked(ReportKind.REPORT, start, end, ask=not period_form.errors)
    report = None
    if state.figures is not None:
        report = report_from_figures(start, end, state.figures, generated_at=state.computed_at)
    ctx = {
        "year": year,
        "start": start,
        "end": end,
        "report": report,
        "state": state,
        # Drawn once per stored computation (see outputs.tables_html).
        "tables": outputs.tables_html(report, digest=state.digest) if report else "",
        "period": outputs.period_label_of(start, end),
        "previous": outputs.previous_label(report) if report else "",
        "can_refresh": access.can_enter_staff_fte(request.user),
        "period_form": period_form,
        "fte_form": fte_form,
        "query": request.GET.urlencode(),
    }
    # The files to complete, named, are on a page of their own: the report itself names nobody.
    ctx["can_read_worklist"] = access.can_read_quality_worklist(request.user)
    audit.record(request.user, "view_report", detail=_detail(start, end))
    return render(request, "pass_unit/reports/activity.html", ctx)


# /reports/activity/<year>/quality/
@require_safe
def quality(request, year: int):
    """The worklist of the data-quality panel: the files of the period's file active that lack what
    the report needs, with a link to each. Named, so for the roles that complete files, and the
    coordinator, who reads identities and follows the completion (read-only: the links lead to the
    files, where each role edits what it may)."""
    access.require(access.can_read_quality_worklist(request.user))
    start, end, period_form = _period(request, year)
    entries, count = quality_worklist(start, end)
    can_edit_identity = access.can_edit_identity(request.user)
    detail_url = url_by_pk("patients:detail")
    edit_url = url_by_pk("patients:edit") if can_edit_identity else None
    rows = [
        {
            "entry": entry,
            "url": detail_url(entry.patient.pk),
            "edit_url": edit_url(entry.patient.pk) if edit_url else "",
        }
        for entry in entries
    ]
    ctx = {
        "year": year,
        "start": start,
        "end": end,
        "period_form": period_form,
        "rows": rows,
        "count": count,
        "can_edit_identity": can_edit_identity,
        "query": request.GET.urlencode(),
    }
    audit.record(request.user, "view_report", detail=f"data-quality worklist {start:%d/%m/%Y}–{end:%d/%m/%Y}")
    return render(request, "pass_unit/reports/quality.html", ctx)


def _download(request, year: int, kind: str):
    access.require(access.can_read_activity_report(request.user))
    start, end, _form = _period(request, year)
    # The stored figures when current (the same as a computation now: no change since), else
    # computed now: a document always holds the current figures.
    state = snapshots.stored(ReportKind.REPORT, start, end)
    if state.current:
        report = report_from_figures(start, end, state.figures, generated_at=state.computed_at)
    else:
        report = build_activity_report(start, end)
    if kind == "pdf":
        content, content_type = outputs.render_pdf(report), "application/pdf"
    elif kind == "xlsx":
        content = outputs.to_xlsx(report)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        content, content_type = outputs.to_csv(report), "text/csv; charset=utf-8"
    audit.record(request.user, "export", detail=f"{_detail(start, end)} {kind.upper()}")
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{outputs.file_stem(report)}.{kind}"'
    return response


# /reports/activity/<year>/report.pdf
@require_safe
def activity_pdf(request, year: int):
    return _download(request, year, "pdf")


# /reports/activity/<year>/report.xlsx
@require_safe
def activity_xlsx(request, year: int):
    return _download(request, year, "xlsx")


# /reports/activity/<year>/report.csv
@require_safe
def activity_csv(request, year: int):
    return _download(request, year, "csv")
