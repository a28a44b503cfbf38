"""The register search: one FilterSet for the web page, the export and the API."""

from datetime import datetime, time, timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nzr.forms import DateFilter
from registry.availability import available_between
from registry.deployability import deployable
from registry.forms import DateInput
from registry.models import Profile, Readiness, Region, Reservist, Ring
from registry.validators import normalise_digits

SORTS = (
    ("last_name", "last_name"),
    ("first_name", "first_name"),
    ("home_region__code", "region"),
    ("ring", "ring"),
    ("status", "status"),
    ("readiness", "readiness"),
    ("created_at", "created"),
    ("big_valid_until", "big_valid_until"),
)


class ReservistFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        start, end = data.get("available_from"), data.get("available_until")
        if start and end and end < start:
            self.add_error(
                "available_until", _("The end of the period must not be before its start.")
            )
        return data


class ReservistFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Name or BIG number"))
    region = django_filters.ModelChoiceFilter(
        field_name="home_region",
        queryset=Region.objects.all(),
        to_field_name="code",
        label=_("Home region"),
        empty_label=_("All regions"),
    )
    profile = django_filters.ModelChoiceFilter(
        field_name="profiles",
        queryset=Profile.objects.filter(active=True),
        to_field_name="code",
        label=_("Profile"),
        empty_label=_("All profiles"),
    )
    ring = django_filters.ChoiceFilter(
        choices=Ring.choices, label=_("Ring"), empty_label=_("All rings")
    )
    readiness = django_filters.ChoiceFilter(
        choices=Readiness.choices, label=_("Readiness"), empty_label=_("Any readiness")
    )
    status = django_filters.ChoiceFilter(
        choices=Reservist.Status.choices, label=_("Status"), empty_label=_("Any status")
    )
    deployable_on = DateFilter(
        method="filter_noop",
        label=_("Deployable on"),
        widget=DateInput(),
    )
    available_from = DateFilter(
        method="filter_noop",
        label=_("Available from"),
        widget=DateInput(),
    )
    available_until = DateFilter(
        method="filter_noop",
        label=_("Available until"),
        widget=DateInput(),
        help_text=_("Available for the whole period (dated periods or weekly pattern)."),
    )
    training_expiring = django_filters.NumberFilter(
        method="filter_training_expiring",
        label=_("Training expires within (days)"),
        min_value=0,
        max_value=3650,
    )
    sort = django_filters.OrderingFilter(
        fields=SORTS,
        label=_("Sort by"),
        field_labels={
            "last_name": _("Last name"),
            "first_name": _("First name"),
            "home_region__code": _("Home region"),
            "ring": _("Ring"),
            "status": _("Status"),
            "readiness": _("Readiness"),
            "created_at": _("Registered on"),
            "big_valid_until": _("BIG valid until"),
        },
    )

    class Meta:
        model = Reservist
        form = ReservistFilterForm
        fields = ["q", "region", "profile", "ring", "readiness", "status"]

    def search(self, qs, name, value):
        value = (value or "").strip()
        if not value:
            return qs
        digits = normalise_digits(value)
        if digits.isdigit() and len(digits) >= 4:
            return qs.filter(big_number__startswith=digits)
        q = Q()
        for word in value.split():
            q &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
        return qs.filter(q)

    def filter_noop(self, qs, name, value):
        return qs  # combined in filter_queryset

    def filter_training_expiring(self, qs, name, value):
        if value is None:
            return qs
        today = timezone.localdate()
        # The reverse relation of ``training`` by its name: no import of the higher app.
        expiring = Reservist.objects.filter(
            training_records__expires_on__gte=today,
            training_records__expires_on__lte=today + timedelta(days=int(value)),
        ).values("pk")
        return qs.filter(pk__in=expiring)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        on = data.get("deployable_on")
        if on:
            queryset = deployable(queryset, on, data.get("profile"))
        start, end = data.get("available_from"), data.get("available_until")
        if start or end:
            start = start or end
            end = end or start
            tz = timezone.get_current_timezone()
            window_start = timezone.make_aware(datetime.combine(start, time.min), tz)
            window_end = timezone.make_aware(
                datetime.combine(end + timedelta(days=1), time.min), tz
            )
            queryset = available_between(queryset, window_start, window_end)
        if data.get("sort"):
            queryset = queryset.order_by(*queryset.query.order_by, "id")
        return queryset
