"""Project-wide form pieces: the renderer, and date fields held to ``nzr.bounds``.

Every date and datetime input of a page form or a filter is one of the fields here, so
that a year-9999 or year-1 value is refused next to the field instead of overflowing
later. A ModelForm's generated date field names one in ``Meta.field_classes``.
tests/fuzz/test_field_bounds.py walks every form and filter set to check it.
"""

import django_filters
from django import forms
from django.forms.renderers import TemplatesSetting

from nzr.bounds import within_date_window, within_moment_window


class NZRFormRenderer(TemplatesSetting):
    """Every form field: label, help text and errors tied to the input (aria-describedby)."""

    field_template_name = "forms/field.html"
    form_template_name = "forms/form.html"


class DateField(forms.DateField):
    """A date from 1900 to 2100."""

    default_validators = [within_date_window]


class DateTimeField(forms.DateTimeField):
    """A moment from 2000 to 2100."""

    default_validators = [within_moment_window]


class DateFilter(django_filters.DateFilter):
    """A date query parameter (``?available_until=``) from 1900 to 2100."""

    field_class = DateField
