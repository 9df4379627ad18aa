"""Issue 11, the home dashboard and the patient list at 100,000 patients.

- `Patient.last_visit_at`: each patient's latest visit not cancelled, kept by the database.
  Statement-level triggers with transition tables on `patients_visit` (INSERT, UPDATE, DELETE)
  update it in the same statement as the visits, whatever wrote them: the visit form, COPY in
  the bulk seed, a cancellation, a merge or its undo. One UPDATE of the patients per statement,
  not per row (a million visits copied: one grouped update). A guard trigger on `patients_patient`
  ignores any other write of the column (a model saved with a stale value keeps the stored one).
  The functions are SECURITY INVOKER: they only need what the runtime role already has
  (SELECT on the visits, UPDATE on the patients).
- Indexes: `created_at` (new patients this year), the followed patients by last visit (to call
  back), the rights in progress by patient (applications being built or filed).
"""

from django.conf import settings
from django.db import migrations, models

BACKFILL = """
UPDATE patients_patient AS p SET last_visit_at = v.latest
FROM (SELECT patient_id, max(occurred_at) AS latest FROM patients_visit
      WHERE cancelled_at IS NULL GROUP BY patient_id) AS v
WHERE p.id = v.patient_id;
"""

TRIGGERS = """
CREATE FUNCTION patients_patient_last_visit_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Only the visit triggers below (one trigger level deeper) write last_visit_at.
    IF pg_trigger_depth() < 2 THEN
        IF TG_OP = 'INSERT' THEN
            NEW.last_visit_at := NULL;  -- a new file has no visit yet
        ELSE
            NEW.last_visit_at := OLD.last_visit_at;
        END IF;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER patients_patient_last_visit_guard
BEFORE INSERT OR UPDATE ON patients_patient
FOR EACH ROW EXECUTE FUNCTION patients_patient_last_visit_guard();

CREATE FUNCTION patients_visit_last_visit() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- New visits can only bring a patient's last visit later. Under concurrent writes the
        -- condition is checked again on the row as locked, so the latest value wins.
        UPDATE patients_patient AS p SET last_visit_at = n.latest
        FROM (SELECT patient_id, max(occurred_at) AS latest FROM new_visits
              WHERE cancelled_at IS NULL GROUP BY patient_id) AS n
        WHERE p.id = n.patient_id AND (p.last_visit_at IS NULL OR p.last_visit_at < n.latest);
        RETURN NULL;
    END IF;
    -- A cancellation, a changed date, a visit moved to another file (merge, undo) or removed:
    -- the patients concerned, locked in a fixed order, then recomputed from their visits
    -- (a new statement, so it sees what concurrent transactions committed meanwhile).
    IF TG_OP = 'UPDATE' THEN
        SELECT array_agg(DISTINCT id) INTO changed FROM (
            SELECT unnest(ARRAY[o.patient_id, n.patient_id]) AS id
            FROM old_visits AS o JOIN new_visits AS n ON n.id = o.id
            WHERE o.patient_id <> n.patient_id OR o.occurred_at <> n.occurred_at
                OR (o.cancelled_at IS NULL) <> (n.cancelled_at IS NULL)
        ) AS moved;
    ELSE
        SELECT array_agg(DISTINCT patient_id) INTO changed FROM old_visits;
    END IF;
    IF changed IS NULL THEN
        RETURN NULL;  -- notes, reasons…: nothing that moves a last visit
    END IF;
    PERFORM 1 FROM patients_patient WHERE id = ANY (changed) ORDER BY id FOR UPDATE;
    UPDATE patients_patient AS p SET last_visit_at = r.latest
    FROM (SELECT c.id,
                 (SELECT max(v.occurred_at) FROM patients_visit AS v
                  WHERE v.patient_id = c.id AND v.cancelled_at IS NULL) AS latest
          FROM unnest(changed) AS c (id)) AS r
    WHERE p.id = r.id AND p.last_visit_at IS DISTINCT FROM r.latest;
    RETURN NULL;
END
$$;

CREATE TRIGGER patients_visit_last_visit_insert
AFTER INSERT ON patients_visit REFERENCING NEW TABLE AS new_visits
FOR EACH STATEMENT EXECUTE FUNCTION patients_visit_last_visit();

CREATE TRIGGER patients_visit_last_visit_update
AFTER UPDATE ON patients_visit REFERENCING OLD TABLE AS old_visits NEW TABLE AS new_visits
FOR EACH STATEMENT EXECUTE FUNCTION patients_visit_last_visit();

CREATE TRIGGER patients_visit_last_visit_delete
AFTER DELETE ON patients_visit REFERENCING OLD TABLE AS old_visits
FOR EACH STATEMENT EXECUTE FUNCTION patients_visit_last_visit();
"""

DROP_TRIGGERS = """
DROP TRIGGER patients_visit_last_visit_delete ON patients_visit;
DROP TRIGGER patients_visit_last_visit_update ON patients_visit;
DROP TRIGGER patients_visit_last_visit_insert ON patients_visit;
DROP FUNCTION patients_visit_last_visit();
DROP TRIGGER patients_patient_last_visit_guard ON patients_patient;
DROP FUNCTION patients_patient_last_visit_guard();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0008_indexes_for_lists_at_scale"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="patient",
            name="last_visit_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="last visit"),
        ),
        # Filled before the guard exists (the guard would keep the NULLs), then kept by the triggers.
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.RunSQL(TRIGGERS, DROP_TRIGGERS),
        migrations.AddIndex(
            model_name="coverageright",
            index=models.Index(
                condition=models.Q(("status__in", ["building", "filed"])),
                fields=["patient"],
                name="right_in_progress_patient",
            ),
        ),
        migrations.AddIndex(
            model_name="patient",
            index=models.Index(fields=["created_at"], name="patient_created_at"),
        ),
        migrations.AddIndex(
            model_name="patient",
            index=models.Index(
                models.OrderBy(models.F("last_visit_at"), nulls_first=True),
                models.OrderBy(models.F("id")),
                condition=models.Q(("status", "active")),
                include=("created_at",),
                name="patient_active_last_visit",
            ),
        ),
    ]
