"""`manage.py restore_db PATH --target-db NAME [--create]`: pg_restore a backup_db dump into a NEW database.

Restoring over the live database is refused (unless --force-into-current): the restore would
first drop the tables the running application is using, and a dump that turns out to be
truncated, of the wrong version or simply older than expected would then replace good data.
Restore into a new database, check it, then switch the application to it (docs/backup.md).
"""

import subprocess
import time
from dataclasses import replace
from pathlib import Path

import psycopg
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from psycopg import sql

from pass_unit.lib import pgtools

USER_RELATIONS = """
SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast'
"""


class Command(BaseCommand):
    help = "Restore a backup_db dump into a new database (pg_restore --no-owner --exit-on-error)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="Dump file written by backup_db (pg_dump -Fc).")
        parser.add_argument("--target-db", required=True, help="Database to restore into: a new, empty one.")
        parser.add_argument("--create", action="store_true", help="Create the target database first.")
        parser.add_argument(
            "--force-into-current",
            action="store_true",
            help="Allow restoring over the database the application uses (drops its objects first).",
        )
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive", help="Do not ask for confirmation."
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Django database alias (default: default).")

    def handle(self, *args, path: Path, target_db: str, create: bool, force_into_current: bool, **options):
        alias = options["database"]
        interactive = options["interactive"]
        try:
            params = pgtools.connection_params(alias)
        except pgtools.PgToolsError as exc:
            raise CommandError(str(exc)) from exc
        live_name = connections[alias].settings_dict["NAME"]
        into_current = target_db == live_name
        if into_current and not force_into_current:
            raise CommandError(
                f"Refusing to restore into {target_db!r}: it is the database the application uses. "
                "A restore over it would drop the live tables first, and a bad or older dump would then "
                "replace good data. Restore into a new database (--target-db NEW --create), check it, then "
                "switch to it (docs/backup.md). Use --force-into-current only when that is really intended."
            )
        if into_current and create:
            raise CommandError("--create and --force-into-current exclude each other: the current database exists.")
        path = path.expanduser().absolute()
        if not path.is_file():
            raise CommandError(f"No such dump file: {path}")
        try:
            pg_restore = pgtools.pg_binary("pg_restore", alias)
        except pgtools.PgToolsError as exc:
            raise CommandError(str(exc)) from exc

        target = replace(params, dbname=target_db)
        if into_current:
            self._confirm(target_db, interactive)
        elif create:
            self._create_database(params, target_db)
        else:
            self._check_empty(target)

        command = [str(pg_restore), "--no-owner", "--exit-on-error", "--no-password", *target.cli_args()]
        if into_current:
            # All or nothing: drop and recreate every object in one transaction.
            command += ["--clean", "--if-exists", "--single-transaction"]
        command.append(str(path))
        started = time.monotonic()
        try:
            result = subprocess.run(command, env=target.env(), capture_output=True, text=True)
        except OSError as exc:
            raise CommandError(f"Cannot run {pg_restore}: {exc}") from exc
        if result.returncode != 0:
            note = ""
            if create:
                self._drop_database(params, target_db)
                note = f"\nThe database {target_db!r} created for this restore has been dropped again."
            raise CommandError(f"pg_restore failed (exit {result.returncode}):\n{result.stderr.strip()}{note}")
        elapsed = time.monotonic() - started
        tables = self._count_relations(target, "r")
        self.stdout.write(f"Restored {path} into {target_db!r}: {tables} tables, {elapsed:.1f} s.")
        if not into_current:
            self.stdout.write("Check it, then switch the application to it: see docs/backup.md.")

    def _confirm(self, name: str, interactive: bool) -> None:
        if not interactive:
            return
        answer = input(
            f"This drops every object of the live database {name!r} and replaces it with the dump.\n"
            "Type 'yes' to continue: "
        )
        if answer.strip().lower() != "yes":
            raise CommandError("Restore cancelled.")

    def _create_database(self, params: pgtools.ConnParams, name: str) -> None:
        # From template0: the dump recreates extensions and objects itself.
        statement = sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name))
        try:
            with psycopg.connect(**params.psycopg_kwargs(), autocommit=True) as conn:
                conn.execute(statement)
        except psycopg.errors.DuplicateDatabase as exc:
            raise CommandError(f"The database {name!r} already exists: choose a new name.") from exc
        except psycopg.Error as exc:
            raise CommandError(f"Cannot create the database {name!r}: {exc}") from exc

    def _drop_database(self, params: pgtools.ConnParams, name: str) -> None:
        statement = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        try:
            with psycopg.connect(**params.psycopg_kwargs(), autocommit=True) as conn:
                conn.execute(statement)
        except psycopg.Error as exc:
            self.stderr.write(f"Could not drop {name!r}: {exc}")

    def _check_empty(self, target: pgtools.ConnParams) -> None:
        try:
            count = self._count_relations(target)
        except psycopg.OperationalError as exc:
            raise CommandError(
                f"Cannot connect to the target database {target.dbname!r} (add --create to create it): {exc}"
            ) from exc
        if count:
            raise CommandError(
                f"The target database {target.dbname!r} is not empty ({count} tables, views or sequences): "
                "restore into a new, empty database."
            )

    def _count_relations(self, target: pgtools.ConnParams, kind: str | None = None) -> int:
        query = USER_RELATIONS + (" AND c.relkind = %s" if kind else "")
        with psycopg.connect(**target.psycopg_kwargs()) as conn:
            return conn.execute(query, [kind] if kind else None).fetchone()[0]
