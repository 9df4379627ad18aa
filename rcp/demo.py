"""Demo RCP data, called by `manage.py seed_demo` after the demo accounts and patients exist.

Three past meetings with validated minutes (stored PDFs), one held last week whose minutes
are still to validate, and one planned next week with cases on its agenda. Everything goes
through the services, as a user would do it, replaying the last months: meetings are
planned before they take place, validated the day after, and actions are followed up
between meetings, so each set of minutes has a "Suivi" section with done, dropped and open
actions. The services take the moment explicitly (`at=`) where they read the clock; the
bookkeeping timestamps (`created_at`, `updated_at`) are set to the same moments right after
each write. The audit trail, append-only, keeps the real time of the writes.

Each case is a story that fits its patient, read from the patient's own file: the question
comes from their medical context (a pregnancy only for a pregnant woman, a minor's question
only for a minor…), is worded with their sex, age, housing and coverage on the day, and is
never asked twice in the demo; the social summary is written from their latest social
assessment and coverage rights on the day the case is put on the agenda.

Every name and story below is invented.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone, translation

from patients import demo as patients_demo
from patients.models import CoverageRight, MedicalContext, Patient, SocialAssessment
from rcp import services
from rcp.models import Action, CaseMedicalSummary, CaseOption, CaseReview, Meeting, Participant

RG = CoverageRight.Regime
ST = CoverageRight.Status
H = SocialAssessment.Housing
S = SocialAssessment.AdministrativeStatus


@dataclass(frozen=True)
class Story:
    """One RCP case. `question` is a template: {who} {e} {housing} {coverage} {status} {sa} {language}."""

    condition: str  # a profile key of the patient's medical context (patients.demo_data.PROFILES)
    question: str
    medical: str
    options: tuple  # (description, cost or None); the first one is the option retained
    deliberation: str
    ethical: str
    decision: str
    actions: tuple  # (description, assignee username, days after the meeting)
    presenter: str = "medecin"
    departs_from_guidelines: bool = False
    fits: Callable | None = None  # an extra rule on the patient's Facts
    uncovered: bool = True  # the question is about care before the rights open: not for a covered patient


# fmt: off
STORIES = [
    Story(
        "diabete",
        "Diabète de type 2 déséquilibré chez {who} ({coverage}) : faut-il une hospitalisation de jour pour bilan "
        "avant l'ouverture des droits ?",
        "Diabète de type 2, HbA1c 8,6 % au bilan initial, sous metformine 1000 mg matin et soir. Glycémies à jeun "
        "au-dessus de 2 g/l, repas irréguliers. Pas de plaie des pieds.",
        (
            ("Bilan en consultations externes étalées sur deux mois", "320.00"),
            ("Hospitalisation de jour pour bilan, prise en charge sur la MIG PASS", "850.00"),
        ),
        "Le bilan en externe suffit si l'éducation thérapeutique est assurée par l'IDE PASS ; l'HDJ n'apporte pas "
        "de bénéfice décisif à court terme.",
        "",
        "Bilan en consultations externes ; metformine poursuivie ; éducation thérapeutique IDE.",
        (
            ("Faire le point sur le dossier de couverture maladie", "social", 10),
            ("Programmer la consultation de diabétologie", "medecin", 21),
            ("Séances d'éducation thérapeutique", "infirmier", 30),
        ),
    ),
    Story(
        "diabete",
        "Diabète chez {who}, {housing} : comment adapter le traitement à l'absence de cuisine et de réfrigérateur ?",
        "Diabète de type 2 sous metformine ; hypoglycémies ressenties les jours sans repas. Pas d'insuline.",
        (
            ("Schéma simplifié et colis alimentaires adaptés", "60.00"),
            ("Hospitalisation de jour d'éducation thérapeutique", "850.00"),
        ),
        "Un schéma simple, adapté aux repas réellement pris, est plus sûr qu'une intensification.",
        "",
        "Metformine au milieu des repas pris ; aide alimentaire ; contrôle HbA1c dans 3 mois.",
        (
            ("Orienter vers l'épicerie solidaire", "social", 7),
            ("Contrôle de l'HbA1c", "infirmier2", 90),
        ),
        presenter="medecin2",
        uncovered=False,
    ),
    Story(
        "hepb",
        "Hépatite B chronique chez {who}, {housing} : traitement antiviral au long cours à débuter ({coverage}) ?",
        "AgHBs positif, découvert au bilan d'arrivée. Charge virale élevée, fibroscan F2. VIH et VHC négatifs.",
        (
            ("Ténofovir dispensé par la PUI en attendant les droits (6 mois)", "1140.00"),
            ("Surveillance simple et traitement après ouverture des droits", "180.00"),
        ),
        "L'indication de traitement est posée ; l'instabilité d'hébergement fait craindre une mauvaise observance : "
        "dispensation mensuelle à la PASS.",
        "Traiter sans être sûr de pouvoir poursuivre : l'équipe juge que le bénéfice individuel et collectif "
        "l'emporte.",
        "Traitement débuté, dispensation mensuelle par la PUI ; dépistage et vaccination de l'entourage.",
        (
            ("Consultation d'hépatologie", "medecin2", 30),
            ("Proposer le dépistage de l'entourage", "infirmier", 14),
        ),
        presenter="medecin2",
    ),
    Story(
        "hepc",
        "Hépatite C chez {who} ({coverage}) : le traitement par antiviraux peut-il être avancé sur la MIG ?",
        "ARN VHC positif, génotype 1, fibrose minime. Pas de consommation actuelle de toxiques.",
        (
            ("Attendre l'ouverture des droits (délai estimé à 2 mois)", None),
            ("Traitement avancé sur la MIG PASS (12 semaines)", "23985.00"),
        ),
        "Fibrose minime : pas de perte de chance à attendre deux mois ; le coût sur la MIG serait considérable.",
        "Le coût est discuté ouvertement ; la décision repose sur l'absence d'urgence clinique.",
        "Traitement dès l'ouverture des droits ; dossier de couverture suivi en priorité.",
        (("Relancer la caisse pour le dossier de couverture", "social", 14),),
    ),
    Story(
        "grossesse",
        "Grossesse de {sa} SA chez {who}, {housing}, {coverage} : quel suivi et où accoucher ?",
        "Grossesse évolutive, échographie sans anomalie. Anémie modérée (Hb 9,8 g/dL) sous fer.",
        (
            ("Suivi en PMI, inscription à la maternité, accouchement en soins urgents si besoin", None),
            ("Suivi à la maternité de l'hôpital dès maintenant, sur la MIG PASS", "600.00"),
        ),
        "La PMI peut assurer le suivi ; l'accouchement relève des soins urgents si les droits ne sont pas ouverts "
        "à temps.",
        "",
        "Suivi PMI ; inscription à la maternité ; dossier soins urgents et vitaux préparé.",
        (
            ("Préparer le dossier soins urgents et vitaux", "social", 7),
            ("Contacter la PMI de secteur", "infirmier2", 5),
        ),
        presenter="infirmier2",
        fits=lambda f: f.sex == "F" and 15 <= f.age <= 50 and f.weeks is not None and 8 <= f.weeks <= 37,
    ),
    Story(
        "psychotrauma",
        "Psychotraumatisme chez {who} ({status}) : suivi psychologique à la PASS ou orientation vers le CMP ?",
        "Cauchemars, reviviscences, insomnie sévère. Pas d'idées suicidaires. Hydroxyzine le soir.",
        (
            ("Suivi psychologique PASS (10 séances), puis relais CMP", "450.00"),
            ("Orientation directe vers le CMP de secteur", None),
        ),
        "Le CMP a un délai de quatre mois ; un suivi PASS transitoire est possible.",
        "Le récit des violences ne doit pas être répété inutilement : une seule psychologue référente.",
        "Suivi PASS transitoire, puis relais CMP.",
        (("Adresser le courrier au CMP", "psy", 14),),
        presenter="psy",
        fits=lambda f: not f.interpreter,
        uncovered=False,
    ),
    Story(
        "psychotrauma",
        "Psychotraumatisme chez {who}, entretiens en {language} : interprète professionnel pour un suivi "
        "au long cours ?",
        "Reviviscences et hypervigilance ; les entretiens avec un proche qui traduit ont été interrompus.",
        (
            ("Suivi psychologique PASS avec interprète professionnel (10 séances)", "650.00"),
            ("Orientation vers le Centre Primo Levi (liste d'attente)", None),
        ),
        "Sans interprète professionnel, le soin psychique n'est pas possible ; le centre spécialisé a six mois "
        "d'attente.",
        "Pas de traduction par un proche ou un compatriote : confidentialité et justesse du récit.",
        "Suivi PASS avec interprète professionnel, inscription en parallèle au centre spécialisé.",
        (
            ("Réserver l'interprète en {language} pour les séances", "infirmier", 7),
            ("Inscrire sur la liste d'attente du centre spécialisé", "psy", 14),
        ),
        presenter="psy",
        fits=lambda f: f.interpreter,
        uncovered=False,
    ),
    Story(
        "anxiete",
        "Troubles anxieux chez {who}, {housing} : l'hébergement est-il la priorité du soin ?",
        "Angoisses, insomnie d'endormissement, liées à la précarité de l'hébergement. Pas de traitement.",
        (
            ("Demande d'hébergement appuyée par un certificat médical, suivi psychologique PASS", None),
            ("Traitement anxiolytique et consultation au CMP", "55.00"),
        ),
        "Les symptômes suivent les ruptures d'hébergement : la stabilisation est le premier soin.",
        "",
        "Certificat médical pour le SIAO ; entretiens de soutien à la PASS.",
        (
            ("Rédiger le certificat médical pour le SIAO", "medecin", 3),
            ("Relancer la demande SIAO", "social", 10),
        ),
        presenter="psy",
        uncovered=False,
    ),
    Story(
        "hta",
        "Hypertension mal contrôlée chez {who}, traitement interrompu, {housing} : renouvellements par la PUI "
        "en attendant les droits ?",
        "Hypertension artérielle découverte à la PASS, TA 158/96 sous amlodipine prise irrégulièrement.",
        (
            ("Renouvellement mensuel par la PUI, prise de tension par l'IDE", "40.00"),
            ("Bilan cardiologique complet avant de poursuivre", "130.00"),
        ),
        "L'enjeu est l'observance : un rendez-vous IDE mensuel avec délivrance du traitement.",
        "",
        "Amlodipine délivrée chaque mois par la PUI ; prise de tension IDE ; ECG au prochain bilan.",
        (
            ("Prise de tension et délivrance mensuelle", "infirmier", 30),
            ("Faire le point sur le dossier de couverture maladie", "social", 14),
        ),
        presenter="infirmier",
    ),
    Story(
        "hta",
        "Hypertension chez {who} ({coverage}) : consultation de cardiologie avant l'ouverture des droits ?",
        "TA 168/102 à la première consultation, 142/88 sous amlodipine. Essoufflement à l'effort.",
        (
            ("Consultation de cardiologie avec ECG sur la MIG PASS", "64.50"),
            ("Attendre l'ouverture des droits", None),
        ),
        "L'essoufflement justifie un avis sans attendre.",
        "",
        "Consultation de cardiologie programmée dans le mois.",
        (("Programmer la consultation de cardiologie", "medecin2", 14),),
        presenter="medecin2",
    ),
    Story(
        "tuberculose",
        "Tuberculose pulmonaire chez {who}, {housing} : comment garantir six mois de traitement ?",
        "Tuberculose pulmonaire à bacilles sensibles, quadrithérapie bien tolérée, crachats négativés.",
        (
            ("Prise observée à la PASS et tickets de transport, demande de LHSS", "170.00"),
            ("Hospitalisation prolongée en pneumologie", "4200.00"),
        ),
        "Le patient n'est plus contagieux ; la prise observée suffit si l'hébergement est stabilisé.",
        "",
        "Prise observée du traitement à la PASS ; demande de place en LHSS ; enquête autour du cas par le CLAT.",
        (
            ("Demande de place en lits halte soins santé (LHSS)", "social", 7),
            ("Organiser la prise observée du traitement", "infirmier", 3),
        ),
        uncovered=False,
    ),
    Story(
        "vih",
        "Infection par le VIH chez {who} ({coverage}) : trithérapie dispensée par la PUI avant l'ouverture "
        "des droits ?",
        "Infection par le VIH découverte au bilan d'arrivée, CD4 320/mm³. Pas d'infection opportuniste.",
        (
            ("Trithérapie dispensée par la PUI jusqu'à l'ouverture des droits", "590.00"),
            ("Attendre l'ouverture des droits", None),
        ),
        "Le traitement est urgent : toute attente est une perte de chance et un risque de transmission.",
        "",
        "Trithérapie débutée, dispensée par la PUI ; suivi en maladies infectieuses.",
        (
            ("Consultation en maladies infectieuses", "medecin", 14),
            ("Accélérer le dossier de couverture maladie", "social", 7),
        ),
    ),
    Story(
        "plaie",
        "Ulcère de jambe chez {who}, {housing} : pansements à la PASS ou lit halte soins santé ?",
        "Ulcère veineux de la jambe droite évoluant depuis des mois, propre, cicatrisation lente.",
        (
            ("Lit halte soins santé (LHSS) le temps de la cicatrisation", None),
            ("Pansements à la PASS trois fois par semaine", "180.00"),
        ),
        "La cicatrisation demande repos et jambes surélevées, impossibles sans hébergement stable.",
        "",
        "Demande de LHSS ; pansements à la PASS en attendant.",
        (
            ("Demande de place en LHSS", "social", 7),
            ("Pansements trois fois par semaine", "infirmier2", 21),
        ),
        presenter="infirmier2",
        uncovered=False,
    ),
    Story(
        "gale",
        "Gale chez {who}, {housing} : comment traiter l'entourage et le linge ?",
        "Gale traitée par ivermectine et perméthrine ; prurit persistant chez les personnes hébergées au même endroit.",
        (
            ("Traitement de l'entourage et du linge avec la maraude", "90.00"),
            ("Second traitement individuel seul", "26.00"),
        ),
        "Sans traitement de l'entourage, la réinfestation est certaine.",
        "",
        "Traitement simultané de l'entourage ; linge traité avec la maraude.",
        (("Organiser le traitement de l'entourage avec la maraude", "infirmier", 5),),
        presenter="infirmier",
        uncovered=False,
    ),
    Story(
        "dentaire",
        "Soins dentaires lourds chez {who} ({coverage}) : prothèse ou extractions seules ?",
        "Polycaries, deux foyers infectieux, abcès récidivants. Dénutrition légère liée à la mastication.",
        (
            ("Extractions et soins conservateurs maintenant, prothèse après l'ouverture des droits", "95.00"),
            ("Prothèse amovible partielle sur la MIG PASS", "620.00"),
        ),
        "La prothèse améliore l'alimentation ; l'ouverture de la CSS la prendrait en charge.",
        "",
        "Extractions et soins conservateurs maintenant ; prothèse après l'ouverture des droits.",
        (("Suivre l'ouverture de la complémentaire santé", "social", 30),),
    ),
    Story(
        "lombalgie",
        "Lombalgies chroniques chez {who} : kinésithérapie avant l'ouverture des droits ?",
        "Lombalgie commune, sans signe de gravité ; port de charges sur des chantiers.",
        (
            ("Auto-exercices enseignés par l'IDE, kinésithérapie après les droits", None),
            ("Dix séances de kinésithérapie sur la MIG PASS", "180.00"),
        ),
        "Pas de perte de chance à attendre ; des exercices simples sont possibles dès maintenant.",
        "",
        "Auto-exercices ; kinésithérapie après l'ouverture des droits.",
        (("Enseigner les auto-exercices", "infirmier", 14),),
        presenter="medecin2",
        fits=lambda f: f.age >= 18,
    ),
    Story(
        "drepanocytose",
        "Drépanocytose chez {who} ({coverage}) : suivi en centre de référence et hydroxycarbamide ?",
        "Drépanocytose SS, crises vaso-occlusives ; acide folique. Suivie dans le pays d'origine.",
        (
            ("Consultation au centre de référence drépanocytose", "50.00"),
            ("Suivi à la PASS seule", None),
        ),
        "L'hydroxycarbamide relève du centre de référence.",
        "",
        "Consultation au centre de référence ; hydroxycarbamide à discuter là-bas.",
        (("Prendre rendez-vous au centre de référence", "medecin", 14),),
        uncovered=False,
    ),
    Story(
        "asthme",
        "Asthme chez {who}, {housing} : traitement de fond dispensé par la PUI en attendant les droits ?",
        "Asthme persistant léger ; crises après les nuits dehors. Salbutamol à la demande.",
        (
            ("Traitement de fond et chambre d'inhalation dispensés par la PUI", "45.00"),
            ("Salbutamol seul à la demande", "3.90"),
        ),
        "Les crises répétées justifient un traitement de fond.",
        "",
        "Béclométasone et salbutamol dispensés par la PUI ; technique d'inhalation revue par l'IDE.",
        (("Revoir la technique d'inhalation", "infirmier2", 7),),
        presenter="infirmier2",
    ),
    # For a minor, whatever the medical context.
    Story(
        "",
        "Mineur{e} isolé{e} de {age} ans, {housing} : qui saisir pour sa mise à l'abri ?",
        "Examen clinique sans particularité ; rattrapage vaccinal à faire.",
        (
            ("Information préoccupante au conseil départemental, soins à la PASS", None),
            ("Orientation vers l'association spécialisée dans l'accueil des mineurs", None),
        ),
        "La protection de l'enfance relève du département ; les soins ne doivent pas attendre.",
        "Un mineur ne peut être laissé sans protection : la minorité se présume.",
        "Information préoccupante ; soins et vaccinations à la PASS.",
        (("Adresser l'information préoccupante", "social", 2),),
        fits=lambda f: f.age < 18,
        uncovered=False,
    ),
]
# For the rest: patients without a specific medical question (their health check-up).
CHECKUP = Story(
    "",
    "Bilan de santé pour {who}, {status}, {coverage} : quels examens prendre en charge avant l'ouverture des droits ?",
    "Examen clinique sans particularité. Sérologies, radiographie pulmonaire et rattrapage vaccinal proposés.",
    (("Sérologies et radiographie pulmonaire sur la MIG PASS", "82.48"), ("Attendre l'ouverture des droits", None)),
    "Le dépistage est utile au patient et à la collectivité ; son coût est faible.",
    "",
    "Sérologies et radiographie pulmonaire ; rattrapage vaccinal par l'IDE.",
    (("Rattrapage vaccinal", "infirmier", 14),),
    presenter="medecin2",
)
# A patient seen at an earlier meeting comes back.
FOLLOW_UP = Story(
    "",
    "Réévaluation pour {who} après la RCP du {previous} : la décision a-t-elle pu être mise en œuvre ?",
    "",
    (("Poursuivre le plan décidé", None), ("Revoir le plan au vu des obstacles rencontrés", None)),
    "Le plan décidé est en cours ; les démarches de couverture avancent.",
    "",
    "Poursuite du plan décidé ; nouveau point dans deux mois.",
    (("Faire le point sur les démarches engagées", "social", 21),),
    uncovered=False,
)
# fmt: on

GUESTS = [
    ("Dr Sophie Marchal", "Infectiologue", "Service des maladies infectieuses"),
    ("Claire Dubois", "Directrice des soins", "Direction de l'hôpital"),
    ("Yanis Belaïd", "Coordinateur", "Médecins du Monde"),
    ("Dr Paul Ngata", "Néphrologue", "Service de néphrologie"),
]
PLACE = "Salle de staff de la PASS, bâtiment B, 2e étage"
TEAM = ["medecin", "medecin2", "infirmier", "infirmier2", "social", "psy", "coordination"]

HOUSING_PHRASES = {
    H.OWN_HOME: "locataire de son logement",
    H.FAMILY_FRIENDS: "hébergé{e} chez des proches",
    H.SHELTER_115: "hébergé{e} par le 115",
    H.ASYLUM_CENTRE: "hébergé{e} en centre pour demandeurs d'asile",
    H.SOCIAL_HOTEL: "en hôtel social",
    H.CHRS: "hébergé{e} en CHRS",
    H.SQUAT: "vivant en squat",
    H.STREET: "sans abri",
    H.OTHER: "sans logement stable",
}
STATUS_PHRASES = {
    S.FRENCH: "de nationalité française",
    S.EU_CITIZEN: "ressortissant{e} européen{ne}",
    S.ASYLUM_SEEKER: "demandeu{r} d'asile",
    S.RESIDENCE_PERMIT: "titulaire d'un titre de séjour",
    S.PERMIT_APPLIED: "titre de séjour demandé",
    S.UNDOCUMENTED: "sans titre de séjour",
    S.UNKNOWN: "situation administrative à préciser",
}
REGIME_SHORT = {
    RG.NONE: "aucune couverture",
    RG.AME: "AME",
    RG.PUMA: "PUMa",
    RG.CSS: "CSS",
    RG.CSS_CONTRIBUTION: "CSS avec participation",
    RG.MUTUAL: "mutuelle",
    RG.EHIC: "carte européenne",
    RG.FOREIGN: "assurance étrangère",
    RG.URGENT_CARE: "soins urgents et vitaux",
}
STATUS_SHORT = {
    ST.TO_ASSESS: "droits à évaluer",
    ST.BUILDING: "dossier en constitution",
    ST.FILED: "dossier déposé",
    ST.GRANTED: "droits ouverts",
    ST.REFUSED: "refus",
    ST.EXPIRED: "droits échus",
}


@dataclass
class Facts:
    """What the patient's file says on `day`: the story and its wording are chosen from it."""

    patient: Patient
    day: date
    age: int
    conditions: set
    assessment: SocialAssessment | None
    rights: list  # (right, its status on `day`), latest first
    weeks: int | None  # of amenorrhoea on `day`, for a pregnant woman
    allergies: str = ""

    @property
    def sex(self) -> str:
        return self.patient.sex

    @property
    def covered(self) -> bool:
        """Health coverage open on the day (the urgent-care fund is not coverage)."""
        return any(status == ST.GRANTED and r.regime not in (RG.URGENT_CARE, RG.NONE) for r, status in self.rights)

    @property
    def interpreter(self) -> bool:
        return bool(self.patient.interpreter_needed and self.patient.interpreter_language)

    def fill(self, template: str, **extra) -> str:
        feminine = self.sex == "F"
        if self.age < 18:
            who = f"{'une adolescente' if feminine else 'un adolescent'} de {self.age} ans"
        else:
            who = f"{'une femme' if feminine else 'un homme'} de {self.age} ans"
        housing = "hébergement non évalué"
        status = STATUS_PHRASES[S.UNKNOWN]
        if self.assessment:
            housing = HOUSING_PHRASES[self.assessment.housing]
            status = STATUS_PHRASES[self.assessment.administrative_status]
        grammar = {"e": "e", "ne": "ne", "r": "se"} if feminine else {"e": "", "ne": "", "r": "r"}
        values = {
            **grammar,
            "who": who,
            "housing": housing,
            "status": status,
            "coverage": self.coverage(),
            "sa": self.weeks,
            "age": self.age,
            "language": self.patient.interpreter_language,
            **extra,
        }
        # The phrases put in may have endings to agree too.
        return template.format(**values).format(**grammar)

    def coverage(self) -> str:
        """The right that matters on the day: the latest, the urgent-care fund only when alone."""
        rights = [(r, s) for r, s in self.rights if r.regime != RG.URGENT_CARE] or self.rights
        if not rights or rights[0][0].regime == RG.NONE:
            return "sans couverture maladie"
        right, status = rights[0]
        return f"{REGIME_SHORT[right.regime]} : {STATUS_SHORT[status]}"


def _status_on(right: CoverageRight, day: date) -> str:
    """The status a right had on `day` (the file keeps only today's)."""
    if right.filed_on and right.filed_on > day:
        return ST.BUILDING
    if right.decision_on and right.decision_on > day:
        return ST.FILED if right.filed_on else ST.BUILDING
    if right.status == ST.EXPIRED and right.end_date and right.end_date >= day:
        return ST.GRANTED
    return right.status


class _Files:
    """The demo patients' files, read once: medical context, assessments, rights."""

    def __init__(self, patients: list[Patient]):
        pks = [p.pk for p in patients]
        self.contexts = {c.patient_id: c for c in MedicalContext.objects.filter(patient__in=pks)}
        self.assessments: dict[int, list] = {}
        for a in SocialAssessment.objects.filter(patient__in=pks).order_by("-assessed_on", "-created_at", "-pk"):
            self.assessments.setdefault(a.patient_id, []).append(a)
        self.rights: dict[int, list] = {}
        for r in CoverageRight.objects.filter(patient__in=pks).order_by("-created_at", "-pk"):
            self.rights.setdefault(r.patient_id, []).append(r)

    def facts(self, patient: Patient, day: date) -> Facts:
        context = self.contexts.get(patient.pk)
        assessments = [a for a in self.assessments.get(patient.pk, []) if a.assessed_on <= day]
        rights = [
            (r, _status_on(r, day)) for r in self.rights.get(patient.pk, []) if timezone.localdate(r.created_at) <= day
        ]
        weeks = None
        if context and context.pregnant and context.pregnancy_due_date:
            weeks = 40 - (context.pregnancy_due_date - day).days // 7
        return Facts(
            patient=patient,
            day=day,
            age=patients_demo.age_on(patient, day),
            conditions=patients_demo.conditions_of(context),
            assessment=assessments[0] if assessments else None,
            rights=rights,
            weeks=weeks,
            allergies=context.allergies.rstrip(".") if context else "",
        )


def _euros(amount: Decimal) -> str:
    text = f"{amount:,.2f}".replace(",", "\u202f").replace(".", ",")
    return text.removesuffix(",00") + " €"


def social_summary(facts: Facts) -> str:
    """The social situation on the day, written from the patient's latest assessment and rights."""
    patient, lines = facts.patient, []
    with translation.override("fr"):
        assessment = facts.assessment
        if assessment:
            household = assessment.get_household_display()
            if assessment.children:
                household += f", {assessment.children} enfant{'s' if assessment.children > 1 else ''} à charge"
            resources = assessment.get_resources_display()
            if assessment.monthly_income:
                resources += f" ({_euros(assessment.monthly_income)} par mois)"
            lines.append(
                f"Bilan social du {assessment.assessed_on:%d/%m/%Y}. Hébergement : {assessment.get_housing_display()}. "
                f"Foyer : {household}. Ressources : {resources}. "
                f"Situation administrative : {assessment.get_administrative_status_display()}."
            )
            if assessment.notes:
                lines.append(assessment.notes)
            if assessment.needs:
                lines.append(assessment.needs)
        else:
            lines.append("Pas encore de bilan social : situation à évaluer avec l'assistante sociale.")
        if patient.domiciliation_organisation:
            lines.append(f"Domiciliation : {patient.domiciliation_organisation}.")
        else:
            lines.append("Sans domiciliation.")
        for right, status in facts.rights[:3]:
            text = f"Couverture : {right.get_regime_display()} — {ST(status).label}"
            if status == ST.GRANTED and right.end_date:
                text += f" (jusqu'au {right.end_date:%d/%m/%Y})"
            elif status == ST.FILED and right.filed_on:
                text += f" (déposé le {right.filed_on:%d/%m/%Y})"
            lines.append(text + ".")
        if not facts.rights:
            lines.append("Couverture : aucune demande enregistrée.")
        if facts.interpreter:
            lines.append(f"Interprète nécessaire ({patient.interpreter_language}).")
    return "\n".join(lines)


class _Moments:
    """The demo's calendar: days relative to today, never past the real present."""

    def __init__(self):
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)

    def when(self, days_from_today: int, hour: int, minute: int = 0) -> datetime:
        day = self.today + timedelta(days=days_from_today)
        return timezone.make_aware(datetime.combine(day, time(hour))) + timedelta(minutes=minute)

    def at(self, days_from_today: int, hour: int, minute: int = 0) -> datetime:
        """When something was done: never in the future."""
        return min(self.when(days_from_today, hour, minute), self.now)


def _stamp(obj, **values) -> None:
    """Set bookkeeping timestamps (auto_now fields) to the moment the write stands for."""
    type(obj).objects.filter(pk=obj.pk).update(**values)
    for name, value in values.items():
        setattr(obj, name, value)


def _user(users, name):
    return users.get(name) or users["medecin"]


def _plan(users, *, kind, when, at, chair="medecin", guests=()) -> Meeting:
    members = [users[name] for name in TEAM if name in users and name != chair]
    meeting = services.meeting_plan(
        meeting=Meeting(scheduled_at=when, kind=kind, place=PLACE, chair=users[chair]),
        members=members,
        acting_user=users[chair],
        at=at,
    )
    for name, profession, organisation in guests:
        services.participant_add(
            participant=Participant(name=name, profession=profession, organisation=organisation),
            meeting=meeting,
            acting_user=users[chair],
        )
    _stamp(meeting, created_at=at, updated_at=at)
    Participant.objects.filter(meeting=meeting).update(created_at=at)
    return meeting


@dataclass
class _Case:
    review: CaseReview
    story: Story
    facts: Facts


def _add_case(users, meeting, facts: Facts, story: Story, *, at: datetime, urgent=False, **extra) -> _Case:
    presenter = _user(users, story.presenter)
    medical = facts.fill(story.medical, **extra)
    if story is FOLLOW_UP:
        medical = f"Revu{'e' if facts.sex == 'F' else ''} en RCP le {extra['previous']}. {extra['medical']}"
    # The patient's own file completes the story: since when, allergies.
    since = timezone.localdate(facts.patient.created_at)
    medical += facts.fill(f" Suivi{{e}} à la PASS depuis le {since:%d/%m/%Y}.")
    if facts.allergies:
        medical += f" Allergies : {facts.allergies}."
    review = services.case_review_add(
        case_review=CaseReview(
            presented_by=presenter,
            question=facts.fill(story.question, **extra),
            social_summary=social_summary(facts),
            urgent=urgent,
        ),
        meeting=meeting,
        patient=facts.patient,
        medical_summary=medical,
        acting_user=presenter,
    )
    _stamp(review, created_at=at, updated_at=at)
    CaseMedicalSummary.objects.filter(case_review=review).update(updated_at=at)
    return _Case(review, story, facts)


def _deliberate(users, meeting, case: _Case, rng: random.Random, *, at: datetime) -> None:
    chair, story, review = meeting.chair, case.story, case.review
    for index, (description, cost) in enumerate(story.options):
        option = services.option_add(
            option=CaseOption(
                description=description,
                estimated_cost=Decimal(cost) if cost else None,
                retained=index == 0,
            ),
            case_review=review,
            acting_user=chair,
        )
        _stamp(option, created_at=at)
    review.deliberation = story.deliberation
    review.ethical_issues = story.ethical
    review.decision = story.decision
    review.departs_from_guidelines = story.departs_from_guidelines
    review.follow_up_by = _user(users, story.presenter)
    meeting_day = timezone.localtime(meeting.scheduled_at).date()
    review.next_review_on = meeting_day + timedelta(days=rng.choice([28, 42, 56]))
    review.patient_informed = rng.random() < 0.8
    services.case_review_update(case_review=review, acting_user=chair)
    _stamp(review, updated_at=at)
    for description, assignee, days in story.actions:
        action = services.action_add(
            action=Action(
                description=case.facts.fill(description),
                assignee=_user(users, assignee),
                due_on=meeting_day + timedelta(days),
            ),
            case_review=review,
            acting_user=chair,
        )
        _stamp(action, created_at=at)


def _take_attendance(meeting, rng: random.Random, *, at: datetime) -> None:
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
    _stamp(meeting, updated_at=at)


def _hold(users, moments, meeting, cases: list[_Case], rng, *, day: int, decided: int | None = None) -> None:
    """The meeting on its day: attendance, then one case after the other."""
    _take_attendance(meeting, rng, at=moments.at(day, 14, 5))
    for index, case in enumerate(cases[:decided]):
        _deliberate(users, meeting, case, rng, at=moments.at(day, 14, 20 + 20 * index))


def _follow_up(rng: random.Random, *, start: datetime, end: datetime) -> None:
    """Between two meetings, most open actions are done, a few dropped, some stay open."""
    span = max((end - start).total_seconds(), 60)
    closings = []
    for action in Action.objects.filter(status=Action.Status.OPEN).select_related("assignee").order_by("pk"):
        draw = rng.random()
        if draw < 0.65:
            status = Action.Status.DONE if draw < 0.55 else Action.Status.DROPPED
            closings.append((start + timedelta(seconds=rng.uniform(0, span)), action, status))
    for moment, action, status in sorted(closings, key=lambda c: (c[0], c[1].pk)):
        reason = "Le patient a quitté la région ; relais transmis à l'association qui le suit."
        services.action_close(
            action=action,
            status=status,
            reason=reason if status == Action.Status.DROPPED else "",
            acting_user=action.assignee,
            at=moment,
        )


class _Casting:
    """Chooses who is presented with which story: each story once, each patient once."""

    def __init__(self, rng: random.Random, files: _Files, patients: list[Patient]):
        self.rng = rng
        self.files = files
        self.pool = list(patients)
        rng.shuffle(self.pool)
        self.unused = list(STORIES)
        self.checkups = 3  # arrival check-ups: for patients with no specific question

    def _fits(self, story: Story, facts: Facts) -> bool:
        if story.condition and story.condition not in facts.conditions:
            return False
        if story.uncovered and facts.covered:
            return False
        return story.fits is None or story.fits(facts)

    def take(self, *, added: datetime, meeting_day: date) -> tuple[Facts, Story] | None:
        """A patient already followed when the case is added, still followed on the meeting day."""
        day = timezone.localdate(added)
        for patient in self.pool:
            if patient.created_at >= added or (patient.exit_date and patient.exit_date <= meeting_day):
                continue
            facts = self.files.facts(patient, day)
            stories = [s for s in self.unused if self._fits(s, facts)]
            if stories:
                story = self.rng.choice(stories)
                self.unused.remove(story)
            elif not facts.conditions and facts.assessment and not facts.covered and self.checkups:
                story = CHECKUP
                self.checkups -= 1
            else:
                continue
            self.pool.remove(patient)
            return facts, story
        return None


def seed(*, rng: random.Random, users: dict, patients: list) -> None:
    """Create the demo meetings. `users` are the demo accounts by username; `patients` the demo patients."""
    moments = _Moments()
    casting = _Casting(rng, _Files(patients), patients)
    validator = users.get("coordination")
    past = [
        (-70, Meeting.Kind.MEDICO_SOCIAL, "medecin", 3),
        (-42, Meeting.Kind.MEDICAL, "medecin2", 2),
        (-21, Meeting.Kind.MEDICO_SOCIAL, "medecin", 3),
    ]
    presented: list[_Case] = []
    last_validation = None
    for day, kind, chair, count in past:
        if last_validation:
            _follow_up(rng, start=last_validation, end=moments.at(day - 1, 18))
        guests = rng.sample(GUESTS, k=2) if kind == Meeting.Kind.MEDICO_SOCIAL else GUESTS[:1]
        meeting = _plan(
            users, kind=kind, when=moments.when(day, 14), at=moments.at(day - 10, 9, 30), chair=chair, guests=guests
        )
        meeting_day = moments.today + timedelta(days=day)
        cases = []
        if day == -21 and presented:
            # A patient seen at the first meeting comes back, as complex cases do.
            first = presented[0]
            if not first.facts.patient.exit_date or first.facts.patient.exit_date > meeting_day:
                added = moments.at(day - 5, 11)
                facts = casting.files.facts(first.facts.patient, timezone.localdate(added))
                previous = f"{timezone.localtime(first.review.meeting.scheduled_at):%d/%m/%Y}"
                medical = first.facts.fill(first.story.medical)
                cases.append(_add_case(users, meeting, facts, FOLLOW_UP, at=added, previous=previous, medical=medical))
        for index in range(count):
            added = moments.at(day - 4 + index, 11)
            chosen = casting.take(added=added, meeting_day=meeting_day)
            if chosen:
                cases.append(_add_case(users, meeting, *chosen, at=added))
        presented += cases
        _hold(users, moments, meeting, cases, rng, day=day)
        last_validation = moments.at(day + 1, 10)
        services.minutes_validate(meeting=meeting, acting_user=validator or meeting.chair, at=last_validation)
        _stamp(meeting, updated_at=last_validation)
    _follow_up(rng, start=last_validation, end=moments.at(-6, 18))

    # Held five days ago: decisions recorded, one case left to discuss, minutes not validated.
    held = _plan(
        users, kind=Meeting.Kind.MEDICO_SOCIAL, when=moments.when(-5, 14), at=moments.at(-12, 9, 30), guests=GUESTS[2:3]
    )
    held_cases = []
    for index in range(3):
        added = moments.at(-8, 11, 10 * index)
        chosen = casting.take(added=added, meeting_day=moments.today - timedelta(days=5))
        if chosen:
            held_cases.append(_add_case(users, held, *chosen, at=added))
    _hold(users, moments, held, held_cases, rng, day=-5, decided=2)
    _follow_up(rng, start=moments.at(-4, 9), end=moments.at(-1, 18))

    # Planned next week: the agenda is being prepared, one urgent case.
    planned = _plan(users, kind=Meeting.Kind.MEDICO_SOCIAL, when=moments.when(6, 14), at=moments.at(-3, 9, 30))
    for index in range(3):
        added = moments.at(-2 + index, 10)
        chosen = casting.take(added=added, meeting_day=moments.today + timedelta(days=6))
        if chosen:
            _add_case(users, planned, *chosen, at=added, urgent=index == 2)
