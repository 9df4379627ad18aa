"""Display of patient data shared by every page (and PDF) that names a patient.

The patient list writes these on each of its 25 rows: what depends only on a few values and
the active language (a badge, a choice's label, why a row matched) is built once per process
for each combination and then reused (a handful of statuses and attributes, seven kinds of
match, two languages: the memos stay small)."""

from functools import lru_cache

from django import template
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from patients.models import Patient

register = template.Library()

_STATUS_CSS = {
    Patient.IdentityStatus.PROVISIONAL: "text-bg-light border",
    Patient.IdentityStatus.RETRIEVED: "text-bg-info",
    Patient.IdentityStatus.VALIDATED: "text-bg-success",
    Patient.IdentityStatus.QUALIFIED: "text-bg-primary",
}
_ATTRIBUTE_CSS = {
    Patient.IdentityAttribute.DOUBTFUL: "text-bg-warning",
    Patient.IdentityAttribute.FICTITIOUS: "text-bg-warning",
    Patient.IdentityAttribute.HOMONYM: "text-bg-secondary",
    Patient.IdentityAttribute.POSSIBLE_DUPLICATE: "text-bg-secondary",
}


@register.simple_tag
def identity_badge(patient, plain: bool = False):
    """The identity status (RNIV) and attributes, to write beside the patient's name.

    `{% identity_badge patient %}` on pages (Bootstrap badges), `{% identity_badge patient plain=True %}`
    in PDFs (text in brackets). The patient must have `identity_status` and `identity_attributes`
    loaded (mind `.only()` on lists). Built once per status, attributes and language.
    """
    if patient is None:
        return ""
    return _identity_badge(
        patient.identity_status or Patient.IdentityStatus.PROVISIONAL,
        tuple(patient.identity_attributes or ()),
        get_language(),
        bool(plain),
    )


@lru_cache(maxsize=512)
def _identity_badge(status: str, attributes: tuple, language: str | None, plain: bool):
    # `language` is only part of the key: gettext and the labels follow the active language.
    status = Patient.IdentityStatus(status)
    attributes = [
        (attribute, Patient.IdentityAttribute(attribute).label)
        for attribute in attributes
        if attribute in Patient.IdentityAttribute.values
    ]
    if plain:
        words = [str(status.label), *(str(label) for _, label in attributes)]
        return format_html('<span class="identity-status">({})</span>', " · ".join(words))
    badges = format_html(
        '<span class="badge {} identity-status" data-identity-status="{}" title="{}">{}</span>',
        _STATUS_CSS[status],
        status.value,
        _("Identity status (identity vigilance)"),
        status.label,
    )
    extra = format_html_join(
        "",
        ' <span class="badge {} identity-attribute" data-identity-attribute="{}">{}</span>',
        ((_ATTRIBUTE_CSS[Patient.IdentityAttribute(a)], a, label) for a, label in attributes),
    )
    return format_html("{}{}", badges, extra)


_CHOICE_LABELS: dict = {}


@register.filter
def label_of(instance, field_name: str):
    """`{{ patient|label_of:"status" }}`: what `patient.get_status_display` shows, from the
    field's labels translated once per model, field and language (get_FOO_display builds a
    dictionary of every choice, each label translated, at each call)."""
    key = (type(instance), field_name, get_language())
    labels = _CHOICE_LABELS.get(key)
    if labels is None:
        field = instance._meta.get_field(field_name)
        labels = _CHOICE_LABELS[key] = {value: str(label) for value, label in field.flatchoices}
    value = getattr(instance, field_name)
    return labels.get(value, value)


@register.simple_tag
def match_reason(hit):
    """Why a search or duplicate row matched (`match_kind`, `match_spelling`), under its name."""
    kind = getattr(hit, "match_kind", None)
    if not kind:
        return ""
    return _match_reason(kind, getattr(hit, "match_spelling", None) or "", get_language())


_MATCH_TEXTS = {  # translated when shown
    "exact": gettext_noop("exact name"),
    "spelling": gettext_noop("close spelling of the name"),
    "names": gettext_noop("name and aliases together"),
    "file_number": gettext_noop("file number"),
    "ipp": gettext_noop("IPP"),
    "birth_year": gettext_noop("year of birth"),
}


@lru_cache(maxsize=1024)
def _match_reason(kind: str, spelling: str, language: str | None):
    if kind == "alias":
        # As {% blocktranslate %} wrote it: the sentence as translated, the alias escaped.
        text = _("found by the alias “%(spelling)s”") % {"spelling": escape(spelling)}
    elif kind in _MATCH_TEXTS:
        text = escape(_(_MATCH_TEXTS[kind]))
    else:
        text = ""
    return mark_safe(f'<br><small class="text-muted match-reason" data-testid="match-reason">{text}</small>')


@register.filter
def birth_display(patient) -> str:
    """The date of birth as precisely as it is known: 12/03/1987, 03/1987, about 1987, unknown."""
    P = Patient.BirthDatePrecision
    precision = getattr(patient, "birth_date_precision", None)
    if patient.birth_date and precision == P.MONTH:
        return patient.birth_date.strftime("%m/%Y")
    if patient.birth_date:
        return patient.birth_date.strftime("%d/%m/%Y")
    if precision == P.UNKNOWN:
        return _("unknown (about %(year)s)") % {"year": patient.birth_year}
    return _("about %(year)s") % {"year": patient.birth_year}


@register.filter
def select_options(bound_field) -> list[tuple[str, str, bool]]:
    """(value, label, selected) of a choice field's options, selected as Django's Select widget
    marks them (the submitted or initial value, the empty choice when there is none)."""
    chosen = bound_field.field.widget.format_value(bound_field.value())
    options, found = [], False
    for value, label in bound_field.field.choices:
        selected = not found and str(value) in chosen
        found = found or selected
        options.append((value, label, selected))
    return options
