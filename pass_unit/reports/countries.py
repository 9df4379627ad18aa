"""Today's free-text country of birth and nationality, grouped for the report.

A small table of the countries a PASS sees most, by French name and demonym (masculine and
feminine), matched accent- and case-insensitively → ISO 3166 alpha-2 code → region of the world.
What it cannot recognise stays visible ("non renseigné ou non reconnu") and is listed in the
data-quality worklist, never dropped. Structured values (django-countries) will replace this.
"""

from django.utils.translation import gettext_lazy as _

from pass_unit.lib.text import normalize

# Regions of the world, in the order the report shows them.
REGIONS = {
    "FR": _("France"),
    "EU": _("European Union (outside France)"),
    "EUROPE": _("Europe outside the EU"),
    "NORTH_AFRICA": _("North Africa"),
    "SUBSAHARAN": _("Sub-Saharan Africa"),
    "MIDDLE_EAST": _("Middle East"),
    "ASIA": _("Asia"),
    "AMERICAS": _("Americas"),
    "OCEANIA": _("Oceania"),
}

# ISO code -> (region, French name, spellings: names and demonyms as typed at reception)
COUNTRIES = {
    "FR": ("FR", "France", ["france", "francais", "francaise", "fr"]),
    # European Union
    "DE": ("EU", "Allemagne", ["allemagne", "allemand", "allemande"]),
    "BE": ("EU", "Belgique", ["belgique", "belge"]),
    "BG": ("EU", "Bulgarie", ["bulgarie", "bulgare"]),
    "ES": ("EU", "Espagne", ["espagne", "espagnol", "espagnole"]),
    "IT": ("EU", "Italie", ["italie", "italien", "italienne"]),
    "PL": ("EU", "Pologne", ["pologne", "polonais", "polonaise"]),
    "PT": ("EU", "Portugal", ["portugal", "portugais", "portugaise"]),
    "RO": ("EU", "Roumanie", ["roumanie", "roumain", "roumaine"]),
    "HU": ("EU", "Hongrie", ["hongrie", "hongrois", "hongroise"]),
    "NL": ("EU", "Pays-Bas", ["pays bas", "neerlandais", "neerlandaise", "hollandais", "hollandaise"]),
    "GR": ("EU", "Grèce", ["grece", "grec", "grecque"]),
    # Europe outside the EU
    "AL": ("EUROPE", "Albanie", ["albanie", "albanais", "albanaise"]),
    "AM": ("EUROPE", "Arménie", ["armenie", "armenien", "armenienne"]),
    "AZ": ("EUROPE", "Azerbaïdjan", ["azerbaidjan", "azerbaidjanais", "azerbaidjanaise", "azeri", "azerie"]),
    "BA": ("EUROPE", "Bosnie-Herzégovine", ["bosnie", "bosnie herzegovine", "bosnien", "bosnienne"]),
    "BY": ("EUROPE", "Biélorussie", ["bielorussie", "belarus", "bielorusse"]),
    "GB": ("EUROPE", "Royaume-Uni", ["royaume uni", "angleterre", "britannique", "anglais", "anglaise"]),
    "GE": ("EUROPE", "Géorgie", ["georgie", "georgien", "georgienne"]),
    "MD": ("EUROPE", "Moldavie", ["moldavie", "moldova", "moldave"]),
    "MK": ("EUROPE", "Macédoine du Nord", ["macedoine", "macedoine du nord", "macedonien", "macedonienne"]),
    "RS": ("EUROPE", "Serbie", ["serbie", "serbe"]),
    "RU": ("EUROPE", "Russie", ["russie", "russe", "tchetchenie", "tchetchene"]),
    "TR": ("EUROPE", "Turquie", ["turquie", "turc", "turque"]),
    "UA": ("EUROPE", "Ukraine", ["ukraine", "ukrainien", "ukrainienne"]),
    "XK": ("EUROPE", "Kosovo", ["kosovo", "kosovar", "kosovare"]),
    # North Africa
    "DZ": ("NORTH_AFRICA", "Algérie", ["algerie", "algerien", "algerienne"]),
    "EG": ("NORTH_AFRICA", "Égypte", ["egypte", "egyptien", "egyptienne"]),
    "LY": ("NORTH_AFRICA", "Libye", ["libye", "libyen", "libyenne"]),
    "MA": ("NORTH_AFRICA", "Maroc", ["maroc", "marocain", "marocaine"]),
    "TN": ("NORTH_AFRICA", "Tunisie", ["tunisie", "tunisien", "tunisienne"]),
    # Sub-Saharan Africa
    "AO": ("SUBSAHARAN", "Angola", ["angola", "angolais", "angolaise"]),
    "BF": ("SUBSAHARAN", "Burkina Faso", ["burkina", "burkina faso", "burkinabe"]),
    "BI": ("SUBSAHARAN", "Burundi", ["burundi", "burundais", "burundaise"]),
    "BJ": ("SUBSAHARAN", "Bénin", ["benin", "beninois", "beninoise"]),
    "CD": (
        "SUBSAHARAN",
        "République démocratique du Congo",
        ["rdc", "rd congo", "republique democratique du congo", "congo kinshasa", "congolais rdc", "zaire"],
    ),
    "CF": (
        "SUBSAHARAN",
        "République centrafricaine",
        ["centrafrique", "republique centrafricaine", "centrafricain", "centrafricaine"],
    ),
    "CG": ("SUBSAHARAN", "Congo", ["congo", "congo brazzaville", "congolais", "congolaise"]),
    "CI": ("SUBSAHARAN", "Côte d'Ivoire", ["cote d ivoire", "cote divoire", "ivoirien", "ivoirienne"]),
    "CM": ("SUBSAHARAN", "Cameroun", ["cameroun", "camerounais", "camerounaise"]),
    "DJ": ("SUBSAHARAN", "Djibouti", ["djibouti", "djiboutien", "djiboutienne"]),
    "ER": ("SUBSAHARAN", "Érythrée", ["erythree", "erythreen", "erythreenne"]),
    "ET": ("SUBSAHARAN", "Éthiopie", ["ethiopie", "ethiopien", "ethiopienne"]),
    "GA": ("SUBSAHARAN", "Gabon", ["gabon", "gabonais", "gabonaise"]),
    "GH": ("SUBSAHARAN", "Ghana", ["ghana", "ghaneen", "ghaneenne"]),
    "GM": ("SUBSAHARAN", "Gambie", ["gambie", "gambien", "gambienne"]),
    "GN": ("SUBSAHARAN", "Guinée", ["guinee", "guinee conakry", "guineen", "guineenne"]),
    "GW": ("SUBSAHARAN", "Guinée-Bissau", ["guinee bissau", "bissau guineen", "bissau guineenne"]),
    "KE": ("SUBSAHARAN", "Kenya", ["kenya", "kenyan", "kenyane"]),
    "KM": ("SUBSAHARAN", "Comores", ["comores", "comorien", "comorienne"]),
    "LR": ("SUBSAHARAN", "Liberia", ["liberia", "liberien", "liberienne"]),
    "MG": ("SUBSAHARAN", "Madagascar", ["madagascar", "malgache"]),
    "ML": ("SUBSAHARAN", "Mali", ["mali", "malien", "malienne"]),
    "MR": ("SUBSAHARAN", "Mauritanie", ["mauritanie", "mauritanien", "mauritanienne"]),
    "NE": ("SUBSAHARAN", "Niger", ["niger", "nigerien", "nigerienne"]),
    "NG": ("SUBSAHARAN", "Nigeria", ["nigeria", "nigerian", "nigeriane"]),
    "RW": ("SUBSAHARAN", "Rwanda", ["rwanda", "rwandais", "rwandaise"]),
    "SD": ("SUBSAHARAN", "Soudan", ["soudan", "soudanais", "soudanaise"]),
    "SL": ("SUBSAHARAN", "Sierra Leone", ["sierra leone", "sierra leonais", "sierra leonaise"]),
    "SN": ("SUBSAHARAN", "Sénégal", ["senegal", "senegalais", "senegalaise"]),
    "SO": ("SUBSAHARAN", "Somalie", ["somalie", "somalien", "somalienne"]),
    "SS": ("SUBSAHARAN", "Soudan du Sud", ["soudan du sud", "sud soudanais", "sud soudanaise"]),
    "TD": ("SUBSAHARAN", "Tchad", ["tchad", "tchadien", "tchadienne"]),
    "TG": ("SUBSAHARAN", "Togo", ["togo", "togolais", "togolaise"]),
    # Middle East
    "IQ": ("MIDDLE_EAST", "Irak", ["irak", "iraq", "irakien", "irakienne"]),
    "IR": ("MIDDLE_EAST", "Iran", ["iran", "iranien", "iranienne"]),
    "LB": ("MIDDLE_EAST", "Liban", ["liban", "libanais", "libanaise"]),
    "PS": ("MIDDLE_EAST", "Palestine", ["palestine", "palestinien", "palestinienne"]),
    "SY": ("MIDDLE_EAST", "Syrie", ["syrie", "syrien", "syrienne"]),
    "YE": ("MIDDLE_EAST", "Yémen", ["yemen", "yemenite"]),
    # Asia
    "AF": ("ASIA", "Afghanistan", ["afghanistan", "afghan", "afghane"]),
    "BD": ("ASIA", "Bangladesh", ["bangladesh", "bangladais", "bangladaise"]),
    "CN": ("ASIA", "Chine", ["chine", "chinois", "chinoise"]),
    "IN": ("ASIA", "Inde", ["inde", "indien", "indienne"]),
    "LK": ("ASIA", "Sri Lanka", ["sri lanka", "sri lankais", "sri lankaise"]),
    "MN": ("ASIA", "Mongolie", ["mongolie", "mongol", "mongole"]),
    "NP": ("ASIA", "Népal", ["nepal", "nepalais", "nepalaise"]),
    "PH": ("ASIA", "Philippines", ["philippines", "philippin", "philippine"]),
    "PK": ("ASIA", "Pakistan", ["pakistan", "pakistanais", "pakistanaise"]),
    "VN": ("ASIA", "Viêt Nam", ["vietnam", "viet nam", "vietnamien", "vietnamienne"]),
    # Americas
    "BO": ("AMERICAS", "Bolivie", ["bolivie", "bolivien", "bolivienne"]),
    "BR": ("AMERICAS", "Brésil", ["bresil", "bresilien", "bresilienne"]),
    "CO": ("AMERICAS", "Colombie", ["colombie", "colombien", "colombienne"]),
    "CU": ("AMERICAS", "Cuba", ["cuba", "cubain", "cubaine"]),
    "DO": ("AMERICAS", "République dominicaine", ["republique dominicaine", "dominicain", "dominicaine"]),
    "EC": ("AMERICAS", "Équateur", ["equateur", "equatorien", "equatorienne"]),
    "HT": ("AMERICAS", "Haïti", ["haiti", "haitien", "haitienne"]),
    "PE": ("AMERICAS", "Pérou", ["perou", "peruvien", "peruvienne"]),
    "VE": ("AMERICAS", "Venezuela", ["venezuela", "venezuelien", "venezuelienne"]),
    "US": ("AMERICAS", "États-Unis", ["etats unis", "usa", "americain", "americaine"]),
    # Oceania
    "AU": ("OCEANIA", "Australie", ["australie", "australien", "australienne"]),
}

_LOOKUP = {spelling: code for code, (_region, _name, spellings) in COUNTRIES.items() for spelling in spellings}


def country_code(text: str) -> str | None:
    """ "Sénégalaise", "SENEGAL", " sénégal " -> "SN"; None when not recognised (or blank)."""
    key = normalize(text)
    if not key:
        return None
    return _LOOKUP.get(key)


def country_name(code: str) -> str:
    return COUNTRIES[code][1]


def region_of(code: str) -> str:
    return COUNTRIES[code][0]
