"""A hospital-scale history for the demo: `manage.py seed_demo --patients 100000` (issue 11).

The small demo (`patients.demo`, 60 patients by default) tells coherent stories for a first look;
it registers every patient through the service, which is fine for tens of files and far too slow
for a hundred thousand. Above `SCALE_THRESHOLD` patients (or with `--scale`), `seed_demo` writes
the small demo first, then this module adds the rest of the files as a 20-year history:

- registrations spread over `YEARS` years, more each year (a growing unit), on weekdays during
  opening hours; file numbers follow the registrations within each year (PASS-2011-00001…), each
  year's block reserved at once (`patients.services.reserve_file_numbers`);
- ~10 visits per patient over their follow-up (a few days for the lost to follow-up, months for
  those who went back to ordinary care, years for a few long-term patients), never before the
  registration nor in the future; ~1.5 social assessments and ~2 coverage rights each (AME, PUMa,
  CSS: filed, decided, granted, expired, renewed), a medical context for about 40 %, orientations;
- exits: most files older than a year ended (back to ordinary care, lost to follow-up), with a
  date after their last visit;
- one audit row ("created") per file, at its registration, by who registered it.

Everything is written with PostgreSQL's COPY (psycopg 3 `cursor.copy`), in the caller's
transaction; the patients' primary keys are reserved from their sequence in one block. The same
seed gives the same history. The RCP meetings (`rcp.demo_scale`) and expenses
(`budget.demo_scale`) of these patients come next, reading what this module returns.
"""

import json
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import User
from django.db import connection
from django.utils import timezone

from pass_unit.lib.countries import country_code
from pass_unit.lib.languages import language_codes
from patients.demo_data import (
    ACCOUNTS,
    CPAM_75,
    CPAM_93,
    DOMICILIATIONS,
    GENERIC_MEDICAL,
    GENERIC_NURSING,
    NURSES,
    ORIGINS,
    PHYSICIANS,
    PROFILES,
    PSYCH_VISITS,
    RECEPTION_VISITS,
    REFERRALS,
    SOCIAL_VISITS,
)
from patients.models import CoverageRight, MedicalContext, Orientation, Patient, SocialAssessment, Visit
from patients.services import format_file_number, reserve_file_numbers

# seed_demo takes the bulk path above this many patients (or with --scale).
SCALE_THRESHOLD = 2000
# The history goes back this many years (files are kept 20 years).
YEARS = 20
# Each year sees this much more new patients than the year before (a unit that grows).
GROWTH = 0.04

V = Visit.Kind
ST = CoverageRight.Status
RG = CoverageRight.Regime
H = SocialAssessment.Housing
PS = Patient.Status


@dataclass
class ScalePatient:
    """What the RCP and budget generators need to know of a bulk patient."""

    pk: int
    index: int
    file_number: str
    registered_at: datetime
    last_day: date  # last visit (local day)
    exit: tuple | None  # (status, day)
    physician: str
    interpreter: bool
    sex: str
    conditions: tuple = ()  # keys of PROFILES in their medical context
    visits: int = 0


@dataclass
class ScaleWorld:
    """The bulk patients, oldest registration first, and the figures written."""

    patients: list[ScalePatient] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    cases: list[tuple] = field(default_factory=list)  # (case review pk, patient pk, meeting day), rcp.demo_scale


# ---------------------------------------------------------------------------------------------
# COPY helpers (also used by rcp.demo_scale and budget.demo_scale)
# ---------------------------------------------------------------------------------------------


def reserve_ids(model, count: int) -> range:
    """Reserve `count` consecutive primary keys from the model's sequence (one statement each way).

    Meant for the demo seeding, alone on its database: the block is taken by moving the
    sequence forward, so a concurrent insert could only get a key after the block.
    """
    if count <= 0:
        return range(0)
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
        sequence = cursor.fetchone()[0]
        cursor.execute("SELECT nextval(%s)", [sequence])
        first = cursor.fetchone()[0]
        cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
    return range(first, first + count)


class Copier:
    """COPY rows of a model: `with Copier(Visit, ["patient_id", ...]) as copy: copy.row({...})`.

    Columns not given take the field's default (auto_now fields: now). Values are Python values
    as the ORM would take them (attname for foreign keys: `patient_id`).
    """

    def __init__(self, model, with_pk: bool = False):
        self.model = model
        now = timezone.now()
        self.fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
        self.defaults = {}
        for f in self.fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self.defaults[f.attname] = now
            else:
                self.defaults[f.attname] = f.get_default()  # "" for text fields, None when nullable
        self.json = {f.attname for f in self.fields if f.get_internal_type() == "JSONField"}
        self.count = 0

    def __enter__(self):
        qn = connection.ops.quote_name
        columns = ", ".join(qn(f.column) for f in self.fields)
        self._cursor = connection.cursor()
        self._cursor.__enter__()
        self._manager = self._cursor.cursor.copy(f"COPY {qn(self.model._meta.db_table)} ({columns}) FROM STDIN")
        self._copy = self._manager.__enter__()
        return self

    def row(self, values: dict) -> None:
        row = []
        for f in self.fields:
            value = values.get(f.attname, self.defaults[f.attname])
            if f.attname in self.json:
                value = json.dumps(value)
            row.append(value)
        self._copy.write_row(row)
        self.count += 1

    def __exit__(self, *exc):
        self._manager.__exit__(*exc)
        self._cursor.__exit__(*exc)
        return False


# ---------------------------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------------------------


def _weekday(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


class _Clock:
    def __init__(self, now: datetime):
        self.now = now
        self.tz = timezone.get_current_timezone()
        self.today = timezone.localdate(now)

    def moment(self, rng: random.Random, day: date) -> datetime:
        """A time during opening hours on `day` (a weekday), never in the future."""
        day = _weekday(day)
        minutes = rng.randint(8 * 60 + 30, 17 * 60)
        at = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=self.tz)
        while at > self.now:
            day = _weekday(day - timedelta(days=1))
            at = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=self.tz)
        return at


_ORIGIN_KEYS = list(ORIGINS)
_ORIGIN_WEIGHTS = [ORIGINS[k].weight for k in _ORIGIN_KEYS]
_REFERRAL_KEYS = list(REFERRALS)
_REFERRAL_WEIGHTS = [REFERRALS[k][0] for k in _REFERRAL_KEYS]
_PROFILE_KEYS = [k for k, p in PROFILES.items() if k != "grossesse"]
_PROFILE_WEIGHTS = [PROFILES[k].weight for k in _PROFILE_KEYS]
_KINDS = [V.MEDICAL, V.NURSING, V.SOCIAL, V.RECEPTION, V.PSYCHOLOGICAL, V.DENTAL]
_KIND_WEIGHTS = [32, 22, 22, 12, 7, 5]
_TEXTS = {
    V.MEDICAL: [(r, n) for r, n in GENERIC_MEDICAL],
    V.NURSING: [(r, n) for r, n in GENERIC_NURSING],
    V.SOCIAL: [(r, n) for r, n, _ in SOCIAL_VISITS],
    V.RECEPTION: [(r, n) for r, n in RECEPTION_VISITS],
    V.PSYCHOLOGICAL: [(r, n) for r, n, _ in PSYCH_VISITS],
    V.DENTAL: [("Douleur dentaire", "Carie profonde, soins conservateurs programmés."), ("Contrôle dentaire", "")],
}
_ROLES = {a.username: a.role.value for a in ACCOUNTS}
_ORGANISATIONS = {RG.AME: [CPAM_93, CPAM_75], RG.PUMA: [CPAM_93, CPAM_75], RG.CSS: [CPAM_93, CPAM_75]}


def _origin_codes() -> dict[str, tuple[str, str, list[str]]]:
    codes = {}
    for key, origin in ORIGINS.items():
        languages = language_codes(", ".join(origin.languages))[0]
        codes[key] = (country_code(origin.country) or "", country_code(origin.nationality) or "", languages)
    return codes


def _registration_days(rng: random.Random, count: int, clock: _Clock) -> list[date]:
    """`count` registration days over the last YEARS years, more each year, weekdays only."""
    first_year = clock.today.year - YEARS + 1
    years = list(range(first_year, clock.today.year + 1))
    weights = []
    for year in years:
        start = date(year, 1, 1)
        end = min(date(year, 12, 31), clock.today)
        weights.append((1 + GROWTH) ** (year - first_year) * ((end - start).days + 1))
    days = []
    for year in rng.choices(years, weights=weights, k=count):
        start = date(year, 1, 1)
        end = min(date(year, 12, 31), clock.today)
        days.append(start + timedelta(days=rng.randint(0, (end - start).days)))
    return days


def _timeline(rng: random.Random, first: date, today: date) -> tuple[str, date]:
    """The patient's status today and the last day of their follow-up."""
    age = (today - first).days
    draw = rng.random()
    if age < 365:
        status = PS.ACTIVE if draw < 0.8 else (PS.LOST if draw < 0.9 else PS.COMMON_LAW)
    else:
        status = (
            PS.COMMON_LAW if draw < 0.6 else (PS.LOST if draw < 0.95 else PS.ACTIVE if draw < 0.99 else PS.DECEASED)
        )
    if status == PS.LOST:
        end = first + timedelta(days=rng.randint(7, 60))
    elif status in (PS.COMMON_LAW, PS.DECEASED):
        end = first + timedelta(days=rng.randint(60, 540))
    else:
        end = today
    return status, min(end, today)


def seed(*, count: int, seed: int, users: dict[str, User], now: datetime | None = None) -> ScaleWorld:
    """Write `count` bulk patients and their files (see the module's docstring)."""
    clock = _Clock(now or timezone.now())
    today = clock.today
    rng = random.Random(f"pass-unit-scale:{seed}")
    world = ScaleWorld()
    if count <= 0:
        return world
    user_ids = {name: user.pk for name, user in users.items()}
    codes = _origin_codes()

    # Registrations, oldest first; file numbers in that order within each year, reserved per year.
    moments = sorted(clock.moment(rng, day) for day in _registration_days(rng, count, clock))
    per_year = Counter(timezone.localtime(m, clock.tz).year for m in moments)
    next_number = {year: reserve_file_numbers(year, n).start for year, n in per_year.items()}
    pks = reserve_ids(Patient, count)
    counts = Counter()

    audit_rows = []  # written after the patients: one COPY at a time on a connection
    with Copier(Patient, with_pk=True) as patients:
        for index, registered_at in enumerate(moments):
            prng = random.Random(f"pass-unit-scale:{seed}:{index}")
            year = timezone.localtime(registered_at, clock.tz).year
            number = format_file_number(year, next_number[year])
            next_number[year] += 1
            first_day = timezone.localtime(registered_at, clock.tz).date()
            origin_key = prng.choices(_ORIGIN_KEYS, weights=_ORIGIN_WEIGHTS)[0]
            origin = ORIGINS[origin_key]
            sex = "M" if prng.random() < 0.6 else "F"
            first_name = prng.choice(origin.male if sex == "M" else origin.female)
            last_name = prng.choice(origin.last)
            aliases = []
            for word in (first_name, last_name):
                if word in origin.variants and prng.random() < 0.3:
                    other = prng.choice(origin.variants[word])
                    aliases.append(f"{other} {last_name}" if word == first_name else f"{first_name} {other}")
            age = int(prng.triangular(16, 75, 32))
            birth_year = first_day.year - age
            birth_date = None
            if prng.random() < origin.exact_birth:
                birth_date = date(birth_year, 1, 1) + timedelta(days=prng.randint(0, 364))
            status, last_day = _timeline(prng, first_day, today)
            referral = prng.choices(_REFERRAL_KEYS, weights=_REFERRAL_WEIGHTS)[0]
            registered_by = prng.choices(["accueil", "social", "infirmier"], weights=[17, 2, 1])[0]
            physician = prng.choice(PHYSICIANS)
            interpreter = prng.random() < origin.interpreter
            birth_country, nationality, languages = codes[origin_key]
            exit_ = None
            if status != PS.ACTIVE:
                exit_day = min(today, last_day + timedelta(days=prng.randint(7, 120)))
                exit_ = (status, exit_day)
            validated = prng.random() < 0.2
            domiciliation = prng.choice(DOMICILIATIONS) if prng.random() < 0.5 else ("", "")
            patient = Patient(
                last_name=last_name,
                first_name=first_name,
                aliases=aliases,
                usage_name="",
            )
            patient.set_search_fields()
            pk = pks[index]
            values = {
                "id": pk,
                "file_number": number,
                "last_name": last_name,
                "first_name": first_name,
                "aliases": aliases,
                "sex": sex,
                "birth_date": birth_date,
                "birth_year": birth_date.year if birth_date else birth_year,
                "birth_date_precision": Patient.BirthDatePrecision.EXACT if birth_date else "year",
                "birth_country": birth_country,
                "nationality": nationality,
                "arrival_in_france": first_day - timedelta(days=prng.randint(5, 900))
                if origin_key != "france"
                else None,
                "languages": languages,
                "interpreter_needed": interpreter,
                "interpreter_language": origin.languages[0] if interpreter else "",
                "phone": f"06 39 98 {prng.randint(0, 99):02d} {prng.randint(0, 99):02d}" if prng.random() < 0.6 else "",
                "domiciliation_organisation": domiciliation[0],
                "domiciliation_address": domiciliation[1],
                "ipp": f"40{prng.randint(0, 9_999_999):07d}" if referral in ("emergency", "ward", "admissions") else "",
                "referred_by": referral,
                "referral_detail": prng.choice(REFERRALS[referral][1]),
                "referring_physician_id": user_ids[physician],
                "status": status,
                "exit_date": exit_[1] if exit_ else None,
                "exit_reason": _exit_reason(status) if exit_ else "",
                "identity_status": Patient.IdentityStatus.VALIDATED if validated else "provisional",
                "identity_document_type": prng.choice(["passport", "residence_permit"]) if validated else "",
                "identity_checked_at": registered_at if validated else None,
                "identity_checked_by_id": user_ids[registered_by] if validated else None,
                "search_text": patient.search_text,
                "search_keys": patient.search_keys,
                "created_at": registered_at,
                "updated_at": max(registered_at, min(clock.now, _evening(exit_[1] if exit_ else last_day, clock))),
                "created_by_id": user_ids[registered_by],
                "updated_by_id": user_ids[registered_by],
            }
            patients.row(values)
            audit_rows.append(
                {
                    "at": registered_at,
                    "user_id": user_ids[registered_by],
                    "username": registered_by,
                    "role": _ROLES[registered_by],
                    "action": "create",
                    "object_type": "patients.patient",
                    "object_id": str(pk),
                    "object_repr": f"{last_name.upper()} {first_name} ({number})"[:200],
                    "patient_id": pk,
                    "changes": {"file_number": [None, number], "last_name": [None, last_name]},
                    "medical": False,
                    "detail": "",
                }
            )
            conditions = ()
            if prng.random() < 0.4:
                conditions = (prng.choices(_PROFILE_KEYS, weights=_PROFILE_WEIGHTS)[0],)
            world.patients.append(
                ScalePatient(
                    pk=pk,
                    index=index,
                    file_number=number,
                    registered_at=registered_at,
                    last_day=last_day,
                    exit=exit_,
                    physician=physician,
                    interpreter=interpreter,
                    sex=sex,
                    conditions=conditions,
                )
            )
    with Copier(_AuditEvent()) as audit:
        for row in audit_rows:
            audit.row(row)
    counts["patients"] = len(world.patients)
    counts["audit rows"] = audit.count
    _write_files(world, seed=seed, clock=clock, user_ids=user_ids, counts=counts)
    world.counts = dict(counts)
    return world


def _evening(day: date, clock: _Clock) -> datetime:
    return datetime.combine(day, time(16, 45), tzinfo=clock.tz)


def _AuditEvent():
    from pass_unit.models import AuditEvent

    return AuditEvent


def _exit_reason(status: str) -> str:
    return {
        PS.COMMON_LAW: "Droits ouverts et médecin traitant déclaré : relais vers le droit commun.",
        PS.LOST: "Perdu de vue : plus de venue depuis 3 mois, téléphone injoignable.",
        PS.DECEASED: "Décès signalé par le service hospitalier.",
    }.get(status, "")


def _write_files(world: ScaleWorld, *, seed: int, clock: _Clock, user_ids: dict, counts: Counter) -> None:
    """Visits (streamed by COPY), then assessments, rights, medical contexts and orientations."""
    today, now, tz = clock.today, clock.now, clock.tz
    who = {
        V.MEDICAL: None,  # the patient's physician
        V.NURSING: NURSES,
        V.SOCIAL: ["social"],
        V.RECEPTION: ["accueil"],
        V.PSYCHOLOGICAL: ["psy"],
        V.DENTAL: PHYSICIANS,
    }
    others: list[tuple] = []  # (kind, patient, rng state) handled after the visits
    with Copier(Visit) as visits:
        for p in world.patients:
            rng = random.Random(f"pass-unit-scale:{seed}:{p.index}:files")
            first = p.registered_at
            first_day = timezone.localtime(first, tz).date()
            span = (p.last_day - first_day).days
            physician_id = user_ids[p.physician]
            # The first day: reception, then the social worker and often the physician.
            plan = [(first, V.RECEPTION, user_ids["accueil"], "Première venue à la PASS")]
            at = first + timedelta(minutes=rng.randint(10, 60))
            if at <= now:
                plan.append((at, V.SOCIAL, user_ids["social"], "Premier entretien social"))
            at += timedelta(minutes=rng.randint(10, 60))
            if at <= now and rng.random() < 0.75:
                plan.append((at, V.MEDICAL, physician_id, "Première consultation"))
            if span > 0:
                follow_ups = min(60, int(rng.expovariate(1 / 6.2)) + span // 120)
                for _ in range(follow_ups):
                    day = first_day + timedelta(days=rng.randint(1, span))
                    at = clock.moment(rng, day)
                    if at <= first:
                        continue
                    kind = rng.choices(_KINDS, weights=_KIND_WEIGHTS)[0]
                    pros = who[kind]
                    pro = physician_id if pros is None else user_ids[rng.choice(pros)]
                    plan.append((at, kind, pro, ""))
            for at, kind, pro, reason in plan:
                text_reason, notes = rng.choice(_TEXTS[kind])
                cancelled = rng.random() < 0.02 and at < now - timedelta(hours=1)
                interpreting = "phone" if p.interpreter and kind != V.RECEPTION and rng.random() < 0.6 else "none"
                visits.row(
                    {
                        "patient_id": p.pk,
                        "occurred_at": at,
                        "kind": kind,
                        "professional_id": pro,
                        "reason": reason or text_reason,
                        "notes": notes,
                        "interpreting": interpreting,
                        "interpreter_language": "",
                        "cancelled_at": at + timedelta(minutes=20) if cancelled else None,
                        "cancel_reason": "Patient absent au rendez-vous." if cancelled else "",
                        "created_at": at,
                    }
                )
            p.visits = len(plan)
            others.append((p, rng, first_day))
    counts["visits"] = visits.count

    with Copier(SocialAssessment) as assessments:
        for p, rng, first_day in others:
            days = [first_day]
            if (p.last_day - first_day).days > 240 or rng.random() < 0.2:
                days.append(min(p.last_day, first_day + timedelta(days=rng.randint(20, 200))))
            housing = rng.choice([H.SHELTER_115, H.FAMILY_FRIENDS, H.STREET, H.SQUAT, H.ASYLUM_CENTRE, H.SOCIAL_HOTEL])
            for day in days:
                assessments.row(
                    {
                        "patient_id": p.pk,
                        "assessed_on": day,
                        "author_id": user_ids["social"],
                        "housing": housing,
                        "household": rng.choice(["alone", "alone", "couple", "single_parent", "couple_children"]),
                        "children": rng.choice([0, 0, 0, 1, 2, 3]),
                        "resources": rng.choice(["none", "none", "minimum_benefits", "salary"]),
                        "employment": rng.choice(["none", "undeclared", "unknown", "employed"]),
                        "administrative_status": rng.choice(
                            ["undocumented", "asylum_seeker", "permit_applied", "residence_permit", "eu_citizen"]
                        ),
                        "has_domiciliation": rng.random() < 0.6,
                        "needs": "Ouverture des droits, hébergement, suivi médical.",
                        "created_at": datetime.combine(day, time(15), tzinfo=tz),
                    }
                )
                housing = rng.choice([housing, H.SOCIAL_HOTEL, H.FAMILY_FRIENDS, H.CHRS])
    counts["assessments"] = assessments.count

    social_id = user_ids["social"]
    with Copier(CoverageRight) as rights:
        for p, rng, first_day in others:
            regime = rng.choices([RG.AME, RG.PUMA, RG.CSS], weights=[60, 30, 10])[0]
            created = first_day + timedelta(days=rng.randint(0, 14))
            applications = 1 + (rng.random() < 0.9) + (rng.random() < 0.15)
            for _ in range(applications):
                if created > today:
                    break
                row = _right(rng, regime, created, today, now)
                row.update(patient_id=p.pk, created_by_id=social_id, organisation=rng.choice(_ORGANISATIONS[regime]))
                rights.row(row)
                # The next application: the renewal a year later, or the complementary cover.
                if row["end_date"]:
                    created = row["end_date"] - timedelta(days=rng.randint(20, 60))
                else:
                    created = created + timedelta(days=rng.randint(60, 200))
                regime = regime if rng.random() < 0.7 else RG.CSS
    counts["rights"] = rights.count

    with Copier(MedicalContext) as contexts:
        for p, _rng, first_day in others:
            if not p.conditions:
                continue
            profile = PROFILES[p.conditions[0]]
            updated = datetime.combine(first_day, time(17, 30), tzinfo=tz)
            contexts.row(
                {
                    "patient_id": p.pk,
                    "history": profile.history,
                    "chronic_conditions": profile.chronic,
                    "infections": profile.infections,
                    "mental_health": profile.mental,
                    "treatments": profile.treatments,
                    "updated_at": min(updated, now),
                    "updated_by_id": user_ids[p.physician],
                }
            )
    counts["medical contexts"] = contexts.count

    with Copier(Orientation) as orientations:
        for p, rng, first_day in others:
            if rng.random() < 0.5:
                continue
            day = first_day + timedelta(days=rng.randint(0, max(0, (p.last_day - first_day).days)))
            orientations.row(
                {
                    "patient_id": p.pk,
                    "oriented_on": day,
                    "destination": rng.choice(["gp", "hospital", "health_centre", "association", "cmp"]),
                    "detail": "",
                    "outcome": "done" if day < today - timedelta(days=60) else "pending",
                    "author_id": user_ids[rng.choice(["social", p.physician])],
                    "created_at": datetime.combine(day, time(16), tzinfo=tz),
                }
            )
    counts["orientations"] = orientations.count


def _right(rng: random.Random, regime: str, created: date, today: date, now: datetime) -> dict:
    """One application as it stands today: filed after creation, decided after filing, granted a year."""
    row = {
        "regime": regime,
        "status": ST.BUILDING,
        "filed_on": None,
        "decision_on": None,
        "start_date": None,
        "end_date": None,
        "created_at": min(now, datetime.combine(created, time(12), tzinfo=timezone.get_current_timezone())),
    }
    row["updated_at"] = row["created_at"]
    filed = created + timedelta(days=rng.randint(3, 30))
    if filed > today:
        return row
    row.update(status=ST.FILED, filed_on=filed)
    decided = filed + timedelta(days=rng.randint(20, 90))
    if decided > today:
        return row
    row["decision_on"] = decided
    if rng.random() < 0.12:
        row["status"] = ST.REFUSED
        return row
    end = decided + timedelta(days=365)
    row.update(status=ST.GRANTED, start_date=filed, end_date=end)
    # An ended right is marked expired, except a few left granted (the follow-up list shows them).
    if end < today and rng.random() < 0.97:
        row["status"] = ST.EXPIRED
    return row
