"""Data tables of the patients demo (`patients.demo`): accounts, origins and names, referrals,
medical profiles, visit texts, housing and coverage stories, and the fixed anchor patients.

Every name, phone number and story below is invented. Phone numbers use the 06 39 98 range
that the French regulator (Arcep) reserves for fiction.
"""

from dataclasses import dataclass, field
from datetime import date

from pass_unit.roles import Role
from patients.models import CoverageRight, Orientation, Patient, SocialAssessment

DEMO_PASSWORD = "pass-unit-demo"
DEFAULT_SEED = 2026
DEFAULT_PATIENTS = 60
EMAIL_DOMAIN = "hopital-demo.example"  # .example is reserved: no mail can ever leave


@dataclass(frozen=True)
class DemoAccount:
    username: str
    first_name: str
    last_name: str
    role: Role
    admin: bool = False


ACCOUNTS = [
    DemoAccount("accueil", "Sandrine", "Morel", Role.RECEPTION),
    DemoAccount("social", "Nadia", "Bensaïd", Role.SOCIAL_WORKER),
    DemoAccount("infirmier", "Julien", "Mercier", Role.NURSE),
    DemoAccount("infirmier2", "Aminata", "Sow", Role.NURSE),
    DemoAccount("medecin", "Claire", "Vasseur", Role.PHYSICIAN),
    DemoAccount("medecin2", "Rachid", "Hamdani", Role.PHYSICIAN),
    DemoAccount("psy", "Hélène", "Garnier", Role.PSYCHOLOGIST),
    DemoAccount("coordination", "Marc", "Lemoine", Role.COORDINATOR),
    DemoAccount("admin", "Philippe", "Roche", Role.ADMIN, admin=True),
]
DEMO_USERNAMES = [a.username for a in ACCOUNTS]
PHYSICIANS = ["medecin", "medecin2"]
NURSES = ["infirmier", "infirmier2"]

# ---------------------------------------------------------------------------------------------
# The people: origins, names and their other spellings
# ---------------------------------------------------------------------------------------------

AFRICA = {"mali", "guinee", "senegal", "cote_ivoire", "rdc", "cameroun", "nigeria"}


@dataclass(frozen=True)
class Origin:
    country: str
    nationality: str
    weight: int
    male: tuple
    female: tuple
    last: tuple
    languages: tuple  # (language, ...) the first one is the interpreting language
    interpreter: float  # probability that an interpreter is needed
    statuses: dict  # administrative status -> weight
    variants: dict = field(default_factory=dict)  # spelling -> other spellings
    exact_birth: float = 0.3  # probability of a document giving the exact birth date


S = SocialAssessment.AdministrativeStatus
_MAGHREB_STATUSES = {S.UNDOCUMENTED: 6, S.PERMIT_APPLIED: 2, S.RESIDENCE_PERMIT: 1, S.ASYLUM_SEEKER: 1}
_AFRICA_STATUSES = {S.UNDOCUMENTED: 6, S.ASYLUM_SEEKER: 3, S.PERMIT_APPLIED: 1, S.RESIDENCE_PERMIT: 1}
_ASYLUM_STATUSES = {S.ASYLUM_SEEKER: 6, S.RESIDENCE_PERMIT: 3, S.UNDOCUMENTED: 1}
_ARABIC_VARIANTS = {
    "Mohammed": ["Mohamed", "Muhammad"],
    "Mohamed": ["Mohammed", "Mohamad"],
    "Benali": ["Ben Ali"],
    "Youssef": ["Youcef", "Yusuf"],
    "Aïcha": ["Aicha", "Aïsha"],
    "Khadija": ["Khadidja"],
    "Saïdi": ["Saidi"],
    "Belkacem": ["Belkassem"],
    "Abdelkader": ["Abd El Kader"],
    "Benjelloun": ["Ben Jelloun"],
    "El Amrani": ["Amrani"],
    "Sofiane": ["Soufiane"],
}
_MANDE_VARIANTS = {
    "Konaté": ["Konate"],
    "Traoré": ["Traore"],
    "Keïta": ["Keita"],
    "Coulibaly": ["Kulibali"],
    "Doucouré": ["Doukouré"],
    "Sissoko": ["Cissoko"],
    "Mamadou": ["Mamoudou"],
    "Fatoumata": ["Fatimata"],
    "Aminata": ["Aminatou"],
    "Diallo": ["Djallo"],
    "Camara": ["Kamara"],
    "Thierno": ["Tierno"],
    "Ibrahima": ["Ibrahim"],
    "Aïssata": ["Aissata"],
}

# fmt: off
ORIGINS = {
    "algerie": Origin(
        "Algérie", "Algérienne", 10,
        ("Mohammed", "Karim", "Yacine", "Sofiane", "Rachid", "Abdelkader", "Nabil"),
        ("Aïcha", "Fatima", "Nadia", "Samira", "Lina", "Malika"),
        ("Benali", "Belkacem", "Haddad", "Bouzid", "Meziane", "Saïdi", "Hamidi", "Cherif"),
        ("arabe", "kabyle", "français"), 0.25, _MAGHREB_STATUSES, _ARABIC_VARIANTS,
    ),
    "maroc": Origin(
        "Maroc", "Marocaine", 5,
        ("Youssef", "Hamza", "Mehdi", "Abdelkader", "Mohamed"),
        ("Khadija", "Zineb", "Salma", "Houda", "Fatima"),
        ("El Amrani", "Benjelloun", "Ouali", "Tazi", "El Idrissi"),
        ("arabe", "français"), 0.3, _MAGHREB_STATUSES, _ARABIC_VARIANTS,
    ),
    "tunisie": Origin(
        "Tunisie", "Tunisienne", 3,
        ("Ahmed", "Walid", "Sami", "Mohamed"), ("Amira", "Rim", "Sonia"),
        ("Trabelsi", "Ben Salah", "Gharbi", "Jaziri"),
        ("arabe", "français"), 0.2, _MAGHREB_STATUSES, {"Ben Salah": ["Bensalah"], **_ARABIC_VARIANTS},
    ),
    "mali": Origin(
        "Mali", "Malienne", 9,
        ("Mamadou", "Moussa", "Bakary", "Souleymane", "Ousmane", "Seydou", "Adama"),
        ("Fatoumata", "Aminata", "Kadiatou", "Mariam", "Aïssata", "Aïcha"),
        ("Konaté", "Traoré", "Diarra", "Keïta", "Coulibaly", "Sissoko", "Doucouré"),
        ("soninké", "bambara", "français"), 0.35, _AFRICA_STATUSES, _MANDE_VARIANTS,
    ),
    "guinee": Origin(
        "Guinée", "Guinéenne", 7,
        ("Alpha", "Thierno", "Ibrahima", "Mamadou", "Ousmane"),
        ("Fatoumata", "Mariama", "Hawa", "Kadiatou"),
        ("Diallo", "Barry", "Bah", "Sow", "Camara", "Condé"),
        ("peul", "soussou", "français"), 0.35, _AFRICA_STATUSES, _MANDE_VARIANTS,
    ),
    "senegal": Origin(
        "Sénégal", "Sénégalaise", 4,
        ("Cheikh", "Abdoulaye", "Modou", "Ibrahima"), ("Awa", "Khady", "Ndèye", "Coumba"),
        ("Ndiaye", "Diop", "Fall", "Sarr", "Gueye"),
        ("wolof", "français"), 0.2, _AFRICA_STATUSES, {"Ndèye": ["Ndeye"], "Gueye": ["Guèye"]},
    ),
    "cote_ivoire": Origin(
        "Côte d'Ivoire", "Ivoirienne", 6,
        ("Yao", "Kouamé", "Adama", "Drissa", "Serge"), ("Adjoua", "Affoué", "Aya", "Mariam", "Christelle"),
        ("Kouassi", "Koné", "Ouattara", "Bamba", "N'Guessan"),
        ("dioula", "baoulé", "français"), 0.15, _AFRICA_STATUSES, {"N'Guessan": ["Nguessan"], "Koné": ["Kone"]},
    ),
    "rdc": Origin(
        "République démocratique du Congo", "Congolaise (RDC)", 4,
        ("Patrick", "Christian", "Junior", "Fiston"), ("Grâce", "Merveille", "Divine", "Nathalie"),
        ("Mbala", "Kabongo", "Ilunga", "Tshibangu", "Mukendi"),
        ("lingala", "français"), 0.05, _AFRICA_STATUSES, {"Tshibangu": ["Chibangu"]},
    ),
    "cameroun": Origin(
        "Cameroun", "Camerounaise", 2,
        ("Hervé", "Blaise", "Armand"), ("Pélagie", "Carine", "Estelle"),
        ("Fotso", "Kamga", "Ngo Bassa", "Tchinda"),
        ("français", "anglais"), 0.0, _AFRICA_STATUSES, {},
    ),
    "nigeria": Origin(
        "Nigeria", "Nigériane", 3,
        ("Chinedu", "Oluwaseun", "Emeka", "Ifeanyi"), ("Blessing", "Precious", "Joy", "Favour"),
        ("Okafor", "Adeyemi", "Eze", "Chukwu", "Okonkwo"),
        ("anglais", "yoruba", "igbo"), 0.5, _AFRICA_STATUSES, {"Oluwaseun": ["Seun"], "Chukwu": ["Chukwuh"]},
    ),
    "afghanistan": Origin(
        "Afghanistan", "Afghane", 6,
        ("Ahmad", "Mohammad", "Ali", "Hamid", "Farid", "Javad", "Sayed"),
        ("Zahra", "Fatema", "Maryam", "Shabnam"),
        ("Ahmadi", "Rahimi", "Hosseini", "Karimi", "Sultani", "Noori", "Safi"),
        ("dari", "pachto"), 0.95, _ASYLUM_STATUSES,
        {
            "Mohammad": ["Mohamad", "Muhammad"],
            "Ahmad": ["Ahmed"],
            "Rahimi": ["Rahimy"],
            "Hosseini": ["Husseini", "Hosseyni"],
            "Karimi": ["Karimy"],
            "Noori": ["Nouri"],
            "Sayed": ["Sayyed", "Said"],
        },
        exact_birth=0.15,
    ),
    "erythree": Origin(
        "Érythrée", "Érythréenne", 4,
        ("Yonas", "Dawit", "Samuel", "Filmon", "Merhawi"), ("Selam", "Senait", "Luwam", "Mebrat"),
        ("Tesfay", "Ghebremedhin", "Haile", "Kidane", "Berhane", "Tewelde"),
        ("tigrigna", "arabe"), 0.95, _ASYLUM_STATUSES,
        {
            "Tesfay": ["Tesfaye", "Tesfai"],
            "Ghebremedhin": ["Gebremedhin"],
            "Haile": ["Hailé"],
            "Yonas": ["Yohannes"],
            "Filmon": ["Philemon"],
            "Senait": ["Senayt"],
        },
        exact_birth=0.1,
    ),
    "soudan": Origin(
        "Soudan", "Soudanaise", 4,
        ("Mohamed", "Abdelrahman", "Mustafa", "Omer", "Ishag"), ("Amna", "Hawa", "Sara"),
        ("Adam", "Abdallah", "Ibrahim", "Osman", "Yahya"),
        ("arabe", "four", "anglais"), 0.85, _ASYLUM_STATUSES,
        {
            "Abdelrahman": ["Abderrahmane", "Abdulrahman"],
            "Ishag": ["Ishaq", "Ishak"],
            "Osman": ["Othman", "Ousman"],
            "Yahya": ["Yahia"],
            "Mohamed": ["Mohammed"],
        },
        exact_birth=0.1,
    ),
    "roumanie": Origin(
        "Roumanie", "Roumaine", 6,
        ("Ion", "Florin", "Marian", "Gheorghe", "Costel"), ("Ioana", "Maria", "Elena", "Florentina", "Mirela"),
        ("Popescu", "Ionescu", "Stan", "Dumitru", "Lăcătuș", "Rădulescu", "Stoica"),
        ("roumain", "romani"), 0.5, {S.EU_CITIZEN: 1},
        {"Lăcătuș": ["Lacatus"], "Rădulescu": ["Radulescu"], "Gheorghe": ["Gheorghi"]},
        exact_birth=0.8,
    ),
    "ukraine": Origin(
        "Ukraine", "Ukrainienne", 4,
        ("Oleksandr", "Andriy", "Dmytro", "Serhiy", "Mykola"), ("Olena", "Iryna", "Natalia", "Tetiana", "Oksana"),
        ("Kovalenko", "Shevchenko", "Bondarenko", "Tkachenko", "Melnyk", "Kravchenko"),
        ("ukrainien", "russe"), 0.7, {S.RESIDENCE_PERMIT: 1},
        {
            "Oleksandr": ["Aleksandr", "Olexandr"],
            "Kovalenko": ["Kowalenko"],
            "Shevchenko": ["Chevtchenko"],
            "Tkachenko": ["Tkatchenko"],
            "Andriy": ["Andrii", "Andreï"],
            "Serhiy": ["Sergueï", "Serhii"],
            "Dmytro": ["Dmitri"],
            "Iryna": ["Irina"],
            "Tetiana": ["Tatiana"],
        },
        exact_birth=0.9,
    ),
    "georgie": Origin(
        "Géorgie", "Géorgienne", 3,
        ("Giorgi", "Levan", "Davit"), ("Nino", "Tamar", "Ketevan"),
        ("Beridze", "Kapanadze", "Gelashvili", "Lomidze"),
        ("géorgien", "russe"), 0.8, {S.ASYLUM_SEEKER: 3, S.UNDOCUMENTED: 3},
        {"Giorgi": ["Guiorgui"], "Gelashvili": ["Guelachvili"], "Davit": ["David"]},
        exact_birth=0.7,
    ),
    "bangladesh": Origin(
        "Bangladesh", "Bangladaise", 4,
        ("Mohammad", "Rahim", "Sohel", "Jahid"), ("Nasrin", "Fatema", "Rokeya"),
        ("Rahman", "Hossain", "Islam", "Uddin", "Miah"),
        ("bengali", "anglais"), 0.85, {S.ASYLUM_SEEKER: 3, S.UNDOCUMENTED: 4},
        {"Hossain": ["Hussain", "Hosen"], "Rahman": ["Rehman"], "Mohammad": ["Mohammed", "Md"]},
    ),
    "pakistan": Origin(
        "Pakistan", "Pakistanaise", 2,
        ("Imran", "Bilal", "Asif"), ("Samina", "Ayesha"),
        ("Khan", "Hussain", "Iqbal"),
        ("ourdou", "pendjabi"), 0.7, {S.ASYLUM_SEEKER: 3, S.UNDOCUMENTED: 4},
        {"Hussain": ["Hussein"], "Ayesha": ["Aïcha"]},
    ),
    "haiti": Origin(
        "Haïti", "Haïtienne", 3,
        ("Jean-Robert", "Wilner", "Frantz"), ("Nadège", "Guerline", "Mirlande"),
        ("Joseph", "Pierre", "Jean-Baptiste", "Charles"),
        ("créole haïtien", "français"), 0.1, _AFRICA_STATUSES, {"Jean-Baptiste": ["Jean Baptiste"]},
    ),
    "vietnam": Origin(
        "Viêt Nam", "Vietnamienne", 2,
        ("Minh Tuấn", "Văn Hùng", "Quang", "Đức Anh"), ("Thị Lan", "Thu Hà", "Ngọc Mai", "Hương"),
        ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng"),
        ("vietnamien",), 0.6, {S.UNDOCUMENTED: 4, S.PERMIT_APPLIED: 1},
        {
            "Nguyễn": ["Nguyen"],
            "Trần": ["Tran"],
            "Lê": ["Le"],
            "Phạm": ["Pham"],
            "Hoàng": ["Hoang"],
            "Vũ": ["Vu"],
            "Đặng": ["Dang"],
            "Thị Lan": ["Thi Lan"],
            "Văn Hùng": ["Van Hung"],
        },
        exact_birth=0.6,
    ),
    "chine": Origin(
        "Chine", "Chinoise", 2,
        ("Wei", "Jun", "Hao"), ("Mei", "Xiu Ying", "Li Na"),
        ("Wang", "Zhang", "Chen", "Liu"),
        ("mandarin", "wenzhounais"), 0.9, {S.UNDOCUMENTED: 4, S.PERMIT_APPLIED: 1},
        {"Zhang": ["Chang"], "Chen": ["Chan"], "Xiu Ying": ["Hsiu-Ying"]},
        exact_birth=0.6,
    ),
    "france": Origin(
        "France", "Française", 8,
        ("Jean-Pierre", "Michel", "Thierry", "Christophe", "Kévin", "Frédéric", "Stéphane"),
        ("Sylvie", "Nathalie", "Jessica", "Céline", "Brigitte"),
        ("Martin", "Bernard", "Petit", "Durand", "Lefebvre", "Moreau", "Fournier", "Roux"),
        ("français",), 0.0, {S.FRENCH: 1}, {"Lefebvre": ["Lefèvre"]},
        exact_birth=0.95,
    ),
}
# fmt: on

# Domiciliation: (organisation, address) — fictitious addresses in Seine-Saint-Denis and Paris.
DOMICILIATIONS = [
    ("CCAS de Saint-Denis", "Service domiciliation, 6 rue de la Boulangerie, 93200 Saint-Denis"),
    ("CCAS d'Aubervilliers", "7 rue du Docteur-Pesqué, 93300 Aubervilliers"),
    ("CCAS de Montreuil", "Centre administratif, 1 place Aimé-Césaire, 93100 Montreuil"),
    ("Association Aurore", "Pôle domiciliation, 34 boulevard de Sébastopol, 75004 Paris"),
    ("La Croix-Rouge française", "Espace domiciliation, 12 rue des Chaufourniers, 75019 Paris"),
    ("Secours catholique", "Accueil de jour, 15 rue Pasteur, 93200 Saint-Denis"),
    ("Emmaüs Solidarité", "Espace solidarité insertion, 32 rue Bouret, 75019 Paris"),
    ("Dom'Asile", "Point de domiciliation, 9 rue Voltaire, 93500 Pantin"),
]
SPADA = ("SPADA de Bobigny (Coallia)", "Plateforme d'accueil des demandeurs d'asile, 93000 Bobigny")

R = Patient.ReferredBy
REFERRALS = {
    R.EMERGENCY: (30, ["SAU — urgences adultes", "Urgences, après une nuit en observation", "Urgences pédiatriques"]),
    R.ASSOCIATION: (
        20,
        [
            "Médecins du Monde — CASO de Saint-Denis",
            "Comede",
            "La Cimade",
            "Restos du cœur",
            "Utopia 56",
            "Samu social de Paris (maraude)",
        ],
    ),
    R.SHELTER_115: (8, ["115 de Seine-Saint-Denis (Interlogement 93)", "Hôtel 115 de Bondy"]),
    R.WARD: (8, ["Service de maladies infectieuses", "Maternité", "Service de pneumologie", "Médecine interne"]),
    R.ADMISSIONS: (6, ["Bureau des admissions (patient sans couverture)"]),
    R.CITY_DOCTOR: (5, ["Dr Lemaire, cabinet médical de La Courneuve", "Centre municipal de santé d'Aubervilliers"]),
    R.SOCIAL_SERVICE: (6, ["Service social départemental (EDS Aubervilliers)", "SPADA de Bobigny"]),
    R.WORD_OF_MOUTH: (10, ["Un compatriote", "Une voisine de l'hôtel 115"]),
    R.SELF: (7, [""]),
}

# ---------------------------------------------------------------------------------------------
# Health: medical profiles with their own visits and orientations
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    history: str = ""
    chronic: str = ""
    infections: str = ""
    mental: str = ""
    treatments: str = ""
    first: tuple = ()  # (reason, notes) of the first consultation, when the problem brings the patient
    medical: tuple = ()  # (reason, notes) of follow-up consultations
    nursing: tuple = ()
    orientation: tuple = ()  # (destination, detail)
    weight: int = 1


DEST = Orientation.Destination
PROFILES = {
    "hta": Profile(
        chronic="Hypertension artérielle découverte à la PASS (TA 168/102 à la première consultation).",
        treatments="Amlodipine 5 mg, 1 comprimé le matin.",
        medical=(
            (
                "Suivi de l'hypertension",
                "TA 142/88 sous amlodipine. Bonne observance. Renouvellement pour 1 mois (PUI).",
            ),
            (
                "Renouvellement du traitement antihypertenseur",
                "TA 158/96, observance irrégulière : traitement perdu lors de l'expulsion du squat. Reprise, "
                "contrôle dans 15 jours.",
            ),
        ),
        nursing=(("Prise de tension", "TA 136/84, FC 74. Pas de plainte. Traitement bien pris."),),
        weight=5,
    ),
    "diabete": Profile(
        chronic="Diabète de type 2 (HbA1c 8,6 % au bilan initial).",
        treatments="Metformine 1000 mg matin et soir.",
        medical=(
            ("Suivi du diabète", "HbA1c 7,4 % (contre 8,6 %). Poursuite de la metformine. Fond d'œil à programmer."),
            ("Déséquilibre glycémique", "Glycémies à jeun > 2 g/l, repas irréguliers (hôtel sans cuisine)."),
        ),
        nursing=(
            ("Éducation thérapeutique", "Explication de l'autosurveillance glycémique ; lecteur et bandelettes remis."),
            ("Soins de pieds", "Examen des pieds : pas de plaie, conseils de chaussage."),
        ),
        orientation=(DEST.HOSPITAL, "Consultation de diabétologie (hôpital de jour)"),
        weight=4,
    ),
    "hepb": Profile(
        infections="Hépatite B chronique (AgHBs positif), découverte au bilan d'arrivée. Charge virale en cours.",
        history="Pas de vaccination connue. Entourage à dépister.",
        medical=(
            (
                "Résultats des sérologies",
                "AgHBs positif, anticorps anti-VHC négatifs, VIH négatif. Annonce faite avec l'interprète. "
                "Fibroscan et échographie hépatique demandés.",
            ),
            ("Suivi hépatite B", "Charge virale faible, transaminases normales : surveillance semestrielle."),
        ),
        nursing=(("Prise de sang", "Bilan hépatique et charge virale VHB prélevés."),),
        orientation=(DEST.HOSPITAL, "Consultation d'hépatologie, service d'hépato-gastro-entérologie"),
        weight=4,
    ),
    "hepc": Profile(
        infections="Hépatite C chronique (ARN VHC positif, génotype 1).",
        treatments="Sofosbuvir/velpatasvir, 12 semaines (traitement débuté).",
        medical=(("Hépatite C", "Traitement par antiviraux à action directe débuté, bonne tolérance."),),
        orientation=(DEST.HOSPITAL, "Consultation d'hépatologie, service d'hépato-gastro-entérologie"),
        weight=1,
    ),
    "tuberculose": Profile(
        infections="Tuberculose pulmonaire à bacilles sensibles ; déclaration obligatoire faite à l'ARS.",
        treatments="Rifampicine + isoniazide + pyrazinamide + éthambutol 2 mois, puis rifampicine + isoniazide 4 mois.",
        first=(
            "Toux depuis 6 semaines et amaigrissement",
            "Sueurs nocturnes, perte de 6 kg. Radio : excavation du lobe supérieur droit. Hospitalisation en "
            "pneumologie pour bilan et isolement.",
        ),
        medical=(
            (
                "Suivi du traitement antituberculeux",
                "Bonne tolérance, crachats négativés. Enquête autour du cas (CLAT).",
            ),
        ),
        nursing=(
            (
                "Prise observée du traitement",
                "Traitement antituberculeux pris devant l'infirmier ; urines orangées expliquées.",
            ),
        ),
        orientation=(DEST.OTHER, "CLAT 93 — centre de lutte antituberculeuse"),
        weight=2,
    ),
    "vih": Profile(
        infections="Infection par le VIH découverte au bilan d'arrivée (CD4 320/mm³).",
        treatments="Bictégravir/emtricitabine/ténofovir alafénamide, 1 comprimé par jour.",
        medical=(
            ("Annonce de résultats", "Sérologie VIH positive confirmée. Annonce avec l'interprète, soutien proposé."),
            ("Suivi VIH", "Charge virale indétectable à 3 mois. Bonne observance."),
        ),
        nursing=(("Dépistage TROD", "TROD VIH réactif : prélèvement de confirmation fait, médecin prévenu."),),
        orientation=(DEST.HOSPITAL, "Service des maladies infectieuses et tropicales"),
        weight=2,
    ),
    "psychotrauma": Profile(
        mental="Psychotraumatisme : reviviscences, cauchemars, hypervigilance (violences subies pendant le parcours "
        "migratoire).",
        treatments="Hydroxyzine 25 mg le soir si besoin.",
        medical=(
            ("Troubles du sommeil", "Insomnie, cauchemars. Hydroxyzine le soir. Orienté{e} vers la psychologue."),
        ),
        orientation=(DEST.ASSOCIATION, "Centre Primo Levi (soins aux personnes victimes de torture)"),
        weight=4,
    ),
    "anxiete": Profile(
        mental="Troubles anxieux et insomnie liés à la précarité de l'hébergement.",
        medical=(
            ("Anxiété", "Angoisses, troubles du sommeil. Écoute, hygiène du sommeil, suivi psychologique proposé."),
        ),
        orientation=(DEST.CMP, "CMP adultes de Saint-Denis"),
        weight=3,
    ),
    "asthme": Profile(
        chronic="Asthme persistant léger.",
        treatments="Salbutamol à la demande ; béclométasone 250 µg matin et soir.",
        first=("Crise d'asthme", "Sifflements après une nuit dehors. Aérosol, chambre d'inhalation remise."),
        medical=(("Suivi de l'asthme", "Pas de crise depuis la dernière consultation. Traitements renouvelés."),),
        weight=2,
    ),
    "plaie": Profile(
        chronic="Ulcère veineux de la jambe droite, évoluant depuis plusieurs mois.",
        first=("Plaie de jambe", "Ulcère propre, pas de signe d'infection. Pansements 3 fois par semaine."),
        medical=(("Suivi de la plaie", "Évolution favorable sous pansements. Contention à poursuivre."),),
        nursing=(
            ("Pansement", "Réfection du pansement, plaie en voie de bourgeonnement."),
            ("Pansement", "Plaie propre, diminution de la surface. Bandes de contention remises."),
        ),
        weight=2,
    ),
    "gale": Profile(
        infections="Gale, traitée (ivermectine et perméthrine) ; linge traité avec la maraude.",
        first=("Démangeaisons", "Lésions de grattage interdigitales : gale. Traitement du patient et de l'entourage."),
        medical=(("Contrôle après traitement de la gale", "Plus de prurit, lésions cicatrisées."),),
        nursing=(("Second traitement de la gale", "Deuxième prise d'ivermectine à J8, pas de nouvelles lésions."),),
        weight=2,
    ),
    "dentaire": Profile(
        history="Multiples caries, abcès dentaire récidivant.",
        first=("Douleurs dentaires", "Abcès dentaire : amoxicilline 7 jours, antalgiques. Orientation dentaire."),
        medical=(("Suivi après abcès dentaire", "Abcès résolu, soins conservateurs programmés."),),
        orientation=(DEST.HOSPITAL, "PASS bucco-dentaire — service d'odontologie"),
        weight=3,
    ),
    "lombalgie": Profile(
        chronic="Lombalgies chroniques (port de charges, travail non déclaré sur des chantiers).",
        treatments="Paracétamol 1 g jusqu'à 3 fois par jour si douleur.",
        first=("Lombalgies", "Lombalgie commune sans signe de gravité. Antalgiques, conseils de posture."),
        medical=(("Lombalgies", "Amélioration partielle ; kinésithérapie à prévoir une fois les droits ouverts."),),
        weight=3,
    ),
    "drepanocytose": Profile(
        chronic="Drépanocytose SS, suivie dans le pays d'origine.",
        treatments="Acide folique 5 mg/j. Hydroxycarbamide à discuter en consultation spécialisée.",
        first=("Crise douloureuse", "Crise vaso-occlusive modérée, hydratation et antalgiques. Avis hématologue."),
        medical=(("Suivi drépanocytose", "Pas de nouvelle crise, NFS stable. Consultation d'hématologie programmée."),),
        orientation=(DEST.HOSPITAL, "Consultation d'hématologie (centre de référence drépanocytose)"),
        weight=1,
    ),
    "grossesse": Profile(
        history="Grossesse en cours, non suivie avant la venue à la PASS.",
        first=(
            "Aménorrhée",
            "Test de grossesse positif, grossesse estimée à 14 SA. Échographie et bilan prénatal prescrits.",
        ),
        medical=(
            ("Suivi de grossesse", "Grossesse évolutive, BCF perçus. Déclaration de grossesse faite."),
            ("Suivi de grossesse", "Échographie morphologique normale. Orientée vers la maternité pour l'inscription."),
        ),
        nursing=(("Prise de sang", "Bilan prénatal prélevé (groupe, toxoplasmose, rubéole, VIH, VHB, syphilis)."),),
        orientation=(DEST.PMI, "Centre de PMI d'Aubervilliers"),
        weight=0,  # given on purpose, not drawn
    ),
}

GENERIC_MEDICAL = [
    (
        "Bilan de santé d'arrivée",
        "Examen clinique sans particularité. Sérologies VIH, VHB, VHC, radio pulmonaire et "
        "rattrapage vaccinal proposés et acceptés.",
    ),
    ("Toux depuis 3 semaines", "Pas de fièvre ni d'amaigrissement. Auscultation normale. Radio pulmonaire prescrite."),
    ("Douleurs abdominales", "Épigastralgies sans signe de gravité. Oméprazole 4 semaines, délivré par la PUI."),
    ("Céphalées", "Céphalées de tension, dans un contexte de stress et de manque de sommeil. Paracétamol."),
    ("Résultats de biologie", "Résultats expliqués au patient ; pas d'anomalie. Vaccinations à compléter."),
    ("Fièvre", "Syndrome grippal, examen rassurant. Paracétamol, réévaluation si persistance."),
    ("Plaie de la main", "Plaie superficielle, suture inutile. Soins infirmiers à 48 h, vaccin antitétanique à jour."),
    ("Douleurs au genou", "Entorse bénigne après une chute. Strapping, antalgiques."),
]
GENERIC_NURSING = [
    ("Prise de sang", "Bilan prescrit prélevé (NFS, ionogramme, sérologies)."),
    ("Vaccination", "Rattrapage vaccinal : dTcaP, ROR. Carnet de vaccination remis."),
    ("Délivrance du traitement", "Traitement délivré par la PUI ; schéma de prise imagé expliqué."),
    ("Prise des constantes", "TA 126/78, FC 72, T° 36,8 °C, poids 63 kg."),
    ("Dépistage TROD", "TROD VIH et VHC négatifs, résultat rendu au patient."),
    ("Pansement", "Réfection du pansement, plaie propre."),
]
# Some texts fit only some patients: (reason, notes, requirement), see `patients.demo._fits`.
PSYCH_VISITS = [
    (
        "Entretien d'évaluation",
        "Premier entretien : troubles du sommeil, reviviscences. Suivi hebdomadaire proposé.",
        "",
    ),
    ("Suivi psychologique", "Évoque sa famille restée au pays. Humeur triste, pas d'idées suicidaires.", "migrant"),
    (
        "Entretien de soutien",
        "Angoisse majorée par l'attente de la décision de l'OFPRA. Exercices de respiration.",
        "asylum",
    ),
    ("Suivi psychotraumatisme", "Cauchemars moins fréquents. Relais vers un lieu de soins spécialisé évoqué.", ""),
    (
        "Entretien avec interprète",
        "Entretien avec l'interprète par téléphone ; récit difficile, séance écourtée.",
        "interpreter",
    ),
]
SOCIAL_VISITS = [
    (
        "Constitution du dossier de droits",
        "Pièces réunies : identité, domiciliation, preuve de présence en France. Manque la déclaration de ressources.",
        "domiciliation",
    ),
    (
        "Demande de domiciliation",
        "Orientation vers le CCAS pour une élection de domicile ; rendez-vous dans 15 jours.",
        "no_domiciliation",
    ),
    ("Hébergement", "Appel au 115 avec le patient : pas de place ce soir. Demande SIAO faite.", ""),
    ("Aide alimentaire", "Orientation vers les Restos du cœur et l'épicerie solidaire.", ""),
    ("Point sur les droits", "Point sur le dossier en cours à la CPAM ; relance par courriel.", ""),
    ("Titre de transport", "Demande de réduction Solidarité Transport faite en ligne avec le patient.", ""),
    (
        "Recherche d'un médecin traitant",
        "Liste de médecins de secteur 1 et du centre de santé remise ; appels faits.",
        "",
    ),
]
RECEPTION_VISITS = [
    ("Venue sans rendez-vous", "Vient chercher son traitement à la PUI."),
    ("Prise de rendez-vous", "Rendez-vous pris avec le médecin."),
    ("Remise de résultats", "Résultats remis au médecin, patient revu dans l'après-midi."),
    ("Courrier", "Courrier de la CPAM remis au patient."),
]
FIRST_RECEPTION_NOTES = [
    ("Aucune pièce d'identité : identité déclarative, orthographe à confirmer.", "no_birth_date"),
    ("Passeport présenté (copie au dossier).", "birth_date"),
    ("Attestation de domiciliation présentée.", "domiciliation"),
    ("Pas de téléphone : rendez-vous donné sur papier.", "no_phone"),
    ("Accompagné{e} d'un compatriote qui traduit.", "interpreter"),
    ("Vient seul{e}, sans rendez-vous.", ""),
]
CANCEL_REASONS = ["Saisie en double", "Patient reparti avant la consultation", "Erreur de dossier"]

# ---------------------------------------------------------------------------------------------
# Social situation
# ---------------------------------------------------------------------------------------------

H = SocialAssessment.Housing
HOUSING_BY_STATUS = {
    S.UNDOCUMENTED: {H.FAMILY_FRIENDS: 5, H.STREET: 3, H.SHELTER_115: 3, H.SQUAT: 2, H.SOCIAL_HOTEL: 1},
    S.ASYLUM_SEEKER: {H.STREET: 3, H.SHELTER_115: 3, H.ASYLUM_CENTRE: 4, H.FAMILY_FRIENDS: 1},
    S.RESIDENCE_PERMIT: {H.SHELTER_115: 2, H.FAMILY_FRIENDS: 3, H.CHRS: 2, H.SOCIAL_HOTEL: 2, H.OWN_HOME: 1},
    S.PERMIT_APPLIED: {H.FAMILY_FRIENDS: 4, H.SHELTER_115: 2, H.SOCIAL_HOTEL: 2},
    S.EU_CITIZEN: {H.SQUAT: 4, H.FAMILY_FRIENDS: 2, H.STREET: 2},
    S.FRENCH: {H.STREET: 4, H.CHRS: 2, H.SHELTER_115: 2, H.OWN_HOME: 1, H.OTHER: 1},
}
# Where people usually go next, from one assessment to the next.
HOUSING_NEXT = {
    H.STREET: [H.SHELTER_115, H.STREET, H.FAMILY_FRIENDS],
    H.SHELTER_115: [H.SHELTER_115, H.CHRS, H.SOCIAL_HOTEL],
    H.FAMILY_FRIENDS: [H.FAMILY_FRIENDS, H.SHELTER_115],
    H.SQUAT: [H.SQUAT, H.STREET, H.SHELTER_115],
    H.ASYLUM_CENTRE: [H.ASYLUM_CENTRE],
    H.SOCIAL_HOTEL: [H.SOCIAL_HOTEL, H.CHRS],
    H.CHRS: [H.CHRS, H.OWN_HOME],
    H.OWN_HOME: [H.OWN_HOME],
    H.OTHER: [H.SHELTER_115, H.OTHER],
}
HOUSING_NOTES = {
    H.STREET: [
        "Dort dehors, sous une tente porte de la Chapelle ; rencontré{e} par la maraude.",
        "Sans abri depuis son arrivée, dort dans le métro ou les halls d'immeuble.",
    ],
    H.SHELTER_115: [
        "Hébergé{e} par le 115 dans un hôtel de Bondy, nuitées renouvelées chaque semaine.",
        "Mise à l'abri par le 115 en gymnase, sans visibilité au-delà de la semaine.",
    ],
    H.FAMILY_FRIENDS: [
        "Hébergé{e} chez un cousin à Aubervilliers, dort sur le canapé ; hébergement précaire.",
        "Hébergé{e} chez une compatriote contre des services ; doit partir à la fin du mois.",
    ],
    H.SQUAT: [
        "Vit dans un squat à Saint-Ouen avec une vingtaine de personnes, sans eau courante.",
        "Vit dans un bidonville le long de l'A86, menacé d'expulsion.",
    ],
    H.ASYLUM_CENTRE: [
        "Hébergé{e} en HUDA à Aulnay-sous-Bois depuis l'enregistrement de la demande d'asile.",
        "Place en CADA obtenue, accompagnement social sur place.",
    ],
    H.SOCIAL_HOTEL: ["Hôtel social à Montreuil, une chambre sans cuisine pour toute la famille."],
    H.CHRS: ["Hébergé{e} en CHRS à Pantin, accompagnement social sur place."],
    H.OWN_HOME: ["Locataire d'un studio à Saint-Denis ; droits fermés après une rupture de contrat."],
    H.OTHER: ["Dort dans sa voiture, sur un parking de Bobigny."],
}

RG = CoverageRight.Regime
ST = CoverageRight.Status
CPAM_93 = "CPAM de la Seine-Saint-Denis (CPAM 93)"
CPAM_75 = "CPAM de Paris (CPAM 75)"
URGENT_ORG = "Hôpital — dispositif soins urgents et vitaux (facturation CPAM 93)"
REFUSALS = {
    RG.AME: [
        "Refus : preuve de présence ininterrompue de plus de 3 mois jugée insuffisante.",
        "Refus : ressources déclarées supérieures au plafond.",
        "Refus : dossier incomplet (justificatif d'identité manquant).",
    ],
    RG.CSS: ["Refus : ressources au-dessus du plafond de la CSS gratuite — CSS avec participation à demander."],
    RG.PUMA: ["Refus : résidence stable non démontrée, dossier à compléter."],
}

# Fixed stories for the first patients: the demo (and its tests) can rely on them.
# fmt: off
ANCHORS = [
    {
        "origin": "vietnam", "sex": "F", "first_name": "Éloïse", "last_name": "Nguyễn",
        "aliases": ["Nguyen Eloise", "Nguyen Thi Eloise"], "birth_date": date(1991, 5, 17),
        "languages": "vietnamien, français", "interpreter": False, "admin_status": S.UNDOCUMENTED,
        "days_ago": 150, "rights": "ame_renewal", "profiles": ["hepb"], "referred_by": R.ASSOCIATION,
        "referral_detail": "Médecins du Monde — CASO de Saint-Denis", "domiciliation": DOMICILIATIONS[0],
        "status": Patient.Status.ACTIVE, "renewal_in": 24,
    },
    {
        "origin": "algerie", "sex": "M", "first_name": "Mohammed", "last_name": "Benali",
        "aliases": ["Mohamed Benali", "Mohamed Ben Ali"], "birth_date": None, "birth_year": 1979,
        "languages": "arabe, français", "interpreter": False, "admin_status": S.UNDOCUMENTED,
        "days_ago": 75, "rights": "ame_filed", "arrival_days_before": 40, "profiles": ["hta", "diabete"],
        "referred_by": R.EMERGENCY, "referral_detail": "SAU — urgences adultes", "domiciliation": None,
        "status": Patient.Status.ACTIVE,
    },
    {
        "origin": "guinee", "sex": "F", "first_name": "Fatoumata", "last_name": "Diallo",
        "aliases": ["Fatimata Diallo"], "birth_date": None, "birth_year": 2000,
        "languages": "peul, soussou", "interpreter": True, "admin_status": S.ASYLUM_SEEKER,
        "days_ago": 30, "rights": "asylum", "arrival_days_before": 20, "profiles": ["grossesse"],
        "referred_by": R.SHELTER_115, "referral_detail": "115 de Seine-Saint-Denis (Interlogement 93)",
        "domiciliation": SPADA, "status": Patient.Status.ACTIVE,
    },
    {
        "origin": "roumanie", "sex": "F", "first_name": "Ioana", "last_name": "Popescu",
        "aliases": [], "birth_date": date(1986, 11, 3),
        "languages": "roumain, romani", "interpreter": True, "admin_status": S.EU_CITIZEN,
        "days_ago": 200, "rights": "eu_refused", "profiles": ["asthme"], "referred_by": R.ASSOCIATION,
        "referral_detail": "Samu social de Paris (maraude)", "domiciliation": DOMICILIATIONS[3],
        "status": Patient.Status.ACTIVE,
    },
    {
        "origin": "ukraine", "sex": "M", "first_name": "Oleksandr", "last_name": "Kovalenko",
        "aliases": ["Aleksandr Kovalenko", "Kowalenko Olexandr"], "birth_date": date(1968, 2, 21),
        "languages": "ukrainien, russe", "interpreter": True, "admin_status": S.RESIDENCE_PERMIT,
        "days_ago": 220, "rights": "permit", "profiles": ["diabete"], "referred_by": R.SOCIAL_SERVICE,
        "referral_detail": "Service social départemental (EDS Aubervilliers)", "domiciliation": None,
        "status": Patient.Status.COMMON_LAW,
    },
    {
        "origin": "mali", "sex": "F", "first_name": "Aïcha", "last_name": "Traoré",
        "aliases": ["Aicha Traore"], "birth_date": None, "birth_year": 1995,
        "languages": "bambara, français", "interpreter": False, "admin_status": S.UNDOCUMENTED,
        "days_ago": 1, "rights": "new", "profiles": ["anxiete"], "referred_by": R.WORD_OF_MOUTH,
        "referral_detail": "Une compatriote", "domiciliation": None, "status": Patient.Status.ACTIVE,
    },
    {
        "origin": "mali", "sex": "M", "first_name": "Mamadou", "last_name": "Konaté",
        "aliases": ["Mamoudou Konate"], "birth_date": None, "birth_year": 2008,
        "languages": "soninké, bambara", "interpreter": True, "admin_status": S.UNDOCUMENTED,
        "days_ago": 120, "rights": "ame", "profiles": ["tuberculose"], "referred_by": R.ASSOCIATION,
        "referral_detail": "Utopia 56", "domiciliation": DOMICILIATIONS[6], "status": Patient.Status.ACTIVE,
    },
    {
        "origin": "erythree", "sex": "M", "first_name": "Yonas", "last_name": "Tesfay",
        "aliases": ["Yohannes Tesfaye"], "birth_date": None, "birth_year": 1997,
        "languages": "tigrigna, arabe", "interpreter": True, "admin_status": S.ASYLUM_SEEKER,
        "days_ago": 170, "rights": "asylum", "profiles": ["psychotrauma", "gale"], "referred_by": R.ASSOCIATION,
        "referral_detail": "La Cimade", "domiciliation": SPADA, "status": Patient.Status.ACTIVE,
    },
    {
        "origin": "afghanistan", "sex": "M", "first_name": "Ahmad", "last_name": "Rahimi",
        "aliases": ["Ahmed Rahimy"], "birth_date": None, "birth_year": 1990,
        "languages": "dari, pachto", "interpreter": True, "admin_status": S.ASYLUM_SEEKER,
        "days_ago": 260, "rights": "asylum", "profiles": ["lombalgie"], "referred_by": R.EMERGENCY,
        "referral_detail": "SAU — urgences adultes", "domiciliation": SPADA, "status": Patient.Status.LOST,
    },
    {
        "origin": "france", "sex": "M", "first_name": "Thierry", "last_name": "Moreau",
        "aliases": [], "birth_date": date(1963, 9, 8),
        "languages": "français", "interpreter": False, "admin_status": S.FRENCH,
        "days_ago": 90, "rights": "french", "profiles": ["plaie", "hta"], "referred_by": R.SHELTER_115,
        "referral_detail": "Hôtel 115 de Bondy", "domiciliation": DOMICILIATIONS[5], "status": Patient.Status.ACTIVE,
    },
]
# fmt: on
