from datetime import datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.db.models import F, Func, Subquery
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from pass_unit import access, panels
from pass_unit.lib.dates import day_start
from pass_unit.lib.urls import url_by_pk
from pass_unit.reports.indicators import dashboard_quality_count
from patients import selectors as patient_selectors
from patients import services as patient_services
from patients.models import CoverageRight, Patient, Visit
from rcp import selectors as rcp_selectors
from rcp.models import Meeting


# /
@require_safe
def home(request):
    """The dashboard: what needs doing, per role; each block links to the list behind it.

    A fixed number of queries whatever the number of rows: counts are aggregates, lists are sliced.
    Day bounds are aware datetimes (no `__date` lookup, which no index serves).
    """
    user = request.user
    now = timezone.now()
    today = timezone.localdate(now)
    ctx = {"today": today, "warning_days": settings.COVERAGE_EXPIRY_WARNING_DAYS}
    # Every count of the page in one query (scalar subqueries, each read from its own index):
    # files followed and opened this year, applications in progress, rights to-do.
    counted_rows, counted_values = {}, {}
    if access.can_read_identity(user):
        visits_today = Visit.objects.not_cancelled().on_day(today)
        ctx["visits_today"] = _visits_today_rows(visits_today)
        counted_rows.update(_file_count_queries(today))
        ctx.update(_call_back_block(user, now))
    if access.can_read_social_summary(user):
        horizon = today + timedelta(days=settings.COVERAGE_EXPIRY_WARNING_DAYS)
        ctx["expiring_rights"] = _expiring_rights_rows(horizon)
        # Both sides from indexes: the rights being built or filed (right_in_progress_patient) and
        # the followed files' ids (patient_active_last_visit), hash-joined; a join on the file's
        # status read each file (12-40 ms at 100,000, 3 ms now).
        counted_rows["pending_rights"] = CoverageRight.objects.filter(
            status__in=[CoverageRight.Status.BUILDING, CoverageRight.Status.FILED],
            patient__in=Patient.objects.filter(status=Patient.Status.ACTIVE).values("pk"),
        )
        # The same definitions as the patient list's "todo" filters the blocks link to.
        counted_values.update(patient_selectors.rights_todo_count_queries(today))
        ctx["rights_expiring_days"] = patient_selectors.RIGHTS_EXPIRING_DAYS
        ctx["application_stale_days"] = patient_selectors.APPLICATION_STALE_DAYS
    if counted_rows or counted_values:
        counts = _counts(rows=counted_rows, values=counted_values)
        if "active" in counts:
            ctx["counts"] = {"active": counts["active"], "new_this_year": counts["new_this_year"]}
        if "pending_rights" in counts:
            ctx["pending_rights"] = counts["pending_rights"]
            ctx["rights_todo"] = {key: counts[key] for key in patient_selectors.RIGHTS_TODO}
    if access.can_read_rcp(user):
        ctx["next_meeting"] = (
            rcp_selectors.meetings_in_progress()
            .filter(status=Meeting.Status.PLANNED, scheduled_at__gte=day_start(today))
            .select_related(None)
            .only("pk", "scheduled_at", "kind", "status")
            .first()
        )
        ctx["show_next_meeting"] = True
    if access.can_enter_staff_fte(user):  # the coordinator: the report is theirs to send
        ctx["activity_report_year"] = today.year
        ctx["quality"] = dashboard_quality_count(_year_start(today).date(), today)
    # Blocks contributed by other apps (open RCP actions, budget alerts…).
    ctx["panels"] = panels.render(panels.DASHBOARD, request)
    return render(request, "pass_unit/home.html", ctx)


CALL_BACK_SHOWN = 10
VISITS_TODAY_SHOWN = 20
EXPIRING_RIGHTS_SHOWN = 15

# What the dashboard's lists show of a patient (name, identity status, file number).
_PATIENT_SHOWN = ("last_name", "first_name", "usage_name", "identity_status", "identity_attributes")


def _visits_today_rows(visits_today) -> list[Visit]:
    """The day's latest visits with their patient and professional, only the columns shown, each
    with its file's link (labels: the patients_extras label_of filter)."""
    visits = list(
        visits_today.select_related("patient", "professional")
        .only(
            "occurred_at",
            "kind",
            "patient_id",
            *(f"patient__{name}" for name in _PATIENT_SHOWN),
            "professional__username",
            "professional__first_name",
            "professional__last_name",
        )
        .order_by("-occurred_at")[:VISITS_TODAY_SHOWN]
    )
    patient_url = url_by_pk("patients:detail")
    for visit in visits:
        visit.patient_url = patient_url(visit.patient_id)
    return visits


def _expiring_rights_rows(horizon) -> list[CoverageRight]:
    """Granted rights of followed files ending by `horizon`, soonest first, with their patient
    (only the columns shown), each with its file's link."""
    rights = list(
        CoverageRight.objects.granted()
        .filter(end_date__lte=horizon, patient__status=Patient.Status.ACTIVE)
        .select_related("patient")
        .only("patient_id", "regime", "end_date", *(f"patient__{name}" for name in _PATIENT_SHOWN))
        .order_by("end_date")[:EXPIRING_RIGHTS_SHOWN]
    )
    patient_url = url_by_pk("patients:detail")
    for right in rights:
        right.patient_url = patient_url(right.patient_id)
    return rights


def _year_start(today):
    return timezone.make_aware(datetime(today.year, 1, 1))


def _file_count_queries(today) -> dict:
    """Followed files and files opened this year, each counted from its own index
    (patient_status, patient_created_at) without visiting the files. One aggregate with two
    FILTERs read every file (61 ms at 100,000 files; over the union of both sets, still 46 ms)."""
    return {
        "active": Patient.objects.filter(status=Patient.Status.ACTIVE),
        "new_this_year": Patient.objects.filter(created_at__gte=_year_start(today)),
    }


def _counts(*, rows: dict, values: dict) -> dict[str, int]:
    """Several counts in one query: `rows` are querysets whose rows are counted, `values`
    querysets of one row and one value (a count). Each is a scalar subquery of a single SELECT,
    which PostgreSQL plans on its own (the same index-only scan as when it was a query of its
    own): one round trip instead of one per count."""
    selects, params = [], []
    for name, queryset in rows.items():
        sql, sql_params = queryset.order_by().values("pk").query.sql_with_params()
        selects.append(f"(SELECT COUNT(*) FROM ({sql}) AS {name}) AS {name}")
        params.extend(sql_params)
    for name, queryset in values.items():
        sql, sql_params = queryset.query.sql_with_params()
        selects.append(f"({sql}) AS {name}")
        params.extend(sql_params)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(selects)}", params)
        return dict(zip([*rows, *values], cursor.fetchone(), strict=True))


def _call_back_block(user, now) -> dict:
    """Followed patients not seen for CALL_BACK_DAYS days, longest unseen first, and how many
    there are, in 1 query, from the stored last visit (Patient.last_visit_at, kept by the
    database) and the partial index patient_active_last_visit: the ten first read in the index's
    order, the count (an uncorrelated subquery, computed once) from the index alone. No
    anti-join of the followed files with their recent visits (48 ms at 100,000, ~1 ms now)."""
    to_call = patient_selectors.patients_to_call_back(now)
    total = to_call.order_by().annotate(n=Func("pk", function="COUNT")).values("n")
    patients = list(
        to_call.annotate(last_visit=F("last_visit_at"), total=Subquery(total))
        .only(
            "pk",
            "file_number",
            "last_name",
            "first_name",
            "usage_name",
            "status",
            "phone",
            "identity_status",
            "identity_attributes",
        )
        .order_by(F("last_visit").asc(nulls_first=True), "pk")[:CALL_BACK_SHOWN]
    )
    patient_url, mark_lost_url = url_by_pk("patients:detail"), url_by_pk("patient-mark-lost")
    for patient in patients:
        patient.url = patient_url(patient.pk)
        patient.can_mark_lost = access.can_change_patient_status(user, patient)
        patient.mark_lost_url = mark_lost_url(patient.pk) if patient.can_mark_lost else ""
    return {
        "call_back": patients,
        "call_back_count": patients[0].total if patients else 0,
        "call_back_days": patient_selectors.CALL_BACK_DAYS,
    }


# /patients/<pk>/lost/  (POST only: the dashboard's one-click "lost to follow-up")
@require_POST
def patient_mark_lost(request, pk):
    """Record a patient to call back as lost to follow-up, from the dashboard, through the same
    service as the patient file's exit form (audited, version bumped)."""
    patient = access.get_patient_for_user(request, pk)
    access.require(access.can_change_patient_status(request.user, patient))
    if patient.status != Patient.Status.ACTIVE:
        messages.info(request, _("%(name)s is no longer followed: nothing changed.") % {"name": patient.display_name})
        return redirect("home")
    patient_services.patient_exit(
        patient=patient,
        status=Patient.Status.LOST,
        exit_date=timezone.localdate(),
        reason=_("No visit for %(days)d days: marked lost to follow-up from the dashboard.")
        % {"days": patient_selectors.CALL_BACK_DAYS},
        acting_user=request.user,
    )
    messages.success(request, _("%(name)s marked lost to follow-up.") % {"name": patient.display_name})
    return redirect("home")


# /health/
@login_not_required
@never_cache
def health(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any database failure means "unhealthy"
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok"})
