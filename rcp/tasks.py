"""Background tasks of the RCP app (Django's tasks framework, database backend: `manage.py db_worker`).

Validating minutes stores the official document (the minutes version) in the request; each
patient's extract is derived from it and filed here, from the HTML fixed at validation. A failed
attempt is retried later (up to MAX_ATTEMPTS); the meeting stays validated with its minutes
meanwhile, and its page says that the extracts are being filed.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.tasks import task
from django.utils import timezone

from pass_unit import audit
from rcp import services
from rcp.models import MinutesVersion

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
