"""Least privilege: the runtime role (`manage.py create_runtime_role`) serves the application but
cannot alter the schema, drop the audit trigger, nor delete or empty the audit trail.

Proved on the real test database: the test creates the role (inside the test's transaction, so
it vanishes afterwards) and switches the connection to it with SET ROLE, exactly the rights a
connection logged in as that role would have.
"""

import io
from contextlib import contextmanager
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from psycopg import sql

from pass_unit import audit
from pass_unit.models import AuditEvent
from patients.models import Patient
from tests.support.patients import patient_data
from tests.support.users import PASSWORD

AUDIT = AuditEvent._meta.db_table
PATIENTS = Patient._meta.db_table
INSUFFICIENT_PRIVILEGE = "42501"


def role_name() -> str:
    # Roles belong to the whole server: one name per test database, so concurrent runs never meet.
    return f"{connection.settings_dict['NAME']}_runtime"[:63]


@pytest.fixture
def runtime_role(db):
    name = role_name()
    out = io.StringIO()
    call_command("create_runtime_role", name=name, stdout=out)
    assert "cannot change the schema" in out.getvalue()
    return name


@contextmanager
def connected_as(name: str):
    """The test connection acts as `name` (SET ROLE); rolled back with the test's transaction."""
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(name)))
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == name
        try:
            yield cursor
        finally:
            cursor.execute("RESET ROLE")


def refused(cursor, statement: str, params=None) -> str:
    """Run `statement` in a savepoint; return the SQLSTATE of its failure (fails the test if it succeeds)."""
    with pytest.raises(DatabaseError) as failure, transaction.atomic():
        cursor.execute(statement, params)
    return getattr(failure.value.__cause__, "sqlstate", None)


@pytest.fixture
def audit_rows(db, reception):
    audit.record(reception, "login", detail="a row the runtime role must not remove")
    return AuditEvent.objects.count()


def test_it_refuses_to_delete_audit_rows(runtime_role, audit_rows):
    with connected_as(runtime_role) as cursor:
        assert refused(cursor, f"DELETE FROM {AUDIT}") == INSUFFICIENT_PRIVILEGE
        assert refused(cursor, f"UPDATE {AUDIT} SET detail = 'rewritten'") == INSUFFICIENT_PRIVILEGE
    assert AuditEvent.objects.count() == audit_rows


def test_it_refuses_to_delete_audit_rows_even_with_the_purge_switch(runtime_role, audit_rows):
    """The retention purge lifts the trigger with a transaction-local setting anyone may set: not enough."""
    with connected_as(runtime_role) as cursor:
        with transaction.atomic():
            cursor.execute("SET LOCAL pass_unit.audit_purge = 'on'")
            assert refused(cursor, f"DELETE FROM {AUDIT}") == INSUFFICIENT_PRIVILEGE
    assert AuditEvent.objects.count() == audit_rows


def test_it_refuses_to_truncate_the_audit_trail_or_any_table(runtime_role, audit_rows):
    with connected_as(runtime_role) as cursor:
        assert refused(cursor, f"TRUNCATE {AUDIT}") == INSUFFICIENT_PRIVILEGE
        assert refused(cursor, f"TRUNCATE {PATIENTS} CASCADE") == INSUFFICIENT_PRIVILEGE
    assert AuditEvent.objects.count() == audit_rows


def test_it_refuses_to_drop_disable_or_replace_the_audit_trigger(runtime_role):
    with connected_as(runtime_role) as cursor:
        assert refused(cursor, f"DROP TRIGGER pass_unit_audit_append_only ON {AUDIT}") == INSUFFICIENT_PRIVILEGE
        assert (
            refused(cursor, f"ALTER TABLE {AUDIT} DISABLE TRIGGER pass_unit_audit_append_only")
            == INSUFFICIENT_PRIVILEGE
        )
        replace = (
            "CREATE OR REPLACE FUNCTION pass_unit_audit_append_only() RETURNS trigger AS $$ "
            "BEGIN RETURN OLD; END; $$ LANGUAGE plpgsql"
        )
        assert refused(cursor, replace) == INSUFFICIENT_PRIVILEGE
        assert refused(cursor, "DROP FUNCTION pass_unit_audit_append_only() CASCADE") == INSUFFICIENT_PRIVILEGE
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgenabled FROM pg_trigger WHERE tgname = 'pass_unit_audit_append_only'")
        assert cursor.fetchone() == ("O",)  # still there, enabled


def test_it_refuses_to_alter_the_schema(runtime_role):
    with connected_as(runtime_role) as cursor:
        assert refused(cursor, f"ALTER TABLE {AUDIT} ADD COLUMN note text") == INSUFFICIENT_PRIVILEGE
        assert refused(cursor, f"ALTER TABLE {PATIENTS} DROP COLUMN phone") == INSUFFICIENT_PRIVILEGE
        assert refused(cursor, f"DROP TABLE {AUDIT}") == INSUFFICIENT_PRIVILEGE
        assert refused(cursor, "CREATE TABLE intruder (id int)") == INSUFFICIENT_PRIVILEGE
        assert refused(cursor, "INSERT INTO django_migrations (app, name, applied) VALUES ('x', 'y', now())") == (
            INSUFFICIENT_PRIVILEGE
        )


def test_it_writes_audit_rows_and_reads_them(runtime_role, reception):
    with connected_as(runtime_role):
        audit.record(reception, "login", detail="written by the runtime role")
        assert AuditEvent.objects.filter(detail="written by the runtime role").count() == 1


def test_the_application_works_as_the_runtime_role(runtime_role, reception):
    """Log in (session, lock-out bookkeeping, audit), register a patient, open the file, log out."""
    with connected_as(runtime_role):
        browser = Client()
        response = browser.post(reverse("login"), {"username": "reception", "password": PASSWORD})
        assert response.status_code == 302
        response = browser.post(reverse("patients:create"), patient_data(last_name="Privilège"))
        assert response.status_code == 302, response.content[:500]
        patient = Patient.objects.get(last_name="Privilège")
        assert browser.get(reverse("patients:detail", args=[patient.pk])).status_code == 200
        assert AuditEvent.objects.filter(patient_id=patient.pk, action="create").exists()
        # Ordinary updates and deletes of application rows (here: the session, at logout).
        assert browser.post(reverse("logout")).status_code == 302
        User.objects.filter(pk=reception.pk).update(first_name="Réception")


def test_the_owner_still_purges_old_audit_rows(runtime_role, reception):
    """The retention purge runs as the owner (here the test connection's own role)."""
    with time_machine.travel(timezone.now() - timedelta(days=200)):
        audit.record(reception, "login", detail="old enough to go")
    audit.record(reception, "login", detail="recent")
    with connected_as(runtime_role) as cursor:
        cursor.execute("SET LOCAL pass_unit.audit_purge = 'on'")
        assert refused(cursor, f"DELETE FROM {AUDIT} WHERE detail = 'old enough to go'") == INSUFFICIENT_PRIVILEGE
    call_command("purge_audit", days=180, stdout=io.StringIO())
    assert list(
        AuditEvent.objects.filter(detail__in=["old enough to go", "recent"]).values_list("detail", flat=True)
    ) == ["recent"]
