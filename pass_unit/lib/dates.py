"""Local (Paris) days as aware datetime ranges.

A filter on `[day_start(d), day_start(d + 1))` is served by an index on the timestamp; a
`__date` lookup is not (it converts every row to the local date). Built with `make_aware`,
the bounds are right on the days the clocks change.
"""

from datetime import date, datetime, time, timedelta

from django.utils import timezone


def day_start(day: date) -> datetime:
    """Midnight at the start of a local day, as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, time.min))


def day_range(first: date, last: date | None = None) -> tuple[datetime, datetime]:
    """[first 00:00, last+1 00:00) in local time: the days first to last, both included."""
    return day_start(first), day_start((last or first) + timedelta(days=1))
