"""Shared form behaviour: French messages, no markup in free text, crispy layout."""

from datetime import date, datetime

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

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
