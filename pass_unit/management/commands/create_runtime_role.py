"""`manage.py create_runtime_role --name pass_unit_app`: the least-privileged role the application runs as.

Run as the owner role (the one that runs `migrate`; DATABASE_OWNER_URL when it is set, see the
README). The runtime role may read and write the application's rows, and nothing more:

- SELECT, INSERT, UPDATE, DELETE on every table of the schema, except
  the audit trail (pass_unit_auditevent): SELECT and INSERT only, and
  django_migrations: SELECT only;
- USAGE and SELECT on the sequences;
- the same rights on tables and sequences the owner creates later (default privileges),
  the audit table excepted: it already exists.

It owns nothing and gets no TRUNCATE, REFERENCES, TRIGGER or CREATE right: it cannot alter the
schema, drop or replace the append-only trigger, nor empty or purge the audit trail (the purge's
transaction-local switch is useless without the DELETE right). Running the command again
re-applies the grants (after new migrations, for instance) and, with a password, resets it.
"""

import os

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from psycopg import sql

from pass_unit.models import AuditEvent

READ_ONLY_TABLES = ["django_migrations"]


def grant_runtime_role(cursor, *, name: str, password: str | None = None, login: bool = True) -> list[str]:
    """Create (or update) the runtime role `name` and grant it its rights; return notes for the operator."""
    notes = []
    role = sql.Identifier(name)
    cursor.execute("SELECT current_user, current_database(), current_schema()")
    owner, database, schema = cursor.fetchone()
    if name == owner:
        raise CommandError("The runtime role must not be the owner role that runs this command.")
    cursor.execute("SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = %s", [name])
    existing = cursor.fetchone()
    if existing and any(existing):
        raise CommandError(f"The role {name} is a superuser or may create roles or databases: choose another name.")
    cursor.execute(
        "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE r.rolname = %s AND n.nspname = %s",
        [name, schema],
    )
    if cursor.fetchone()[0]:
        raise CommandError(f"The role {name} owns tables of the schema {schema}: it cannot be the runtime role.")

    options = sql.SQL("LOGIN" if login else "NOLOGIN")
    limits = sql.SQL("NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS")
    if existing is None:
        cursor.execute(sql.SQL("CREATE ROLE {} {} {}").format(role, options, limits))
        notes.append(f"Role {name} created.")
    else:
        cursor.execute(sql.SQL("ALTER ROLE {} {} {}").format(role, options, limits))
        notes.append(f"Role {name} already exists: its rights are applied again.")
    if password:
        cursor.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(role, sql.Literal(password)))
        notes.append("Password set.")

    audit = sql.Identifier(AuditEvent._meta.db_table)
    statements = [
        sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(sql.Identifier(database), role),
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(schema), role),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}").format(
            sql.Identifier(schema), role
        ),
        # Rights an earlier, looser setup may have given: taken back.
        sql.SQL("REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {} FROM {}").format(
            sql.Identifier(schema), role
        ),
        sql.SQL("REVOKE UPDATE, DELETE ON {} FROM {}").format(audit, role),
        *(
            sql.SQL("REVOKE INSERT, UPDATE, DELETE ON {} FROM {}").format(sql.Identifier(t), role)
            for t in READ_ONLY_TABLES
        ),
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(sql.Identifier(schema), role),
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {}"
        ).format(sql.Identifier(owner), sql.Identifier(schema), role),
        sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} GRANT USAGE, SELECT ON SEQUENCES TO {}").format(
            sql.Identifier(owner), sql.Identifier(schema), role
        ),
    ]
    for statement in statements:
        cursor.execute(statement)

    # Before PostgreSQL 15 every role may create objects in the public schema: not the runtime role.
    cursor.execute("SELECT has_schema_privilege(%s, %s, 'CREATE')", [name, schema])
    if cursor.fetchone()[0]:
        cursor.execute(sql.SQL("REVOKE CREATE ON SCHEMA {} FROM PUBLIC").format(sql.Identifier(schema)))
        notes.append(f"CREATE on schema {schema} revoked from PUBLIC (the default before PostgreSQL 15).")
        cursor.execute("SELECT has_schema_privilege(%s, %s, 'CREATE')", [name, schema])
        if cursor.fetchone()[0]:
            notes.append(f"Warning: {name} may still create objects in {schema} (a grant to it or to a group).")
    return notes


class Command(BaseCommand):
    help = "Create or update the least-privileged role the application connects as (run it as the owner role)."

    def add_arguments(self, parser):
        parser.add_argument("--name", default="pass_unit_app", help="Role name (default: pass_unit_app).")
        parser.add_argument(
            "--password-env",
            default="PASS_UNIT_APP_PASSWORD",
            help="Environment variable holding the role's password (default: PASS_UNIT_APP_PASSWORD); "
            "unset: the password is left as it is (or none, for socket/peer authentication).",
        )
        parser.add_argument("--nologin", action="store_true", help="A group role (NOLOGIN) rather than a login role.")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Django database alias (default: default).")

    def handle(self, *args, name, password_env, nologin, database, **options):
        password = os.environ.get(password_env) or None
        connection = connections[database]
        with transaction.atomic(using=database), connection.cursor() as cursor:
            notes = grant_runtime_role(cursor, name=name, password=password, login=not nologin)
        for note in notes:
            self.stdout.write(note)
        self.stdout.write(
            f"{name} may read and write the application's rows; it cannot change the schema, "
            "nor update, delete or truncate the audit trail."
        )
