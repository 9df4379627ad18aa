"""The audit service: every read of a patient file and every change goes through here.

Rows are append-only; PostgreSQL refuses UPDATE and DELETE on the table (see the
migration that installs the trigger), so not even a bug in the app can rewrite history.
"""

from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django_countries.fields import Country

from pass_unit import access
from pass_unit.roles import role_of

# Fields never worth logging: derived or bookkeeping.
_SKIPPED = {"search_text", "search_keys", "version", "updated_at", "created_at", "updated_by", "created_by"}
# Models whose values are medical secrets: shown in the log only to medical roles.
MEDICAL_MODELS = {"patients.medicalcontext"}
SECRET_VISIT_KINDS = access.MEDICAL_VISIT_KINDS | access.PSYCH_VISIT_KINDS


# The workstation's address for the request being served, set by `ClientAddressMiddleware`:
# services and signals record it without ever seeing the HTTP request (as Zulip's actions).
_client_address: ContextVar[str | None] = ContextVar("client_address", default=None)


def _client_ip(request) -> str | None:
    # Behind a reverse proxy, the workstation's address is in the header the proxy sets
    # (CLIENT_IP_HEADER, e.g. HTTP_X_REAL_IP); never trust such a header without a proxy.
    header = settings.CLIENT_IP_HEADER
    address = request.META.get(header, "").split(",")[0].strip() if header else ""
    return address or request.META.get("REMOTE_ADDR") or None


class ClientAddressMiddleware:
    """Makes the client address of the current request available to the audit trail."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _client_address.set(_client_ip(request))
        try:
            return self.get_response(request)
        finally:
            _client_address.reset(token)


def _jsonable(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, Country):  # a CountryField (country of birth, nationality): its ISO code
        return value.code or ""
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def _is_medical(obj) -> bool:
    if obj._meta.label_lower in MEDICAL_MODELS:
        return True
    return obj._meta.label_lower == "patients.visit" and getattr(obj, "kind", "") in SECRET_VISIT_KINDS


def _field_values(obj) -> dict:
    values = {}
    for field in obj._meta.concrete_fields:
        if field.primary_key or field.name in _SKIPPED:
            continue
        values[field.name] = _jsonable(getattr(obj, field.attname))
    return values


def record(
    user,
    action: str,
    *,
    obj=None,
    patient=None,
    changes=None,
    detail: str = "",
    medical: bool | None = None,
):
    event = _event(user, action, obj=obj, patient=patient, changes=changes, detail=detail, medical=medical)
    event.save(force_insert=True)
    return event


def _event(user, action: str, *, obj=None, patient=None, changes=None, detail: str = "", medical: bool | None = None):
    """The unsaved row of `record`."""
    from pass_unit.models import AuditEvent

    role = role_of(user)
    return AuditEvent(
        user=user if user and user.is_authenticated else None,
        username=(getattr(user, "username", "") or "") if user else "",
        role=role.value if role else "",
        ip_address=_client_address.get(),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        patient=patient,
        changes=changes or {},
        medical=_is_medical(obj) if medical is None and obj is not None else bool(medical),
        detail=detail[:500],
    )


def record_create(user, obj, *, patient=None):
    # Same shape as an update, {field: [old, new]}, with no old value: the log pages read every row alike.
    changes = {name: [None, value] for name, value in _field_values(obj).items()}
    return record(user, "create", obj=obj, patient=patient, changes=changes)


def record_update(user, before, after, *, patient=None, detail: str = ""):
    old, new = _field_values(before), _field_values(after)
    changes = {name: [old[name], new[name]] for name in new if old.get(name) != new[name]}
    if not changes:
        return None
    return record(user, "update", obj=after, patient=patient, changes=changes, detail=detail)


def record_view(user, patient, *, medical: bool = False):
    action = "view_medical" if medical else "view"
    return record(user, action, obj=patient, patient=patient, medical=medical)


def record_export(user, obj, patients, *, medical: bool = False, detail: str = "") -> None:
    """A document printed: one "export" row per patient it names (each patient's access log shows
    who printed it), or one row for the document when it names nobody; written by one INSERT (a
    20-case minutes PDF wrote 20 rows one by one, each its own commit)."""
    from pass_unit.models import AuditEvent

    events = [
        _event(user, "export", obj=obj, patient=patient, medical=medical, detail=detail) for patient in patients
    ] or [_event(user, "export", obj=obj, detail=detail)]
    AuditEvent.objects.bulk_create(events)


def record_file_read(user, patient, *, medical: bool) -> None:
    """A read of the patient file: its "view" row and, when its medical parts were shown, its
    "view_medical" row, written by one INSERT (one statement, one commit: the two rows are
    written together, and the page waits for one WAL flush instead of two)."""
    from pass_unit.models import AuditEvent

    events = [_event(user, "view", obj=patient, patient=patient, medical=False)]
    if medical:
        events.append(_event(user, "view_medical", obj=patient, patient=patient, medical=True))
    AuditEvent.objects.bulk_create(events)
