"""Background tasks of the RCP app (Django's tasks framework, database backend: `manage.py db_worker`).

Validating minutes stores the official document (the minutes version) in the request; each
patient's extract is derived from it and filed here, from the HTML fixed at validation. A failed
attempt is retried later (up to MAX_ATTEMPTS); the meeting stays validated with its minutes
meanwhile, and its page says that the extracts are being filed.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.tasks import task
from django.tasks.backends.immediate import ImmediateBackend
from django.utils import timezone

from pass_unit import audit
from rcp import pdf, services
from rcp.models import Meeting, MinutesVersion

MAX_ATTEMPTS = 5
# Wait before attempt n + 1 (when the backend can defer a task; otherwise retried at once).
RETRY_DELAYS = [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2)]


@task()
def file_minutes_extract(
    *,
    version_id: int,
    case_review_id: int,
    patient_id: int,
    html: str,
    acting_user_id: int,
    client_address: str | None = None,
    attempt: int = 1,
) -> int | None:
    """Make and file one patient's extract; returns its id (None: the version does not exist)."""
    version = MinutesVersion.objects.filter(pk=version_id).first()
    if version is None:
        return None  # never committed (a validation rolled back): nothing to file
    token = audit._client_address.set(client_address)  # the validator's workstation, as in the request
    try:
        acting_user = get_user_model().objects.get(pk=acting_user_id)
        filed = services.minutes_extract_file(
            version=version,
            case_review_id=case_review_id,
            patient_id=patient_id,
            html=html,
            acting_user=acting_user,
        )
    except Exception:
        if attempt < MAX_ATTEMPTS:
            retry = file_minutes_extract
            if retry.get_backend().supports_defer:
                retry = retry.using(run_after=timezone.now() + RETRY_DELAYS[attempt - 1])
            retry.enqueue(
                version_id=version_id,
                case_review_id=case_review_id,
                patient_id=patient_id,
                html=html,
                acting_user_id=acting_user_id,
                client_address=client_address,
                attempt=attempt + 1,
            )
        raise  # this attempt is recorded as failed, with its traceback, in the task results
    finally:
        audit._client_address.reset(token)
    return filed.pk


# A burst of changes (a case edited field by field, an agenda reordered) queues one task each:
# waiting a little lets the first one render the final state, the others find it stored.
DRAFT_DELAY = timedelta(seconds=20)


@task()
def render_draft_minutes(*, meeting_id: int) -> bool:
    """Render a meeting's draft minutes ahead of their download (rcp.pdf.draft_minutes): True when
    a PDF was made, False when the stored one is still the draft's or the meeting is validated."""
    meeting = Meeting.objects.select_related("chair").filter(pk=meeting_id).first()
    if meeting is None or meeting.is_locked:
        return False
    _data, stored = pdf.draft_minutes(meeting)
    return not stored


def meetings_following(moment, *, limit: int = 10):
    """The meetings not yet validated after `moment`, the latest first (their "Suivi" shows the
    actions of earlier meetings), as a lazy list of ids: read only if drafts are queued."""
    return (
        Meeting.objects.in_progress()
        .filter(scheduled_at__gt=moment)
        .order_by("scheduled_at")
        .values_list("pk", flat=True)[:limit]
    )


def queue_draft_minutes(meeting_ids) -> None:
    """Queue the rendering of these meetings' drafts, once the caller's transaction commits. Not
    with a backend that runs tasks at once (tests, or no worker): the request would wait for the
    PDF, which a download makes as fast."""
    backend = render_draft_minutes.get_backend()
    if isinstance(backend, ImmediateBackend):
        return
    queued = render_draft_minutes
    if backend.supports_defer:
        queued = queued.using(run_after=timezone.now() + DRAFT_DELAY)
    for meeting_id in set(meeting_ids):
        queued.enqueue(meeting_id=meeting_id)
