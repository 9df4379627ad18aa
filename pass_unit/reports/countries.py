"""Countries (ISO 3166 alpha-2 codes, from the structured fields) grouped by region of the world.

Every code django-countries offers belongs to exactly one region (tested), so the report's
regions always add up to the file active; a patient with no country goes to "non renseigné".
Territories follow their geography (Réunion, Mayotte and the other overseas departments count
as France, as the French statistics do).
"""

from django.utils.translation import gettext_lazy as _
from django_countries import countries

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

_REGION_CODES = {
    "FR": "FR GF GP MQ RE YT PM BL MF NC PF WF TF",
    "EU": "AT BE BG CY CZ DE DK EE ES FI GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK AX",
    "EUROPE": "AD AL AM AZ BA BY CH FO GB GE GG GI IM IS JE LI MC MD ME MK NO RS RU SJ SM TR UA VA",
    "NORTH_AFRICA": "DZ EG EH LY MA TN",
    "SUBSAHARAN": (
        "AO BF BI BJ BW CD CF CG CI CM CV DJ ER ET GA GH GM GN GQ GW KE KM LR LS MG ML MR MU MW MZ NA NE "
        "NG RW SC SD SH SL SN SO SS ST SZ TD TG TZ UG ZA ZM ZW IO"
    ),
    "MIDDLE_EAST": "AE BH IL IQ IR JO KW LB OM PS QA SA SY YE",
    "ASIA": "AF BD BN BT CN HK ID IN JP KG KH KP KR KZ LA LK MM MN MO MV MY NP PH PK SG TH TJ TL TM TW UZ VN CX CC",
    "AMERICAS": (
        "AG AI AR AW BB BM BO BQ BR BS BZ CA CL CO CR CU CW DM DO EC FK GD GL GT GY HN HT JM KN KY LC MS MX "
        "NI PA PE PR PY SR SV SX TC TT UM US UY VC VE VG VI GS BV"
    ),
    "OCEANIA": "AS AU CK FJ FM GU HM KI MH MP NF NR NU NZ PG PN PW SB TK TO TV VU WS AQ",
}
REGION_OF = {code: region for region, codes in _REGION_CODES.items() for code in codes.split()}


def country_name(code: str) -> str:
    """The country's name in the active language (French for the report)."""
    return str(countries.name(code)) or code


def region_of(code: str) -> str:
    return REGION_OF[code]
