"""Structured country of birth, nationality and languages (issue 10), and the report's indexes.

Today's free text is mapped to ISO 3166 codes (country names in French or English, French demonyms
such as "Sénégalaise", any case or accent) and ISO 639 codes ("wolof, français" -> ["wo", "fr"]).
What cannot be mapped is never dropped: it stays in birth_country_text, nationality_text or
languages_text, shown on the file and listed in the report's data-quality worklist until someone
picks the value. The tables are frozen copies of pass_unit/lib/countries.py and languages.py:
a migration does not import application code.
"""

import re
import unicodedata

import django.contrib.postgres.fields
import django_countries.fields
from django.db import migrations, models

_SPECIAL = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d", "ł": "l", "ı": "i", "þ": "th"})
_NON_WORD = re.compile(r"[\W_]+")
_SEPARATORS = re.compile(r"[,;/+]| et | and ")


def normalize(value):
    value = unicodedata.normalize("NFKD", value or "").casefold().translate(_SPECIAL)
    value = "".join(c for c in value if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", value).strip()


COUNTRY_SPELLINGS = {
    'FR': ('france', 'francais', 'francaise', 'fr'),
    'DE': ('allemagne', 'allemand', 'allemande'),
    'BE': ('belgique', 'belge'),
    'BG': ('bulgarie', 'bulgare'),
    'ES': ('espagne', 'espagnol', 'espagnole'),
    'IT': ('italie', 'italien', 'italienne'),
    'PL': ('pologne', 'polonais', 'polonaise'),
    'PT': ('portugal', 'portugais', 'portugaise'),
    'RO': ('roumanie', 'roumain', 'roumaine'),
    'HU': ('hongrie', 'hongrois', 'hongroise'),
    'NL': ('pays bas', 'neerlandais', 'neerlandaise', 'hollandais', 'hollandaise'),
    'GR': ('grece', 'grec', 'grecque'),
    'AL': ('albanie', 'albanais', 'albanaise'),
    'AM': ('armenie', 'armenien', 'armenienne'),
    'AZ': ('azerbaidjan', 'azerbaidjanais', 'azerbaidjanaise', 'azeri', 'azerie'),
    'BA': ('bosnie', 'bosnie herzegovine', 'bosnien', 'bosnienne'),
    'BY': ('bielorussie', 'belarus', 'bielorusse'),
    'GB': ('royaume uni', 'angleterre', 'britannique', 'anglais', 'anglaise'),
    'GE': ('georgie', 'georgien', 'georgienne'),
    'MD': ('moldavie', 'moldova', 'moldave'),
    'MK': ('macedoine', 'macedoine du nord', 'macedonien', 'macedonienne'),
    'RS': ('serbie', 'serbe'),
    'RU': ('russie', 'russe', 'tchetchenie', 'tchetchene'),
    'TR': ('turquie', 'turc', 'turque'),
    'UA': ('ukraine', 'ukrainien', 'ukrainienne'),
    'DZ': ('algerie', 'algerien', 'algerienne'),
    'EG': ('egypte', 'egyptien', 'egyptienne'),
    'LY': ('libye', 'libyen', 'libyenne'),
    'MA': ('maroc', 'marocain', 'marocaine'),
    'TN': ('tunisie', 'tunisien', 'tunisienne'),
    'AO': ('angola', 'angolais', 'angolaise'),
    'BF': ('burkina', 'burkina faso', 'burkinabe'),
    'BI': ('burundi', 'burundais', 'burundaise'),
    'BJ': ('benin', 'beninois', 'beninoise'),
    'CD': ('rdc', 'rd congo', 'republique democratique du congo', 'congo kinshasa', 'congolais rdc', 'zaire', 'congolaise rdc', 'congolais de rdc', 'congolaise de rdc'),
    'CF': ('centrafrique', 'republique centrafricaine', 'centrafricain', 'centrafricaine'),
    'CG': ('congo', 'congo brazzaville', 'congolais', 'congolaise'),
    'CI': ('cote d ivoire', 'cote divoire', 'ivoirien', 'ivoirienne'),
    'CM': ('cameroun', 'camerounais', 'camerounaise'),
    'DJ': ('djibouti', 'djiboutien', 'djiboutienne'),
    'ER': ('erythree', 'erythreen', 'erythreenne'),
    'ET': ('ethiopie', 'ethiopien', 'ethiopienne'),
    'GA': ('gabon', 'gabonais', 'gabonaise'),
    'GH': ('ghana', 'ghaneen', 'ghaneenne'),
    'GM': ('gambie', 'gambien', 'gambienne'),
    'GN': ('guinee', 'guinee conakry', 'guineen', 'guineenne'),
    'GW': ('guinee bissau', 'bissau guineen', 'bissau guineenne'),
    'KE': ('kenya', 'kenyan', 'kenyane'),
    'KM': ('comores', 'comorien', 'comorienne'),
    'LR': ('liberia', 'liberien', 'liberienne'),
    'MG': ('madagascar', 'malgache'),
    'ML': ('mali', 'malien', 'malienne'),
    'MR': ('mauritanie', 'mauritanien', 'mauritanienne'),
    'NE': ('niger', 'nigerien', 'nigerienne'),
    'NG': ('nigeria', 'nigerian', 'nigeriane'),
    'RW': ('rwanda', 'rwandais', 'rwandaise'),
    'SD': ('soudan', 'soudanais', 'soudanaise'),
    'SL': ('sierra leone', 'sierra leonais', 'sierra leonaise'),
    'SN': ('senegal', 'senegalais', 'senegalaise'),
    'SO': ('somalie', 'somalien', 'somalienne'),
    'SS': ('soudan du sud', 'sud soudanais', 'sud soudanaise'),
    'TD': ('tchad', 'tchadien', 'tchadienne'),
    'TG': ('togo', 'togolais', 'togolaise'),
    'IQ': ('irak', 'iraq', 'irakien', 'irakienne'),
    'IR': ('iran', 'iranien', 'iranienne'),
    'LB': ('liban', 'libanais', 'libanaise'),
    'PS': ('palestine', 'palestinien', 'palestinienne'),
    'SY': ('syrie', 'syrien', 'syrienne'),
    'YE': ('yemen', 'yemenite'),
    'AF': ('afghanistan', 'afghan', 'afghane'),
    'BD': ('bangladesh', 'bangladais', 'bangladaise'),
    'CN': ('chine', 'chinois', 'chinoise'),
    'IN': ('inde', 'indien', 'indienne'),
    'LK': ('sri lanka', 'sri lankais', 'sri lankaise'),
    'MN': ('mongolie', 'mongol', 'mongole'),
    'NP': ('nepal', 'nepalais', 'nepalaise'),
    'PH': ('philippines', 'philippin', 'philippine'),
    'PK': ('pakistan', 'pakistanais', 'pakistanaise'),
    'VN': ('vietnam', 'viet nam', 'vietnamien', 'vietnamienne'),
    'BO': ('bolivie', 'bolivien', 'bolivienne'),
    'BR': ('bresil', 'bresilien', 'bresilienne'),
    'CO': ('colombie', 'colombien', 'colombienne'),
    'CU': ('cuba', 'cubain', 'cubaine'),
    'DO': ('republique dominicaine', 'dominicain', 'dominicaine'),
    'EC': ('equateur', 'equatorien', 'equatorienne'),
    'HT': ('haiti', 'haitien', 'haitienne'),
    'PE': ('perou', 'peruvien', 'peruvienne'),
    'VE': ('venezuela', 'venezuelien', 'venezuelienne'),
    'US': ('etats unis', 'usa', 'americain', 'americaine'),
    'AU': ('australie', 'australien', 'australienne'),
}

LANGUAGE_SPELLINGS = {
    'af': ('afrikaans',),
    'sq': ('albanais',),
    'am': ('amharique',),
    'en': ('anglais', 'english'),
    'ar': ('arabe', 'arabe litteraire', 'arabic', 'darija', 'arabe maghrebin', 'arabe dialectal'),
    'hy': ('armenien',),
    'az': ('azeri', 'azerbaidjanais'),
    'bm': ('bambara', 'bamanankan'),
    'bci': ('baoule',),
    'fvr': ('four', 'fur', 'fourawi'),
    'wuu': ('wu', 'wenzhounais', 'shanghaien'),
    'bn': ('bengali', 'bangla'),
    'ber': ('berbere', 'tamazight', 'amazigh', 'chleuh', 'tachelhit', 'rifain'),
    'be': ('bielorusse',),
    'bs': ('bosnien',),
    'bg': ('bulgare',),
    'yue': ('cantonais',),
    'zh': ('chinois', 'mandarin', 'chinois mandarin'),
    'ht': ('creole haitien', 'creole', 'creole haitien', 'kreyol'),
    'hr': ('croate',),
    'prs': ('dari', 'persan dari'),
    'dyu': ('dioula', 'dyula', 'jula'),
    'es': ('espagnol', 'spanish'),
    'ewo': ('ewondo',),
    'fa': ('persan', 'farsi', 'perse', 'iranien'),
    'fr': ('francais', 'francais', 'french'),
    'ff': ('peul', 'pulaar', 'poular', 'pular', 'fulfulde', 'fula', 'peulh', 'peul fouta'),
    'ka': ('georgien',),
    'de': ('allemand', 'german'),
    'el': ('grec',),
    'ha': ('haoussa', 'hausa'),
    'he': ('hebreu',),
    'hi': ('hindi',),
    'hu': ('hongrois',),
    'ig': ('igbo', 'ibo'),
    'it': ('italien',),
    'kab': ('kabyle', 'taqbaylit'),
    'kk': ('kazakh',),
    'km': ('khmer', 'cambodgien'),
    'rw': ('kinyarwanda',),
    'ku': ('kurde', 'kurmandji', 'sorani'),
    'ln': ('lingala',),
    'mnk': ('mandingue', 'mandinka', 'malinke'),
    'mg': ('malgache',),
    'ml': ('malayalam',),
    'mos': ('moore', 'moore', 'mossi'),
    'mn': ('mongol',),
    'nl': ('neerlandais', 'hollandais', 'flamand'),
    'ne': ('nepalais',),
    'wo': ('wolof', 'ouolof'),
    'ps': ('pachto', 'pashto', 'pachtou', 'pashtou'),
    'pa': ('pendjabi', 'punjabi'),
    'pl': ('polonais',),
    'pt': ('portugais', 'portuguese', 'portugais bresilien'),
    'rom': ('romani', 'romanes', 'rromani'),
    'ro': ('roumain',),
    'ru': ('russe', 'russian'),
    'sr': ('serbe', 'serbo croate'),
    'sw': ('swahili', 'kiswahili'),
    'snk': ('soninke', 'soninke', 'sarakole'),
    'so': ('somali',),
    'sus': ('soussou', 'susu', 'sosso'),
    'srr': ('serere', 'serere'),
    'ta': ('tamoul', 'tamil'),
    'th': ('thai', 'thai'),
    'ti': ('tigrigna', 'tigrinya', 'tigrinia'),
    'tr': ('turc',),
    'tk': ('turkmene',),
    'uk': ('ukrainien',),
    'ur': ('ourdou', 'urdu'),
    'uz': ('ouzbek',),
    'vi': ('vietnamien',),
    'yo': ('yoruba',),
    'tw': ('twi', 'akan', 'ashanti'),
    'ee': ('ewe', 'ewe'),
    'kg': ('kikongo', 'kongo'),
    'lu': ('tshiluba', 'luba', 'ciluba'),
    'sg': ('sango',),
    'sgn': ('langue des signes', 'lsf', 'langue des signes francaise'),
}


def _country_lookup():
    from django.utils import translation
    from django_countries import countries

    table = {}
    for language in ("en", "fr"):
        with translation.override(language):
            for code, name in countries:
                table[normalize(str(name))] = code
    for code, spellings in COUNTRY_SPELLINGS.items():
        for spelling in spellings:
            table[spelling] = code
    return table


def _language_lookup():
    return {spelling: code for code, spellings in LANGUAGE_SPELLINGS.items() for spelling in (code, *spellings)}


def map_free_text(apps, schema_editor):
    Patient = apps.get_model("patients", "Patient")
    countries, languages = _country_lookup(), _language_lookup()
    changed = []
    for patient in Patient.objects.exclude(birth_country_text="", nationality_text="", languages_text="").iterator():
        for field in ("birth_country", "nationality"):
            text = getattr(patient, f"{field}_text")
            code = countries.get(normalize(text))
            if code:
                setattr(patient, field, code)
                setattr(patient, f"{field}_text", "")
            elif not text.strip():
                setattr(patient, f"{field}_text", "")
        codes, unknown = [], False
        for part in _SEPARATORS.split(patient.languages_text):
            if not part.strip():
                continue
            code = languages.get(normalize(part))
            if code is None:
                unknown = True
            elif code not in codes:
                codes.append(code)
        patient.languages = codes
        if not unknown:  # the whole text is kept while any part of it is not recognised
            patient.languages_text = ""
        changed.append(patient)
    Patient.objects.bulk_update(
        changed,
        ["birth_country", "birth_country_text", "nationality", "nationality_text", "languages", "languages_text"],
        batch_size=1000,
    )


def back_to_free_text(apps, schema_editor):
    """Reversal: the codes become text again (names in French, as the lists showed them)."""
    from django.utils import translation
    from django_countries import countries

    Patient = apps.get_model("patients", "Patient")
    names = {code: spellings[0] for code, spellings in LANGUAGE_SPELLINGS.items()}
    changed = []
    with translation.override("fr"):
        for patient in Patient.objects.all().iterator():
            for field in ("birth_country", "nationality"):
                if getattr(patient, field) and not getattr(patient, f"{field}_text"):
                    setattr(patient, f"{field}_text", str(countries.name(str(getattr(patient, field)))))
            if patient.languages and not patient.languages_text:
                patient.languages_text = ", ".join(names.get(c, c) for c in patient.languages)[:200]
            changed.append(patient)
    Patient.objects.bulk_update(changed, ["birth_country_text", "nationality_text", "languages_text"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0006_search_keys"),
    ]

    operations = [
        # Today's free text moves to the *_text fields; the structured fields take the old names.
        migrations.RenameField("patient", "birth_country", "birth_country_text"),
        migrations.RenameField("patient", "nationality", "nationality_text"),
        migrations.RenameField("patient", "languages", "languages_text"),
        migrations.AlterField(
            model_name="patient",
            name="birth_country_text",
            field=models.CharField(
                blank=True, editable=False, max_length=100, verbose_name="country of birth as typed before the list"
            ),
        ),
        migrations.AlterField(
            model_name="patient",
            name="nationality_text",
            field=models.CharField(
                blank=True, editable=False, max_length=100, verbose_name="nationality as typed before the list"
            ),
        ),
        migrations.AlterField(
            model_name="patient",
            name="languages_text",
            field=models.CharField(
                blank=True, editable=False, max_length=200, verbose_name="languages as typed before the list"
            ),
        ),
        migrations.AddField(
            model_name="patient",
            name="birth_country",
            field=django_countries.fields.CountryField(blank=True, max_length=2, verbose_name="country of birth"),
        ),
        migrations.AddField(
            model_name="patient",
            name="nationality",
            field=django_countries.fields.CountryField(blank=True, max_length=2, verbose_name="nationality"),
        ),
        migrations.AddField(
            model_name="patient",
            name="languages",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.CharField(max_length=3), blank=True, default=list, verbose_name="languages spoken"
            ),
        ),
        migrations.RunPython(map_free_text, back_to_free_text),
        # The activity report's period filters (issue 10).
        migrations.AddIndex(
            model_name="patient", index=models.Index(fields=["exit_date"], name="patient_exit_date")
        ),
        migrations.AddIndex(
            model_name="visit", index=models.Index(fields=["occurred_at"], name="visit_occurred_at")
        ),
        migrations.AddIndex(
            model_name="coverageright", index=models.Index(fields=["filed_on"], name="right_filed_on")
        ),
        migrations.AddIndex(
            model_name="coverageright", index=models.Index(fields=["decision_on"], name="right_decision_on")
        ),
    ]
