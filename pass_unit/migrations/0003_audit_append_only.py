from django.db import migrations

# The audit trail is append-only: PostgreSQL itself refuses UPDATE and DELETE.
# (TRUNCATE is left to the table owner: the test runner empties tables with it.)
# Retention purges (pass_unit.management.commands.purge_audit) lift the guard for
# their own transaction only, through a transaction-local setting.
SQL = """
CREATE OR REPLACE FUNCTION pass_unit_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('pass_unit.audit_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit trail is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER pass_unit_audit_append_only
    BEFORE UPDATE OR DELETE ON pass_unit_auditevent
    FOR EACH ROW EXECUTE FUNCTION pass_unit_audit_append_only();
"""

REVERSE = """
DROP TRIGGER IF EXISTS pass_unit_audit_append_only ON pass_unit_auditevent;
DROP FUNCTION IF EXISTS pass_unit_audit_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("pass_unit", "0002_roles")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
