"""Issue 11, the budget's year totals at 100,000 patients.

`budget_expensemonthtotal`: the expenses of each month summed by (category, status), with their
number of lines, kept by PostgreSQL. Statement-level triggers with transition tables on
`budget_expense` (INSERT, UPDATE, DELETE) add the statement's changes in ONE grouped upsert,
whatever wrote the lines: the services, the pharmacy import's bulk_create, the seed's COPY of
300,000 lines, raw SQL; an update that moves no sum (a description, a reference) writes nothing;
a group left without lines loses its row; a TRUNCATE empties the totals. Groups are upserted in
key order, so that two statements never lock them in opposite orders.

A guard trigger refuses any other write of the totals (only a trigger one level deeper may write).
The functions are SECURITY INVOKER: they only need what the runtime role already has (SELECT,
INSERT, UPDATE, DELETE on the schema's tables, see `create_runtime_role`).

The backfill runs with the expenses locked against writes (SHARE), in the migration's
transaction, so that no line written meanwhile is missed.
"""

from django.db import migrations, models

BACKFILL = """
LOCK TABLE budget_expense IN SHARE MODE;
INSERT INTO budget_expensemonthtotal (month, category, status, amount, lines)
SELECT date_trunc('month', spent_on::timestamp)::date, category, status, sum(amount), count(*)
FROM budget_expense GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
"""

# The upsert of the statement's deltas (following a CTE named `deltas`: month, category, status, amount, lines),
# then the removal of the groups it emptied.
APPLY = """
    , upserted AS (
        INSERT INTO budget_expensemonthtotal AS t (month, category, status, amount, lines)
        SELECT month, category, status, amount, lines FROM deltas ORDER BY month, category, status
        ON CONFLICT ON CONSTRAINT expense_month_total_unique
        DO UPDATE SET amount = t.amount + EXCLUDED.amount, lines = t.lines + EXCLUDED.lines
        RETURNING t.id, t.lines
    )
    SELECT array_agg(id) FILTER (WHERE lines = 0) INTO emptied FROM upserted;
    IF emptied IS NOT NULL THEN
        DELETE FROM budget_expensemonthtotal WHERE id = ANY (emptied);
    END IF;
"""

GROUPED = """
    SELECT month, category, status, sum(amount) AS amount, sum(lines)::integer AS lines
    FROM changes GROUP BY month, category, status
"""

TRIGGERS = f"""
CREATE FUNCTION budget_expense_month_totals() RETURNS trigger
LANGUAGE plpgsql SECURITY INVOKER AS $$
DECLARE
    emptied bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        WITH changes AS (
            SELECT date_trunc('month', spent_on::timestamp)::date AS month, category, status, amount, 1 AS lines
            FROM new_expenses
        ), deltas AS ({GROUPED})
        {APPLY}
    ELSIF TG_OP = 'DELETE' THEN
        WITH changes AS (
            SELECT date_trunc('month', spent_on::timestamp)::date AS month, category, status,
                   -amount AS amount, -1 AS lines
            FROM old_expenses
        ), deltas AS ({GROUPED})
        {APPLY}
    ELSE
        -- Only the lines whose month, category, status or amount changed; then only the groups
        -- whose sum or count moved.
        WITH moved AS (
            SELECT o.spent_on AS old_on, o.category AS old_category, o.status AS old_status, o.amount AS old_amount,
                   n.spent_on, n.category, n.status, n.amount
            FROM old_expenses AS o JOIN new_expenses AS n ON n.id = o.id
            WHERE date_trunc('month', o.spent_on::timestamp) <> date_trunc('month', n.spent_on::timestamp)
                OR o.category <> n.category OR o.status <> n.status OR o.amount <> n.amount
        ), changes AS (
            SELECT date_trunc('month', spent_on::timestamp)::date AS month, category, status, amount, 1 AS lines
            FROM moved
            UNION ALL
            SELECT date_trunc('month', old_on::timestamp)::date, old_category, old_status, -old_amount, -1 FROM moved
        ), deltas AS ({GROUPED} HAVING sum(amount) <> 0 OR sum(lines) <> 0)
        {APPLY}
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER budget_expense_month_totals_insert
AFTER INSERT ON budget_expense REFERENCING NEW TABLE AS new_expenses
FOR EACH STATEMENT EXECUTE FUNCTION budget_expense_month_totals();

CREATE TRIGGER budget_expense_month_totals_update
AFTER UPDATE ON budget_expense REFERENCING OLD TABLE AS old_expenses NEW TABLE AS new_expenses
FOR EACH STATEMENT EXECUTE FUNCTION budget_expense_month_totals();

CREATE TRIGGER budget_expense_month_totals_delete
AFTER DELETE ON budget_expense REFERENCING OLD TABLE AS old_expenses
FOR EACH STATEMENT EXECUTE FUNCTION budget_expense_month_totals();

CREATE FUNCTION budget_expense_month_totals_truncate() RETURNS trigger
LANGUAGE plpgsql SECURITY INVOKER AS $$
BEGIN
    DELETE FROM budget_expensemonthtotal;
    RETURN NULL;
END
$$;

CREATE TRIGGER budget_expense_month_totals_truncate
AFTER TRUNCATE ON budget_expense
FOR EACH STATEMENT EXECUTE FUNCTION budget_expense_month_totals_truncate();

CREATE FUNCTION budget_expensemonthtotal_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY INVOKER AS $$
BEGIN
    -- Only the triggers above (one trigger level deeper) write the totals.
    IF pg_trigger_depth() < 2 THEN
        RAISE EXCEPTION 'budget_expensemonthtotal is kept by the triggers on budget_expense'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER budget_expensemonthtotal_guard
BEFORE INSERT OR UPDATE OR DELETE ON budget_expensemonthtotal
FOR EACH ROW EXECUTE FUNCTION budget_expensemonthtotal_guard();
"""

DROP_TRIGGERS = """
DROP TRIGGER budget_expensemonthtotal_guard ON budget_expensemonthtotal;
DROP FUNCTION budget_expensemonthtotal_guard();
DROP TRIGGER budget_expense_month_totals_truncate ON budget_expense;
DROP FUNCTION budget_expense_month_totals_truncate();
DROP TRIGGER budget_expense_month_totals_delete ON budget_expense;
DROP TRIGGER budget_expense_month_totals_update ON budget_expense;
DROP TRIGGER budget_expense_month_totals_insert ON budget_expense;
DROP FUNCTION budget_expense_month_totals();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("budget", "0004_expense_index_only_totals"),
    ]

    operations = [
        migrations.CreateModel(
            name="ExpenseMonthTotal",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("month", models.DateField()),
                (
                    "category",
                    models.CharField(
                        choices=[
                            ("medicines", "Medicines"),
                            ("lab", "Lab tests"),
                            ("imaging", "Imaging"),
                            ("specialist", "Specialist consultations"),
                            ("dental", "Dental care"),
                            ("optical", "Optical care"),
                            ("transport", "Transport"),
                            ("interpreting", "Interpreting"),
                            ("other", "Other"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("planned", "Planned"),
                            ("committed", "Committed"),
                            ("paid", "Paid"),
                            ("cancelled", "Cancelled"),
                        ],
                        max_length=20,
                    ),
                ),
                ("amount", models.DecimalField(decimal_places=2, max_digits=16)),
                ("lines", models.IntegerField()),
            ],
            options={
                "verbose_name": "expense month total",
                "verbose_name_plural": "expense month totals",
                "constraints": [
                    models.UniqueConstraint(fields=("month", "category", "status"), name="expense_month_total_unique"),
                ],
            },
        ),
        # Filled before the guard exists, then kept by the triggers.
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.RunSQL(TRIGGERS, DROP_TRIGGERS),
    ]
