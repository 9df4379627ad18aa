"""The search evaluation set (search_eval.py) run against the real database, among distractors.

Figures (recall at 10, false matches) are printed with `-s` and reported in README.md.
"""

import random

import pytest

from patients.models import Patient
from tests.patients.search_eval import NEGATIVE, REALISTIC, generated, registered

DISTRACTORS = 3000


def _patient(n: int, last: str, first: str, year: int, aliases=(), ipp: str = "") -> Patient:
    patient = Patient(
        file_number=f"PASS-2026-{n:05d}",
        last_name=last,
        first_name=first,
        birth_year=year,
        aliases=list(aliases),
        ipp=ipp,
    )
    patient.set_search_fields()
    return patient


@pytest.fixture(scope="module")
def population(django_db_setup, django_db_blocker):
    """The registered people and DISTRACTORS other patients, named with the same first and last
    names recombined (the hardest neighbours: the same family name, another first name)."""
    people = registered()
    with django_db_blocker.unblock():
        rows = [
            _patient(n, p.last_name, p.first_name, p.birth_year, p.aliases, ipp=f"80{n:08d}")
            for n, p in enumerate(people, start=1)
        ]
        taken = {frozenset(p.key) for p in people}
        lasts = sorted({p.last_name for p in people})
        firsts = sorted({p.first_name for p in people})
        rng = random.Random(2026)
        n = len(rows) + 1
        while len(rows) < len(people) + DISTRACTORS:
            last, first = rng.choice(lasts), rng.choice(firsts)
            if frozenset((last, first)) in taken:
                continue
            taken.add(frozenset((last, first)))
            rows.append(_patient(n, last, first, rng.randint(1950, 2008)))
            n += 1
        # A file number past five digits keeps working.
        rows.append(_patient(123456, "Sylla", "Oumar", 1984))
        Patient.objects.bulk_create(rows, batch_size=1000)
        by_key = {(p.last_name, p.first_name): p for p in Patient.objects.filter(pk__in=[r.pk for r in rows])}
        yield people, by_key
        Patient.objects.all().delete()


def _found(query: str) -> list[int]:
    return list(Patient.objects.search(query).values_list("pk", flat=True)[:10])


def positive_pairs(people, by_key):
    pairs = [(by_key[p.key], typed, kind) for p, typed, kind in generated(people)]
    pairs += [(by_key[(last, first)], typed, kind) for last, first, typed, kind in REALISTIC]
    for person in people[:20]:
        patient = by_key[person.key]
        number = int(patient.file_number.rsplit("-", 1)[1])
        pairs += [
            (patient, patient.file_number, "file number"),
            (patient, f"pass 2026 {number}", "file number"),
            (patient, patient.ipp, "IPP"),
        ]
    return pairs


@pytest.mark.django_db
def test_it_finds_the_registered_person_in_the_first_ten_results(population):
    people, by_key = population
    pairs = positive_pairs(people, by_key)
    big = Patient.objects.get(file_number="PASS-2026-123456")
    pairs += [(big, "PASS-2026-123456", "file number"), (big, "123456", "file number")]
    misses, exact_not_first = [], []
    for patient, typed, kind in pairs:
        found = _found(typed)
        if patient.pk not in found:
            misses.append((typed, patient.display_name, kind))
        if kind == "exact" and found[:1] != [patient.pk]:
            exact_not_first.append((typed, patient.display_name))
    recall = 1 - len(misses) / len(pairs)
    print(f"\nsearch eval: {len(pairs)} positive pairs, recall@10 {recall:.1%}; misses: {misses}")

    assert len(pairs) >= 300
    assert not exact_not_first
    assert recall >= 0.98, misses


@pytest.mark.django_db
def test_it_does_not_take_another_person_for_the_registered_one(population):
    _people, by_key = population
    false_matches = []
    for last, first, typed in NEGATIVE:
        if by_key[(last, first)].pk in _found(typed):
            false_matches.append((typed, f"{last} {first}"))
    rate = len(false_matches) / len(NEGATIVE)
    print(f"\nsearch eval: {len(NEGATIVE)} negative pairs, false matches {rate:.1%}: {false_matches}")

    assert rate <= 0.05, false_matches
