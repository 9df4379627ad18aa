"""Shared form behaviour: French messages, no markup in free text, crispy layout."""

from crispy_forms.helper import FormHelper
from django import forms

from pass_unit.lib.text import reject_markup


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class BaseForm:
    """Mixin for every form of the app.

    - every text field refuses HTML/script (the value is kept for correction);
    - date fields use the browser's date picker;
    - a crispy helper renders the form without its own <form> tag.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                field.validators.append(reject_markup)
            if isinstance(field, forms.DateTimeField):
                field.widget = DateTimeInput()
            elif isinstance(field, forms.DateField):
                field.widget = DateInput()
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class Form(BaseForm, forms.Form):
    pass


class ModelForm(BaseForm, forms.ModelForm):
    pass
