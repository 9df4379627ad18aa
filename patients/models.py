import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import TrigramSimilarity
from django.db import connections, models, transaction
from django.db.models import Case, F, Func, Q, Value, When
from django.db.models.query import ModelIterable
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from pass_unit.lib.dates import day_range
from pass_unit.lib.languages import CODE_MAX_LENGTH as LANGUAGE_CODE_MAX_LENGTH
from pass_unit.lib.languages import language_names
from pass_unit.lib.text import name_keys, normalize, skeleton, spelling_similarity

TEXT_MAX = 4000  # free-text notes: long enough for a report, bounded against abuse
# A monthly income above this is a typing error at the PASS (an extra zero, "1e9"), not a salary:
# the social assessment form and a check constraint both refuse it.
MAX_MONTHLY_INCOME = Decimal("100000.00")

_FILE_NUMBER = re.compile(r"pass(\d{4})(\d{1,9})?")
_BARE_FILE_NUMBER = re.compile(r"(19|20)\d{2} \d{5,9}")
_YEAR = re.compile(r"(19|20)\d{2}")

# How far an estimated birth year may be from another to call two files likely duplicates.
DUPLICATE_YEAR_TOLERANCE = 2
# A name search lists at most this many files, best first: nobody reads further, they add a
# first name or a year (the list says so).
SEARCH_LIMIT = 100
# Rows the indexes hand to the precise ranking, those sharing the most words with the query first.
SEARCH_CANDIDATES = 200
# Lowest similarity (0..1, pass_unit.lib.text.spelling_similarity) listed by the search; the
# evaluation set (tests/patients/search_eval.py) keeps it honest.
SEARCH_MIN_SCORE = 0.8
# Spellings this close but not listed are offered as "did you mean…" when nothing matched.
SUGGESTION_MIN_SCORE = 0.5
# Intake warning: names this close with birth years within DUPLICATE_YEAR_TOLERANCE…
DUPLICATE_MIN_SCORE = 0.8
# …or names this close both ways (each name's words in the other) whatever the years: papers
# often carry a wrong date. Ranked after the others.
DUPLICATE_FAR_YEAR_MIN_SCORE = 0.9
# Duplicate checks ignore one-letter words: initials alone match too many people.
DUPLICATE_MIN_WORD = 2
# "42" is the 42nd file of any year since the PASS exist (1998 law).
FIRST_FILE_YEAR = 1998


def spelling_texts(last_name: str, first_name: str = "", usage_name: str = "", aliases=()) -> list[tuple[str, str]]:
    """The ways a person is written, as (label, text): label "" for the registered name, else the
    usage name or alias itself."""
    texts = [("", f"{last_name} {first_name}")]
    if usage_name:
        texts.append((usage_name, f"{usage_name} {first_name}"))
    texts += [(alias, alias) for alias in aliases]
    return texts


def _spellings(last_name, first_name="", usage_name="", aliases=(), *, min_word: int = 1):
    """(label, normalised words) of each spelling; with several, also all their words together
    ("+"): an alias first name typed with the registered last name."""
    spellings = []
    for label, text in spelling_texts(last_name, first_name, usage_name, aliases):
        words = [w for w in normalize(text).split() if len(w) >= min_word]
        if words:
            spellings.append((label, words))
    if len(spellings) > 1:
        spellings.append(("+", list(dict.fromkeys(w for _, words in spellings for w in words))))
    return spellings


@dataclass(frozen=True)
class NameMatch:
    """One patient found by name: how close, and through which spelling."""

    pk: int
    score: float
    exact: bool
    kind: str  # "exact", "spelling" (close spelling of the name), "alias", "names" (name and aliases together)
    spelling: str = ""  # the alias or usage name that matched
    far_year: bool = False  # intake: the names match but the birth years are far apart
    text: str = ""  # the registered spelling that matched best, as written (suggestions)


def _best_spelling(typed: list[str], spellings, *, prefix: bool) -> tuple[float, bool, str, list[str]]:
    best = (-1.0, False, "", [])
    for label, words in spellings:
        score = spelling_similarity(typed, words, prefix=prefix)
        exact = set(typed) <= set(words)
        if (exact, score) > (best[1], best[0]):
            best = (score, exact, label, words)
    return best


def _kind(exact: bool, label: str) -> str:
    if label == "+":
        return "names"
    if label:
        return "alias"
    return "exact" if exact else "spelling"


def _token_weight(tokens: list[str]):
    """SQL: how many typed words have their sound among a row's keys (cheap: one key or two each),
    to hand the precise ranking the most promising rows first."""
    weight = Value(0)
    for i, token in enumerate(tokens):
        strong = {skeleton(token)}
        if i:
            strong.add(skeleton(tokens[i - 1] + token))
        if i + 1 < len(tokens):
            strong.add(skeleton(token + tokens[i + 1]))
        weight = weight + Case(When(search_keys__overlap=sorted(strong), then=Value(1)), default=Value(0))
    return weight


def _through_indexes(queryset) -> list:
    """The rows of a candidate query, read through the GIN indexes.

    PostgreSQL cannot estimate how many rows share one of thirty keys (it guesses a sixth of
    the table) and then reads the whole table, comparing every row's keys: 0.5 to 1 s at
    100,000 patients instead of 20 ms (docs/performance.md). The sequential scan is switched off
    for this one query, in a transaction rolled back at once (a read; SET LOCAL ends with it).
    """
    with transaction.atomic(using=queryset.db):
        with connections[queryset.db].cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        rows = list(queryset)
        transaction.set_rollback(True, using=queryset.db)
    return rows


class PatientQuerySet(models.QuerySet):
    def active(self):
        return self.exclude(status=Patient.Status.ARCHIVED)

    def search(self, query: str):
        """Search by name, alias, file number, IPP or birth year, tolerant of spelling.

        "PASS-2026-00042" or "42" find a file number (or an IPP typed as is); "1987" a birth
        year; other words are names: each is matched to a word of the names or aliases, exactly,
        by its sound (ou/u, ph/f, doubled letters…), with a typing error or two, or (the last
        word) as a beginning; in any order, joined or split. Best first, exact matches before the others;
        each row carries `match_kind` and `match_spelling` (why it matched). A query made only
        of symbols finds nothing, never everything.
        """
        text = normalize(query)
        if not text:
            return self if not (query or "").strip() else self.none()
        compact = text.replace(" ", "")
        if _BARE_FILE_NUMBER.fullmatch(text):  # "2026-00042" typed without "PASS-"
            compact = "pass" + compact
        file_number = _FILE_NUMBER.fullmatch(compact)
        if file_number:
            year, number = file_number.groups()
            if not number:
                return self.filter(file_number__startswith=f"PASS-{year}-").annotate(match_kind=Value("file_number"))
            wanted = f"PASS-{year}-{int(number):05d}"
            # A merged file's number became an alias of the file it was merged into.
            return self.filter(Q(file_number=wanted) | Q(search_text__contains=normalize(wanted))).annotate(
                match_kind=Case(When(file_number=wanted, then=Value("file_number")), default=Value("alias")),
                match_spelling=Value(wanted),
            )
        words = text.split()
        years = [int(w) for w in words if _YEAR.fullmatch(w)]
        # Other words with a digit: a file number ("42": the 42nd file of any year) or an IPP.
        numbers = [w for w in words if any(c.isdigit() for c in w) and not _YEAR.fullmatch(w)]
        names = [w for w in words if not any(c.isdigit() for c in w)]
        condition = Q()
        if years:
            condition &= Q(birth_year__in=years)
        ipps = []
        for number in numbers:
            ipps += [number, number.upper()]
            number_q = Q(ipp__in=[number, number.upper()])
            if number.isdigit():
                number_q |= Q(file_number__in=self._file_numbers(int(number)))
            condition &= number_q
        if not names:
            kind = "birth_year" if years and not numbers else "file_number"
            return self.filter(condition).annotate(
                match_kind=Case(When(ipp__in=ipps, then=Value("ipp")), default=Value(kind)) if ipps else Value(kind)
            )
        hits = [hit for hit in self._rank_names(names, condition, prefix=True) if hit.score >= SEARCH_MIN_SCORE]
        return self._in_order(hits[:SEARCH_LIMIT])

    def search_suggestions(self, query: str, *, limit: int = 5) -> list[str]:
        """Registered spellings close to a query that found nothing ("did you mean…")."""
        names = [w for w in normalize(query).split() if not w.isdigit()]
        if not names:
            return []
        hits = [hit for hit in self._rank_names(names, Q(), prefix=True) if hit.score >= SUGGESTION_MIN_SCORE]
        suggestions = [hit.text for hit in hits]
        # And the closest names by trigrams (pg_trgm's % operator, GIN index): they catch
        # spellings too far for the keys ("Dialoumba" for "Diallo").
        text = " ".join(names)
        rows = (
            self.filter(search_text__trigram_similar=text)
            .annotate(similarity=TrigramSimilarity("search_text", Value(text)))
            .order_by("-similarity", "pk")
            .values_list("last_name", "first_name")[:limit]
        )
        suggestions += [f"{last} {first}".strip() for last, first in rows]
        return list(dict.fromkeys(suggestions))[:limit]

    def likely_duplicates(
        self, *, last_name: str, first_name: str = "", aliases=(), birth_year=None, exclude_pk=None, usage_name=""
    ):
        """Files that may be the same person, best first: names or aliases alike as the search
        finds them (spelling, joined or split, swapped) and a birth year within
        DUPLICATE_YEAR_TOLERANCE; then names alike both ways whatever the birth year
        (annotated `far_year`). Rows carry `match_kind` and `match_spelling` as in search()."""
        typed = _spellings(last_name, first_name, usage_name, aliases, min_word=DUPLICATE_MIN_WORD)
        if not typed:
            return self.none()
        qs = self.exclude(pk=exclude_pk) if exclude_pk else self
        keys = name_keys([" ".join(words) for _, words in typed])
        all_words = list(dict.fromkeys(w for _, words in typed for w in words))
        rows = _through_indexes(
            qs.filter(search_keys__overlap=keys)
            .annotate(weight=_token_weight(all_words))
            .order_by("-weight", "pk")
            .values_list("pk", "last_name", "first_name", "usage_name", "aliases", "birth_year")[:SEARCH_CANDIDATES]
        )
        hits = []
        for pk, last, first, usage, row_aliases, year in rows:
            registered = _spellings(last, first, usage, row_aliases, min_word=DUPLICATE_MIN_WORD)
            best = None
            for _label, words in typed:
                score, exact, label, matched = _best_spelling(words, registered, prefix=False)
                both_ways = min(score, spelling_similarity(matched, words))
                candidate = (score, both_ways, exact, label)
                if best is None or candidate > best:
                    best = candidate
            score, both_ways, exact, label = best
            far = birth_year is not None and abs(year - birth_year) > DUPLICATE_YEAR_TOLERANCE
            if (not far and score >= DUPLICATE_MIN_SCORE) or (far and both_ways >= DUPLICATE_FAR_YEAR_MIN_SCORE):
                distance = abs(year - birth_year) if birth_year is not None else 0
                hits.append(
                    (
                        (far, -score, distance, pk),
                        NameMatch(
                            pk, score, exact, _kind(exact, label), "" if label in ("", "+") else label, far_year=far
                        ),
                    )
                )
        hits.sort(key=lambda item: item[0])
        return self._in_order([hit for _, hit in hits])

    @staticmethod
    def _file_numbers(number: int) -> list[str]:
        """ "42": the 42nd file of every year, listed so that the unique index finds them."""
        last_year = timezone.localdate().year + 1
        return [f"PASS-{year}-{number:05d}" for year in range(FIRST_FILE_YEAR, last_year + 1)]

    def _rank_names(self, tokens: list[str], condition: Q, *, prefix: bool) -> list[NameMatch]:
        """Rows whose names or aliases match the typed words, best first (one SQL query).

        The indexes find the rows sharing a key with the query (pass_unit.lib.text.name_keys:
        sound, one-error neighbourhood, joined words; GIN on `search_keys`) or, for a word being
        typed, a name starting with it (trigram GIN on `search_text`); the closest
        SEARCH_CANDIDATES of them are then scored precisely here (homonyms once)."""
        retrieve = Q(search_keys__overlap=name_keys([" ".join(tokens)]))
        if prefix and len(tokens[-1]) >= 3:
            # The word being typed: a name starting with it (trigram GIN on search_text).
            retrieve |= Q(search_text__startswith=tokens[-1]) | Q(search_text__contains=" " + tokens[-1])
        rows = _through_indexes(
            self.filter(condition & retrieve)
            .annotate(weight=_token_weight(tokens))
            .order_by("-weight", "pk")
            .values_list("pk", "last_name", "first_name", "usage_name", "aliases")[:SEARCH_CANDIDATES]
        )
        hits = []
        scored = {}  # homonyms (the same names and aliases) are scored once
        for pk, last, first, usage, aliases in rows:
            names = (last, first, usage, tuple(aliases))
            found = scored.get(names)
            if found is None:
                spellings = _spellings(*names)
                score, exact, label, _words = _best_spelling(tokens, spellings, prefix=prefix)
                texts = dict(spelling_texts(*names))
                text = texts.get(label, texts[""]).strip()
                found = scored[names] = (score, exact, _kind(exact, label), "" if label in ("", "+") else label, text)
            score, exact, kind, spelling, text = found
            hits.append(NameMatch(pk, score, exact, kind, spelling, text=text))
        hits.sort(key=lambda hit: (not hit.exact, -hit.score, hit.pk))
        return hits

    def _in_order(self, hits: list[NameMatch]):
        """The matched rows as a queryset, in the order given (their position in the list of ids,
        in SQL), each row carrying why it matched (`match_kind`, `match_spelling`, `far_year`,
        set on the rows as they are read: three more arrays of a hundred values in every query of
        the page cost more than the rows)."""
        if not hits:
            return self.none()
        ids = [hit.pk for hit in hits]
        position = Func(
            Value(ids, output_field=ArrayField(models.BigIntegerField())),
            F("pk"),
            function="array_position",
            output_field=models.IntegerField(),
        )
        queryset = self.filter(pk__in=ids).annotate(search_rank=position).order_by("search_rank")
        queryset._iterable_class = type(
            "MatchedRows", (_MatchedRows,), {"hits": {hit.pk: hit for hit in hits}, "where": queryset.query.where}
        )
        return queryset

    def ranked_count(self) -> int | None:
        """How many rows a name search (search(), likely_duplicates()) lists, known from the
        ranking that chose them under the same conditions: no COUNT query. None for any other
        queryset, or once filtered or sliced after the search (its columns or order may change)."""
        rows = self._iterable_class
        if getattr(rows, "hits", None) is None or self.query.is_sliced or self.query.where != rows.where:
            return None
        return len(rows.hits)


class _MatchedRows(ModelIterable):
    """Patients read with why each matched (PatientQuerySet._in_order sets `hits`, by pk)."""

    hits: dict = {}
    where = None  # the conditions the rows were ranked under (PatientQuerySet.ranked_count)

    def __iter__(self):
        for patient in super().__iter__():
            hit = self.hits.get(patient.pk)
            if hit is not None:
                patient.match_kind = hit.kind
                patient.match_spelling = hit.spelling
                patient.far_year = hit.far_year
            yield patient


class VisitQuerySet(models.QuerySet):
    def not_cancelled(self):
        return self.filter(cancelled_at__isnull=True)

    def on_day(self, day: date):
        """Visits of a local (Paris) day: an aware [midnight, next midnight) range, which keeps the
        occurred_at index usable and is right on the days the clocks change."""
        start, end = day_range(day)
        return self.filter(occurred_at__gte=start, occurred_at__lt=end)


class CoverageRightQuerySet(models.QuerySet):
    def granted(self):
        return self.filter(status=CoverageRight.Status.GRANTED)

    def current_granted(self, on: date | None = None):
        """Granted rights not ended on `on` (today by default); an open-ended right counts."""
        on = on or timezone.localdate()
        return self.granted().exclude(end_date__lt=on)


class Patient(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "F", _("Female")
        MALE = "M", _("Male")
        OTHER = "X", _("Other")
        UNKNOWN = "U", _("Not stated")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Followed by the PASS")
        COMMON_LAW = "common_law", _("Back to ordinary care")
        LOST = "lost", _("Lost to follow-up")
        DECEASED = "deceased", _("Deceased")
        ARCHIVED = "archived", _("Archived")

    class ReferredBy(models.TextChoices):
        EMERGENCY = "emergency", _("Emergency department")
        ADMISSIONS = "admissions", _("Admissions desk")
        WARD = "ward", _("Hospital ward")
        ASSOCIATION = "association", _("Association")
        SHELTER_115 = "115", _("115 shelter line")
        CITY_DOCTOR = "city_doctor", _("City doctor")
        SOCIAL_SERVICE = "social_service", _("Social services")
        WORD_OF_MOUTH = "word_of_mouth", _("Word of mouth")
        SELF = "self", _("Came alone")
        OTHER = "other", _("Other")

    class IdentityStatus(models.TextChoices):
        """Trust in the identity (RNIV). Retrieved and qualified need the national INS teleservice
        (INSi): only an integration sets them, never a form."""

        PROVISIONAL = "provisional", _("Provisional identity")
        RETRIEVED = "retrieved", _("Retrieved identity")
        VALIDATED = "validated", _("Validated identity")
        QUALIFIED = "qualified", _("Qualified identity")

    class IdentityAttribute(models.TextChoices):
        DOUBTFUL = "doubtful", _("Doubtful identity")
        FICTITIOUS = "fictitious", _("Fictitious identity")
        HOMONYM = "homonym", _("Homonym")
        POSSIBLE_DUPLICATE = "possible_duplicate", _("Possible duplicate")

    class BirthDatePrecision(models.TextChoices):
        EXACT = "exact", _("Exact date")
        MONTH = "month", _("Month and year only")
        YEAR = "year", _("Year only (estimated)")
        UNKNOWN = "unknown", _("Unknown")

    class IdentityDocument(models.TextChoices):
        """High-trust documents of the RNIV."""

        PASSPORT = "passport", _("Passport")
        NATIONAL_ID_CARD = "national_id_card", _("National identity card")
        RESIDENCE_PERMIT = "residence_permit", _("Residence permit")
        FAMILY_RECORD_BOOK = "family_record_book", _("Family record book with birth certificate (minor)")
        OTHER_HIGH_TRUST = "other_high_trust", _("Other high-trust document")

    # The strict traits of the RNIV: changing one on a checked identity needs a reason and a new check.
    STRICT_TRAITS = ("last_name", "first_name", "birth_date", "birth_year", "sex", "birth_country")

    file_number = models.CharField(_("file number"), max_length=20, unique=True, editable=False)
    last_name = models.CharField(_("last name"), max_length=100)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    usage_name = models.CharField(_("usage name"), max_length=100, blank=True)
    aliases = ArrayField(
        models.CharField(max_length=100),
        verbose_name=_("aliases and other spellings"),
        default=list,
        blank=True,
    )
    sex = models.CharField(_("sex"), max_length=1, choices=Sex, default=Sex.UNKNOWN)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"))
    # ISO 3166 countries and ISO 639 languages, chosen from lists (issue 10). The *_text fields keep
    # what was typed by hand before the lists and could not be recognised, until someone picks the
    # value: never dropped, listed in the report's data-quality worklist.
    birth_country = CountryField(_("country of birth"), blank=True)
    birth_country_text = models.CharField(
        _("country of birth as typed before the list"), max_length=100, blank=True, editable=False
    )
    nationality = CountryField(_("nationality"), blank=True)
    nationality_text = models.CharField(
        _("nationality as typed before the list"), max_length=100, blank=True, editable=False
    )
    arrival_in_france = models.DateField(_("arrival in France"), null=True, blank=True)
    languages = ArrayField(
        models.CharField(max_length=LANGUAGE_CODE_MAX_LENGTH),
        verbose_name=_("languages spoken"),
        default=list,
        blank=True,
    )
    languages_text = models.CharField(
        _("languages as typed before the list"), max_length=200, blank=True, editable=False
    )
    interpreter_needed = models.BooleanField(_("interpreter needed"), default=False)
    interpreter_language = models.CharField(_("interpreting language"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    domiciliation_organisation = models.CharField(_("domiciliation organisation"), max_length=200, blank=True)
    domiciliation_address = models.CharField(_("domiciliation address"), max_length=300, blank=True)
    ipp = models.CharField(_("hospital patient id (IPP)"), max_length=30, blank=True)
    referred_by = models.CharField(_("referred by"), max_length=20, choices=ReferredBy, default=ReferredBy.SELF)
    referral_detail = models.CharField(_("referral detail"), max_length=200, blank=True)
    referring_physician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="referred_patients",
        null=True,
        blank=True,
        verbose_name=_("referring PASS physician"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.ACTIVE)
    exit_date = models.DateField(_("exit date"), null=True, blank=True)
    exit_reason = models.TextField(_("exit reason"), max_length=TEXT_MAX, blank=True)
    identity_status = models.CharField(
        _("identity status"), max_length=20, choices=IdentityStatus, default=IdentityStatus.PROVISIONAL
    )
    identity_attributes = ArrayField(
        models.CharField(max_length=30, choices=IdentityAttribute),
        verbose_name=_("identity attributes"),
        default=list,
        blank=True,
    )
    birth_date_precision = models.CharField(
        _("precision of the date of birth"),
        max_length=10,
        choices=BirthDatePrecision,
        default=BirthDatePrecision.YEAR,
    )
    identity_document_type = models.CharField(
        _("identity document checked"), max_length=30, choices=IdentityDocument, blank=True
    )
    identity_checked_at = models.DateTimeField(_("identity checked at"), null=True, blank=True, editable=False)
    identity_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("identity checked by"),
    )
    # A proven duplicate merged into another file: archived, its URL leads to that file.
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="merged_files",
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("merged into"),
    )
    # Normalised names and aliases, maintained on save, indexed with pg_trgm.
    search_text = models.TextField(editable=False, default="")
    # Search keys of the names and aliases (sound, one-error neighbourhood, joined words:
    # pass_unit.lib.text.name_keys), maintained on save, GIN-indexed.
    search_keys = ArrayField(models.TextField(), editable=False, default=list)
    version = models.PositiveIntegerField(default=1, editable=False)
    # The latest visit not cancelled, kept by the DATABASE (triggers of migration patients/0009 on
    # patients_visit: every insert, COPY, cancellation, merge or undo updates it in the same
    # transaction; a write of this column by anything else is ignored). Read-only for the code.
    last_visit_at = models.DateTimeField(_("last visit"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, editable=False
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, editable=False
    )

    objects = PatientQuerySet.as_manager()

    class Meta:
        verbose_name = _("patient")
        verbose_name_plural = _("patients")
        ordering = ["search_text"]
        indexes = [
            GinIndex(name="patient_search_trgm", fields=["search_text"], opclasses=["gin_trgm_ops"]),
            GinIndex(name="patient_search_keys", fields=["search_keys"]),
            models.Index(fields=["ipp"], name="patient_ipp"),
            models.Index(fields=["birth_year"], name="patient_birth_year"),
            models.Index(fields=["status"], name="patient_status"),
            # The activity report's exits of a period (issue 10).
            models.Index(fields=["exit_date"], name="patient_exit_date"),
            # The patient list's order (a page of 25 read in order, not a sort of every file): the
            # trigram GIN index above cannot serve an ORDER BY (issue 11).
            models.Index(fields=["search_text"], name="patient_search_text_order"),
            # The dashboard's "new patients this year" (a range of created_at, not every file).
            models.Index(fields=["created_at"], name="patient_created_at"),
            # The followed patients, by last visit (never seen first), then id: the dashboard's
            # "to call back" list read in order and counted from the index alone, and the
            # followed files' ids (the rights in progress of followed files) without the files.
            models.Index(
                F("last_visit_at").asc(nulls_first=True),
                F("id").asc(),
                include=["created_at"],
                condition=Q(status="active"),
                name="patient_active_last_visit",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(birth_year__gte=1900) & Q(birth_year__lte=2100),
                name="patient_birth_year_plausible",
            ),
            models.CheckConstraint(
                condition=Q(birth_date__isnull=True) | Q(birth_date__year=models.F("birth_year")),
                name="patient_birth_year_matches_date",
            ),
            models.CheckConstraint(
                condition=Q(birth_date__isnull=True, birth_date_precision__in=["year", "unknown"])
                | Q(birth_date__isnull=False, birth_date_precision__in=["exact", "month"]),
                name="patient_birth_date_precision_consistent",
            ),
            models.CheckConstraint(
                condition=Q(identity_status__in=["provisional", "retrieved"])
                | ~Q(identity_document_type="") & Q(identity_checked_at__isnull=False),
                name="patient_checked_identity_has_document",
            ),
            models.CheckConstraint(condition=~Q(merged_into=models.F("pk")), name="patient_not_merged_into_itself"),
        ]

    def __str__(self):
        return f"{self.display_name} ({self.file_number})"

    def save(self, *args, **kwargs):
        if self.birth_date:
            self.birth_year = self.birth_date.year
        # The precision follows the presence of a date when the caller did not choose a coherent one.
        precise = (self.BirthDatePrecision.EXACT, self.BirthDatePrecision.MONTH)
        if self.birth_date and self.birth_date_precision not in precise:
            self.birth_date_precision = self.BirthDatePrecision.EXACT
        elif not self.birth_date and self.birth_date_precision in precise:
            self.birth_date_precision = self.BirthDatePrecision.YEAR
        self.set_search_fields()
        super().save(*args, **kwargs)

    def set_search_fields(self) -> None:
        """search_text and search_keys from the names and aliases (save() calls it; bulk_create
        callers must)."""
        self.search_text = normalize(" ".join([self.last_name, self.first_name, self.usage_name, *self.aliases]))
        self.search_keys = name_keys(
            [text for _, text in spelling_texts(self.last_name, self.first_name, self.usage_name, self.aliases)]
        )

    @property
    def display_name(self) -> str:
        name = self.last_name.upper()
        if self.usage_name:
            name += f" ({self.usage_name})"
        return f"{name} {self.first_name}".strip()

    @property
    def initials(self) -> str:
        return "".join(p[0].upper() for p in (self.first_name, self.last_name) if p)

    @property
    def birth_is_estimated(self) -> bool:
        return self.birth_date is None

    @property
    def identity_is_checked(self) -> bool:
        """Checked against a document (validated) or by the INS teleservice too (qualified)."""
        return self.identity_status in (self.IdentityStatus.VALIDATED, self.IdentityStatus.QUALIFIED)

    @property
    def identity_attribute_labels(self) -> list[str]:
        return [self.IdentityAttribute(a).label for a in self.identity_attributes if a in self.IdentityAttribute]

    def age(self, on: date | None = None) -> int:
        on = on or timezone.localdate()
        if self.birth_date:
            b = self.birth_date
            return on.year - b.year - ((on.month, on.day) < (b.month, b.day))
        return on.year - self.birth_year

    @property
    def language_names(self) -> str:
        """ "wolof, français": the languages' French names, in the order recorded."""
        return language_names(self.languages)

    @property
    def is_minor(self) -> bool:
        return self.age() < 18

    @property
    def is_followed(self) -> bool:
        return self.status == self.Status.ACTIVE


class FileNumberCounter(models.Model):
    """Last file number given each year: PASS-2026-00042."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last}"


class Visit(models.Model):
    class Kind(models.TextChoices):
        RECEPTION = "reception", _("Reception")
        MEDICAL = "medical", _("Medical consultation")
        SOCIAL = "social", _("Social interview")
        NURSING = "nursing", _("Nursing care")
        PSYCHOLOGICAL = "psychological", _("Psychological consultation")
        DENTAL = "dental", _("Dental consultation")

    class Interpreting(models.TextChoices):
        NONE = "none", _("No interpreter")
        ON_SITE = "on_site", _("Interpreter on site")
        PHONE = "phone", _("Interpreter by phone")
        RELATIVE = "relative", _("A relative translated")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="visits")
    occurred_at = models.DateTimeField(_("date and time"), default=timezone.now)
    kind = models.CharField(_("kind of visit"), max_length=20, choices=Kind)
    professional = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("professional"),
    )
    reason = models.CharField(_("reason for the visit"), max_length=200, blank=True)
    interpreting = models.CharField(_("interpreting"), max_length=20, choices=Interpreting, default=Interpreting.NONE)
    interpreter_language = models.CharField(_("interpreting language"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), max_length=TEXT_MAX, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancel_reason = models.CharField(_("cancellation reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-occurred_at"]
        indexes = [
            models.Index(fields=["patient", "-occurred_at"], name="visit_patient_date"),
            # The activity report and the dashboard read the visits of a period for every patient.
            models.Index(fields=["occurred_at"], name="visit_occurred_at"),
            # The same visits, not cancelled, with what the report's file active and the data-quality
            # count read of them: an index-only scan instead of a table row per visit (patients/0011).
            models.Index(
                fields=["occurred_at"],
                include=["patient", "kind", "interpreting"],
                condition=Q(cancelled_at__isnull=True),
                name="visit_live_occurred_at",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(cancelled_at__isnull=True) | ~Q(cancel_reason=""),
                name="visit_cancel_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.occurred_at:%d/%m/%Y}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class SocialAssessment(models.Model):
    class Housing(models.TextChoices):
        OWN_HOME = "own_home", _("Own home")
        FAMILY_FRIENDS = "family_friends", _("Staying with family or friends")
        SHELTER_115 = "shelter_115", _("Emergency shelter (115)")
        ASYLUM_CENTRE = "asylum_centre", _("Asylum-seeker centre (CADA, HUDA)")
        SOCIAL_HOTEL = "social_hotel", _("Social hotel")
        CHRS = "chrs", _("Rehabilitation shelter (CHRS)")
        SQUAT = "squat", _("Squat or shanty town")
        STREET = "street", _("Street (homeless)")
        OTHER = "other", _("Other")

    class Household(models.TextChoices):
        ALONE = "alone", _("Alone")
        COUPLE = "couple", _("Couple without children")
        COUPLE_CHILDREN = "couple_children", _("Couple with children")
        SINGLE_PARENT = "single_parent", _("Single parent")
        OTHER = "other", _("Other")

    class Resources(models.TextChoices):
        NONE = "none", _("No resources")
        MINIMUM_BENEFITS = "minimum_benefits", _("Minimum benefits (RSA, ADA…)")
        SALARY = "salary", _("Salary")
        PENSION = "pension", _("Pension")
        OTHER = "other", _("Other")

    class Employment(models.TextChoices):
        NONE = "none", _("No employment")
        EMPLOYED = "employed", _("Employed")
        UNDECLARED = "undeclared", _("Undeclared work")
        STUDENT = "student", _("Student")
        RETIRED = "retired", _("Retired")
        UNKNOWN = "unknown", _("Unknown")

    class AdministrativeStatus(models.TextChoices):
        FRENCH = "french", _("French")
        EU_CITIZEN = "eu_citizen", _("EU citizen")
        ASYLUM_SEEKER = "asylum_seeker", _("Asylum seeker")
        RESIDENCE_PERMIT = "residence_permit", _("Refugee / residence permit")
        PERMIT_APPLIED = "permit_applied", _("Permit being applied for")
        UNDOCUMENTED = "undocumented", _("Undocumented")
        UNKNOWN = "unknown", _("Not stated")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="assessments")
    assessed_on = models.DateField(_("assessment date"), default=timezone.localdate)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    housing = models.CharField(_("housing"), max_length=20, choices=Housing)
    household = models.CharField(_("household"), max_length=20, choices=Household, default=Household.ALONE)
    children = models.PositiveSmallIntegerField(_("children in the household"), default=0)
    resources = models.CharField(_("resources"), max_length=20, choices=Resources, default=Resources.NONE)
    monthly_income = models.DecimalField(_("monthly income (€)"), max_digits=9, decimal_places=2, null=True, blank=True)
    employment = models.CharField(_("employment"), max_length=20, choices=Employment, default=Employment.UNKNOWN)
    administrative_status = models.CharField(
        _("administrative status"),
        max_length=20,
        choices=AdministrativeStatus,
        default=AdministrativeStatus.UNKNOWN,
    )
    has_domiciliation = models.BooleanField(_("has a domiciliation"), default=False)
    needs = models.TextField(_("needs identified"), max_length=TEXT_MAX, blank=True)
    notes = models.TextField(_("social notes"), max_length=TEXT_MAX, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("social assessment")
        verbose_name_plural = _("social assessments")
        ordering = ["-assessed_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(monthly_income__isnull=True) | Q(monthly_income__gte=0),
                name="assessment_income_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(monthly_income__isnull=True) | Q(monthly_income__lte=MAX_MONTHLY_INCOME),
                name="assessment_income_plausible",
            ),
            models.CheckConstraint(condition=Q(children__lte=30), name="assessment_children_plausible"),
        ]

    def __str__(self):
        return f"{self.patient.file_number} — {self.assessed_on:%d/%m/%Y}"


class CoverageRight(models.Model):
    class Regime(models.TextChoices):
        NONE = "none", _("No coverage")
        AME = "ame", _("AME (state medical aid)")
        PUMA = "puma", _("PUMa (universal health protection)")
        CSS = "css", _("CSS (free complementary health)")
        CSS_CONTRIBUTION = "css_contribution", _("CSS with contribution")
        MUTUAL = "mutual", _("Mutual insurance")
        EHIC = "ehic", _("European health insurance card")
        FOREIGN = "foreign", _("Foreign or travel insurance")
        URGENT_CARE = "urgent_care", _("Urgent care fund")

    class Status(models.TextChoices):
        TO_ASSESS = "to_assess", _("To assess")
        BUILDING = "building", _("File being built")
        FILED = "filed", _("Filed")
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")
        EXPIRED = "expired", _("Expired")

    # The usual path of an application; each step may also end in refusal.
    NEXT_STEPS = {
        Status.TO_ASSESS: [Status.BUILDING, Status.REFUSED],
        Status.BUILDING: [Status.FILED],
        Status.FILED: [Status.GRANTED, Status.REFUSED],
        Status.GRANTED: [Status.EXPIRED],
        Status.REFUSED: [Status.BUILDING],
        Status.EXPIRED: [Status.BUILDING],
    }

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="rights")
    regime = models.CharField(_("regime"), max_length=20, choices=Regime)
    status = models.CharField(_("application status"), max_length=20, choices=Status, default=Status.TO_ASSESS)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    filed_on = models.DateField(_("filed on"), null=True, blank=True)
    decision_on = models.DateField(_("decision on"), null=True, blank=True)
    start_date = models.DateField(_("start of rights"), null=True, blank=True)
    end_date = models.DateField(_("end of rights"), null=True, blank=True)
    notes = models.TextField(_("notes"), max_length=TEXT_MAX, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = CoverageRightQuerySet.as_manager()

    class Meta:
        verbose_name = _("coverage right")
        verbose_name_plural = _("coverage rights")
        ordering = ["-created_at"]
        indexes = [
            # The activity report's applications filed and decided in a period (issue 10).
            models.Index(fields=["filed_on"], name="right_filed_on"),
            models.Index(fields=["decision_on"], name="right_decision_on"),
            # Granted rights by patient (the coverage filters: "no open rights", "AME"…) and by
            # end date (the dashboard's rights ending or expired), without reading the others (issue 11).
            models.Index(
                fields=["patient", "regime", "end_date"], condition=Q(status="granted"), name="right_granted_patient"
            ),
            # With the patient: the dashboard counts its files from the index alone.
            models.Index(fields=["end_date", "patient"], condition=Q(status="granted"), name="right_granted_end_date"),
            # Applications filed and still waiting for a decision (the dashboard's follow-up).
            models.Index(
                fields=["filed_on", "patient"],
                condition=Q(status="filed", decision_on__isnull=True),
                name="right_pending_filed_on",
            ),
            # Applications in progress (being built or filed), the dashboard's count.
            models.Index(
                fields=["patient"],
                condition=Q(status__in=["building", "filed"]),
                name="right_in_progress_patient",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="right_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(decision_on__isnull=True)
                | Q(filed_on__isnull=True)
                | Q(decision_on__gte=models.F("filed_on")),
                name="right_decision_after_filing",
            ),
        ]

    def __str__(self):
        return f"{self.get_regime_display()} — {self.get_status_display()}"

    @property
    def next_steps(self) -> list:
        return [self.Status(s) for s in self.NEXT_STEPS.get(self.Status(self.status), [])]

    def expiry_state(self, today: date | None = None) -> str:
        """'expired', 'soon' (renewal to prepare) or '' for a granted right."""
        if self.status != self.Status.GRANTED or not self.end_date:
            return ""
        today = today or timezone.localdate()
        if self.end_date < today:
            return "expired"
        if self.end_date <= today + timedelta(days=settings.COVERAGE_EXPIRY_WARNING_DAYS):
            return "soon"
        return ""


class MedicalContext(models.Model):
    """Restricted to the medical roles (see DESIGN.md)."""

    patient = models.OneToOneField(Patient, on_delete=models.PROTECT, related_name="medical")
    history = models.TextField(_("medical history"), max_length=TEXT_MAX, blank=True)
    chronic_conditions = models.TextField(_("chronic conditions"), max_length=TEXT_MAX, blank=True)
    infections = models.TextField(_("infections"), max_length=TEXT_MAX, blank=True)
    mental_health = models.TextField(_("mental health"), max_length=TEXT_MAX, blank=True)
    allergies = models.TextField(_("allergies"), max_length=TEXT_MAX, blank=True)
    treatments = models.TextField(_("current treatments"), max_length=TEXT_MAX, blank=True)
    pregnant = models.BooleanField(_("pregnancy in progress"), default=False)
    pregnancy_due_date = models.DateField(_("expected due date"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)

    class Meta:
        verbose_name = _("medical context")
        verbose_name_plural = _("medical contexts")

    def __str__(self):
        return f"{self.patient.file_number}"


class Orientation(models.Model):
    class Destination(models.TextChoices):
        GP = "gp", _("General practitioner (médecin traitant)")
        HOSPITAL = "hospital", _("Hospital department")
        CMP = "cmp", _("Mental health centre (CMP)")
        PMI = "pmi", _("Mother and child centre (PMI)")
        HEALTH_CENTRE = "health_centre", _("Health centre")
        ASSOCIATION = "association", _("Association")
        SOCIAL_SERVICE = "social_service", _("Social services")
        OTHER = "other", _("Other")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Taken up")
        FAILED = "failed", _("Not taken up")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="orientations")
    oriented_on = models.DateField(_("date"), default=timezone.localdate)
    destination = models.CharField(_("oriented to"), max_length=20, choices=Destination)
    detail = models.CharField(_("name and place"), max_length=200, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome, default=Outcome.PENDING)
    notes = models.TextField(_("notes"), max_length=TEXT_MAX, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("orientation")
        verbose_name_plural = _("orientations")
        ordering = ["-oriented_on", "-created_at"]

    def __str__(self):
        return f"{self.get_destination_display()} — {self.oriented_on:%d/%m/%Y}"


class PatientMerge(models.Model):
    """File `source` (B) merged into file `target` (A): exactly what moved, so that it can be undone.

    `moved` maps "app_label.model.field" to the pks of the rows whose field pointed to B and now
    point to A; `target_before` / `source_before` hold the fields of A and B the merge changed, as
    they were; `merged_rows` the one-to-one rows of A (medical context…) that received B's content,
    with their fields as they were. Medical values may be in there: never shown, only restored.
    """

    target = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="merges_received")
    source = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="merges_given")
    reason = models.TextField(_("reason"), max_length=TEXT_MAX)
    moved = models.JSONField(default=dict, editable=False)
    target_before = models.JSONField(default=dict, editable=False)
    source_before = models.JSONField(default=dict, editable=False)
    merged_rows = models.JSONField(default=dict, editable=False)
    merged_at = models.DateTimeField(default=timezone.now, editable=False)
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    undone_at = models.DateTimeField(null=True, blank=True, editable=False)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    undo_reason = models.TextField(_("reason for undoing"), max_length=TEXT_MAX, blank=True)

    class Meta:
        verbose_name = _("merge of patient files")
        verbose_name_plural = _("merges of patient files")
        ordering = ["-merged_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(target=models.F("source")), name="merge_two_different_files"),
            models.CheckConstraint(
                condition=Q(undone_at__isnull=True) | Q(undone_by__isnull=False), name="merge_undo_signed"
            ),
        ]

    def __str__(self):
        return f"{self.source_id} → {self.target_id} ({self.merged_at:%d/%m/%Y})"

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None

    @property
    def moved_count(self) -> int:
        return sum(len(pks) for pks in self.moved.values())
