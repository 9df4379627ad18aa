"""Patient search at scale: `python bench/bench_search.py [N]` (or `python bench/run.py bench_search`).

Bulk-creates N patients (default 100,000) into a dedicated database `pass_unit_bench_search`
(created once, reused afterwards) with names drawn from the demo's origins and the search
evaluation set, aliases on one file in six; then times the search as the patient list runs it
(count + first page of 25) for a mix of queries: exact, misspelt, swapped, joined, other
scripts, symbols only, name + year, file number, a common first name alone. Prints p50/p95 per
query and over all, the page /patients/?q=… and the query plan of the name candidates.
"""

import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pass_unit.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

BENCH_DB = "pass_unit_bench_search"
if not os.environ.get("DATABASE_URL"):
    from pass_unit.embedded_db import database_url

    os.environ["DATABASE_URL"] = database_url(BENCH_DB)

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.test import Client  # noqa: E402

from pass_unit.lib.text import name_keys, normalize  # noqa: E402
from pass_unit.roles import Role  # noqa: E402
from patients.demo_data import ORIGINS  # noqa: E402
from patients.models import SEARCH_CANDIDATES, Patient, _token_weight  # noqa: E402
from patients.selectors import find_duplicates  # noqa: E402
from tests.patients.search_eval import registered  # noqa: E402

RUNS = 20
BATCH = 5000
QUERIES = [
    "Diallo Mamadou",  # exact, very common names
    "Mamadu Dialo",  # two words misspelt, swapped
    "Mohamed",  # a common first name alone: the limit of the list
    "Muhamad Benalli",
    "Elamrani Youssef",  # joined
    "Abdel Kader",  # split
    "Kouznetsova Tatyana",
    "Петренко Олена",  # Cyrillic
    "أحمد الحسين",  # Arabic
    "Traore 1989",  # name + year
    "PASS-2021-04242",  # file number
    "4242",  # short file number, every year
    "%_'",  # symbols only
    "Zyxwvut",  # nothing
    "ben",  # being typed
]


def _name_pools():
    lasts, firsts = set(), set()
    for origin in ORIGINS.values():
        firsts.update(origin.male)
        firsts.update(origin.female)
        lasts.update(origin.last)
    for person in registered():
        lasts.add(person.last_name.title())
        firsts.add(person.first_name)
    return sorted(lasts), sorted(firsts)


def populate(wanted: int) -> None:
    existing = Patient.objects.count()
    if existing >= wanted:
        return
    lasts, firsts = _name_pools()
    eval_aliases = [alias for person in registered() for alias in person.aliases]
    rng = random.Random(2026)
    start = time.perf_counter()
    rows = []
    for n in range(existing + 1, wanted + 1):
        first = rng.choice(firsts)
        if rng.random() < 0.1:
            first += " " + rng.choice(firsts)
        aliases = []
        if rng.random() < 1 / 6:
            aliases.append(rng.choice(eval_aliases) if rng.random() < 0.3 else f"{rng.choice(lasts)} {first}")
        patient = Patient(
            file_number=f"PASS-{2018 + n % 9}-{n:05d}",
            last_name=rng.choice(lasts),
            first_name=first,
            aliases=aliases,
            birth_year=rng.randint(1940, 2008),
            sex=rng.choice("FM"),
            ipp=f"80{n:08d}",
        )
        patient.set_search_fields()
        rows.append(patient)
        if len(rows) == BATCH:
            Patient.objects.bulk_create(rows)
            rows = []
    Patient.objects.bulk_create(rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE patients_patient")
    print(f"  created {wanted - existing} patients in {time.perf_counter() - start:.0f} s")


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def search_as_the_list_does(query: str) -> int:
    qs = Patient.objects.active().search(query)
    count = qs.count()
    list(qs[:25])
    return count


def candidate_plan(query: str) -> str:
    names = normalize(query).split()
    # The candidate query of PatientQuerySet._rank_names, planned as _through_indexes runs it.
    retrieve = Q(search_keys__overlap=name_keys([" ".join(names)]))
    retrieve |= Q(search_text__startswith=names[-1]) | Q(search_text__contains=" " + names[-1])
    qs = (
        Patient.objects.active()
        .filter(retrieve)
        .annotate(weight=_token_weight(names))
        .order_by("-weight", "pk")
        .values_list("pk", "last_name", "first_name", "usage_name", "aliases")[:SEARCH_CANDIDATES]
    )
    sql, params = qs.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        transaction.set_rollback(True)
    return plan


def main() -> None:
    wanted = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    call_command("migrate", verbosity=0)
    populate(wanted)
    print(f"  {Patient.objects.count()} patients, {connection.vendor} {connection.pg_version // 10000}")
    everything = []
    for query in QUERIES:
        found = search_as_the_list_does(query)  # warm-up
        samples = []
        for _ in range(RUNS):
            start = time.perf_counter()
            search_as_the_list_does(query)
            samples.append((time.perf_counter() - start) * 1000)
        everything += samples
        print(
            f"  search {query!r:<26} {found:>5} found   p50 {statistics.median(samples):6.1f} ms"
            f"   p95 {percentile(samples, 95):6.1f} ms"
        )
    print(
        f"  ALL {len(everything)} searches: p50 {statistics.median(everything):.1f} ms,"
        f" p95 {percentile(everything, 95):.1f} ms, max {max(everything):.1f} ms"
    )
    duplicates = []
    for _ in range(RUNS):
        start = time.perf_counter()
        list(find_duplicates(last_name="Dialo", first_name="Mamadu", aliases=["Diallo Mamadou"], birth_year=1988))
        duplicates.append((time.perf_counter() - start) * 1000)
    print(
        f"  intake duplicate check (Dialo Mamadu, 1988)   p50 {statistics.median(duplicates):.1f} ms,"
        f" p95 {percentile(duplicates, 95):.1f} ms"
    )
    user, _ = User.objects.get_or_create(username="bench-reception")
    user.groups.set([Group.objects.get(name=Role.RECEPTION)])
    client = Client()
    client.force_login(user)
    pages = []
    for _ in range(RUNS):
        start = time.perf_counter()
        client.get("/patients/", {"q": "Mamadu Dialo"})
        pages.append((time.perf_counter() - start) * 1000)
    print(
        f"  GET /patients/?q=Mamadu+Dialo   p50 {statistics.median(pages):.1f} ms, p95 {percentile(pages, 95):.1f} ms"
    )
    print("  plan of the name candidates for 'Mamadu Dialo':")
    for line in candidate_plan("Mamadu Dialo").splitlines():
        print("    " + line)


if __name__ == "__main__":
    main()
