"""Languages a PASS hears, as ISO 639 codes with their French names.

ISO 639-1 (two letters) where the language has one, else ISO 639-3 (three letters) — the
convention of BCP 47 language tags: Soninke is "snk", Dari "prs", Susu "sus". A small table
rather than a package: pycountry ships every ISO 639-3 language (over 7,000, most of them never
heard at a hospital desk) with translations for every locale; the reception needs a list it can
scroll. Add a line when a language is missing.

`language_codes("Wolof, français")` reads free text typed before the list existed (the data
migration keeps its own frozen copy of these spellings).
"""

import re

from pass_unit.lib.text import normalize

# code -> (French name, other spellings typed at reception, normalised: lower case, no accent)
LANGUAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "af": ("afrikaans", ()),
    "sq": ("albanais", ()),
    "am": ("amharique", ()),
    "en": ("anglais", ("english",)),
    "ar": ("arabe", ("arabe litteraire", "arabic", "darija", "arabe maghrebin", "arabe dialectal")),
    "hy": ("arménien", ()),
    "az": ("azéri", ("azerbaidjanais",)),
    "bm": ("bambara", ("bamanankan",)),
    "bci": ("baoulé", ("baoule",)),
    "bn": ("bengali", ("bangla",)),
    "ber": ("berbère", ("tamazight", "amazigh", "chleuh", "tachelhit", "rifain")),
    "be": ("biélorusse", ()),
    "bs": ("bosnien", ()),
    "bg": ("bulgare", ()),
    "yue": ("cantonais", ()),
    "zh": ("chinois", ("mandarin", "chinois mandarin")),
    "ht": ("créole haïtien", ("creole", "creole haitien", "kreyol")),
    "hr": ("croate", ()),
    "prs": ("dari", ("persan dari",)),
    "dyu": ("dioula", ("dyula", "jula")),
    "es": ("espagnol", ("spanish",)),
    "ewo": ("ewondo", ()),
    "fvr": ("four", ("fur", "fourawi")),
    "fa": ("persan", ("farsi", "perse", "iranien")),
    "fr": ("français", ("francais", "french")),
    "ff": ("peul", ("pulaar", "poular", "pular", "fulfulde", "fula", "peulh", "peul fouta")),
    "ka": ("géorgien", ()),
    "de": ("allemand", ("german",)),
    "el": ("grec", ()),
    "ha": ("haoussa", ("hausa",)),
    "he": ("hébreu", ()),
    "hi": ("hindi", ()),
    "hu": ("hongrois", ()),
    "ig": ("igbo", ("ibo",)),
    "it": ("italien", ()),
    "kab": ("kabyle", ("taqbaylit",)),
    "kk": ("kazakh", ()),
    "km": ("khmer", ("cambodgien",)),
    "rw": ("kinyarwanda", ()),
    "ku": ("kurde", ("kurmandji", "sorani")),
    "ln": ("lingala", ()),
    "mnk": ("mandingue", ("mandinka", "malinke")),
    "mg": ("malgache", ()),
    "ml": ("malayalam", ()),
    "mos": ("mooré", ("moore", "mossi")),
    "mn": ("mongol", ()),
    "nl": ("néerlandais", ("hollandais", "flamand")),
    "ne": ("népalais", ()),
    "wo": ("wolof", ("ouolof",)),
    "ps": ("pachto", ("pashto", "pachtou", "pashtou")),
    "pa": ("pendjabi", ("punjabi",)),
    "pl": ("polonais", ()),
    "pt": ("portugais", ("portuguese", "portugais bresilien")),
    "rom": ("romani", ("romanes", "rromani")),
    "ro": ("roumain", ()),
    "ru": ("russe", ("russian",)),
    "sr": ("serbe", ("serbo croate",)),
    "sw": ("swahili", ("kiswahili",)),
    "snk": ("soninké", ("soninke", "sarakole")),
    "so": ("somali", ()),
    "sus": ("soussou", ("susu", "sosso")),
    "srr": ("sérère", ("serere",)),
    "ta": ("tamoul", ("tamil",)),
    "th": ("thaï", ("thai",)),
    "ti": ("tigrigna", ("tigrinya", "tigrinia")),
    "tr": ("turc", ()),
    "tk": ("turkmène", ()),
    "uk": ("ukrainien", ()),
    "ur": ("ourdou", ("urdu",)),
    "uz": ("ouzbek", ()),
    "vi": ("vietnamien", ()),
    "yo": ("yoruba", ()),
    "wuu": ("wu", ("wenzhounais", "shanghaien")),
    "tw": ("twi", ("akan", "ashanti")),
    "ee": ("éwé", ("ewe",)),
    "kg": ("kikongo", ("kongo",)),
    "lu": ("tshiluba", ("luba", "ciluba")),
    "sg": ("sango", ()),
    "sgn": ("langue des signes", ("lsf", "langue des signes francaise")),
}
CODE_MAX_LENGTH = 3


def language_choices() -> list[tuple[str, str]]:
    """(code, French name) sorted by name, for a select."""
    return sorted(((code, name) for code, (name, _s) in LANGUAGES.items()), key=lambda c: normalize(c[1]))


def language_name(code: str) -> str:
    entry = LANGUAGES.get(code)
    return entry[0] if entry else code


def language_names(codes) -> str:
    return ", ".join(language_name(code) for code in codes or [])


_LOOKUP = {
    spelling: code for code, (name, spellings) in LANGUAGES.items() for spelling in (normalize(name), code, *spellings)
}
_SEPARATORS = re.compile(r"[,;/+]| et | and ")


def language_code(text: str) -> str | None:
    """ "Français", "FRANCAIS", "pulaar" -> "fr", "ff"; None when not recognised."""
    return _LOOKUP.get(normalize(text)) if normalize(text) else None


def language_codes(text: str) -> tuple[list[str], list[str]]:
    """Free text "Wolof, français et soninké" -> (["wo", "fr", "snk"], [parts not recognised])."""
    codes, unknown = [], []
    for part in _SEPARATORS.split(text or ""):
        if not part.strip():
            continue
        code = language_code(part)
        if code is None:
            unknown.append(part.strip())
        elif code not in codes:
            codes.append(code)
    return codes, unknown
