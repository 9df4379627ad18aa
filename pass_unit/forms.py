"""Shared form behaviour: French messages, no markup in free text, crispy layout, French numbers."""

from datetime import date, datetime
from decimal import Decimal

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from pass_unit.lib.decimal import AmountError, format_money, format_number, parse_decimal
from pass_unit.lib.text import reject_markup


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


EARLIEST_DATE = date(1900, 1, 1)


# --------------------------------------------------------------------------- decimal numbers


class DecimalInput(forms.TextInput):
    """A text box for amounts and quantities; phones show a keypad with the decimal separator.

    Never `<input type="number">` for decimals: Chromium with a French keyboard sends "12,5"
    typed there as "125" (a tenfold error, silently), and it takes "1e9".
    """

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})


class AmountField(forms.Field):
    """An amount in euros, typed the French way ("12,5", "1 234,56 €") or with a dot ("1234.56").

    The one field for every amount of the app (see pass_unit.lib.decimal.parse_decimal). Refuses
    exponents and other non-numbers, negative amounts, zero unless `allow_zero`, more decimals
    than `places` and amounts above `maximum`, which every field must choose: an unbounded amount
    is how 1e9 € once reached the database. On error the value is shown back as typed.
    Messages can be tuned per field with `error_messages` (codes: invalid, places, negative,
    zero, too_large; `%(max)s` is the formatted maximum).
    """

    widget = DecimalInput
    places = 2
    default_error_messages = {
        "invalid": _("Enter an amount in euros, for example 12,50."),
        "places": _("At most two decimals."),
        "negative": _("The amount cannot be negative."),
        "zero": _("The amount must be more than zero."),
        "too_large": _("The amount cannot exceed %(max)s."),
    }

    def __init__(self, *, maximum: Decimal, allow_zero: bool = False, **kwargs):
        self.maximum, self.allow_zero = Decimal(maximum), allow_zero
        super().__init__(**kwargs)

    def prepare_value(self, value):
        # A stored Decimal is shown the French way; what the user typed is shown as typed.
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            return self.format(Decimal(value))
        return value

    def format(self, value: Decimal) -> str:
        return format_number(value, self.places)

    def to_python(self, value):
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        try:
            return parse_decimal(value, places=self.places, maximum=self.maximum, allow_zero=self.allow_zero)
        except AmountError as error:
            raise ValidationError(
                self.error_messages[error.code], code=error.code, params={"max": self.format_maximum()}
            ) from None

    def format_maximum(self) -> str:
        return format_money(self.maximum)


class QuantityField(AmountField):
    """A quantity (2, 1,5 boxes…), shown without trailing zeros."""

    default_error_messages = {
        "invalid": _("Enter a quantity, for example 2 or 1,5."),
        "places": _("At most two decimals."),
        "negative": _("The quantity cannot be negative."),
        "zero": _("The quantity must be more than zero."),
        "too_large": _("The quantity cannot exceed %(max)s."),
    }

    def format(self, value: Decimal) -> str:  # 1.50 -> "1,5", 2.00 -> "2"
        return format_number(value)

    def format_maximum(self) -> str:
        return format_number(self.maximum, 0)


class PercentField(AmountField):
    """A percentage with one decimal, at most 100."""

    places = 1
    default_error_messages = {
        "invalid": _("Enter a percentage, for example 80."),
        "places": _("At most one decimal."),
        "negative": _("The percentage cannot be negative."),
        "zero": _("The percentage must be more than zero."),
        "too_large": _("The percentage cannot exceed %(max)s."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("maximum", Decimal(100))
        super().__init__(**kwargs)

    def format_maximum(self) -> str:
        return f"{format_number(self.maximum)}\u00a0%"


def model_amount_field(model, name: str, *, maximum: Decimal, field_class=AmountField, **kwargs) -> AmountField:
    """The shared amount field for a model's DecimalField, with the model's label, help text and
    "required", to declare on a ModelForm instead of the generated `<input type="number">`."""
    model_field = model._meta.get_field(name)
    kwargs.setdefault("label", capfirst(model_field.verbose_name))
    kwargs.setdefault("help_text", model_field.help_text)
    kwargs.setdefault("required", not model_field.blank)
    return field_class(maximum=maximum, **kwargs)


def reject_implausible_date(value) -> None:
    """No date of this app's world is before 1900: an earlier one is a typing error."""
    day = value.date() if isinstance(value, datetime) else value
    if day < EARLIEST_DATE:
        raise ValidationError(_("Check the date: it cannot be before 1900."), code="implausible")


class BaseForm:
    """Mixin for every form of the app.

    - every text field refuses HTML/script (the value is kept for correction);
    - date fields use the browser's date picker and refuse dates before 1900;
    - a crispy helper renders the form without its own <form> tag.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                field.validators.append(reject_markup)
            if isinstance(field, forms.DateTimeField):
                field.widget = DateTimeInput()
                field.validators.append(reject_implausible_date)
            elif isinstance(field, forms.DateField):
                field.widget = DateInput()
                field.validators.append(reject_implausible_date)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class Form(BaseForm, forms.Form):
    pass


class ModelForm(BaseForm, forms.ModelForm):
    pass
