"""The activity report and the home dashboard on a large demo: `python bench/bench_report.py [N]`.

Seeds N demo patients (default 5000) into a dedicated database `pass_unit_bench_report` (created
once, reused afterwards), then times, as the demo accounts would load them:
- /reports/activity/<year>/ (coordinator), its PDF and XLSX, and the data-quality worklist;
- / (the home dashboard) for the coordinator, the social worker and the physician;
- a trivial logged-in page (/accounts/password/) as the yardstick: the ratio says what the page
  costs beyond the request itself (session, user, middleware, base template).
Figures: p50 and p95 of RUNS runs in milliseconds, the ratio of the p50 to the yardstick's, and
the SQL query count. Then EXPLAIN of every query of the report: which big tables are read whole.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pass_unit.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

BENCH_DB = "pass_unit_bench_report"
if not os.environ.get("DATABASE_URL"):
    from pass_unit.embedded_db import database_url

    os.environ["DATABASE_URL"] = database_url(BENCH_DB)

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from patients.models import Patient, Visit  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "20"))
BIG_TABLES = ("patients_patient", "patients_visit", "patients_coverageright", "rcp_action", "budget_expense")


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def timed(label: str, func, *, runs: int = RUNS, baseline: float | None = None) -> float:
    response = func()  # warm-up
    assert response.status_code == 200, (label, response.status_code)
    connection.queries_log.clear()  # a full log (seeding, DEBUG) would make the capture count 0
    with CaptureQueriesContext(connection) as queries:
        func()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        samples.append((time.perf_counter() - start) * 1000)
    p50, p95 = statistics.median(samples), percentile(samples, 0.95)
    ratio = f"  ×{p50 / baseline:5.1f}" if baseline else ""
    print(f"  {label:<44} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms{ratio}   {len(queries)} queries", flush=True)
    return p50


def explain_report(year: int) -> None:
    """EXPLAIN each query of the report: the big tables read by a sequential scan, per query."""
    from datetime import date

    from pass_unit.reports.indicators import build_activity_report

    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        build_activity_report(date(year, 1, 1), date(year, 12, 31))
    seq = {}
    with connection.cursor() as cursor:
        for n, query in enumerate(queries.captured_queries, 1):
            cursor.execute("EXPLAIN " + query["sql"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
            for table in BIG_TABLES:
                if f"Seq Scan on {table}" in plan:
                    seq.setdefault(table, []).append(n)
    print(f"  EXPLAIN of the report's {len(queries)} queries: sequential scans of big tables (query numbers):")
    for table in BIG_TABLES:
        print(f"    {table:<26} {seq.get(table, []) or 'none'}")


def main() -> None:
    wanted = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    call_command("migrate", verbosity=0)
    if not Patient.objects.exists():
        start = time.perf_counter()
        call_command("seed_demo", patients=wanted, force=True, verbosity=0)
        print(f"  seeded {wanted} patients in {time.perf_counter() - start:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    year = timezone.localdate().year
    print(
        f"  {Patient.objects.count()} patients, {Visit.objects.count()} visits, "
        f"{connection.vendor} {connection.pg_version // 10000}, {RUNS} runs each",
        flush=True,
    )
    clients = {}
    for username in ("coordination", "social", "medecin"):
        clients[username] = Client()
        clients[username].force_login(User.objects.get(username=username))
    coordinator = clients["coordination"]
    base = timed("GET /accounts/password/ (yardstick)", lambda: coordinator.get("/accounts/password/"))
    report = f"/reports/activity/{year}/"
    timed(f"GET {report} (coordinator)", lambda: coordinator.get(report), baseline=base)
    timed(f"GET {report}quality/ (worklist)", lambda: coordinator.get(f"{report}quality/"), baseline=base)
    timed(f"GET {report}report.xlsx", lambda: coordinator.get(f"{report}report.xlsx"), runs=5, baseline=base)
    timed(f"GET {report}report.pdf", lambda: coordinator.get(f"{report}report.pdf"), runs=5, baseline=base)
    for username, role in (("coordination", "coordinator"), ("social", "social worker"), ("medecin", "physician")):
        client = clients[username]
        timed(f"GET / (dashboard, {role})", lambda client=client: client.get("/"), baseline=base)
    explain_report(year)


if __name__ == "__main__":
    main()
