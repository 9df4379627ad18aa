from datetime import datetime, time

from django import forms
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from pass_unit import access
from pass_unit.forms import Form
from pass_unit.models import AuditEvent
from patients.models import Patient

PAGE_SIZE = 50


class AuditFilterForm(Form):
    user = forms.ModelChoiceField(label=_("User"), queryset=User.objects.none(), required=False)
    patient = forms.CharField(label=_("Patient (file number or name)"), required=False, max_length=100)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("All actions")), *AuditEvent.Action.choices]
    )
    date_from = forms.DateField(label=_("From"), required=False)
    date_to = forms.DateField(label=_("To"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.order_by("username")
        self.fields["user"].label_from_instance = lambda u: f"{u.get_full_name() or u.username} ({u.username})"

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned


def _day_bound(day, upper=False):
    return timezone.make_aware(datetime.combine(day, time.max if upper else time.min))


def _with_visible_changes(events, user):
    """Attach to each event the changes the viewer may read; medical values are masked."""
    show_medical = access.can_read_medical_audit_values(user)
    for event in events:
        masked = event.medical and not show_medical
        changes = sorted(event.changes.items())
        if event.action == AuditEvent.Action.CREATE:
            # A creation lists every field: the empty ones say nothing.
            changes = [(field, values) for field, values in changes if values[1] not in (None, "", [], False)]
        event.visible_changes = [
            (field, None if masked else values[0], None if masked else values[1]) for field, values in changes
        ]
        event.values_masked = masked and bool(event.changes)
    return events


# /audit/
@require_safe
def audit_log(request):
    access.require(access.can_read_audit(request.user))
    form = AuditFilterForm(request.GET or None)
    events = AuditEvent.objects.select_related("patient").order_by("-at", "-pk")
    if form.is_valid():
        data = form.cleaned_data
        if data["user"]:
            events = events.filter(user=data["user"])
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["date_from"]:
            events = events.filter(at__gte=_day_bound(data["date_from"]))
        if data["date_to"]:
            events = events.filter(at__lte=_day_bound(data["date_to"], upper=True))
        if data["patient"]:
            patients = Patient.objects.search(data["patient"]).values("pk")
            events = events.filter(patient__in=patients)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query_string = request.GET.copy()
    query_string.pop("page", None)
    ctx = {
        "form": form,
        "page": page,
        "events": _with_visible_changes(list(page), request.user),
        "query_string": query_string.urlencode(),
    }
    return render(request, "pass_unit/audit/log.html", ctx)


# /patients/<pk>/access-log/
@require_safe
def patient_access_log(request, pk):
    patient = access.get_patient_for_user(request, pk)
    access.require(access.can_read_patient_access_log(request.user, patient))
    events = AuditEvent.objects.filter(patient=patient).order_by("-at", "-pk")
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    ctx = {
        "patient": patient,
        "page": page,
        "events": _with_visible_changes(list(page), request.user),
        "query_string": "",
    }
    return render(request, "pass_unit/audit/patient_log.html", ctx)
