"""Load test: locust (headless) against gunicorn on a demo database of its own: `make load`.

    .venv/bin/python bench/load/run.py [--users 50] [--duration 60] [--workers 3] [--patients 2000]

1. A database of its own: `pass_unit_load` on the embedded server (DATABASE_URL instead when
   set: point it at a scratch database), migrated and seeded once with the demo.
2. gunicorn `pass_unit.wsgi` with N workers on a free loopback port (DEBUG off).
3. locust, headless, bounded in users and time, loopback only (bench/load/locustfile.py):
   searches, patient files, visits recorded, items charged to the budget.
4. Every visit and expense the server confirmed is looked up by its unique tag: each must be
   in the database exactly once, and no tagged row may exist that the server did not confirm.

Prints throughput, p50/p95 per request kind, errors; writes bench/results/load.json. The
exit code is non-zero when there were errors or a duplicated or missing row.
"""

import argparse
import csv
import json
import os
import secrets
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
RESULTS = ROOT / "bench" / "results"
LOAD_DB = "pass_unit_load"
DEMO_PASSWORD = "pass-unit-demo"
ACCOUNTS = [("infirmier", "nurse"), ("medecin", "physician")]

sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pass_unit.settings")
os.environ.setdefault("DEBUG", "1")  # for seed_demo; the server runs with DEBUG off
if not os.environ.get("DATABASE_URL"):
    from pass_unit.embedded_db import database_url

    os.environ["DATABASE_URL"] = database_url(LOAD_DB)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from budget.models import CatalogueItem, Expense  # noqa: E402
from patients.models import Patient, Visit  # noqa: E402
from tests.deploy.servers import gunicorn_server, server_env  # noqa: E402


def prepare(patients: int) -> dict:
    call_command("migrate", verbosity=0)
    if not Patient.objects.exists():
        started = time.perf_counter()
        call_command("seed_demo", patients=patients, force=True, verbosity=0)
        print(f"seeded {patients} patients in {time.perf_counter() - started:.0f} s", flush=True)
    pks = list(Patient.objects.order_by("?").values_list("pk", flat=True)[:500])
    items = list(CatalogueItem.objects.active().values_list("pk", flat=True))
    if not pks or not items:
        sys.exit("The load database has no patient or no active catalogue item.")
    return {"patients": pks, "items": items, "accounts": ACCOUNTS, "password": DEMO_PASSWORD}


def aggregated(stats_csv: Path) -> tuple[dict, list[dict]]:
    rows = list(csv.DictReader(stats_csv.open(encoding="utf-8")))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    return total, [r for r in rows if r["Name"] != "Aggregated"]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def steady_state(requests: list) -> dict:
    """Figures once every simulated user has logged in (logins hash a password: a CPU burst at the start)."""
    logins = [start + elapsed / 1000 for start, name, elapsed, _ in requests if name.startswith("/accounts/login/")]
    since = max(logins, default=0.0)
    after = [(start, elapsed, failed) for start, name, elapsed, failed in requests if start >= since]
    span = (max(s for s, _, _ in after) - since) if after else 0.0
    times = [elapsed for _, elapsed, _ in after]
    return {
        "from_s_after_start": round(since - min((r[0] for r in requests), default=since), 1),
        "requests": len(after),
        "failures": sum(1 for _, _, failed in after if failed),
        "throughput_rps": round(len(after) / span, 1) if span else 0.0,
        "p50_ms": round(percentile(times, 0.50)),
        "p95_ms": round(percentile(times, 0.95)),
        "p99_ms": round(percentile(times, 0.99)),
    }


def check_rows(run_id: str, confirmed: dict) -> dict:
    """Each confirmed tag once in the database; no unconfirmed tagged row."""
    prefix = f"load-{run_id}-"
    found = {
        "visits": Counter(Visit.objects.filter(notes__startswith=prefix).values_list("notes", flat=True)),
        "expenses": Counter(Expense.objects.filter(reference__startswith=prefix).values_list("reference", flat=True)),
    }
    report = {}
    for kind in ("visits", "expenses"):
        wanted = set(confirmed[kind])
        report[kind] = {
            "confirmed": len(confirmed[kind]),
            "in_database": sum(found[kind].values()),
            "missing": sorted(wanted - set(found[kind])),
            "duplicated": sorted(t for t, n in found[kind].items() if n > 1),
            "unconfirmed": sorted(set(found[kind]) - wanted),
            "tags_reused": len(confirmed[kind]) - len(wanted),
        }
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=int, default=60, help="seconds")
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--patients", type=int, default=2000, help="demo size when the load database is empty")
    args = parser.parse_args()

    RESULTS.mkdir(parents=True, exist_ok=True)
    fixture = prepare(args.patients)
    print(f"{Patient.objects.count()} patients, {Visit.objects.count()} visits, {Expense.objects.count()} expenses")
    run_id = time.strftime("%Y%m%d%H%M%S") + secrets.token_hex(2)
    fixture_file, tags_file = RESULTS / "load-fixture.json", RESULTS / "load-tags.json"
    fixture_file.write_text(json.dumps(fixture))
    tags_file.unlink(missing_ok=True)
    connection.close()

    env = server_env(os.environ["DATABASE_URL"])
    log = RESULTS / "load-gunicorn.log"
    with gunicorn_server(env, workers=args.workers, log=log) as base:
        print(f"gunicorn ({args.workers} workers) on {base}; locust: {args.users} users for {args.duration} s")
        locust = [
            str(Path(sys.executable).with_name("locust")),
            "-f",
            str(ROOT / "bench" / "load" / "locustfile.py"),
            "--headless",
            "--users",
            str(args.users),
            "--spawn-rate",
            str(args.spawn_rate),
            "--run-time",
            f"{args.duration}s",
            "--host",
            base,
            "--csv",
            str(RESULTS / "load"),
            "--only-summary",
            "--stop-timeout",
            "30",
            "--loglevel",
            "WARNING",
        ]
        locust_env = {
            **os.environ,
            "LOAD_FIXTURE": str(fixture_file),
            "LOAD_TAGS_OUT": str(tags_file),
            "LOAD_RUN_ID": run_id,
        }
        completed = subprocess.run(locust, env=locust_env, cwd=ROOT, check=False)

    total, rows = aggregated(RESULTS / "load_stats.csv")
    confirmed = json.loads(tags_file.read_text())
    rows_check = check_rows(run_id, confirmed)
    seconds = args.duration
    steady = steady_state(confirmed["requests"])
    summary = {
        "users": args.users,
        "duration_s": seconds,
        "workers": args.workers,
        "patients": Patient.objects.count(),
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "throughput_rps": float(total["Requests/s"]),
        "p50_ms": float(total["50%"]),
        "p95_ms": float(total["95%"]),
        "p99_ms": float(total["99%"]),
        "by_request": {
            r["Name"]: {
                "requests": int(r["Request Count"]),
                "failures": int(r["Failure Count"]),
                "p50_ms": float(r["50%"]),
                "p95_ms": float(r["95%"]),
            }
            for r in rows
        },
        "steady_state": steady,
        "rows": rows_check,
        "locust_exit_code": completed.returncode,
    }
    (RESULTS / "load.json").write_text(json.dumps(summary, indent=2))

    print(
        f"\n{summary['requests']} requests, {summary['throughput_rps']:.1f} requests/s, "
        f"p50 {summary['p50_ms']:.0f} ms, p95 {summary['p95_ms']:.0f} ms, p99 {summary['p99_ms']:.0f} ms, "
        f"{summary['failures']} errors"
    )
    st = summary["steady_state"]
    print(
        f"once every user has logged in ({st['from_s_after_start']} s in): {st['requests']} requests, "
        f"{st['throughput_rps']:.1f} requests/s, p50 {st['p50_ms']} ms, p95 {st['p95_ms']} ms, "
        f"p99 {st['p99_ms']} ms, {st['failures']} errors"
    )
    for name, r in summary["by_request"].items():
        figures = f"p50 {r['p50_ms']:6.0f} ms  p95 {r['p95_ms']:6.0f} ms  {r['failures']} errors"
        print(f"  {name:<42} {r['requests']:6d}  {figures}")
    bad = False
    for kind, r in rows_check.items():
        print(
            f"  {kind}: {r['confirmed']} confirmed, {r['in_database']} in the database, "
            f"{len(r['missing'])} missing, {len(r['duplicated'])} duplicated, {len(r['unconfirmed'])} unconfirmed"
        )
        bad |= bool(r["missing"] or r["duplicated"] or r["unconfirmed"] or r["tags_reused"])
    if summary["failures"]:
        print(f"errors: see {RESULTS / 'load_failures.csv'} and {log}")
    return 1 if bad or summary["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
