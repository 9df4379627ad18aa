"""Demo RCP data, called by `manage.py seed_demo` after the demo accounts and patients exist.

Three past meetings with validated minutes (stored PDFs), one held last week whose minutes
are still to validate, and one planned next week with cases on its agenda. Everything goes
through the services, as a user would do it, on a simulated clock that replays the last
months: meetings are planned before they take place, validated the day after, and actions
are followed up between meetings, so each set of minutes has a "Suivi" section with done,
dropped and open actions, and every date (audit trail included) is plausible.

Every name and story below is invented.
"""

import random
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from unittest import mock

from django.utils import timezone

from patients.models import Patient
from rcp import selectors, services
from rcp.models import Action, CaseOption, CaseReview, Meeting, Participant


@dataclass(frozen=True)
class Story:
    question: str
    medical: str
    options: tuple  # (description, cost or None)
    deliberation: str
    ethical: str
    decision: str
    actions: tuple  # (description, assignee username, days after the meeting)
    presenter: str = "medecin"
    departs_from_guidelines: bool = False


STORIES = [
    Story(
        "Diabète de type 2 déséquilibré, sans droits ouverts : peut-on programmer une hospitalisation de jour "
        "pour bilan avant l'ouverture de l'AME ?",
        "HbA1c 11,2 %. Neuropathie débutante. Pas de traitement depuis l'arrivée en France il y a 5 mois.",
        (
            ("Hospitalisation de jour pour bilan, prise en charge sur la MIG PASS", "850.00"),
            ("Bilan en consultations externes étalées sur deux mois", "320.00"),
        ),
        "Le bilan en externe suffit si l'éducation thérapeutique est assurée par l'IDE PASS ; l'HDJ n'apporte pas "
        "de bénéfice décisif à court terme.",
        "",
        "Bilan en consultations externes ; insuline débutée par le médecin PASS ; éducation thérapeutique IDE.",
        (
            ("Déposer la demande d'AME", "social", 10),
            ("Programmer les consultations d'endocrinologie", "medecin", 21),
            ("Séances d'éducation thérapeutique", "infirmier", 30),
        ),
    ),
    Story(
        "Hépatite B chronique découverte chez un homme sans domicile : traitement antiviral au long cours "
        "possible sans couverture ?",
        "Ag HBs positif, charge virale élevée, fibroscan F2. Pas de co-infection VIH/VHC.",
        (
            ("Ténofovir dispensé par la PUI en attendant les droits (6 mois)", "1140.00"),
            ("Surveillance simple et traitement après ouverture des droits", "180.00"),
        ),
        "L'indication de traitement est posée ; l'instabilité d'hébergement fait craindre une mauvaise observance. "
        "Le LHSS permettrait un cadre.",
        "Traiter une personne dont on n'est pas sûr qu'elle pourra poursuivre : l'équipe juge que le bénéfice "
        "individuel et collectif l'emporte.",
        "Traitement débuté, dispensation mensuelle par la PUI ; demande de place en LHSS.",
        (
            ("Demande de place en lits halte soins santé (LHSS)", "social", 14),
            ("Consultation d'hépatologie", "medecin2", 30),
        ),
        presenter="medecin2",
    ),
    Story(
        "Grossesse de 24 SA, sans couverture, hébergée au 115 : quel suivi et où accoucher ?",
        "G2P1, grossesse sans particularité à ce jour. Anémie modérée (Hb 9,8 g/dL).",
        (
            ("Suivi en PMI et accouchement pris en charge par le fonds soins urgents et vitaux", None),
            ("Suivi à la maternité de l'hôpital dès maintenant", "600.00"),
        ),
        "La PMI peut assurer le suivi ; l'accouchement relève des soins urgents si l'AME n'est pas ouverte à temps.",
        "",
        "Suivi PMI ; dossier soins urgents et vitaux préparé ; inscription à la maternité.",
        (
            ("Constituer le dossier soins urgents et vitaux", "social", 7),
            ("Contacter la PMI de secteur", "infirmier2", 5),
        ),
        presenter="infirmier2",
    ),
    Story(
        "Syndrome de stress post-traumatique chez un demandeur d'asile : suivi psychologique à la PASS ou "
        "orientation vers le CMP ?",
        "Cauchemars, reviviscences, insomnie sévère. Pas d'idées suicidaires. Traitement par hydroxyzine.",
        (
            ("Suivi psychologique PASS avec interprète (10 séances)", "450.00"),
            ("Orientation vers le CMP de secteur", None),
        ),
        "Le CMP a un délai de quatre mois ; un suivi PASS transitoire avec interprète est possible.",
        "La présence d'un interprète professionnel est indispensable : pas de traduction par un proche.",
        "Suivi PASS transitoire avec interprète, puis relais CMP.",
        (("Adresser le courrier au CMP", "psy", 14), ("Réserver l'interprète dari pour les séances", "infirmier", 7)),
        presenter="psy",
    ),
    Story(
        "Insuffisance rénale chronique évoluée, ressortissant européen sans carte européenne : quelle prise en "
        "charge de la dialyse ?",
        "DFG 12 mL/min. Indication de dialyse dans les semaines à venir. Hypertension mal contrôlée.",
        (
            ("Dialyse prise en charge en soins urgents en attendant les droits", "3200.00"),
            ("Retour organisé vers le pays d'origine avec relais néphrologique", "900.00"),
        ),
        "Le retour n'est pas envisageable sans garantie de prise en charge là-bas. La dialyse ne peut attendre.",
        "Coût élevé pour l'établissement ; la décision est prise dans l'intérêt du patient, le coût ne décide pas.",
        "Préparation de la dialyse ; démarches auprès de la caisse du pays d'origine (formulaire S1).",
        (
            ("Contacter la caisse du pays d'origine (formulaire S1)", "social", 10),
            ("Consultation de néphrologie et préparation de l'abord vasculaire", "medecin", 10),
        ),
        departs_from_guidelines=True,
    ),
    Story(
        "Soins dentaires lourds (édentement partiel) : prothèse ou extractions seules ?",
        "Polycaries, deux foyers infectieux. Dénutrition légère liée aux difficultés de mastication.",
        (("Prothèse amovible partielle", "620.00"), ("Extractions et soins conservateurs seuls", "95.00")),
        "La prothèse améliore l'alimentation ; l'ouverture de la CSS est attendue dans un mois et la prendrait "
        "en charge.",
        "",
        "Extractions et soins conservateurs maintenant ; prothèse après l'ouverture de la CSS.",
        (("Suivre l'ouverture de la CSS", "social", 30),),
    ),
    Story(
        "Sortie d'hospitalisation après une pneumopathie, à la rue : quelle solution d'aval ?",
        "Pneumopathie traitée, antibiothérapie à terminer (5 jours). Toux persistante, BK négatifs.",
        (("Lit halte soins santé (LHSS)", None), ("Hôtel social financé par la MIG PASS (7 nuits)", "490.00")),
        "Le LHSS a une place dans trois jours ; l'hôtel social fait la jonction.",
        "",
        "Trois nuits d'hôtel social puis LHSS ; fin d'antibiothérapie supervisée par l'IDE.",
        (("Réserver l'hôtel social", "social", 1), ("Passage IDE pour la fin du traitement", "infirmier2", 5)),
        presenter="infirmier",
    ),
]

GUESTS = [
    ("Dr Sophie Marchal", "Infectiologue", "Service des maladies infectieuses"),
    ("Claire Dubois", "Directrice des soins", "Direction de l'hôpital"),
    ("Yanis Belaïd", "Coordinateur", "Médecins du Monde"),
    ("Dr Paul Ngata", "Néphrologue", "Service de néphrologie"),
]
PLACE = "Salle de staff de la PASS, bâtiment B, 2e étage"
TEAM = ["medecin", "medecin2", "infirmier", "infirmier2", "social", "psy", "coordination"]


class _Clock:
    """A settable `django.utils.timezone.now`: services and auto_now fields read it."""

    def __init__(self):
        self.real_now = timezone.now()
        self.today = timezone.localdate()
        self.current = self.real_now

    def now(self):
        return self.current

    def at(self, days_from_today: int, hour: int, minute: int = 0) -> datetime:
        day = self.today + timedelta(days=days_from_today)
        return timezone.make_aware(datetime.combine(day, time(hour))) + timedelta(minutes=minute)

    def set(self, moment: datetime) -> None:
        # Never past the real present: nothing in the demo happens in the future.
        self.current = min(moment, self.real_now)


@contextmanager
def _simulated_clock():
    clock = _Clock()
    with mock.patch.object(timezone, "now", clock.now):
        yield clock


def _plan(users, *, kind, when, chair="medecin", guests=()) -> Meeting:
    members = [users[name] for name in TEAM if name in users and name != chair]
    meeting = services.meeting_plan(
        meeting=Meeting(scheduled_at=when, kind=kind, place=PLACE, chair=users[chair]),
        members=members,
        acting_user=users[chair],
    )
    for name, profession, organisation in guests:
        services.participant_add(
            participant=Participant(name=name, profession=profession, organisation=organisation),
            meeting=meeting,
            acting_user=users[chair],
        )
    return meeting


def _user(users, name):
    return users.get(name) or users["medecin"]


def _add_case(users, meeting, patient, story: Story, *, urgent=False) -> CaseReview:
    presenter = _user(users, story.presenter)
    return services.case_review_add(
        case_review=CaseReview(
            presented_by=presenter,
            question=story.question,
            social_summary=selectors.social_summary_prefill(patient),
            urgent=urgent,
        ),
        meeting=meeting,
        patient=patient,
        medical_summary=story.medical,
        acting_user=presenter,
    )


def _deliberate(users, meeting, case: CaseReview, story: Story, rng: random.Random) -> None:
    chair = meeting.chair
    retained = rng.randrange(len(story.options))
    for index, (description, cost) in enumerate(story.options):
        services.option_add(
            option=CaseOption(
                description=description,
                estimated_cost=Decimal(cost) if cost else None,
                retained=index == retained,
            ),
            case_review=case,
            acting_user=chair,
        )
    case.deliberation = story.deliberation
    case.ethical_issues = story.ethical
    case.decision = story.decision
    case.departs_from_guidelines = story.departs_from_guidelines
    case.follow_up_by = _user(users, story.presenter)
    meeting_day = timezone.localtime(meeting.scheduled_at).date()
    case.next_review_on = meeting_day + timedelta(days=rng.choice([28, 42, 56]))
    case.patient_informed = rng.random() < 0.8
    services.case_review_update(case_review=case, acting_user=chair)
    for description, assignee, days in story.actions:
        services.action_add(
            action=Action(
                description=description, assignee=_user(users, assignee), due_on=meeting_day + timedelta(days)
            ),
            case_review=case,
            acting_user=chair,
        )


def _take_attendance(meeting, rng: random.Random) -> None:
    attendance = {}
    for participant in meeting.participants.all():
        draw = rng.random()
        if participant.user_id == meeting.chair_id or draw < 0.8:
            attendance[participant.pk] = Participant.Attendance.PRESENT
        else:
            attendance[participant.pk] = (
                Participant.Attendance.EXCUSED if draw < 0.93 else Participant.Attendance.ABSENT
            )
    services.attendance_record(meeting=meeting, attendance=attendance, acting_user=meeting.chair)


def _hold(users, clock, meeting, cases, rng, *, day: int, decided: int | None = None) -> None:
    """The meeting on its day: attendance, then one case after the other."""
    clock.set(clock.at(day, 14, 5))
    _take_attendance(meeting, rng)
    for index, (case, story) in enumerate(cases[:decided]):
        clock.set(clock.at(day, 14, 20 + 20 * index))
        _deliberate(users, meeting, case, story, rng)


def _follow_up(clock, rng: random.Random, *, start: datetime, end: datetime) -> None:
    """Between two meetings, most open actions are done, a few dropped, some stay open."""
    span = max((end - start).total_seconds(), 60)
    closings = []
    for action in Action.objects.filter(status=Action.Status.OPEN).select_related("assignee").order_by("pk"):
        draw = rng.random()
        if draw < 0.65:
            status = Action.Status.DONE if draw < 0.55 else Action.Status.DROPPED
            closings.append((start + timedelta(seconds=rng.uniform(0, span)), action, status))
    for moment, action, status in sorted(closings, key=lambda c: (c[0], c[1].pk)):
        clock.set(moment)
        reason = "Le patient a quitté la région ; relais transmis à l'association qui le suit."
        services.action_close(
            action=action,
            status=status,
            reason=reason if status == Action.Status.DROPPED else "",
            acting_user=action.assignee,
        )


def seed(*, rng: random.Random, users: dict, patients: list) -> None:
    """Create the demo meetings. `users` are the demo accounts by username; `patients` the demo patients."""
    pool = [p for p in patients if p.status == Patient.Status.ACTIVE] or list(patients)
    rng.shuffle(pool)
    stories = list(STORIES)
    validator = users.get("coordination")
    past = [
        (-70, Meeting.Kind.MEDICO_SOCIAL, "medecin", 3),
        (-42, Meeting.Kind.MEDICAL, "medecin2", 2),
        (-21, Meeting.Kind.MEDICO_SOCIAL, "medecin", 3),
    ]
    presented = []
    with _simulated_clock() as clock:
        last_validation = None
        for day, kind, chair, count in past:
            if last_validation:
                _follow_up(clock, rng, start=last_validation, end=clock.at(day - 1, 18))
            clock.set(clock.at(day - 10, 9, 30))
            guests = rng.sample(GUESTS, k=2) if kind == Meeting.Kind.MEDICO_SOCIAL else GUESTS[:1]
            meeting = _plan(users, kind=kind, when=clock.at(day, 14), chair=chair, guests=guests)
            # A patient seen at an earlier meeting comes back, as complex cases do.
            chosen = ([presented[0]] if presented and day == -21 else []) + pool[:count]
            pool = pool[count:]
            cases = []
            for index, (patient, story) in enumerate(zip(chosen[:count], rng.sample(stories, k=count), strict=False)):
                clock.set(clock.at(day - 4 + index, 11))
                cases.append((_add_case(users, meeting, patient, story), story))
                presented.append(patient)
            _hold(users, clock, meeting, cases, rng, day=day)
            clock.set(clock.at(day + 1, 10))
            services.minutes_validate(meeting=meeting, acting_user=validator or meeting.chair)
            last_validation = clock.at(day + 1, 10)
        _follow_up(clock, rng, start=last_validation, end=clock.at(-6, 18))

        # Held five days ago: decisions recorded, one case left to discuss, minutes not validated.
        clock.set(clock.at(-12, 9, 30))
        held = _plan(users, kind=Meeting.Kind.MEDICO_SOCIAL, when=clock.at(-5, 14), guests=GUESTS[2:3])
        clock.set(clock.at(-8, 11))
        held_cases = [
            (_add_case(users, held, patient, story), story)
            for patient, story in zip(pool[:3], stories[3:6], strict=False)
        ]
        pool = pool[3:]
        _hold(users, clock, held, held_cases, rng, day=-5, decided=2)
        _follow_up(clock, rng, start=clock.at(-4, 9), end=clock.at(-1, 18))

        # Planned next week: the agenda is being prepared, one urgent case.
        clock.set(clock.at(-3, 9, 30))
        planned = _plan(users, kind=Meeting.Kind.MEDICO_SOCIAL, when=clock.at(6, 14))
        for index, patient in enumerate(pool[:3]):
            clock.set(clock.at(-2 + index, 10))
            _add_case(users, planned, patient, stories[index], urgent=index == 2)
