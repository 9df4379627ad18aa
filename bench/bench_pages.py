"""The key pages at hospital scale (issue 11): `python bench/bench_pages.py [--patients 100000]`.

Works on its own database `pass_unit_bench_scale_<N>` (seeded once with `seed_demo --scale`,
reused afterwards: 100,000 patients take about two minutes), never the development data. Each
page is requested as the role that uses it, `--runs` times after a warm-up; figures: p50 and p95
in milliseconds, the SQL query count, and p50/p95 divided by those of a trivial logged-in page
(the password form) requested alternately with it, so that a busy machine shows as such. The
activity report's stored figures are computed first by the background worker (`db_worker
--batch`), as they would be before anyone opens the page. Results are
printed as a Markdown table and written to bench/results/pages-<N>.json (git-ignored).

Targets at 100,000 patients: search p95 under 50 ms; every other page p95 under 100 ms and
within 5x the trivial page; the same query count at 1,000 and at 100,000 patients.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pass_unit.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")


def _arguments():
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--only", default="", help="Time only the pages whose label contains this.")
    return parser.parse_known_args()[0]  # bench/run.py passes its own arguments


ARGS = _arguments()
BENCH_DB = f"pass_unit_bench_scale_{ARGS.patients // 1000}k"
if not os.environ.get("DATABASE_URL"):
    from pass_unit.embedded_db import database_url

    os.environ["DATABASE_URL"] = database_url(BENCH_DB)

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from patients.models import Patient  # noqa: E402
from rcp.models import Meeting  # noqa: E402

TRIVIAL = "/accounts/password/"  # the yardstick: session, user, middleware, base template
ROLES = ["accueil", "social", "infirmier", "medecin", "psy", "coordination", "admin"]


def _percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(client: Client, url: str, runs: int, trivial_client: Client, before=lambda: None) -> dict:
    """p50/p95 of `url` and of the trivial page, requested alternately (so both see the same
    load on a shared machine), and the page's query count; `before` runs, untimed, before each
    request of the page."""
    before()
    response = client.get(url)  # warm-up
    assert response.status_code == 200, (url, response.status_code)
    connection.queries_log.clear()
    before()
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    samples, trivial = [], []
    for _ in range(runs):
        before()
        start = time.perf_counter()
        trivial_client.get(TRIVIAL)
        middle = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - middle) * 1000)
        trivial.append((middle - start) * 1000)
    return {
        "p50": statistics.median(samples),
        "p95": _percentile(samples, 0.95),
        "queries": len(queries),
        "trivial_p50": statistics.median(trivial),
        "trivial_p95": _percentile(trivial, 0.95),
    }


def pages(clients: dict, year: int) -> list[tuple[str, str, str]]:
    """(label, role, url) of each page timed."""
    busiest = Patient.objects.annotate(n=Count("visits")).order_by("-n").values_list("pk", flat=True).first()
    meeting = Meeting.objects.annotate(n=Count("cases")).order_by("-n", "-scheduled_at").first()
    old_number = Patient.objects.order_by("created_at").values_list("file_number", flat=True).first()
    listed = [
        ("search: common name (mohamed)", "accueil", "/patients/?q=mohamed"),
        ("search: misspelt name (mamadou dialo)", "accueil", "/patients/?q=mamadou+dialo"),
        (f"search: file number ({old_number})", "accueil", f"/patients/?q={old_number}"),
        ("patient list", "social", "/patients/"),
        ("patient list ?status=active", "social", "/patients/?status=active"),
        ("patient list ?coverage=ame", "social", "/patients/?coverage=ame"),
        ("patient list ?coverage=uncovered", "social", "/patients/?coverage=uncovered"),
        ("patient list ?todo=rights_expiring", "social", "/patients/?todo=rights_expiring"),
        ("patient list ?todo=call_back", "social", "/patients/?todo=call_back"),
        ("patient file (busiest, physician)", "medecin", f"/patients/{busiest}/"),
        *[(f"home ({role})", role, "/") for role in ROLES],
        ("RCP list", "medecin", "/rcp/"),
        (f"RCP meeting ({meeting.cases.count()} cases)", "medecin", f"/rcp/{meeting.pk}/"),
        ("RCP meeting's whole follow-up", "medecin", f"/rcp/{meeting.pk}/follow-up/"),
        ("RCP my actions (nurse)", "infirmier", "/rcp/actions/"),
        ("budget dashboard", "coordination", "/budget/"),
        ("expense list", "coordination", "/budget/expenses/"),
        (f"activity report {year}", "coordination", f"/reports/activity/{year}/"),
        (f"activity report {year}: data-quality worklist", "coordination", f"/reports/activity/{year}/quality/"),
    ]
    return [page for page in listed if ARGS.only in page[0]]


def _compute_report_figures(client: Client, year: int) -> None:
    """The activity report is served from figures the background worker stores: open it once
    (which queues their computation, and the data-quality count's) and run the worker until the
    queue is empty, as `make run`'s worker would have done before anyone opens the page."""
    client.get(f"/reports/activity/{year}/")
    client.get("/")
    start = time.perf_counter()
    call_command("db_worker", batch=True, no_startup_delay=True, reload=False, verbosity=0)
    print(f"report figures computed by the worker in {time.perf_counter() - start:.1f} s", flush=True)


def _report(results: dict, label: str, url: str, figures: dict) -> None:
    figures["p50_ratio"] = figures["p50"] / figures["trivial_p50"]
    figures["p95_ratio"] = figures["p95"] / figures["trivial_p95"]
    results["pages"][label] = {"url": url, **figures}
    print(
        f"| {label} | {figures['p50']:.1f} | {figures['p95']:.1f} | {figures['queries']} "
        f"| {figures['trivial_p95']:.1f} | {figures['p50_ratio']:.1f} | {figures['p95_ratio']:.1f} |",
        flush=True,
    )


class _Rollback(Exception):
    pass


def _minutes_pdf(clients: dict, results: dict, runs: int = 5) -> None:
    """The draft minutes of a 20-case meeting (bench/bench_minutes.py builds it, 15 A4 pages),
    downloaded by the physician: rendered (the stored draft removed before each request, as on
    the first download after a change) and served from the store (rendered ahead by the worker).
    In a transaction rolled back afterwards: the bench database keeps no trace of it."""
    from bench.bench_minutes import build
    from rcp.models import DraftMinutes

    try:
        with transaction.atomic():
            meeting = build(20)
            url = f"/rcp/{meeting.pk}/minutes.pdf"
            forget = lambda: DraftMinutes.objects.filter(meeting=meeting).delete()  # noqa: E731
            rendered = measure(clients["medecin"], url, runs, clients["accueil"], before=forget)
            _report(results, "minutes PDF (20 cases), rendered", url, rendered)
            stored = measure(clients["medecin"], url, ARGS.runs, clients["accueil"])
            _report(results, "minutes PDF (20 cases), rendered ahead", url, stored)
            raise _Rollback
    except _Rollback:
        pass


def main() -> None:
    call_command("migrate", verbosity=0)
    if not Patient.objects.exists():
        start = time.perf_counter()
        call_command("seed_demo", patients=ARGS.patients, scale=True, force=True, verbosity=0)
        print(f"seeded {ARGS.patients} patients in {time.perf_counter() - start:.0f} s", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    count = Patient.objects.count()
    clients = {}
    for role in ROLES:
        clients[role] = Client()
        clients[role].force_login(User.objects.get(username=role))
    year = timezone.localdate().year
    _compute_report_figures(clients["coordination"], year)
    print(f"{count} patients, {ARGS.runs} runs; each page alternates with the trivial page {TRIVIAL}\n")
    print("| page | p50 ms | p95 ms | queries | trivial p95 ms | p50 ratio | p95 ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    results = {"patients": count, "runs": ARGS.runs, "pages": {}}
    for label, role, url in pages(clients, year):
        _report(results, label, url, measure(clients[role], url, ARGS.runs, clients["accueil"]))
    if "minutes PDF" in ARGS.only or not ARGS.only:
        _minutes_pdf(clients, results)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"pages-{count}.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
