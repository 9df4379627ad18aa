"""Patient search, list and file pages on a large demo: `python bench/bench_patients.py [N]`.

Seeds N demo patients (default 5000) into a dedicated database `pass_unit_bench`
(created once, reused afterwards), then times the search queries and the pages
as a logged-in social worker and physician would load them. Figures: median and
worst of 15 runs, in milliseconds, and the SQL query count of each page.
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

BENCH_DB = "pass_unit_bench"
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

from patients.models import Patient  # noqa: E402

RUNS = 15


def timed(label: str, func) -> None:
    func()  # warm-up
    connection.queries_log.clear()
    samples = []
    with CaptureQueriesContext(connection) as queries:
        func()
    for _ in range(RUNS):
        start = time.perf_counter()
        func()
        samples.append((time.perf_counter() - start) * 1000)
    print(
        f"  {label:<42} median {statistics.median(samples):7.1f} ms   worst {max(samples):7.1f} ms"
        f"   {len(queries)} queries"
    )


def main() -> None:
    wanted = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    call_command("migrate", verbosity=0)
    if not Patient.objects.exists():
        start = time.perf_counter()
        call_command("seed_demo", patients=wanted, force=True, verbosity=0)
        print(f"  seeded {wanted} patients in {time.perf_counter() - start:.1f} s")
    count = Patient.objects.count()
    print(f"  {count} patients, {connection.vendor} {connection.pg_version // 10000}")
    for query in ["Mohamed", "eloise nguyen", "diallo 1990", "PASS-2026-00042", "konate"]:
        found = Patient.objects.search(query)
        timed(f"search {query!r} ({found.count()} found)", lambda found=found: list(found[:25]))
    social, physician = Client(), Client()
    social.force_login(User.objects.get(username="social"))
    physician.force_login(User.objects.get(username="medecin"))
    patient = Patient.objects.order_by("pk").first()
    timed("GET /patients/ (social worker)", lambda: social.get("/patients/"))
    timed("GET /patients/?q=mohamed", lambda: social.get("/patients/?q=mohamed"))
    timed("GET /patients/?coverage=ame", lambda: social.get("/patients/?coverage=ame"))
    timed(f"GET /patients/{patient.pk}/ (physician)", lambda: physician.get(f"/patients/{patient.pk}/"))
    timed("GET / (dashboard, physician)", lambda: physician.get("/"))


if __name__ == "__main__":
    main()
