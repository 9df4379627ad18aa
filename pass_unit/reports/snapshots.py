"""Stored figures of the activity report, computed in the background and never shown stale as current.

A year of activity (a million visits at 100,000 patients) takes seconds to aggregate: the page
reads the figures stored by the background worker (`tasks.compute_report_snapshot`) instead.

How a stored snapshot is known to be current: every table the report reads has a statement
trigger (migration pass_unit/0005) that notes the writing transaction in `pass_unit_report_change`
(one row per transaction: its id, xid8, and `seq`, raised at each of its statements). The
computation records, in one statement before reading anything, the highest `seq` it sees and the
PostgreSQL snapshot it runs in. The stored figures are current exactly when
- no change row has a `seq` above the one seen (a later statement, even of the computing
  transaction itself), and
- every change row's transaction was committed in the recorded snapshot (a transaction still
  running then — whatever the order in which transactions took their `seq` — commits later and
  makes the figures stale).
This holds whatever wrote the data (services, merges, the bulk seed's COPY, raw SQL): the database
notes it. A stale or missing snapshot asks the worker for a computation; the page says so.
"""

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from pass_unit.models import ReportSnapshot

# A requested computation not done after this long (worker stopped, task failed) is requested again.
REQUEST_RETRY = timedelta(minutes=10)


# --- Figures as JSON, losslessly (Decimal kept, dict keys of any type: None, "", codes) ----------


def encode(value):
    if isinstance(value, bool) or value is None or isinstance(value, (int, float, str)):
        return value
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, dict):
        return {"map": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    raise TypeError(f"cannot store {type(value).__name__} in a report snapshot")


def decode(value):
    if isinstance(value, list):
        return [decode(v) for v in value]
    if isinstance(value, dict):
        if "decimal" in value:
            return Decimal(value["decimal"])
        return {decode(k): decode(v) for k, v in value["map"]}
    return value


# --- Freshness --------------------------------------------------------------------------------

CHANGE_TABLE = "pass_unit_report_change"


def _mark(snapshot: ReportSnapshot) -> None:
    """Record what the computation about to run sees (one statement: the same snapshot for both)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + MARKS_SQL)
        snapshot.data_seen, snapshot.db_snapshot, snapshot.own_xid = cursor.fetchone()


# Whether the row `s`'s figures are current (SQL, to read a row and its state in one query).
CURRENT_SQL = f"""
    CASE WHEN s.computed_at IS NULL OR s.data_seen IS NULL THEN false ELSE NOT (
        EXISTS (SELECT 1 FROM {CHANGE_TABLE} c WHERE c.seq > s.data_seen)
        OR EXISTS (
            SELECT 1 FROM {CHANGE_TABLE} c
            WHERE c.xid >= pg_snapshot_xmin(s.db_snapshot::pg_snapshot)
              AND c.xid::text <> s.own_xid
              AND NOT pg_visible_in_snapshot(c.xid, s.db_snapshot::pg_snapshot)
        )
    ) END
"""

MARKS_SQL = (
    f"COALESCE((SELECT max(seq) FROM {CHANGE_TABLE}), 0) AS seen, "  # noqa: S608 - constant name
    "pg_current_snapshot()::text AS snap, COALESCE(pg_current_xact_id_if_assigned()::text, '') AS own"
)


def _read(kind: str, start: date, end: date):
    """(figures, computed_at, requested_at, current, digest) of the stored row, or None (1 query)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.figures, s.computed_at, s.requested_at, {CURRENT_SQL}, md5(s.figures::text) "  # noqa: S608
            f"FROM {ReportSnapshot._meta.db_table} s WHERE s.kind = %s AND s.start = %s AND s.end = %s",
            [kind, start, end],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    figures = row[0]
    if isinstance(figures, str):
        figures = json.loads(figures)
    return figures, row[1], row[2], row[3], row[4]


def is_current(snapshot: ReportSnapshot) -> bool:
    row = _read(snapshot.kind, snapshot.start, snapshot.end)
    return bool(row and row[3])


def prune_changes() -> int:
    """Forget the change rows no stored snapshot needs: seen by all of them and committed before
    the oldest (the table keeps one row per writing transaction)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            DELETE FROM {CHANGE_TABLE}
            WHERE seq <= (SELECT min(data_seen) FROM {ReportSnapshot._meta.db_table} WHERE data_seen IS NOT NULL)
              AND xid < (SELECT min(pg_snapshot_xmin(db_snapshot::pg_snapshot))
                         FROM {ReportSnapshot._meta.db_table} WHERE db_snapshot <> '')
            """  # noqa: S608 - constant names
        )
        return cursor.rowcount


# --- Computing and reading ------------------------------------------------------------------


@dataclass(frozen=True)
class Stored:
    """What the page can show: the figures (None before the first computation), when they were
    computed, whether they are current, and whether a computation is under way; `digest` names
    the figures (MD5 of their stored JSON: the same digest, the same figures)."""

    figures: object
    computed_at: datetime | None
    current: bool
    pending: bool
    digest: str | None = None


def compute(kind: str, start: date, end: date, function) -> ReportSnapshot:
    """Compute `function()` (the figures, JSON-encodable by `encode`) and store it for the period.

    Outside a transaction (the worker) it runs in one REPEATABLE READ transaction: every figure
    reads the same data, exactly the data the freshness marks describe. Inside one (tests, where
    tasks run at once) the marks are taken first, so anything committed later counts as a change.
    """
    if connection.in_atomic_block:
        return _compute(kind, start, end, function)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        return _compute(kind, start, end, function)


def _compute(kind, start, end, function) -> ReportSnapshot:
    marks = ReportSnapshot(kind=kind, start=start, end=end)
    _mark(marks)
    figures = encode(function())
    snapshot, _created = ReportSnapshot.objects.update_or_create(
        kind=kind,
        start=start,
        end=end,
        defaults={
            "figures": figures,
            "computed_at": timezone.now(),
            "data_seen": marks.data_seen,
            "db_snapshot": marks.db_snapshot,
            "own_xid": marks.own_xid,
            "requested_at": None,
        },
    )
    return snapshot


def stored(kind: str, start: date, end: date) -> Stored:
    """The stored figures of the period and their state (1 query)."""
    row = _read(kind, start, end)
    if row is None:
        return Stored(None, None, current=False, pending=False)
    figures, computed_at, requested_at, current, digest = row
    pending = requested_at is not None and requested_at > timezone.now() - REQUEST_RETRY
    return Stored(
        decode(figures) if figures is not None else None,
        computed_at,
        current=current,
        pending=pending and not current,
        digest=digest if figures is not None else None,
    )


def counted(kind: str, start: date, end: date, queryset) -> int:
    """`queryset`'s row count, stored with the data it was counted on, in one statement whatever
    the state: the stored count when current; else counted now (with the marks, in the same
    statement snapshot) and stored."""
    table = ReportSnapshot._meta.db_table
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH cur AS (
                SELECT (s.figures #>> '{{}}')::bigint AS n, {CURRENT_SQL} AS current
                FROM {table} s WHERE s.kind = %s AND s.start = %s AND s.end = %s
            ), live AS (
                SELECT (SELECT count(*) FROM ({sql}) q) AS n, {MARKS_SQL}
                WHERE NOT COALESCE((SELECT current FROM cur), false)
            ), stored AS (
                INSERT INTO {table} AS t (kind, start, "end", figures, computed_at, data_seen, db_snapshot, own_xid)
                SELECT %s, %s, %s, to_jsonb(n), now(), seen, snap, own FROM live
                ON CONFLICT (kind, start, "end") DO UPDATE SET
                    figures = EXCLUDED.figures, computed_at = EXCLUDED.computed_at, data_seen = EXCLUDED.data_seen,
                    db_snapshot = EXCLUDED.db_snapshot, own_xid = EXCLUDED.own_xid, requested_at = NULL
            )
            SELECT COALESCE((SELECT n FROM live), (SELECT n FROM cur))
            """,  # noqa: S608 - constant SQL and the queryset's own SQL; values are parameters
            [kind, start, end, *params, kind, start, end],
        )
        return cursor.fetchone()[0]


def stored_or_asked(kind: str, start: date, end: date, *, ask: bool = True) -> Stored:
    """The stored figures (see `stored`); when they are missing or stale and no computation is
    under way, the worker is asked for one (unless `ask` is False) and they are read again:
    computed already where tasks run at once."""
    state = stored(kind, start, end)
    if ask and not state.current and not state.pending:
        request(kind, start, end)
        state = stored(kind, start, end)
    return state


def request(kind: str, start: date, end: date, *, force: bool = False) -> bool:
    """Ask the worker to compute the period's figures, unless already asked recently (True: asked)."""
    from pass_unit.reports import tasks

    now = timezone.now()
    with transaction.atomic():
        snapshot, _created = ReportSnapshot.objects.select_for_update().get_or_create(kind=kind, start=start, end=end)
        if not force and snapshot.requested_at is not None and snapshot.requested_at > now - REQUEST_RETRY:
            return False
        snapshot.requested_at = now
        snapshot.save(update_fields=["requested_at"])
        # Queued in the same transaction as the request row (database backend); run at once in tests.
        tasks.compute_report_snapshot.enqueue(kind=kind, start=start.isoformat(), end=end.isoformat())
    return True
