"""Validation stores the minutes at once; each patient's extract is filed by a background task
(django.tasks, database backend, `db_worker`). Here the queue is the real one: tasks wait in the
database until the worker below runs them."""

import hashlib
import io
import re
from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from pass_unit.models import AuditEvent
from patients.models import Patient
from rcp import pdf, services, tasks
from rcp.models import Meeting, MinutesExtract
from tests.support import rcp as helpers


def text_of(data: bytes) -> str:
    """The text of a PDF, whitespace collapsed (line breaks depend on the layout, not the content)."""
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages)).strip()


@pytest.fixture
def queue(settings):
    """The database backend, as in production: enqueued tasks wait for the worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def run_worker() -> None:
    """`manage.py db_worker --batch`: run every task that is due, then stop. (The worker checks its
    connection between tasks; inside a test's transaction that check would close it.)"""
    worker = db_worker.Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    with mock.patch.object(db_worker, "close_old_connections"):
        worker.run()


def test_it_validates_at_once_and_files_the_extracts_when_the_worker_runs(queue, login, held, coordinator):
    version = services.minutes_validate(meeting=held, acting_user=coordinator)
    held.refresh_from_db()
    assert held.status == Meeting.Status.VALIDATED and version.sha256 == hashlib.sha256(bytes(version.pdf)).hexdigest()
    assert not MinutesExtract.objects.exists()
    assert DBTaskResult.objects.ready().count() == 2  # one task a patient, committed with the version

    client = login(coordinator)
    page = client.get(reverse("rcp:detail", args=[held.pk])).content.decode()
    assert re.search(r'data-testid="extracts-pending">[^<]*\(0 \w+ 2\)', page)  # "(0 sur 2)"

    run_worker()

    extracts = MinutesExtract.objects.filter(version=version)
    assert {e.patient_id for e in extracts} == set(held.cases.values_list("patient_id", flat=True))
    for extract in extracts:
        assert extract.sha256 == hashlib.sha256(bytes(extract.pdf)).hexdigest()
        assert extract.patient.file_number in text_of(bytes(extract.pdf))
    assert set(
        AuditEvent.objects.filter(action="create", object_type="rcp.minutesextract").values_list(
            "patient_id", flat=True
        )
    ) == {e.patient_id for e in extracts}
    page = client.get(reverse("rcp:detail", args=[held.pk])).content.decode()
    assert 'data-testid="extracts-pending"' not in page
    # The official document is the one stored at validation, byte for byte.
    downloaded = client.get(reverse("rcp:minutes-pdf", args=[held.pk])).content
    assert downloaded == bytes(version.pdf) and hashlib.sha256(downloaded).hexdigest() == version.sha256


def test_downloading_the_minutes_is_audited_for_each_patient_while_the_extracts_wait(
    queue, login, held, social, coordinator
):
    services.minutes_validate(meeting=held, acting_user=coordinator)
    login(social).get(reverse("rcp:minutes-pdf", args=[held.pk]))
    exported = AuditEvent.objects.filter(action="export", user=social)
    assert set(exported.values_list("patient_id", flat=True)) == set(held.cases.values_list("patient_id", flat=True))


def test_a_patients_extract_says_what_it_said_when_made_during_validation(queue, held, patient, coordinator):
    cases = list(held.cases.order_by("position"))
    version = services.minutes_validate(meeting=held, acting_user=coordinator)
    # What validation used to render in the request, for this patient.
    before = pdf.render_extract(
        held, cases[0], version_number=1, validated_by=coordinator, validated_at=version.validated_at
    )
    # The file changes before the worker comes by: the extract keeps the text of the validation.
    Patient.objects.filter(pk=patient.pk).update(last_name="Autrenom", first_name="Zoé")
    run_worker()
    extract = MinutesExtract.objects.get(version=version, patient=patient)
    text = text_of(bytes(extract.pdf))
    assert text == text_of(before.pdf)
    assert f"{patient.file_number} — ÉN" in text and "Autrenom".upper() not in text
    assert "Extrait du compte rendu de RCP" in text and "Page 1 / " in text


def test_a_task_run_twice_files_the_extract_once(queue, held, patient, coordinator):
    services.minutes_validate(meeting=held, acting_user=coordinator)
    queued = DBTaskResult.objects.ready().get(args_kwargs__kwargs__patient_id=patient.pk)
    kwargs = queued.args_kwargs["kwargs"]
    first = tasks.file_minutes_extract.call(**kwargs)
    second = tasks.file_minutes_extract.call(**kwargs)
    run_worker()  # and once more by the worker
    assert first == second == MinutesExtract.objects.get(patient=patient).pk
    assert AuditEvent.objects.filter(action="create", object_type="rcp.minutesextract", patient=patient).count() == 1


def test_a_failing_task_leaves_the_meeting_validated_and_is_retried(queue, clock, login, held, coordinator):
    version = services.minutes_validate(meeting=held, acting_user=coordinator)
    minutes = bytes(version.pdf)
    with mock.patch.object(pdf, "pdf_from_html", side_effect=OSError("disk full")):
        run_worker()
    held.refresh_from_db()
    assert held.status == Meeting.Status.VALIDATED and bytes(held.versions.get().pdf) == minutes
    assert not MinutesExtract.objects.exists()
    assert DBTaskResult.objects.failed().count() == 2  # recorded, with the error
    retries = DBTaskResult.objects.filter(status="READY")
    assert retries.count() == 2 and all(r.args_kwargs["kwargs"]["attempt"] == 2 for r in retries)
    assert not DBTaskResult.objects.ready().exists()  # not before the delay
    page = login(coordinator).get(reverse("rcp:detail", args=[held.pk])).content.decode()
    assert 'data-testid="extracts-pending"' in page

    clock.shift(tasks.RETRY_DELAYS[0] + timedelta(seconds=1))
    run_worker()
    assert MinutesExtract.objects.filter(version=version).count() == 2


def test_tasks_give_up_after_the_last_attempt(queue, held, patient, coordinator):
    services.minutes_validate(meeting=held, acting_user=coordinator)
    kwargs = DBTaskResult.objects.ready().get(args_kwargs__kwargs__patient_id=patient.pk).args_kwargs["kwargs"]
    DBTaskResult.objects.all().delete()
    with mock.patch.object(pdf, "pdf_from_html", side_effect=OSError("disk full")), pytest.raises(OSError):
        tasks.file_minutes_extract.call(**{**kwargs, "attempt": tasks.MAX_ATTEMPTS})
    assert not DBTaskResult.objects.exists()


def test_with_tasks_run_at_once_validation_files_the_extracts_even_after_a_failure(held, coordinator):
    real = pdf.pdf_from_html
    calls = []

    def flaky(html):
        calls.append(html)
        if len(calls) == 2:  # the first extract's first attempt (the minutes come first)
            raise OSError("disk full")
        return real(html)

    with mock.patch.object(pdf, "pdf_from_html", side_effect=flaky):
        version = helpers.validate(held, coordinator)
    assert version.extracts.count() == 2
