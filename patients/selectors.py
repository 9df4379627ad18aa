"""Reads of patient data reused across views and apps."""

import re

from django.contrib.postgres.search import TrigramWordSimilarity
from django.db.models import Q, Value
from django.db.models.functions import Greatest

from pass_unit.lib.text import normalize

_FILE_NUMBER = re.compile(r"pass(\d{4})(\d{1,5})?")
_BARE_FILE_NUMBER = re.compile(r"(19|20)\d{2} \d{5}")
_YEAR = re.compile(r"(19|20)\d{2}")

# Tokens shorter than this are matched as prefixes only: trigrams are too noisy.
MIN_FUZZY_LENGTH = 4
# How far an estimated birth year may be from another to call two files likely duplicates.
DUPLICATE_YEAR_TOLERANCE = 2


def _name_filter(tokens: list[str]):
    """Each token matches a word of the names/aliases exactly, as a prefix, or fuzzily."""
    condition = Q()
    similarities = []
    for token in tokens:
        token_q = Q(search_text__startswith=token) | Q(search_text__contains=" " + token)
        if len(token) >= MIN_FUZZY_LENGTH:
            token_q |= Q(search_text__trigram_word_similar=token)
            similarities.append(TrigramWordSimilarity(Value(token), "search_text"))
        condition &= token_q
    return condition, similarities


def patient_search(queryset, query: str):
    """Search by name, alias, file number or birth year (accent/case/spelling tolerant).

    "PASS-2026-00042" or "42" find a file number; "1987" a birth year; other
    words must each match a name or alias, exactly, as a prefix or fuzzily.
    """
    text = normalize(query)
    if not text:
        return queryset
    compact = text.replace(" ", "")
    if _BARE_FILE_NUMBER.fullmatch(text):  # "2026-00042" typed without "PASS-"
        compact = "pass" + compact
    file_number = _FILE_NUMBER.fullmatch(compact)
    if file_number:
        year, number = file_number.groups()
        if number:
            number_q = Q(file_number__endswith=f"-{int(number):05d}")
            return queryset.filter(number_q & Q(file_number__startswith=f"PASS-{year}-") if year else number_q)
        return queryset.filter(file_number__startswith=f"PASS-{year}-")
    words = text.split()
    years = [int(w) for w in words if _YEAR.fullmatch(w)]
    numbers = [int(w) for w in words if w.isdigit() and not _YEAR.fullmatch(w)]
    names = [w for w in words if not w.isdigit()]
    condition = Q()
    if years:
        condition &= Q(birth_year__in=years)
    for number in numbers:
        condition &= Q(file_number__endswith=f"-{number:05d}")
    similarities = []
    if names:
        name_q, similarities = _name_filter(names)
        condition &= name_q
    qs = queryset.filter(condition)
    if similarities:
        rank = sum(similarities[1:], similarities[0])
        qs = qs.annotate(rank=rank).order_by("-rank", "search_text", "pk")
    return qs


def find_duplicates(*, last_name: str, first_name: str = "", aliases=(), birth_year=None, exclude_pk=None):
    """Files that are likely the same person: similar names or aliases and a close birth year."""
    from patients.models import Patient

    spellings = [" ".join([last_name, first_name]), *aliases]
    name_conditions = Q()
    scores = []
    for spelling in spellings:
        tokens = [t for t in normalize(spelling).split() if len(t) >= 2]
        if not tokens:
            continue
        spelling_q = Q()
        for token in tokens:
            token_q = Q(search_text__contains=token)
            if len(token) >= 3:
                token_q |= Q(search_text__trigram_word_similar=token)
                scores.append(TrigramWordSimilarity(Value(token), "search_text"))
            spelling_q &= token_q
        name_conditions |= spelling_q
    if not scores and not name_conditions:
        return Patient.objects.none()
    qs = Patient.objects.filter(name_conditions)
    if birth_year:
        qs = qs.filter(
            birth_year__gte=birth_year - DUPLICATE_YEAR_TOLERANCE,
            birth_year__lte=birth_year + DUPLICATE_YEAR_TOLERANCE,
        )
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    if scores:
        qs = qs.annotate(score=Greatest(*scores) if len(scores) > 1 else scores[0]).order_by("-score")
    return qs[:10]
