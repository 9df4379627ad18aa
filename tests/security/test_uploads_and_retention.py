from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from pass_unit.lib.uploads import validate_upload
from pass_unit.models import AuditEvent


def test_it_accepts_a_small_csv():
    upload = SimpleUploadedFile("import.csv", b"date;patient\n01/02/2026;PASS-2026-00001\n", "text/csv")
    assert validate_upload(upload, allowed={"csv"}) == "csv"
    assert upload.read(4) == b"date"  # the file is rewound for the caller


@pytest.mark.parametrize(
    ("name", "content", "content_type", "code"),
    [
        ("import.exe", b"MZ", "application/octet-stream", "extension"),
        ("import", b"a;b", "text/csv", "extension"),
        ("import.csv", b"", "text/csv", "empty"),
        ("import.csv", b"a\x00b", "text/csv", "binary"),
        ("import.xlsx", b"not a zip", "application/octet-stream", "magic"),
        ("import.csv", b"%PDF-1.7", "application/pdf", "content_type"),
    ],
)
def test_it_refuses_a_file_of_the_wrong_kind(name, content, content_type, code):
    with pytest.raises(ValidationError) as error:
        validate_upload(SimpleUploadedFile(name, content, content_type), allowed={"csv", "xlsx"})
    assert error.value.code == code


def test_it_refuses_a_file_too_big(settings):
    settings.UPLOAD_MAX_BYTES = 10
    with pytest.raises(ValidationError) as error:
        validate_upload(SimpleUploadedFile("a.csv", b"x" * 11, "text/csv"), allowed={"csv"})
    assert error.value.code == "size"


def _event(days_ago: int) -> AuditEvent:
    # `at` is auto_now_add and rows cannot be updated: back-date with a raw insert.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO pass_unit_auditevent (at, username, role, action, object_type, object_id, object_repr,"
            " changes, medical, detail) VALUES (%s, %s, '', 'login', '', '', '', '{}', false, '') RETURNING id",
            [timezone.now() - timedelta(days=days_ago), f"u{days_ago}"],
        )
        return AuditEvent.objects.get(pk=cursor.fetchone()[0])


@pytest.mark.django_db
def test_it_purges_only_rows_past_the_retention(settings):
    settings.AUDIT_RETENTION_DAYS = 365
    old, recent = _event(400), _event(10)
    call_command("purge_audit", stdout=open("/dev/null", "w"))
    remaining = set(AuditEvent.objects.values_list("pk", flat=True))
    assert recent.pk in remaining
    assert old.pk not in remaining


@pytest.mark.django_db
def test_it_keeps_the_guard_after_a_purge():
    _event(400)
    _event(10)
    call_command("purge_audit", "--days", "365", stdout=open("/dev/null", "w"))
    assert AuditEvent.objects.count() == 1
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        AuditEvent.objects.all().delete()


@pytest.mark.django_db
def test_it_refuses_a_retention_shorter_than_six_months():
    with pytest.raises(CommandError):
        call_command("purge_audit", "--days", "30")
