"""Draft minutes rendered ahead (by the worker, or at a first download) and served from the store
only while the draft's HTML is the same: a change is in the very next download, never a stale copy."""

import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from rcp import pdf, services, tasks
from rcp.models import Action, DraftMinutes
from tests.support import rcp as helpers


@pytest.fixture
def queue(settings):
    """The database backend, as in production: enqueued tasks wait for the worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_a_second_download_is_served_from_the_store_byte_for_byte(login, held, physician, clock):
    client = login(physician)
    url = reverse("rcp:minutes-pdf", args=[held.pk])
    first = client.get(url).content
    stored = DraftMinutes.objects.get(meeting=held)
    assert bytes(stored.pdf) == first
    clock.shift(timedelta(minutes=5))
    assert client.get(url).content == first  # same text, made 5 minutes earlier and saying so
    assert pdf.draft_minutes(held)[1] is True


def test_a_change_is_in_the_next_download(login, held, physician, nurse):
    client = login(physician)
    url = reverse("rcp:minutes-pdf", args=[held.pk])
    client.get(url)
    case = held.cases.order_by("position").first()
    helpers.decide(case, physician, decision="Orientation vers la PMI du quartier")
    data, stored = pdf.draft_minutes(held)
    assert not stored and "Orientation vers la PMI du quartier" in text(data)
    assert client.get(url).content == data


def test_an_action_closed_elsewhere_changes_the_follow_up_of_the_draft(held, coordinator, physician, nurse):
    helpers.validate(held, coordinator, real_pdf=False)
    following = helpers.plan(physician)
    before, _stored = pdf.draft_minutes(following)
    services.action_close(action=Action.objects.get(assignee=nurse), status="done", acting_user=nurse)
    after, stored = pdf.draft_minutes(following)
    assert not stored and after != before


def test_the_print_time_is_that_of_the_rendering(held, clock):
    made = pdf.draft_minutes(held)[0]
    clock.shift(timedelta(hours=2))
    html, key = pdf.draft_minutes_html(held)
    assert key == DraftMinutes.objects.get(meeting=held).html_sha256  # the print time is not in the key
    assert pdf.draft_minutes(held)[0] == made
    stored = DraftMinutes.objects.get(meeting=held)
    printed = pdf._printed_on(stored.made_at)
    assert printed in text(made)


def test_the_worker_renders_the_draft_after_each_change(queue, held, physician, django_capture_on_commit_callbacks):
    case = held.cases.order_by("position").first()
    with django_capture_on_commit_callbacks(execute=True):
        helpers.decide(case, physician, decision="Bilan en externe")
    rendering = DBTaskResult.objects.ready().filter(task_path=tasks.render_draft_minutes.module_path)
    assert rendering.count() == 0  # deferred a little: a burst of changes is rendered once
    assert DBTaskResult.objects.filter(task_path=tasks.render_draft_minutes.module_path).count() == 1
    assert tasks.render_draft_minutes.call(meeting_id=held.pk) is True
    assert tasks.render_draft_minutes.call(meeting_id=held.pk) is False  # already stored
    assert pdf.draft_minutes(held)[1] is True
    assert "Bilan en externe" in text(bytes(DraftMinutes.objects.get(meeting=held).pdf))


def test_nothing_is_rendered_for_validated_minutes(held, coordinator):
    helpers.validate(held, coordinator, real_pdf=False)
    held.refresh_from_db()
    assert tasks.render_draft_minutes.call(meeting_id=held.pk) is False
    assert not DraftMinutes.objects.filter(meeting=held).exists()


def test_without_a_worker_nothing_is_queued(held, physician, django_capture_on_commit_callbacks):
    case = held.cases.order_by("position").first()
    with django_capture_on_commit_callbacks(execute=True):
        helpers.decide(case, physician, decision="Bilan en externe")
    assert not DraftMinutes.objects.exists()  # tasks run at once in tests: the download renders it
