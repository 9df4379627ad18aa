"""The patients demo: a realistic, deterministic PASS unit, written by `manage.py seed_demo`.

One account per role (password ``pass-unit-demo``) and N patients with visits, social
assessments, coverage rights, medical context and orientations spread over the past months.
Everything comes from `build_demo()`, a pure function of (count, now, seed): the same seed
gives the same people and stories, and patient i does not depend on N, so 5 patients are the
first five of the default demo. The data tables live in `patients.demo_data`.

`seed()` creates or updates the accounts on every run, and patients only when no demo patient
exists yet: it never deletes anything.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from pass_unit.lib.countries import country_code
from pass_unit.lib.languages import language_codes
from pass_unit.lib.text import normalize
from patients.demo_data import (
    ACCOUNTS,
    AFRICA,
    ANCHORS,
    CANCEL_REASONS,
    CPAM_75,
    CPAM_93,
    DEFAULT_PATIENTS,
    DEFAULT_SEED,
    DEMO_PASSWORD,
    DEMO_USERNAMES,
    DEST,
    DOMICILIATIONS,
    EMAIL_DOMAIN,
    FIRST_RECEPTION_NOTES,
    GENERIC_MEDICAL,
    GENERIC_NURSING,
    HOUSING_BY_STATUS,
    HOUSING_NEXT,
    HOUSING_NOTES,
    NURSES,
    ORIGINS,
    PHYSICIANS,
    PROFILES,
    PSYCH_VISITS,
    RECEPTION_VISITS,
    REFERRALS,
    REFUSALS,
    RG,
    SOCIAL_VISITS,
    SPADA,
    ST,
    URGENT_ORG,
    H,
    Origin,
    Profile,
    R,
    S,
)
from patients.models import CoverageRight, MedicalContext, Orientation, Patient, SocialAssessment, Visit
from patients.services import patient_register

# ---------------------------------------------------------------------------------------------
# The plan: plain data, built by a pure function
# ---------------------------------------------------------------------------------------------


@dataclass
class VisitPlan:
    at: datetime
    kind: str
    professional: str
    reason: str
    notes: str = ""
    interpreting: str = Visit.Interpreting.NONE
    interpreter_language: str = ""
    cancel_reason: str = ""


@dataclass
class AssessmentPlan:
    assessed_on: date
    author: str
    values: dict


@dataclass
class RightPlan:
    created_on: date
    regime: str
    status: str
    organisation: str = ""
    filed_on: date | None = None
    decision_on: date | None = None
    start_date: date | None = None
    end_date: date | None = None
    notes: str = ""


@dataclass
class OrientationPlan:
    oriented_on: date
    destination: str
    detail: str
    outcome: str
    author: str
    notes: str = ""


@dataclass
class PatientPlan:
    index: int
    identity: dict
    registered_by: str
    visits: list
    assessments: list = field(default_factory=list)
    rights: list = field(default_factory=list)
    medical: dict | None = None
    medical_by: str = ""
    orientations: list = field(default_factory=list)
    exit: tuple | None = None  # (status, exit_date, reason)
    referring_physician: str = ""

    @property
    def first_contact(self) -> datetime:
        return min(v.at for v in self.visits)

    @property
    def last_activity(self) -> datetime:
        return max(v.at for v in self.visits)


# Random patients never take an anchor's name (in either order), so searches for them stay unambiguous.
_RESERVED_NAMES = {
    normalize(spelling)
    for a in ANCHORS
    for spelling in [f"{a['first_name']} {a['last_name']}", f"{a['last_name']} {a['first_name']}", *a["aliases"]]
}


def _pick(rng: random.Random, weights: dict):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _one_year_after(day: date) -> date:
    """Last day of a one-year right starting on `day`."""
    try:
        return day.replace(year=day.year + 1) - timedelta(days=1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _weekday(day: date) -> date:
    """The PASS is open on weekdays: a Saturday or Sunday becomes the Friday before."""
    return day - timedelta(days=max(0, day.weekday() - 4))


def _e(sex: str) -> str:
    return "e" if sex == "F" else ""


def _fits(spec: dict, needs: str) -> bool:
    """Whether a text that `needs` something (see the tables in demo_data) fits this patient."""
    return {
        "": True,
        "asylum": spec["admin_status"] == S.ASYLUM_SEEKER,
        "migrant": spec["origin"] != "france",
        "interpreter": spec["interpreter"],
        "domiciliation": bool(spec["domiciliation"]),
        "no_domiciliation": not spec["domiciliation"],
        "birth_date": bool(spec["birth_date"]),
        "no_birth_date": not spec["birth_date"],
        "no_phone": not spec.get("phone"),
    }[needs]


def _fictional_phone(rng: random.Random) -> str:
    return f"06 39 98 {rng.randint(0, 99):02d} {rng.randint(0, 99):02d}"


class _Builder:
    """Builds one patient's plan. All randomness comes from `rng`; all dates from `now`."""

    def __init__(self, index: int, rng: random.Random, now: datetime):
        self.index = index
        self.rng = rng
        self.now = now
        self.tz = timezone.get_current_timezone()
        self.today = timezone.localdate(now)

    # -- time ---------------------------------------------------------------------------------
    def moment(self, day: date) -> datetime:
        """A time during opening hours on `day`, never in the future."""
        minutes = self.rng.randint(8 * 60 + 30, 17 * 60)
        day = _weekday(day)
        while True:
            at = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=self.tz)
            if at <= self.now:
                return at
            day = _weekday(day - timedelta(days=1))

    def later(self, after: datetime) -> datetime:
        """A little after `after` (the next professional the same day), never in the future."""
        at = after + timedelta(minutes=self.rng.randint(10, 75))
        return at if at <= self.now else after + (self.now - after) / 2

    def local_day(self, at: datetime) -> date:
        return timezone.localtime(at, self.tz).date()

    # -- identity -----------------------------------------------------------------------------
    def spec(self, anchor: dict | None) -> dict:
        """The patient's main features: drawn at random, then overridden by a fixed story."""
        rng = self.rng
        origin_key = _pick(rng, {k: o.weight for k, o in ORIGINS.items()})
        if anchor:
            origin_key = anchor["origin"]
        origin = ORIGINS[origin_key]
        male_share = 0.75 if origin_key in {"afghanistan", "erythree", "soudan", "pakistan", "bangladesh"} else 0.55
        sex = "M" if rng.random() < male_share else "F"
        names = origin.male if sex == "M" else origin.female
        first_name, last_name = rng.choice(names), rng.choice(origin.last)
        while not anchor and normalize(f"{first_name} {last_name}") in _RESERVED_NAMES:
            first_name, last_name = rng.choice(names), rng.choice(origin.last)
        age = rng.choice([16, 17]) if rng.random() < 0.04 else int(rng.triangular(18, 75, 32))
        birth_year = self.today.year - age
        birth_date = None
        if rng.random() < origin.exact_birth:
            birth_date = date(birth_year, 1, 1) + timedelta(days=rng.randint(0, 364))
            birth_year = birth_date.year
        languages = [origin.languages[0]]
        if len(origin.languages) > 1 and rng.random() < 0.6:
            languages.append(rng.choice(origin.languages[1:]))
        if "français" not in languages and rng.random() < 0.25:
            languages.append("français")
        interpreter = rng.random() < origin.interpreter
        aliases = self._aliases(origin, first_name, last_name)
        spec = {
            "origin": origin_key,
            "sex": sex,
            "first_name": first_name,
            "last_name": last_name,
            "aliases": aliases,
            "birth_date": birth_date,
            "birth_year": birth_year,
            "languages": ", ".join(dict.fromkeys(languages)),
            "interpreter": interpreter,
            "admin_status": _pick(rng, origin.statuses),
            "days_ago": int(rng.triangular(0, 280, 60)),
            "referred_by": _pick(rng, {k: w for k, (w, _) in REFERRALS.items()}),
            "status": _pick(rng, {Patient.Status.ACTIVE: 78, Patient.Status.COMMON_LAW: 13, Patient.Status.LOST: 9}),
            "phone": _fictional_phone(rng) if rng.random() < 0.6 else "",
            "ipp": f"40{rng.randint(0, 9_999_999):07d}",
            "arrival_days_before": int(rng.triangular(5, 2000, 120)),
            "renewal_in": rng.randint(5, 55),
        }
        spec["referral_detail"] = rng.choice(REFERRALS[spec["referred_by"]][1])
        has_domiciliation = rng.random() < 0.45
        domiciliation = rng.choice(DOMICILIATIONS)
        if spec["admin_status"] == S.ASYLUM_SEEKER:
            domiciliation, has_domiciliation = SPADA, True
        spec["domiciliation"] = domiciliation if has_domiciliation else None
        spec["rights"] = self._rights_scenario(spec)
        spec["profiles"] = self._profiles(spec, age)
        if anchor:
            spec.update(anchor)
            if anchor.get("birth_date"):
                spec["birth_year"] = anchor["birth_date"].year
        return spec

    def _aliases(self, origin: Origin, first: str, last: str) -> list[str]:
        rng = self.rng
        aliases = []
        if rng.random() < 0.4:
            other_first = rng.choice(origin.variants.get(first, [first]))
            other_last = rng.choice(origin.variants.get(last, [last]))
            if (other_first, other_last) != (first, last):
                aliases.append(f"{other_first} {other_last}")
        if rng.random() < 0.15:  # first and last names swapped on a document
            aliases.append(f"{last} {first}")
        return aliases

    def _rights_scenario(self, spec: dict) -> str:
        rng = self.rng
        status = spec["admin_status"]
        if status in (S.UNDOCUMENTED, S.PERMIT_APPLIED):
            if spec["arrival_days_before"] < 90:
                return "urgent_then_ame"
            return _pick(rng, {"ame": 6, "ame_renewal": 2, "ame_expired": 2, "foreign": 1})
        if status == S.ASYLUM_SEEKER:
            return "asylum"
        if status == S.RESIDENCE_PERMIT:
            return "permit"
        if status == S.EU_CITIZEN:
            return _pick(rng, {"eu": 2, "eu_refused": 1})
        return "french"

    def _profiles(self, spec: dict, age: int) -> list[str]:
        rng = self.rng
        if rng.random() < 0.2:
            return []
        choices = {k: p.weight for k, p in PROFILES.items() if p.weight}
        if spec["origin"] not in AFRICA:
            choices.pop("drepanocytose")
        if age < 40:
            choices["hta"] = 1
            choices["diabete"] = 1
        profiles = [_pick(rng, choices)]
        if rng.random() < 0.3:
            second = _pick(rng, choices)
            if second not in profiles:
                profiles.append(second)
        if spec["sex"] == "F" and 18 <= age <= 40 and spec["status"] == Patient.Status.ACTIVE and rng.random() < 0.15:
            profiles.insert(0, "grossesse")
        return profiles

    # -- the whole file -----------------------------------------------------------------------
    def build(self, anchor: dict | None) -> PatientPlan:
        rng = self.rng
        spec = self.spec(anchor)
        sex = spec["sex"]
        origin = ORIGINS[spec["origin"]]
        physician, nurse = rng.choice(PHYSICIANS), rng.choice(NURSES)

        # Timeline: first contact, end of follow-up, exit.
        status = spec["status"]
        days_ago = spec["days_ago"]
        if status != Patient.Status.ACTIVE and not anchor:
            days_ago = max(days_ago, rng.randint(130, 300))
        if "grossesse" in spec["profiles"]:
            days_ago = min(days_ago, 150)  # about 14 weeks pregnant when she came: still pregnant today
        first_day = _weekday(self.today - timedelta(days=days_ago))
        if status == Patient.Status.LOST:
            end_day = first_day + timedelta(days=rng.randint(7, 40))
        elif status == Patient.Status.COMMON_LAW:
            end_day = first_day + timedelta(days=rng.randint(100, max(101, (self.today - first_day).days)))
        else:
            end_day = self.today
        end_day = min(end_day, self.today)
        arrival = first_day - timedelta(days=spec["arrival_days_before"])
        born = spec["birth_date"] or date(spec["birth_year"], 12, 31)
        arrival = max(arrival, born + timedelta(days=1))

        identity = {
            "last_name": spec["last_name"],
            "first_name": spec["first_name"],
            "aliases": list(spec["aliases"]),
            "sex": sex,
            "birth_date": spec["birth_date"],
            "birth_year": spec["birth_year"],
            # Structured values, as the form's lists record them (ISO 3166 and ISO 639 codes).
            "birth_country": country_code(origin.country) or "",
            "nationality": country_code(origin.nationality) or "",
            "arrival_in_france": None if spec["origin"] == "france" else arrival,
            "languages": language_codes(spec["languages"])[0],
            "interpreter_needed": spec["interpreter"],
            "interpreter_language": spec["languages"].split(", ")[0] if spec["interpreter"] else "",
            "phone": spec.get("phone", ""),
            "domiciliation_organisation": spec["domiciliation"][0] if spec["domiciliation"] else "",
            "domiciliation_address": spec["domiciliation"][1] if spec["domiciliation"] else "",
            "ipp": spec.get("ipp", "") if spec["referred_by"] in (R.EMERGENCY, R.WARD, R.ADMISSIONS) else "",
            "referred_by": spec["referred_by"],
            "referral_detail": spec["referral_detail"],
        }
        profiles = [PROFILES[p] for p in spec["profiles"]]
        mental = any(p.mental for p in profiles)

        # Visits: reception, then social and medical the first day; follow-ups until end_day.
        visits = []
        first_note = rng.choice([note for note, needs in FIRST_RECEPTION_NOTES if _fits(spec, needs)])
        first_note = first_note.replace("{e}", _e(sex))
        referral = f"Adressé{_e(sex)} par : {spec['referral_detail']}. " if spec["referral_detail"] else ""
        visits.append(
            VisitPlan(
                self.moment(first_day),
                Visit.Kind.RECEPTION,
                rng.choices(["accueil", "social", "infirmier"], weights=[17, 2, 1])[0],
                "Première venue à la PASS",
                f"{referral}{first_note} Rendez-vous donné avec l'assistante sociale.",
            )
        )
        registered_by = visits[0].professional
        if days_ago > 2 or rng.random() < 0.5:
            visits.append(self._visit(Visit.Kind.SOCIAL, first_day, "social", spec, profiles, after=visits[-1].at))
        if profiles or rng.random() < 0.6:
            visits.append(self._visit(Visit.Kind.MEDICAL, first_day, physician, spec, profiles, after=visits[-1].at))
        span = (end_day - first_day).days
        if span > 0:
            follow_ups = min(14, 1 + span // 25 + rng.randint(0, 2))
            kinds = {
                Visit.Kind.MEDICAL: 4,
                Visit.Kind.NURSING: 4 if any(p.nursing for p in profiles) else 1,
                Visit.Kind.SOCIAL: 3,
                Visit.Kind.PSYCHOLOGICAL: 4 if mental else 0,
                Visit.Kind.RECEPTION: 1,
            }
            who = {
                Visit.Kind.MEDICAL: physician,
                Visit.Kind.NURSING: nurse,
                Visit.Kind.SOCIAL: "social",
                Visit.Kind.PSYCHOLOGICAL: "psy",
                Visit.Kind.RECEPTION: "accueil",
            }
            for _ in range(follow_ups):
                day = first_day + timedelta(days=rng.randint(1, span))
                kind = _pick(rng, kinds)
                visits.append(self._visit(kind, day, who[kind], spec, profiles))
        # A few patients are in the waiting room today (the dashboard shows them).
        if status == Patient.Status.ACTIVE and days_ago > 0 and rng.random() < 0.1:
            visits.append(self._visit(Visit.Kind.RECEPTION, self.today, "accueil", spec, profiles))
        # A Saturday follow-up moved back to the first Friday must still come after the first reception.
        for visit in visits[1:]:
            if visit.at < visits[0].at:
                visit.at = self.later(visits[0].at)
        visits.sort(key=lambda v: v.at)
        first_day = self.local_day(visits[0].at)
        social_days = [self.local_day(v.at) for v in visits if v.kind == Visit.Kind.SOCIAL and not v.cancel_reason]
        last_day = self.local_day(max(v.at for v in visits))

        plan = PatientPlan(index=self.index, identity=identity, registered_by=registered_by, visits=visits)
        if any(v.kind == Visit.Kind.MEDICAL for v in visits):
            plan.referring_physician = physician
        plan.assessments = self._assessments(spec, social_days)
        plan.rights = self._rights(spec, social_days[0] if social_days else first_day, last_day, arrival)
        medical_days = [self.local_day(v.at) for v in visits if v.kind == Visit.Kind.MEDICAL]
        if medical_days and (profiles or rng.random() < 0.5):
            plan.medical, plan.medical_by = self._medical(spec, profiles, medical_days), physician
        plan.orientations = self._orientations(profiles, first_day, last_day, physician)

        if status == Patient.Status.COMMON_LAW:
            granted = [r.decision_on for r in plan.rights if r.status == ST.GRANTED and r.decision_on]
            if not granted:
                status = Patient.Status.ACTIVE
            else:
                exit_day = min(self.today, max(last_day, max(granted) + timedelta(days=rng.randint(7, 30))))
                doctor = rng.choice(
                    [
                        "Dr Lemaire (La Courneuve)",
                        "Dr Benhamou (Saint-Denis)",
                        "centre municipal de santé d'Aubervilliers",
                        "Dr Nguyen (Bobigny)",
                    ]
                )
                plan.orientations.append(
                    OrientationPlan(
                        exit_day,
                        DEST.GP,
                        f"Médecin traitant : {doctor}",
                        Orientation.Outcome.DONE,
                        "social",
                        "Déclaration de médecin traitant faite ; premier rendez-vous honoré.",
                    )
                )
                plan.exit = (
                    status,
                    exit_day,
                    f"Droits ouverts et médecin traitant déclaré ({doctor}) : relais vers le droit commun.",
                )
        if status == Patient.Status.LOST:
            exit_day = min(self.today, last_day + timedelta(days=rng.randint(90, 120)))
            plan.exit = (
                status,
                exit_day,
                "Perdu de vue : plus de venue depuis 3 mois, téléphone injoignable, courrier de relance sans réponse.",
            )
        return plan

    def _interpreting(self, spec: dict, kind: str) -> tuple[str, str]:
        Interp = Visit.Interpreting
        if not spec["interpreter"] or kind == Visit.Kind.RECEPTION:
            return Interp.NONE, ""
        mode = _pick(self.rng, {Interp.PHONE: 55, Interp.ON_SITE: 25, Interp.RELATIVE: 10, Interp.NONE: 10})
        language = spec["languages"].split(", ")[0] if mode in (Interp.PHONE, Interp.ON_SITE) else ""
        return mode, language

    def _visit(self, kind, day, professional, spec, profiles, after: datetime | None = None) -> VisitPlan:
        """A visit on `day`; `after` is the previous visit of a first day (this one is then a first too)."""
        rng = self.rng
        first = after is not None
        at = self.later(after) if first else self.moment(day)
        sex = spec["sex"]
        if kind == Visit.Kind.SOCIAL:
            if first:
                reason = "Bilan social initial"
                notes = "Premier entretien : situation administrative, hébergement, ressources et couverture maladie "
                notes += "évalués (voir bilan social)."
            else:
                reason, notes = rng.choice([(r, n) for r, n, needs in SOCIAL_VISITS if _fits(spec, needs)])
        elif kind == Visit.Kind.MEDICAL:
            presenting = [p.first for p in profiles if p.first]
            own = [v for p in profiles for v in p.medical]
            if first:
                reason, notes = presenting[0] if presenting else GENERIC_MEDICAL[0]
            elif own and rng.random() < 0.75:
                reason, notes = rng.choice(own)
            else:
                reason, notes = rng.choice(GENERIC_MEDICAL[1:])
        elif kind == Visit.Kind.NURSING:
            own = [v for p in profiles for v in p.nursing]
            reason, notes = rng.choice(own) if own and rng.random() < 0.7 else rng.choice(GENERIC_NURSING)
        elif kind == Visit.Kind.PSYCHOLOGICAL:
            reason, notes = rng.choice([(r, n) for r, n, needs in PSYCH_VISITS if _fits(spec, needs)])
        else:
            reason, notes = rng.choice(RECEPTION_VISITS)
        if not spec["interpreter"]:  # the profiles' texts assume one; this patient speaks for themself
            notes = notes.replace(" faite avec l'interprète", " faite").replace(" avec l'interprète,", ",")
        interpreting, language = self._interpreting(spec, kind)
        cancel = rng.choice(CANCEL_REASONS) if not first and rng.random() < 0.03 else ""
        return VisitPlan(at, kind, professional, reason, notes.replace("{e}", _e(sex)), interpreting, language, cancel)

    def _assessments(self, spec: dict, social_days: list[date]) -> list[AssessmentPlan]:
        rng = self.rng
        if not social_days:
            return []
        status = spec["admin_status"]
        sex = spec["sex"]
        housing = _pick(rng, HOUSING_BY_STATUS[status])
        household = _pick(
            rng,
            {
                SocialAssessment.Household.ALONE: 6,
                SocialAssessment.Household.SINGLE_PARENT: 2 if sex == "F" else 0,
                SocialAssessment.Household.COUPLE: 1,
                SocialAssessment.Household.COUPLE_CHILDREN: 2,
            },
        )
        children = rng.randint(1, 4) if "children" in household or household == "single_parent" else 0
        Res, Emp = SocialAssessment.Resources, SocialAssessment.Employment
        if status == S.ASYLUM_SEEKER:
            resources, income, employment = Res.MINIMUM_BENEFITS, Decimal(rng.choice([204, 216, 426])), Emp.NONE
        elif status == S.FRENCH:
            resources, income, employment = Res.MINIMUM_BENEFITS, Decimal("635.71"), Emp.NONE
        elif rng.random() < 0.25:
            resources, income, employment = Res.OTHER, Decimal(rng.randrange(200, 800, 50)), Emp.UNDECLARED
        elif status == S.RESIDENCE_PERMIT and rng.random() < 0.3:
            resources, income, employment = Res.SALARY, Decimal(rng.randrange(900, 1500, 50)), Emp.EMPLOYED
        else:
            resources, income, employment = Res.NONE, None, Emp.NONE if rng.random() < 0.7 else Emp.UNKNOWN
        if spec["rights"] == "ame_renewal":
            needs = ["Renouvellement de l'AME à anticiper"]
        else:
            needs = ["Ouverture des droits à l'assurance maladie"]
        if not spec["domiciliation"]:
            needs.append("domiciliation")
        if housing in (H.STREET, H.SQUAT, H.OTHER, H.FAMILY_FRIENDS):
            needs.append("hébergement (demande SIAO)")
        if resources == Res.NONE:
            needs.append("aide alimentaire")
        if spec["interpreter"]:
            needs.append("interprétariat")
        count = min(len(social_days), 1 + (rng.random() < 0.5) + (rng.random() < 0.3))
        days = [social_days[0], *sorted(rng.sample(social_days[1:], count - 1))] if count > 1 else social_days[:1]
        result = []
        for number, day in enumerate(dict.fromkeys(days)):
            if number:
                housing = rng.choice(HOUSING_NEXT[housing])
            notes = rng.choice(HOUSING_NOTES[housing]).replace("{e}", _e(sex))
            if children:
                notes += f" {children} enfant{'s' if children > 1 else ''} à charge."
            result.append(
                AssessmentPlan(
                    day,
                    "social",
                    {
                        "housing": housing,
                        "household": household,
                        "children": children,
                        "resources": resources,
                        "monthly_income": income,
                        "employment": employment,
                        "administrative_status": status,
                        "has_domiciliation": bool(spec["domiciliation"]),
                        "needs": ("Besoins : " if not number else "Reste à faire : ") + ", ".join(needs) + ".",
                        "notes": notes,
                    },
                )
            )
        return result

    # -- coverage rights ----------------------------------------------------------------------
    def _application(self, regime, created, last_day, organisation, *, year_long=True, granted_share=0.85):
        """One application started on `created`, at the step it has reached today.

        Nothing is started or filed after `last_day` (the last time the patient came); the
        decision may come later, the insurance fund does not wait for the patient.
        """
        rng = self.rng
        if created > last_day:
            return []
        filed = created + timedelta(days=rng.randint(8, 40))
        decision = filed + timedelta(days=rng.randint(20, 70))
        granted = rng.random() < granted_share
        refusal = rng.choice(REFUSALS.get(regime, REFUSALS[RG.AME]))
        right = RightPlan(created, regime, ST.TO_ASSESS, organisation)
        if (self.today - created).days < 3:
            right.notes = "Aucune couverture ; droits à évaluer au prochain entretien."
            return [right]
        if filed > self.today or filed > last_day:
            right.status = ST.BUILDING
            right.notes = "En attente : justificatif de présence de plus de 3 mois, attestation de domiciliation."
            return [right]
        right.filed_on = filed
        if decision > self.today:
            right.status = ST.FILED
            right.notes = "Dossier déposé, récépissé remis au patient."
            return [right]
        right.decision_on = decision
        if not granted:
            right.status = ST.REFUSED
            right.notes = refusal
            again = decision + timedelta(days=rng.randint(5, 20))
            if again <= min(self.today, last_day):
                return [
                    right,
                    RightPlan(again, regime, ST.BUILDING, organisation, notes="Nouvelle demande après refus."),
                ]
            return [right]
        right.status = ST.GRANTED
        right.start_date = filed
        right.end_date = _one_year_after(filed) if year_long else None
        if right.end_date and right.end_date < self.today:
            right.status = ST.EXPIRED
        return [right]

    def _prior_ame(self, created: date, end: date, organisation: str) -> RightPlan:
        """An AME granted before the first venue, ending on `end`."""
        start = end - timedelta(days=364)
        filed = start
        decision = filed + timedelta(days=self.rng.randint(20, 60))
        return RightPlan(
            created,
            RG.AME,
            ST.GRANTED,
            organisation,
            filed,
            decision,
            start,
            end,
            "Attestation AME présentée au premier entretien.",
        )

    def _rights(self, spec: dict, first_social: date, last_day: date, arrival: date) -> list[RightPlan]:
        rng = self.rng
        scenario = spec["rights"]
        cpam = CPAM_93 if rng.random() < 0.85 else CPAM_75
        if scenario == "new" or (self.today - first_social).days < 3:
            notes = "Aucune couverture déclarée à l'accueil ; bilan social à compléter."
            return [RightPlan(first_social, RG.NONE, ST.TO_ASSESS, notes=notes)]
        if scenario == "ame":
            return self._application(RG.AME, first_social, last_day, cpam)
        if scenario == "ame_renewal":
            end = self.today + timedelta(days=spec["renewal_in"])
            rights = [self._prior_ame(first_social, end, cpam)]
            if spec["renewal_in"] < 40 and rng.random() < 0.5 and spec["status"] == Patient.Status.ACTIVE:
                created = max(first_social, self.today - timedelta(days=rng.randint(0, 10)))
                rights.append(RightPlan(created, RG.AME, ST.BUILDING, cpam, notes="Renouvellement de l'AME en cours."))
            return rights
        if scenario == "ame_expired":
            end = self.today - timedelta(days=rng.randint(5, 90))
            end = max(end, first_social + timedelta(days=1))
            prior = self._prior_ame(first_social, end, cpam)
            if rng.random() < 0.4:  # nobody updated the status: the file shows an "expired" alert
                return [prior]
            prior.status = ST.EXPIRED
            renewal = self._application(RG.AME, max(first_social, end - timedelta(days=20)), last_day, cpam)
            for right in renewal[:1]:
                right.notes = right.notes or "Demande de renouvellement."
            return [prior, *renewal]
        if scenario == "foreign":
            end = arrival + timedelta(days=90)
            foreign = RightPlan(
                first_social,
                RG.FOREIGN,
                ST.EXPIRED,
                "Assurance voyage (visa Schengen)",
                filed_on=arrival - timedelta(days=15),  # bought for the visa application
                decision_on=arrival - timedelta(days=15),
                start_date=arrival,
                end_date=end,
                notes="Assurance du visa, échue.",
            )
            if end >= self.today:
                foreign.status = ST.GRANTED
            return [foreign, *self._application(RG.AME, first_social, last_day, cpam)]
        if scenario in ("urgent_then_ame", "ame_filed"):
            urgent = RightPlan(
                first_social,
                RG.URGENT_CARE,
                ST.FILED,
                URGENT_ORG,
                filed_on=first_social,
                notes="Moins de 3 mois de présence : soins urgents et vitaux.",
            )
            decision = first_social + timedelta(days=rng.randint(15, 45))
            if decision <= self.today:
                urgent.status, urgent.decision_on, urgent.start_date = ST.GRANTED, decision, first_social
            eligible = arrival + timedelta(days=91)
            if scenario == "ame_filed":  # a fixed story: filed ten days ago, decision awaited
                filed = max(eligible, self.today - timedelta(days=10))
                ame = RightPlan(max(first_social, filed - timedelta(days=20)), RG.AME, ST.FILED, cpam, filed_on=filed)
                ame.notes = "Dossier déposé dès les 3 mois de présence atteints ; décision attendue."
                return [urgent, ame]
            if eligible > self.today or eligible > last_day:
                ame = RightPlan(
                    first_social,
                    RG.AME,
                    ST.TO_ASSESS,
                    cpam,
                    notes=f"Éligible à l'AME à partir du {eligible:%d/%m/%Y} (3 mois de présence).",
                )
                return [urgent, ame]
            return [urgent, *self._application(RG.AME, max(first_social, eligible), last_day, cpam)]
        if scenario == "asylum":
            urgent = RightPlan(
                first_social,
                RG.URGENT_CARE,
                ST.GRANTED,
                URGENT_ORG,
                first_social,
                first_social,
                first_social,
                notes="Délai de carence de 3 mois des demandeurs d'asile.",
            )
            puma_from = max(first_social, arrival + timedelta(days=rng.randint(90, 110)))
            if puma_from > self.today:
                return [
                    urgent,
                    RightPlan(
                        first_social,
                        RG.PUMA,
                        ST.TO_ASSESS,
                        cpam,
                        notes=f"PUMa possible à partir du {puma_from:%d/%m/%Y}.",
                    ),
                ]
            puma = self._application(RG.PUMA, puma_from, last_day, cpam, year_long=False, granted_share=0.95)
            rights = [urgent, *puma]
            if puma and puma[-1].status == ST.GRANTED:
                rights += self._application(RG.CSS, puma[-1].decision_on, last_day, cpam, granted_share=0.9)
            return rights
        if scenario == "permit":
            puma = self._application(RG.PUMA, first_social, last_day, cpam, year_long=False, granted_share=1)
            if puma and puma[-1].status == ST.GRANTED:
                return [*puma, *self._application(RG.CSS, puma[-1].decision_on, last_day, cpam, granted_share=1)]
            return puma
        if scenario in ("eu", "eu_refused"):
            card_start = first_social - timedelta(days=rng.randint(400, 700))
            card_end = card_start + timedelta(days=730)
            ehic = RightPlan(
                first_social,
                RG.EHIC,
                ST.GRANTED,
                "Casa Națională de Asigurări de Sănătate (Roumanie)",
                filed_on=card_start,  # a card: issued the day it was asked for
                decision_on=card_start,
                start_date=card_start,
                end_date=card_end,
                notes="Carte européenne présentée.",
            )
            if card_end < self.today:
                ehic.status = ST.EXPIRED
            if scenario == "eu_refused" and (min(self.today, last_day) - first_social).days >= 75:
                ehic.status, ehic.end_date = ST.EXPIRED, first_social - timedelta(days=10)
                ehic.start_date = min(card_start, ehic.end_date)
                filed = first_social + timedelta(days=10)
                refused = RightPlan(
                    first_social,
                    RG.AME,
                    ST.REFUSED,
                    cpam,
                    filed,
                    filed + timedelta(days=45),
                    notes="Refus : droit au séjour et ressources à justifier.",
                )
                again = RightPlan(
                    filed + timedelta(days=60),
                    RG.AME,
                    ST.BUILDING,
                    cpam,
                    notes="Nouvelle demande avec l'aide de la maraude.",
                )
                return [ehic, refused, again]
            return [ehic]
        # French: PUMa to reopen (closed rights), then CSS.
        puma = self._application(RG.PUMA, first_social, last_day, cpam, year_long=False, granted_share=1)
        if puma and puma[-1].status == ST.GRANTED:
            css = self._application(RG.CSS, puma[-1].decision_on, last_day, cpam, granted_share=0.7)
            if css and css[-1].status == ST.REFUSED:
                css.append(
                    RightPlan(
                        css[-1].decision_on,
                        RG.CSS_CONTRIBUTION,
                        ST.BUILDING,
                        cpam,
                        notes="CSS avec participation (moins de 1 € par jour).",
                    )
                )
            return [*puma, *css]
        return puma

    # -- health -------------------------------------------------------------------------------
    def _medical(self, spec: dict, profiles: list[Profile], medical_days: list[date]) -> dict:
        rng = self.rng
        join = "\n".join
        pregnant = "grossesse" in spec["profiles"] and spec["status"] == Patient.Status.ACTIVE
        return {
            "history": join(p.history for p in profiles if p.history) or "Pas d'antécédent notable rapporté.",
            "chronic_conditions": join(p.chronic for p in profiles if p.chronic),
            "infections": join(p.infections for p in profiles if p.infections),
            "mental_health": join(p.mental for p in profiles if p.mental),
            "allergies": rng.choices(
                ["Aucune allergie connue", "Pénicilline (urticaire)", "AINS (bronchospasme)", "Arachide", ""],
                weights=[70, 8, 4, 3, 15],
            )[0],
            "treatments": join(p.treatments for p in profiles if p.treatments) or "Aucun traitement au long cours.",
            "pregnant": pregnant,
            # 14 weeks of amenorrhoea at the first consultation (see the "grossesse" profile).
            "pregnancy_due_date": medical_days[0] + timedelta(weeks=40 - 14) if pregnant else None,
            "updated_on": medical_days[-1],
        }

    def _orientations(self, profiles, first_day, last_day, physician) -> list[OrientationPlan]:
        rng = self.rng
        result = []
        for profile in profiles:
            if not profile.orientation or rng.random() < 0.3:
                continue
            span = max(0, (last_day - first_day).days)
            day = first_day + timedelta(days=rng.randint(0, min(span, 30)))
            if (self.today - day).days > 30:
                outcome = _pick(rng, {Orientation.Outcome.DONE: 7, Orientation.Outcome.FAILED: 2})
            else:
                outcome = Orientation.Outcome.PENDING
            destination, detail = profile.orientation
            author = "psy" if destination in (DEST.CMP, DEST.ASSOCIATION) and rng.random() < 0.5 else physician
            notes = {
                Orientation.Outcome.DONE: "Rendez-vous honoré, compte rendu reçu.",
                Orientation.Outcome.FAILED: "Rendez-vous non honoré (pas de titre de transport) ; à reprogrammer.",
                Orientation.Outcome.PENDING: "Courrier remis, rendez-vous à prendre.",
            }[outcome]
            result.append(OrientationPlan(day, destination, detail, outcome, author, notes))
        return result


def build_demo(count: int = DEFAULT_PATIENTS, *, now: datetime, seed: int = DEFAULT_SEED) -> list[PatientPlan]:
    """The demo patients, as plain data. Pure: same (count, now, seed), same result.

    Patient i depends only on (i, now, seed), so a smaller count gives a prefix of a larger one.
    """
    plans = []
    for index in range(count):
        rng = random.Random(f"pass-unit-demo:{seed}:{index}")
        anchor = ANCHORS[index] if index < len(ANCHORS) else None
        plans.append(_Builder(index, rng, now).build(anchor))
    return plans


# ---------------------------------------------------------------------------------------------
# Writing to the database
# ---------------------------------------------------------------------------------------------


def ensure_accounts() -> dict[str, User]:
    """Create or update the demo accounts: names, password, one role group each."""
    users = {}
    # One hash for all (hashing is deliberately slow): the password is public anyway.
    password = make_password(DEMO_PASSWORD)
    groups = {g.name: g for g in Group.objects.filter(name__in=[a.role.value for a in ACCOUNTS])}
    for account in ACCOUNTS:
        if account.role.value not in groups:
            raise CommandError(f"The group {account.role.value!r} is missing: run `manage.py migrate` first.")
        user, _ = User.objects.get_or_create(username=account.username)
        user.first_name, user.last_name = account.first_name, account.last_name
        user.email = f"{normalize(account.first_name)}.{normalize(account.last_name)}@{EMAIL_DOMAIN}".replace(" ", "-")
        user.is_active = True
        user.is_staff = user.is_superuser = account.admin
        user.password = password
        user.save()
        user.groups.set([groups[account.role.value]])
        users[account.username] = user
    return users


def demo_patients():
    return Patient.objects.filter(created_by__username__in=DEMO_USERNAMES)


def _backdate(model, columns: list[str], rows: list[tuple]) -> None:
    """Set timestamp columns of many rows, `rows` being (pk, value, ...), in one UPDATE.

    (`bulk_update` builds one CASE WHEN per row and field: far too slow for thousands of rows.)
    """
    if not rows:
        return
    qn = connection.ops.quote_name
    pk = qn(model._meta.pk.column)
    assignments = ", ".join(f"{qn(c)} = v.{qn(c)}" for c in columns)
    arrays = ", ".join(["%s::bigint[]", *["%s::timestamptz[]"] * len(columns)])
    names = ", ".join([pk, *(qn(c) for c in columns)])
    sql = (
        f"UPDATE {qn(model._meta.db_table)} AS t SET {assignments} "
        f"FROM unnest({arrays}) AS v({names}) WHERE t.{pk} = v.{pk}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(values) for values in zip(*rows, strict=True)])


def write_demo(plans: list[PatientPlan], users: dict[str, User]) -> dict[str, int]:
    """Register the patients (through the service: file numbers, audit) and bulk-create the rest."""
    now = timezone.now()
    plans = sorted(plans, key=lambda p: (p.first_contact, p.index))  # file numbers follow first contacts
    patients = []
    for plan in plans:
        patient = Patient(**plan.identity)
        if plan.referring_physician:
            patient.referring_physician = users[plan.referring_physician]
        if plan.exit:
            # Set at registration: patient_exit() per file would double the time of a large demo.
            patient.status, patient.exit_date, patient.exit_reason = plan.exit
        patient_register(patient=patient, acting_user=users[plan.registered_by])
        patients.append(patient)

    visits, assessments, rights, contexts, orientations = [], [], [], [], []
    for plan, patient in zip(plans, patients, strict=True):
        for v in plan.visits:
            visits.append(
                Visit(
                    patient=patient,
                    occurred_at=v.at,
                    kind=v.kind,
                    professional=users[v.professional],
                    reason=v.reason,
                    notes=v.notes,
                    interpreting=v.interpreting,
                    interpreter_language=v.interpreter_language,
                    cancelled_at=min(v.at + timedelta(minutes=20), now) if v.cancel_reason else None,
                    cancel_reason=v.cancel_reason,
                )
            )
        for a in plan.assessments:
            assessments.append(
                SocialAssessment(patient=patient, assessed_on=a.assessed_on, author=users[a.author], **a.values)
            )
        for r in plan.rights:
            right = CoverageRight(
                patient=patient,
                regime=r.regime,
                status=r.status,
                organisation=r.organisation,
                filed_on=r.filed_on,
                decision_on=r.decision_on,
                start_date=r.start_date,
                end_date=r.end_date,
                notes=r.notes,
                created_by=users["social"],
            )
            right.demo_created_on = r.created_on
            rights.append(right)
        if plan.medical:
            values = dict(plan.medical)
            updated_on = values.pop("updated_on")
            context = MedicalContext(patient=patient, updated_by=users[plan.medical_by], **values)
            context.demo_updated_on = updated_on
            contexts.append(context)
        for o in plan.orientations:
            orientations.append(
                Orientation(
                    patient=patient,
                    oriented_on=o.oriented_on,
                    destination=o.destination,
                    detail=o.detail,
                    outcome=o.outcome,
                    notes=o.notes,
                    author=users[o.author],
                )
            )
    Visit.objects.bulk_create(visits, batch_size=2000)
    SocialAssessment.objects.bulk_create(assessments, batch_size=2000)
    CoverageRight.objects.bulk_create(rights, batch_size=2000)
    MedicalContext.objects.bulk_create(contexts, batch_size=2000)
    Orientation.objects.bulk_create(orientations, batch_size=2000)

    # Back-date the bookkeeping timestamps (auto_now*) to when things happened: "file opened on",
    # the order of the rights history and "medical context updated on" read them.
    tz = timezone.get_current_timezone()
    patient_rows = []
    for plan, patient in zip(plans, patients, strict=True):
        updated = plan.last_activity
        if plan.exit:
            updated = max(updated, min(now, datetime.combine(plan.exit[1], time(16, 45), tzinfo=tz)))
        patient_rows.append((patient.pk, plan.first_contact, updated))
    _backdate(Patient, ["created_at", "updated_at"], patient_rows)
    right_rows = []
    for right in rights:
        created = min(now, datetime.combine(right.demo_created_on, time(12), tzinfo=tz))
        right_rows.append((right.pk, created, created))
    _backdate(CoverageRight, ["created_at", "updated_at"], right_rows)
    context_rows = []
    for context in contexts:
        context_rows.append((context.pk, min(now, datetime.combine(context.demo_updated_on, time(17, 30), tzinfo=tz))))
    _backdate(MedicalContext, ["updated_at"], context_rows)
    return {
        "patients": len(patients),
        "visits": len(visits),
        "assessments": len(assessments),
        "rights": len(rights),
        "medical contexts": len(contexts),
        "orientations": len(orientations),
    }


def seed(*, count: int = DEFAULT_PATIENTS, seed: int = DEFAULT_SEED, users: dict[str, User]) -> dict[str, int] | None:
    """Write `count` demo patients, unless demo patients exist already (then None: nothing written)."""
    if demo_patients().exists():
        return None
    return write_demo(build_demo(count, now=timezone.now(), seed=seed), users)


# ---------------------------------------------------------------------------------------------
# Reading a demo patient back, for the other demos (RCP stories, budget expenses)
# ---------------------------------------------------------------------------------------------


def conditions_of(context: MedicalContext | None) -> set[str]:
    """The keys of the medical profiles (`PROFILES`) a demo medical context was written from.

    The context's texts are the profiles' own, so the patient's file itself says which
    stories fit: a pregnancy only while `pregnant` is set.
    """
    if context is None:
        return set()
    found = set()
    for key, profile in PROFILES.items():
        texts = [
            (profile.chronic, context.chronic_conditions),
            (profile.infections, context.infections),
            (profile.mental, context.mental_health),
            (profile.history, context.history),
        ]
        texts = [(text, field) for text, field in texts if text]
        if texts and all(text in field for text, field in texts):
            found.add(key)
    if context.pregnant:
        found.add("grossesse")
    else:
        found.discard("grossesse")
    return found


def age_on(patient: Patient, day: date) -> int:
    """Age in whole years on `day`; from the birth year when the exact date is unknown."""
    if patient.birth_date:
        born = patient.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    return day.year - patient.birth_year
