from django.db import migrations

# Validated minutes are stored once and served identical every time: PostgreSQL itself
# refuses to UPDATE a stored version or a patient's extract. (A correction is a new row;
# DELETE stays possible for the retention purge of records past their keeping period.)
SQL = """
CREATE OR REPLACE FUNCTION rcp_minutes_never_updated() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'validated minutes are never rewritten (% on % refused)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER rcp_minutesversion_never_updated
    BEFORE UPDATE ON rcp_minutesversion
    FOR EACH ROW EXECUTE FUNCTION rcp_minutes_never_updated();

CREATE TRIGGER rcp_minutesextract_never_updated
    BEFORE UPDATE ON rcp_minutesextract
    FOR EACH ROW EXECUTE FUNCTION rcp_minutes_never_updated();
"""

REVERSE = """
DROP TRIGGER IF EXISTS rcp_minutesversion_never_updated ON rcp_minutesversion;
DROP TRIGGER IF EXISTS rcp_minutesextract_never_updated ON rcp_minutesextract;
DROP FUNCTION IF EXISTS rcp_minutes_never_updated();
"""


class Migration(migrations.Migration):
    dependencies = [("rcp", "0001_meetings_cases_minutes")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
