"""Serializer fields that read JSON strictly (found by fuzzing the API, tests/fuzz/).

DRF's relational fields were made for HTML forms: an empty string means null, and a
many-field takes any iterable, so ``{"regions": {}}`` was read as "no regions". The API
reads JSON only; these refuse what the schema does not allow. Moments are kept to years
the reserve can plan with.
"""

import django_filters
from django import forms
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.relations import ManyRelatedField


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


FIRST_YEAR, LAST_YEAR = 2000, 2100


def within_service_years(value):
    """A moment the reserve can plan with. Before 1940 Amsterdam time was 19 min 32 s
    ahead of UTC, an offset that ISO 8601 answers cannot even write (year 519 came back
    as ``+00:19:32``)."""
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise serializers.ValidationError(
            _("Choose a date between %(first)s and %(last)s.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )


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
