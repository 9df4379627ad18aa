"""Writes on patient files. Each runs in one transaction and is audited."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from pass_unit import audit
from patients.models import (
    CoverageRight,
    FileNumberCounter,
    MedicalContext,
    Orientation,
    Patient,
    SocialAssessment,
    Visit,
)


class StaleEdit(Exception):
    """Someone else saved the record since the form was opened."""

    def __init__(self, current):
        super().__init__("stale edit")
        self.current = current


def next_file_number(year: int) -> str:
    counter, _ = FileNumberCounter.objects.select_for_update().get_or_create(year=year)
    counter.last = F("last") + 1
    counter.save(update_fields=["last"])
    counter.refresh_from_db(fields=["last"])
    return f"PASS-{year}-{counter.last:05d}"


def _add_to_file(obj, *, patient: Patient, author_field: str, acting_user):
    """Attach a new record to the patient's file, signed by its author, and audit it."""
    obj.patient = patient
    setattr(obj, author_field, acting_user)
    obj.save()
    audit.record_create(acting_user, obj, patient=patient)
    return obj


@transaction.atomic
def patient_register(*, patient: Patient, acting_user) -> Patient:
    patient.file_number = next_file_number(timezone.localdate().year)
    patient.created_by = patient.updated_by = acting_user
    patient.save()
    audit.record_create(acting_user, patient, patient=patient)
    return patient


@transaction.atomic
def patient_update(*, patient: Patient, expected_version: int | None, acting_user) -> Patient:
    """Save `patient` unless someone saved it since `expected_version` was read."""
    before = Patient.objects.select_for_update().get(pk=patient.pk)
    if expected_version is not None and before.version != expected_version:
        raise StaleEdit(before)
    patient.version = before.version + 1
    patient.updated_by = acting_user
    patient.save()
    audit.record_update(acting_user, before, patient, patient=patient)
    return patient


@transaction.atomic
def patient_exit(*, patient: Patient, status: str, exit_date, reason: str, acting_user) -> Patient:
    before = Patient.objects.select_for_update().get(pk=patient.pk)
    patient.status = status
    patient.exit_date = None if status == Patient.Status.ACTIVE else exit_date
    patient.exit_reason = reason
    patient.version = before.version + 1
    patient.updated_by = acting_user
    patient.save()
    audit.record_update(acting_user, before, patient, patient=patient)
    return patient


@transaction.atomic
def visit_add(*, visit: Visit, patient: Patient, acting_user) -> Visit:
    return _add_to_file(visit, patient=patient, author_field="professional", acting_user=acting_user)


@transaction.atomic
def visit_cancel(*, visit: Visit, reason: str, acting_user) -> Visit:
    before = Visit.objects.select_for_update().get(pk=visit.pk)
    visit.cancelled_at = timezone.now()
    visit.cancel_reason = reason
    visit.save(update_fields=["cancelled_at", "cancel_reason"])
    audit.record_update(acting_user, before, visit, patient=visit.patient)
    return visit


@transaction.atomic
def assessment_add(*, assessment: SocialAssessment, patient: Patient, acting_user):
    return _add_to_file(assessment, patient=patient, author_field="author", acting_user=acting_user)


@transaction.atomic
def right_add(*, right: CoverageRight, patient: Patient, acting_user) -> CoverageRight:
    return _add_to_file(right, patient=patient, author_field="created_by", acting_user=acting_user)


@transaction.atomic
def right_update(*, right: CoverageRight, acting_user) -> CoverageRight:
    before = CoverageRight.objects.select_for_update().get(pk=right.pk)
    right.save()
    audit.record_update(acting_user, before, right, patient=right.patient)
    return right


@transaction.atomic
def medical_context_save(*, context: MedicalContext, expected_version: int | None, acting_user) -> MedicalContext:
    before = MedicalContext.objects.select_for_update().filter(patient=context.patient).first()
    current_version = before.version if before else 0
    if expected_version is not None and current_version != expected_version:
        raise StaleEdit(before)
    context.version = current_version + 1
    context.updated_by = acting_user
    if before:
        context.pk = before.pk
    context.save()
    if before:
        audit.record_update(acting_user, before, context, patient=context.patient)
    else:
        audit.record_create(acting_user, context, patient=context.patient)
    return context


@transaction.atomic
def orientation_add(*, orientation: Orientation, patient: Patient, acting_user):
    return _add_to_file(orientation, patient=patient, author_field="author", acting_user=acting_user)
