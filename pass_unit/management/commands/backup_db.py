"""`manage.py backup_db [--output PATH]`: a pg_dump of the database, custom format (-Fc).

The dump holds health data: it is written with mode 0600 in a 0700 folder, first under a
temporary name so that a failed dump never looks like a backup. See docs/backup.md.
"""

import os
import subprocess
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from pass_unit.lib import pgtools


def human_size(size: int) -> str:
    if size < 1000:
        return f"{size} B"
    value = size / 1000
    for unit in ("kB", "MB"):
        if value < 1000:
            return f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"


def default_output() -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return Path(settings.BASE_DIR) / "backups" / f"pass_unit-{stamp}.dump"


class Command(BaseCommand):
    help = "Dump the database with pg_dump (custom format) into a file readable by its owner only."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            "-o",
            type=Path,
            help="File to write (default: backups/pass_unit-YYYYmmdd-HHMMSS.dump in the project).",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Django database alias (default: default).")

    def handle(self, *args, output: Path | None, database: str, **options):
        output = (output or default_output()).expanduser().absolute()
        try:
            pg_dump = pgtools.pg_binary("pg_dump", database)
            params = pgtools.connection_params(database)
        except pgtools.PgToolsError as exc:
            raise CommandError(str(exc)) from exc
        if output.is_dir():
            raise CommandError(f"{output} is a folder; give a file name.")
        output.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        partial = output.with_name(f".{output.name}.partial")
        command = [str(pg_dump), "--format=custom", "--no-password", f"--file={partial}", *params.cli_args()]
        started = time.monotonic()
        try:
            # umask 077: the file is never readable by others, not even while it is written.
            result = subprocess.run(command, env=params.env(), capture_output=True, text=True, umask=0o077)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise CommandError(f"Cannot run {pg_dump}: {exc}") from exc
        if result.returncode != 0:
            partial.unlink(missing_ok=True)
            raise CommandError(f"pg_dump failed (exit {result.returncode}):\n{result.stderr.strip()}")
        os.chmod(partial, 0o600)
        os.replace(partial, output)
        elapsed = time.monotonic() - started
        size = output.stat().st_size
        self.stdout.write(f"{output} ({human_size(size)}, {elapsed:.1f} s)")
