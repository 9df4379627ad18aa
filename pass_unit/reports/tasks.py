"""Background computation of the activity report's stored figures (`manage.py db_worker`)."""

from datetime import date

from django.conf import settings
from django.tasks import task
from django.utils import translation

from pass_unit.models import ReportSnapshot


@task()
def compute_report_snapshot(*, kind: str, start: str, end: str) -> int:
    """Compute and store the figures of one period (see pass_unit.reports.snapshots); returns the row's id."""
    from pass_unit.reports import indicators, snapshots

    first, last = date.fromisoformat(start), date.fromisoformat(end)
    if kind == ReportSnapshot.Kind.REPORT:
        function = lambda: indicators.report_figures(first, last)  # noqa: E731
    else:
        function = lambda: indicators.live_quality_files_count(first, last)  # noqa: E731
    with translation.override(settings.LANGUAGE_CODE):
        snapshot = snapshots.compute(kind, first, last, function)
    snapshots.prune_changes()
    return snapshot.pk
