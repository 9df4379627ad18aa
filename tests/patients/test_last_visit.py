"""Each patient's last visit (`Patient.last_visit_at`), kept by the database (migration patients/0009).

Statement-level triggers on the visits keep it equal to the latest visit not cancelled, whatever
wrote the visits: the visit form's service, a cancellation, a merge and its undo, a bulk insert,
the seed's COPY, a changed date or a removed row. A guard ignores any other write of the column,
so a model saved with a stale copy cannot put an old value back. Each path is checked here
against the value computed from the visits.
"""

import io
from contextlib import contextmanager
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Max, OuterRef, Q, Subquery
from django.utils import timezone
from psycopg import sql

from patients import services
from patients.demo import DEFAULT_PATIENTS
from patients.models import Patient, Visit
from tests.support.factories import PatientFactory

pytestmark = pytest.mark.django_db


def stored(patient: Patient):
    return Patient.objects.values_list("last_visit_at", flat=True).get(pk=patient.pk)


def computed(patient: Patient):
    return Visit.objects.filter(patient=patient, cancelled_at__isnull=True).aggregate(m=Max("occurred_at"))["m"]


def mismatches() -> int:
    """Files whose stored last visit differs from the one computed from their visits."""
    latest = (
        Visit.objects.filter(patient=OuterRef("pk"), cancelled_at__isnull=True)
        .order_by("-occurred_at")
        .values("occurred_at")[:1]
    )
    annotated = Patient.objects.annotate(latest=Subquery(latest))
    return annotated.exclude(
        Q(last_visit_at=Subquery(latest)) | Q(last_visit_at__isnull=True, latest__isnull=True)
    ).count()


def record(patient, user, *, days_ago: float) -> Visit:
    visit = Visit(kind=Visit.Kind.RECEPTION, occurred_at=timezone.now() - timedelta(days=days_ago))
    return services.visit_add(visit=visit, patient=patient, acting_user=user)


def test_a_new_file_has_no_last_visit(reception):
    patient = services.patient_register(patient=Patient(last_name="Neuf", birth_year=1990), acting_user=reception)
    assert stored(patient) is None


def test_it_follows_the_visits_recorded_through_the_service(clock, reception):
    patient = PatientFactory()
    recent = record(patient, reception, days_ago=2)
    assert stored(patient) == recent.occurred_at
    # A visit entered late, older than the last one, does not move it back.
    record(patient, reception, days_ago=30)
    assert stored(patient) == recent.occurred_at
    latest = record(patient, reception, days_ago=0.5)
    assert stored(patient) == latest.occurred_at


def test_a_cancelled_visit_no_longer_counts(clock, reception):
    patient = PatientFactory()
    older = record(patient, reception, days_ago=40)
    recent = record(patient, reception, days_ago=1)
    services.visit_cancel(visit=recent, reason="Saisie en double", acting_user=reception)
    assert stored(patient) == older.occurred_at
    services.visit_cancel(visit=older, reason="Erreur de dossier", acting_user=reception)
    assert stored(patient) is None


def test_it_follows_a_changed_date_and_a_removed_visit(clock, reception):
    patient = PatientFactory()
    older = record(patient, reception, days_ago=40)
    recent = record(patient, reception, days_ago=1)
    moved = timezone.now() - timedelta(days=60)
    Visit.objects.filter(pk=recent.pk).update(occurred_at=moved)
    assert stored(patient) == older.occurred_at
    Visit.objects.filter(pk=older.pk).delete()
    assert stored(patient) == moved == computed(patient)
    Visit.objects.filter(patient=patient).delete()
    assert stored(patient) is None


def test_notes_changed_on_a_visit_leave_it_alone(clock, reception):
    patient = PatientFactory()
    visit = record(patient, reception, days_ago=3)
    Visit.objects.filter(pk=visit.pk).update(notes="Complément")
    assert stored(patient) == visit.occurred_at


def test_one_bulk_insert_of_many_patients_visits(clock, reception):
    patients = PatientFactory.create_batch(5)
    now = timezone.now()
    Visit.objects.bulk_create(
        Visit(patient=p, professional=reception, kind=Visit.Kind.RECEPTION, occurred_at=now - timedelta(days=d))
        for p in patients
        for d in (3, 10 + patients.index(p), 50)
    )
    # A cancelled visit, later than the others, in the same statement: not a visit.
    Visit.objects.bulk_create(
        [
            Visit(
                patient=patients[0],
                professional=reception,
                kind=Visit.Kind.RECEPTION,
                occurred_at=now - timedelta(hours=1),
                cancelled_at=now,
                cancel_reason="Annulée",
            )
        ]
    )
    assert [stored(p) for p in patients] == [now - timedelta(days=3)] * 5
    assert mismatches() == 0


def test_a_stale_copy_saved_or_a_direct_write_cannot_change_it(clock, reception):
    patient = PatientFactory()
    stale = Patient.objects.get(pk=patient.pk)  # loaded before the visit: last_visit_at None
    visit = record(patient, reception, days_ago=1)
    stale.phone = "06 00 00 00 00"
    stale.save()
    assert stored(patient) == visit.occurred_at
    assert Patient.objects.get(pk=patient.pk).phone == "06 00 00 00 00"
    Patient.objects.filter(pk=patient.pk).update(last_visit_at=timezone.now() - timedelta(days=999))
    assert stored(patient) == visit.occurred_at
    invented = PatientFactory(last_visit_at=timezone.now())
    assert stored(invented) is None


def test_it_follows_a_merge_and_its_undo(clock, reception, coordinator):
    target = PatientFactory(last_name="Diallo")
    source = PatientFactory(last_name="Dialo")
    record(target, reception, days_ago=30)
    source_latest = record(source, reception, days_ago=2)
    record(source, reception, days_ago=90)
    before = {target.pk: stored(target), source.pk: stored(source)}

    merge = services.patient_merge(target=target, source=source, reason="Même personne", acting_user=reception)
    assert stored(target) == source_latest.occurred_at
    assert stored(source) is None

    services.patient_merge_undo(merge=merge, acting_user=coordinator, reason="Deux personnes")
    assert {target.pk: stored(target), source.pk: stored(source)} == before
    assert mismatches() == 0


def test_the_bulk_seed_copy_leaves_every_file_right(settings):
    """seed_demo --scale writes the visits with COPY: one statement, the same triggers."""
    settings.DEBUG = True
    call_command("seed_demo", "--patients", str(DEFAULT_PATIENTS + 120), "--scale", stdout=StringIO())
    assert Patient.objects.count() >= DEFAULT_PATIENTS + 120
    assert Patient.objects.filter(last_visit_at__isnull=False).count() > 100
    assert mismatches() == 0


@contextmanager
def _as_runtime_role():
    """The connection acts as the least-privileged runtime role (created inside the test's transaction)."""
    name = f"{connection.settings_dict['NAME']}_runtime"[:63]
    call_command("create_runtime_role", name=name, stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(name)))
        try:
            yield
        finally:
            cursor.execute("RESET ROLE")


def test_the_triggers_work_for_the_runtime_role(clock, reception):
    patient = PatientFactory()
    with _as_runtime_role():
        older = record(patient, reception, days_ago=20)
        recent = record(patient, reception, days_ago=1)
        assert stored(patient) == recent.occurred_at
        services.visit_cancel(visit=recent, reason="Erreur", acting_user=reception)
        assert stored(patient) == older.occurred_at
        services.patient_exit(
            patient=Patient.objects.get(pk=patient.pk),
            status=Patient.Status.LOST,
            exit_date=timezone.localdate(),
            reason="Perdu de vue",
            acting_user=reception,
        )
        assert stored(patient) == older.occurred_at
