from datetime import date
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

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
    fte = forms.CharField(
        label=_("Full-time equivalents"),
        max_length=10,
        help_text=_("For example 0,8 for a four-fifths post."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    def clean_fte(self) -> Decimal:
        raw = self.cleaned_data["fte"].strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise forms.ValidationError(_("Enter a number, for example 0,8."), code="invalid") from None
        if not value.is_finite():
            raise forms.ValidationError(_("Enter a number, for example 0,8."), code="invalid")
        if value < 0 or value > FTE_MAX:
            raise forms.ValidationError(_("Enter a number between 0 and 50."), code="range")
        if value != value.quantize(Decimal("0.01")):
            raise forms.ValidationError(_("Two decimal places at most."), code="precision")
        return value.quantize(Decimal("0.01"))
