"""Search tolerance (joined/split names, several misspelt words, swapped names, other scripts),
"no match" with suggestions, why each hit matched, index use and the query count of the list."""

import re

import pytest
from django.db import connection
from django.db.models import Q
from django.urls import reverse

from pass_unit.lib.text import name_keys, normalize
from patients.models import Patient, _token_weight
from tests.support.factories import PatientFactory

FILE_NUMBER = re.compile(r'class="file-number">([^<]+)<')


def shown(client, **params) -> list[str]:
    response = client.get(reverse("patients:list"), params)
    assert response.status_code == 200
    return FILE_NUMBER.findall(response.content.decode())


@pytest.fixture
def client_(login, reception):
    return login(reception)


@pytest.fixture
def people(db):
    return {
        "kader": PatientFactory(last_name="Abdelkader", first_name="Nadia", birth_year=1989),
        "amrani": PatientFactory(last_name="El Amrani", first_name="Youssef", birth_year=1986),
        "silva": PatientFactory(last_name="Da Silva", first_name="Maria José", birth_year=1983),
        "oneill": PatientFactory(last_name="O'Neill", first_name="Siobhan", birth_year=1989),
        "diallo": PatientFactory(last_name="Diallo", first_name="Mamadou", birth_year=1988),
        "diallo2": PatientFactory(last_name="Diallo", first_name="Mariama", birth_year=1991),
        "petrenko": PatientFactory(
            last_name="Petrenko", first_name="Olena", aliases=["Петренко Олена"], birth_year=1984
        ),
        "hussein": PatientFactory(last_name="Al Hussein", first_name="Ahmad", aliases=["أحمد الحسين"]),
        "benali": PatientFactory(last_name="Benali", first_name="Mohammed", aliases=["Momo"], birth_year=1980),
        "big": PatientFactory(last_name="Sylla", first_name="Oumar", file_number="PASS-2026-123456"),
        "ipp": PatientFactory(last_name="Okafor", first_name="Chidi", ipp="8001234567"),
    }


@pytest.mark.parametrize(
    ("query", "who"),
    [
        ("Abdel Kader Nadia", "kader"),
        ("Elamrani", "amrani"),
        ("El-Amrani Youssef", "amrani"),
        ("Dasilva Maria", "silva"),
        ("Oneill", "oneill"),
        ("O Neil Siobhan", "oneill"),
        ("Mamadu Dialo", "diallo"),  # two words, each with an error
        ("Mamadou Diallo", "diallo"),  # swapped
        ("Youssouf Elamrany", "amrani"),
        ("Muhamad Benalli", "benali"),
        ("Петренко", "petrenko"),  # Cyrillic, the alias
        ("Petrenko Олена", "petrenko"),
        ("الحسين", "hussein"),  # Arabic, the alias
        ("diallo 1988", "diallo"),
        ("PASS-2026-123456", "big"),
        ("123456", "big"),
        ("8001234567", "ipp"),
        ("momo", "benali"),
    ],
)
def test_it_finds_the_person_first(client_, people, query, who):
    assert shown(client_, q=query)[:1] == [people[who].file_number]


@pytest.mark.parametrize("query", ["%", "_", "'", "\\", "%_'\\", "  -- ", "Жжжжжж", "عععع"])
def test_it_never_lists_everyone_for_a_query_that_matches_nothing(client_, people, query):
    response = client_.get(reverse("patients:list"), {"q": query})

    assert FILE_NUMBER.findall(response.content.decode()) == []
    assert 'data-testid="no-match"' in response.content.decode()


def test_it_suggests_the_closest_spellings_when_nothing_matches(client_, people):
    response = client_.get(reverse("patients:list"), {"q": "Dialoumba Mamadou"})

    html = response.content.decode()
    assert FILE_NUMBER.findall(html) == []
    assert 'data-testid="suggestions"' in html
    assert "Diallo Mamadou" in response.context["suggestions"]


def test_it_ranks_the_exact_name_first_then_the_closest(db):
    exact = PatientFactory(last_name="Diallo", first_name="Mamadou")
    close = PatientFactory(last_name="Dialo", first_name="Mamadu")
    PatientFactory(last_name="Diallo", first_name="Mariama")

    assert list(Patient.objects.search("Mamadou Diallo")) == [exact, close]


def test_it_tells_why_each_patient_matched(client_, people):
    response = client_.get(reverse("patients:list"), {"q": "momo"})
    hit = response.context["rows"][0][0]

    assert (hit.match_kind, hit.match_spelling) == ("alias", "Momo")
    assert "Momo" in response.content.decode().split('data-testid="match-reason"')[1][:200]
    spelled = Patient.objects.search("Dialo Mamadu").get()
    assert spelled.match_kind == "spelling"
    assert Patient.objects.search("Diallo Mamadou").get().match_kind == "exact"


def test_it_finds_a_merged_file_number_kept_as_an_alias(db):
    patient = PatientFactory(last_name="Diallo", first_name="Awa", aliases=["PASS-2025-00042"])

    assert list(Patient.objects.search("PASS-2025-00042")) == [patient]


def test_it_keeps_the_keys_up_to_date_when_a_name_changes(db):
    patient = PatientFactory(last_name="Dupont", first_name="Awa")
    patient.aliases = ["Abdelkader"]
    patient.save()

    assert list(Patient.objects.search("Abdel Kader")) == [patient]


# /patients/?q=…: request queries (session, user, groups; session save: savepoint, update,
# release), the candidate rows (keys and ranking; savepoint, SET LOCAL enable_seqscan, rows,
# rollback to and release the savepoint: see _through_indexes), the count, the page of patients,
# their last visits, their rights; with no match: the suggestions (candidates again, trigrams).
SEARCH_LIST_QUERIES = 6 + 5 + 4


@pytest.mark.parametrize("count", [2, 30])
@pytest.mark.parametrize("query", ["Dialo Mamadu", "diallo 1990", "PASS-2026-00001"])
def test_it_searches_in_a_fixed_number_of_queries(client_, django_assert_max_num_queries, count, query):
    for n in range(count):
        PatientFactory(last_name="Diallo", first_name="Mamadou", birth_year=1990 + n % 2)

    with django_assert_max_num_queries(SEARCH_LIST_QUERIES):
        client_.get(reverse("patients:list"), {"q": query})


def test_it_suggests_in_a_fixed_number_of_queries(client_, people, django_assert_max_num_queries):
    with django_assert_max_num_queries(SEARCH_LIST_QUERIES + 5 + 1):
        response = client_.get(reverse("patients:list"), {"q": "Xyzzyq Dialoumba"})

    assert response.context["page"].paginator.count == 0


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # With few rows the planner rightly prefers reading the table: forbid it, so that the
        # plan shows whether the indexes can answer (an unindexable condition keeps a Seq Scan).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize("query", ["Dialo Mamadu", "Elamrani Youssef", "Петренко", "nguy"])
def test_it_finds_names_through_the_indexes_without_reading_the_table(people, query):
    names = normalize(query).split()
    # The candidate query of PatientQuerySet._rank_names, as it runs.
    retrieve = Q(search_keys__overlap=name_keys([" ".join(names)]))
    for token in names:
        if len(token) >= 3:
            retrieve |= Q(search_text__startswith=token) | Q(search_text__contains=" " + token)
    candidates = Patient.objects.active().filter(retrieve).annotate(weight=_token_weight(names))
    plan = _plan(candidates.order_by("-weight", "pk").values_list("pk")[:400])

    assert "Seq Scan on patients_patient" not in plan, plan
    assert "patient_search_keys" in plan


@pytest.mark.parametrize("query", ["PASS-2026-123456", "42", "1988", "8001234567"])
def test_it_finds_numbers_through_the_indexes_without_reading_the_table(people, query):
    plan = _plan(Patient.objects.search(query))

    assert "Seq Scan on patients_patient" not in plan, plan
