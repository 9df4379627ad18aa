"""Free-text country names and demonyms -> ISO 3166 alpha-2 codes.

Before the structured fields, the country of birth and the nationality were typed by hand:
"Sénégalaise", "SENEGAL", " sénégal ". `country_code` recognises the French names of every
country (django-countries' names, as the list shows them), their English names, and the
demonyms below (masculine and feminine, as typed at reception), accent- and case-insensitively.
The data migration patients/0006 keeps its own frozen copy of this table.
"""

import functools

from django.utils import translation
from django_countries import countries

from pass_unit.lib.text import normalize

# Other spellings and demonyms (normalised: lower case, no accent, no punctuation).
SPELLINGS: dict[str, tuple[str, ...]] = {
    "FR": ("france", "francais", "francaise", "fr"),
    "DE": ("allemagne", "allemand", "allemande"),
    "BE": ("belgique", "belge"),
    "BG": ("bulgarie", "bulgare"),
    "ES": ("espagne", "espagnol", "espagnole"),
    "IT": ("italie", "italien", "italienne"),
    "PL": ("pologne", "polonais", "polonaise"),
    "PT": ("portugal", "portugais", "portugaise"),
    "RO": ("roumanie", "roumain", "roumaine"),
    "HU": ("hongrie", "hongrois", "hongroise"),
    "NL": ("pays bas", "neerlandais", "neerlandaise", "hollandais", "hollandaise"),
    "GR": ("grece", "grec", "grecque"),
    "AL": ("albanie", "albanais", "albanaise"),
    "AM": ("armenie", "armenien", "armenienne"),
    "AZ": ("azerbaidjan", "azerbaidjanais", "azerbaidjanaise", "azeri", "azerie"),
    "BA": ("bosnie", "bosnie herzegovine", "bosnien", "bosnienne"),
    "BY": ("bielorussie", "belarus", "bielorusse"),
    "GB": ("royaume uni", "angleterre", "britannique", "anglais", "anglaise"),
    "GE": ("georgie", "georgien", "georgienne"),
    "MD": ("moldavie", "moldova", "moldave"),
    "MK": ("macedoine", "macedoine du nord", "macedonien", "macedonienne"),
    "RS": ("serbie", "serbe"),
    "RU": ("russie", "russe", "tchetchenie", "tchetchene"),
    "TR": ("turquie", "turc", "turque"),
    "UA": ("ukraine", "ukrainien", "ukrainienne"),
    "DZ": ("algerie", "algerien", "algerienne"),
    "EG": ("egypte", "egyptien", "egyptienne"),
    "LY": ("libye", "libyen", "libyenne"),
    "MA": ("maroc", "marocain", "marocaine"),
    "TN": ("tunisie", "tunisien", "tunisienne"),
    "AO": ("angola", "angolais", "angolaise"),
    "BF": ("burkina", "burkina faso", "burkinabe"),
    "BI": ("burundi", "burundais", "burundaise"),
    "BJ": ("benin", "beninois", "beninoise"),
    "CD": (
        "rdc",
        "rd congo",
        "republique democratique du congo",
        "congo kinshasa",
        "congolais rdc",
        "zaire",
        "congolaise rdc",
        "congolais de rdc",
        "congolaise de rdc",
    ),
    "CF": ("centrafrique", "republique centrafricaine", "centrafricain", "centrafricaine"),
    "CG": ("congo", "congo brazzaville", "congolais", "congolaise"),
    "CI": ("cote d ivoire", "cote divoire", "ivoirien", "ivoirienne"),
    "CM": ("cameroun", "camerounais", "camerounaise"),
    "DJ": ("djibouti", "djiboutien", "djiboutienne"),
    "ER": ("erythree", "erythreen", "erythreenne"),
    "ET": ("ethiopie", "ethiopien", "ethiopienne"),
    "GA": ("gabon", "gabonais", "gabonaise"),
    "GH": ("ghana", "ghaneen", "ghaneenne"),
    "GM": ("gambie", "gambien", "gambienne"),
    "GN": ("guinee", "guinee conakry", "guineen", "guineenne"),
    "GW": ("guinee bissau", "bissau guineen", "bissau guineenne"),
    "KE": ("kenya", "kenyan", "kenyane"),
    "KM": ("comores", "comorien", "comorienne"),
    "LR": ("liberia", "liberien", "liberienne"),
    "MG": ("madagascar", "malgache"),
    "ML": ("mali", "malien", "malienne"),
    "MR": ("mauritanie", "mauritanien", "mauritanienne"),
    "NE": ("niger", "nigerien", "nigerienne"),
    "NG": ("nigeria", "nigerian", "nigeriane"),
    "RW": ("rwanda", "rwandais", "rwandaise"),
    "SD": ("soudan", "soudanais", "soudanaise"),
    "SL": ("sierra leone", "sierra leonais", "sierra leonaise"),
    "SN": ("senegal", "senegalais", "senegalaise"),
    "SO": ("somalie", "somalien", "somalienne"),
    "SS": ("soudan du sud", "sud soudanais", "sud soudanaise"),
    "TD": ("tchad", "tchadien", "tchadienne"),
    "TG": ("togo", "togolais", "togolaise"),
    "IQ": ("irak", "iraq", "irakien", "irakienne"),
    "IR": ("iran", "iranien", "iranienne"),
    "LB": ("liban", "libanais", "libanaise"),
    "PS": ("palestine", "palestinien", "palestinienne"),
    "SY": ("syrie", "syrien", "syrienne"),
    "YE": ("yemen", "yemenite"),
    "AF": ("afghanistan", "afghan", "afghane"),
    "BD": ("bangladesh", "bangladais", "bangladaise"),
    "CN": ("chine", "chinois", "chinoise"),
    "IN": ("inde", "indien", "indienne"),
    "LK": ("sri lanka", "sri lankais", "sri lankaise"),
    "MN": ("mongolie", "mongol", "mongole"),
    "NP": ("nepal", "nepalais", "nepalaise"),
    "PH": ("philippines", "philippin", "philippine"),
    "PK": ("pakistan", "pakistanais", "pakistanaise"),
    "VN": ("vietnam", "viet nam", "vietnamien", "vietnamienne"),
    "BO": ("bolivie", "bolivien", "bolivienne"),
    "BR": ("bresil", "bresilien", "bresilienne"),
    "CO": ("colombie", "colombien", "colombienne"),
    "CU": ("cuba", "cubain", "cubaine"),
    "DO": ("republique dominicaine", "dominicain", "dominicaine"),
    "EC": ("equateur", "equatorien", "equatorienne"),
    "HT": ("haiti", "haitien", "haitienne"),
    "PE": ("perou", "peruvien", "peruvienne"),
    "VE": ("venezuela", "venezuelien", "venezuelienne"),
    "US": ("etats unis", "usa", "americain", "americaine"),
    "AU": ("australie", "australien", "australienne"),
}


@functools.cache
def _lookup() -> dict[str, str]:
    table = {}
    for language in ("en", "fr"):
        with translation.override(language):
            for code, name in countries:
                table[normalize(str(name))] = code
    for code, spellings in SPELLINGS.items():
        for spelling in spellings:
            table[spelling] = code
    return table


def country_code(text: str) -> str | None:
    """ "Sénégalaise", "SENEGAL", " sénégal " -> "SN"; None when not recognised (or blank)."""
    key = normalize(text)
    if not key:
        return None
    return _lookup().get(key)
