"""The MIG budget on a busy year: pages, exports and the pharmacy import.

    .venv/bin/python bench/bench_budget.py [--expenses 20000] [--runs 10]

Works in its own database `pass_unit_bench_budget` (migrated on first use), inside a
transaction rolled back at the end: nothing is left behind. It seeds the budget demo for
60 patients (a real PASS charges ~5 000 lines a year), adds lines until the current year
holds --expenses of them, then times the pages as the coordinator and a nurse load them,
the year's CSV and XLSX exports, and the import of a 2 000-line pharmacy file.
Figures are printed and written to bench/results/budget.json (git-ignored).
"""

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pass_unit.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
BENCH_DB = "pass_unit_bench_budget"
if not os.environ.get("DATABASE_URL"):
    from pass_unit.embedded_db import database_url

    os.environ["DATABASE_URL"] = database_url(BENCH_DB)

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from budget import demo, services  # noqa: E402
from budget.models import CatalogueItem, Expense  # noqa: E402
from pass_unit.roles import Role  # noqa: E402
from patients.models import Patient, Visit  # noqa: E402


class Rollback(Exception):
    pass


def _user(username: str, role: Role) -> User:
    user = User.objects.create_user(username=f"bench-{username}", first_name=username.title())
    user.groups.add(Group.objects.get_or_create(name=role.value)[0])
    return user


def build(expenses: int) -> dict:
    users = {
        "infirmier": _user("infirmier", Role.NURSE),
        "medecin": _user("medecin", Role.PHYSICIAN),
        "coordination": _user("coordination", Role.COORDINATOR),
    }
    opened = timezone.now() - timedelta(days=500)
    patients = []
    for n in range(60):
        patient = Patient(file_number=f"BENCH-{n:05d}", last_name=f"Bench{n}", birth_year=1980)
        patient.save()
        patients.append(patient)
    Patient.objects.filter(pk__in=[p.pk for p in patients]).update(created_at=opened)
    Visit.objects.bulk_create(
        Visit(patient=p, kind=kind, professional=users[who], occurred_at=timezone.now() - timedelta(days=days))
        for p in patients
        for days in range(3, 480, 12)
        for kind, who in [("medical", "medecin"), ("nursing", "infirmier")][days % 2 : days % 2 + 1]
    )
    start = time.perf_counter()
    demo.seed(rng=random.Random(1), users=users, patients=list(Patient.objects.filter(pk__in=[p.pk for p in patients])))
    seeded = time.perf_counter() - start
    year_lines = Expense.objects.in_year(timezone.localdate().year)
    base = list(year_lines)
    clones = []
    while len(base) + len(clones) < expenses:
        for expense in base[: expenses - len(base) - len(clones)]:
            expense.pk = None
            clones.append(expense)
    Expense.objects.bulk_create(clones, batch_size=5000)
    return {"users": users, "patients": patients, "seed_seconds": round(seeded, 2), "demo_lines": len(base)}


def timed(label: str, func, runs: int, results: dict) -> None:
    func()  # warm-up
    connection.queries_log.clear()  # a full log (DEBUG) would hide the new queries
    with CaptureQueriesContext(connection) as queries:
        response = func()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        samples.append((time.perf_counter() - start) * 1000)
    assert response.status_code == 200, (label, response.status_code)
    results[label] = {"median_ms": round(statistics.median(samples), 1), "queries": len(queries)}
    print(f"  {label:<40} median {statistics.median(samples):8.1f} ms   {len(queries):3d} queries", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--expenses", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    results = {"python": platform.python_version(), "expenses": args.expenses}
    try:
        with transaction.atomic():
            world = build(args.expenses)
            year = timezone.localdate().year
            print(
                f"  budget demo: {world['demo_lines']} lines this year, seeded in {world['seed_seconds']} s; "
                f"now {Expense.objects.in_year(year).count()} lines in {year}",
                flush=True,
            )
            results["seed_seconds"] = world["seed_seconds"]
            coordinator, nurse = Client(), Client()
            coordinator.force_login(world["users"]["coordination"])
            nurse.force_login(world["users"]["infirmier"])
            patient = world["patients"][0]
            period = {"start": f"{year}-01-01", "end": f"{year}-12-31"}
            timed("GET /budget/ (coordinator)", lambda: coordinator.get("/budget/"), args.runs, results)
            timed("GET /budget/expenses/", lambda: coordinator.get("/budget/expenses/"), args.runs, results)
            timed(
                "GET /budget/<year>/patients/",
                lambda: coordinator.get(f"/budget/{year}/patients/"),
                args.runs,
                results,
            )
            timed("GET / (dashboard, coordinator)", lambda: coordinator.get("/"), args.runs, results)
            timed(
                "GET dispense page (nurse)",
                lambda: nurse.get(f"/budget/patients/{patient.pk}/dispense/"),
                args.runs,
                results,
            )
            timed("GET patient file (nurse)", lambda: nurse.get(f"/patients/{patient.pk}/"), args.runs, results)
            timed("CSV export of the year", lambda: coordinator.get("/budget/export/expenses.csv", period), 2, results)
            timed(
                "XLSX export of the year", lambda: coordinator.get("/budget/export/expenses.xlsx", period), 2, results
            )

            rng = random.Random(2)
            codes = list(CatalogueItem.objects.filter(active=True).values_list("code", flat=True))
            today = timezone.localdate().strftime("%d/%m/%Y")
            lines = ["date;dossier;article;quantite;montant"] + [
                f"{today};{rng.choice(world['patients']).file_number};{rng.choice(codes)};1;{rng.randint(1, 300)},50"
                for _ in range(2000)
            ]
            start = time.perf_counter()
            services.pharmacy_import(
                content=("\n".join(lines) + "\n").encode(),
                file_name="bench.csv",
                acting_user=world["users"]["coordination"],
            )
            seconds = time.perf_counter() - start
            results["import_2000_lines_seconds"] = round(seconds, 2)
            print(f"  {'pharmacy import, 2000 lines':<40} {seconds * 1000:8.1f} ms", flush=True)
            raise Rollback
    except Rollback:
        pass
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "budget.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
