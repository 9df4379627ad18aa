"""Backups: a dump of a seeded database restores into a new database with every row (docs/backup.md)."""

import datetime
import stat
import uuid

import psycopg
import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg import sql

from pass_unit import embedded_db
from pass_unit.lib import pgtools
from pass_unit.roles import Role
from patients import services
from patients.models import CoverageRight, Patient, SocialAssessment, Visit

PUBLIC_TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"


def seed() -> None:
    # The groups come from a data migration; a transactional test may run after another emptied them.
    group, _ = Group.objects.get_or_create(name=Role.SOCIAL_WORKER.value)
    user = User.objects.create_user("backup-social", password="correct-horse-battery-42")
    user.groups.add(group)
    for last_name, first_name, year in [("Nguyễn", "Éloïse", 1990), ("Benali", "Mohammed", 1980), ("Diallo", "", 2001)]:
        patient = services.patient_register(
            patient=Patient(last_name=last_name, first_name=first_name, birth_year=year), acting_user=user
        )
        services.visit_add(visit=Visit(kind=Visit.Kind.RECEPTION, reason="Accueil"), patient=patient, acting_user=user)
    services.visit_add(visit=Visit(kind=Visit.Kind.RECEPTION), patient=patient, acting_user=user)
    services.right_add(
        right=CoverageRight(
            regime=CoverageRight.Regime.AME,
            status=CoverageRight.Status.TO_ASSESS,
            end_date=datetime.date(2027, 3, 31),
        ),
        patient=patient,
        acting_user=user,
    )
    services.assessment_add(
        assessment=SocialAssessment(housing=SocialAssessment.Housing.SHELTER_115), patient=patient, acting_user=user
    )


def row_counts(cursor) -> dict[str, int]:
    tables = [row[0] for row in cursor.execute(PUBLIC_TABLES).fetchall()]
    return {
        table: cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()[0]
        for table in tables
    }


def file_numbers(cursor) -> set[str]:
    return {row[0] for row in cursor.execute("SELECT file_number FROM patients_patient").fetchall()}


@pytest.mark.django_db(transaction=True)
def test_a_dump_restores_into_a_new_database_with_every_row(tmp_path, capsys):
    seed()
    params = pgtools.connection_params()
    with psycopg.connect(**params.psycopg_kwargs()) as conn, conn.cursor() as cursor:
        source_counts = row_counts(cursor)
        source_numbers = file_numbers(cursor)
    for table in ["patients_patient", "patients_visit", "patients_coverageright", "pass_unit_auditevent"]:
        assert source_counts[table] > 0, table
    assert len(source_numbers) == 3

    dump = tmp_path / "backups" / "check.dump"
    call_command("backup_db", output=dump)
    assert str(dump) in capsys.readouterr().out
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600  # health data: owner only
    assert not list(dump.parent.glob("*.partial"))

    target = f"restore_check_{uuid.uuid4().hex[:12]}"
    try:
        call_command("restore_db", str(dump), target_db=target, create=True)
        with psycopg.connect(**{**params.psycopg_kwargs(), "dbname": target}) as conn, conn.cursor() as cursor:
            assert row_counts(cursor) == source_counts
            assert file_numbers(cursor) == source_numbers
            # The audit trail is still append-only in the restored database.
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                cursor.execute("UPDATE pass_unit_auditevent SET action = 'view'")
    finally:
        with psycopg.connect(**params.psycopg_kwargs(), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(target)))


@pytest.mark.django_db
def test_restore_refuses_the_live_database(tmp_path):
    dump = tmp_path / "any.dump"
    dump.write_bytes(b"PGDMP")
    with pytest.raises(CommandError, match="database the application uses"):
        call_command("restore_db", str(dump), target_db=connection.settings_dict["NAME"])


@pytest.mark.django_db
def test_the_embedded_server_uses_its_own_binaries(monkeypatch, settings):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("PG_BIN_DIR", raising=False)
    settings.PG_BIN_DIR = ""
    assert pgtools.pick_bin_dir() == embedded_db.bin_dir()
    pg_dump = pgtools.pg_binary("pg_dump")
    assert pg_dump == embedded_db.bin_dir() / "pg_dump"
    assert pgtools.client_major_version(pg_dump) >= pgtools.server_major_version()


@pytest.mark.django_db
def test_an_older_pg_dump_is_refused(tmp_path, monkeypatch, settings):
    fake = tmp_path / "pg_dump"
    fake.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)'\n")
    fake.chmod(0o755)
    settings.PG_BIN_DIR = str(tmp_path)
    assert pgtools.find_binary("pg_dump") == fake
    assert pgtools.client_major_version(fake) == 15
    with pytest.raises(pgtools.PgToolsError, match="PostgreSQL 15 but the server is PostgreSQL"):
        pgtools.pg_binary("pg_dump")
    with pytest.raises(CommandError, match="PostgreSQL 15"):
        call_command("backup_db", output=tmp_path / "never.dump")
    assert not (tmp_path / "never.dump").exists()
