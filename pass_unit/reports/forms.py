from datetime import date
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from pass_unit.forms import QuantityField
from pass_unit.models import StaffFTE

FTE_MAX = Decimal(50)


class PeriodForm(forms.Form):
    """?from=JJ/MM/AAAA&to=JJ/MM/AAAA: any period instead of the calendar year."""

    start = forms.DateField(label=_("From"), input_formats=["%d/%m/%Y"])
    end = forms.DateField(label=_("To"), input_formats=["%d/%m/%Y"])

    def __init__(self, data=None, **kwargs):
        if data is not None:
            data = {"start": data.get("from", ""), "end": data.get("to", "")}
        super().__init__(data, **kwargs)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError(_("The end of the period must not be before its start."))
            if start < date(2000, 1, 1) or end > date(2100, 12, 31):
                raise forms.ValidationError(_("Choose a period between 2000 and 2100."))
            if (end - start).days > 366 * 5:
                raise forms.ValidationError(_("Choose a period of five years at most."))
        return cleaned


class StaffFTEForm(forms.Form):
    profession = forms.ChoiceField(label=_("Profession"), choices=StaffFTE.Profession.choices)
    # The shared decimal field (pass_unit.forms): "0,8", "0.8" and "1 234" read alike, "1e1" refused.
    fte = QuantityField(
        label=_("Full-time equivalents"),
        maximum=FTE_MAX,
        allow_zero=True,
        help_text=_("For example 0,8 for a four-fifths post."),
        error_messages={
            "invalid": _("Enter a number, for example 0,8."),
            "negative": _("Enter a number between 0 and 50."),
            "too_large": _("Enter a number between 0 and 50."),
            "places": _("Two decimal places at most."),
        },
    )
