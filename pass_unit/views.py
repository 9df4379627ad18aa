from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.db.models import Count, Q
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from pass_unit import access, panels
from patients.models import CoverageRight, Patient, Visit


# /
@require_safe
def home(request):
    today = timezone.localdate()
    ctx = {"today": today, "warning_days": settings.COVERAGE_EXPIRY_WARNING_DAYS}
    if access.can_read_identity(request.user):
        visits_today = Visit.objects.not_cancelled().on_day(today)
        ctx["visits_today"] = list(visits_today.select_related("patient", "professional").order_by("-occurred_at")[:20])
        ctx["counts"] = Patient.objects.aggregate(
            active=Count("pk", filter=Q(status=Patient.Status.ACTIVE)),
            new_this_year=Count("pk", filter=Q(created_at__year=today.year)),
        )
        ctx["my_visits_today"] = visits_today.filter(professional=request.user).count()
    if access.can_read_social_summary(request.user):
        horizon = today + timedelta(days=settings.COVERAGE_EXPIRY_WARNING_DAYS)
        ctx["expiring_rights"] = list(
            CoverageRight.objects.granted()
            .filter(
                end_date__lte=horizon,
                patient__status=Patient.Status.ACTIVE,
            )
            .select_related("patient")
            .order_by("end_date")[:15]
        )
        ctx["pending_rights"] = CoverageRight.objects.filter(
            status__in=[CoverageRight.Status.BUILDING, CoverageRight.Status.FILED],
            patient__status=Patient.Status.ACTIVE,
        ).count()
    if access.can_enter_staff_fte(request.user):  # the coordinator: the report is theirs to send
        ctx["activity_report_year"] = today.year
    # Blocks contributed by other apps (open RCP actions, budget alerts…).
    ctx["panels"] = panels.render(panels.DASHBOARD, request)
    return render(request, "pass_unit/home.html", ctx)


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
