"""Serializer fields that read JSON strictly (found by fuzzing the API, tests/fuzz/).

DRF's relational fields were made for HTML forms: an empty string means null, and a
many-field takes any iterable, so ``{"regions": {}}`` was read as "no regions". The API
reads JSON only; these refuse what the schema does not allow. Dates and moments are kept to
the window of ``nzr.bounds``.
"""

import django_filters
from django import forms
from django.db import models
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.relations import ManyRelatedField

from nzr.bounds import within_date_window, within_moment_window


class StrictManyRelatedField(ManyRelatedField):
    def to_internal_value(self, data):
        if isinstance(data, dict):
            self.fail("not_a_list", input_type=type(data).__name__)
        return super().to_internal_value(data)


class SlugRelatedField(serializers.SlugRelatedField):
    """A slug reference: ``""`` is an unknown slug (not null); many=True wants a list."""

    @classmethod
    def many_init(cls, *args, **kwargs):
        field = super().many_init(*args, **kwargs)
        field.__class__ = StrictManyRelatedField
        return field

    def run_validation(self, data=serializers.empty):
        # RelatedField.run_validation turns "" into None; a JSON client sends null for that.
        return serializers.Field.run_validation(self, data)


class DateField(serializers.DateField):
    """A date from 1900 to 2100 (``nzr.bounds``)."""

    default_validators = [within_date_window]


class DateTimeField(serializers.DateTimeField):
    """A moment from 2000 to 2100 (``nzr.bounds``)."""

    default_validators = [within_moment_window]


class ModelSerializer(serializers.ModelSerializer):
    """The API's model serializers: generated date and datetime fields bounded as well.

    (Generated text fields already carry the model's ``max_length``; declared ones must
    say it themselves, which tests/fuzz/test_serializer_bounds.py checks.)"""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateField: DateField,
        models.DateTimeField: DateTimeField,
    }


class _StrictNullBooleanField(forms.NullBooleanField):
    widget = forms.TextInput

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise forms.ValidationError(_("Use true or false."), code="invalid")

    def validate(self, value):
        pass


class BooleanFilter(django_filters.BooleanFilter):
    """``?active=true|false``; anything else is a 400, not silently no filter."""

    field_class = _StrictNullBooleanField


class CharField(serializers.CharField):
    """Text as a JSON string: DRF also takes a number and stores ``str(0)``."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)
