"""Every field that takes a date or text is bounded where it is declared.

Walks every serializer, form and filter set the project defines (imported through the
URLconf), not a list: a new one is checked without anyone remembering to.
- every writable date or datetime field carries the window of ``nzr.bounds``;
- every writable text field of a serializer that maps to a model's CharField carries that
  column's ``max_length`` (ModelSerializer does it for generated fields; a declared
  ``serializers.CharField`` or a plain serializer that feeds a service does not).
"""

import contextlib
import importlib

import django_filters
import pytest
from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import get_resolver
from rest_framework import serializers

from escalation.models import Escalation
from nzr.bounds import within_date_window, within_moment_window
from registry.models import ReservistStatusChange
from requests_app.models import DeploymentRequest, LadderAttestation

APPS = ("accounts", "registry", "training", "regions", "escalation", "requests_app", "dashboard")

# Plain serializers (no Meta.model) with writable text: the model each one's text ends
# up in, with the model field per serializer field where the names differ. ``None``: the
# text is stored in a TextField of a log or reason (unbounded in PostgreSQL).
PLAIN_WRITES = {
    "requests_app.serializers.RequestCreateSerializer": (DeploymentRequest, {}),
    "requests_app.serializers.LadderEntrySerializer": (LadderAttestation, {}),
    "escalation.api.FactFindingInputSerializer": (
        Escalation,
        {"participants": "fact_finding_participants", "report": "fact_finding_report"},
    ),
    "escalation.api.DecisionInputSerializer": (Escalation, {"reason": "decision_reason"}),
    "registry.api.StatusChangeSerializer": (ReservistStatusChange, {}),
    "requests_app.serializers.ReasonSerializer": None,
    "requests_app.serializers.RequiredReasonSerializer": None,
    "requests_app.serializers.RecategoriseSerializer": None,  # reason: the audit log's TextField
    "requests_app.serializers.ShiftCapacitySerializer": None,
    # Answers and query parameters: they write nothing.
    "requests_app.serializers.BookingRefusalSerializer": None,
    "regions.api.RejectSerializer": None,  # reason: FactChange.reason, a TextField
    "requests_app.serializers.FunnelStepSerializer": None,
    "requests_app.serializers.OpenShiftQuerySerializer": None,
    "requests_app.serializers.OpenShiftSerializer": None,
    "escalation.api.CrisisActionSerializer": None,
    # Shapes of answers only (documented in the schema, never read from a request).
    "dashboard.api.PoolStatsRowSerializer": None,
    "dashboard.api.ShiftStatsRowSerializer": None,
    "escalation.api.FactFindingSerializer": None,
    "escalation.api.RequestSummarySerializer": None,
    "requests_app.serializers.CandidateSerializer": None,
}
# Text that is normalised before it is stored ("3511ab " -> "3511 AB"), and refused by
# the model's validator when it is still too long then: a little room is allowed.
NORMALISED = {
    ("requests_app.serializers.RequestCreateSerializer", "postcode"),
    ("registry.api.ReservistSerializer", "big_number"),
    ("registry.api.ReservistListSerializer", "big_number"),
}


def _ours(cls) -> bool:
    return cls.__module__.split(".")[0] in APPS and not cls.__module__.startswith("tests")


def _subclasses(base):
    assert get_resolver().url_patterns  # imports every view module, and every class
    for app in APPS:
        for module in ("forms", "filters", "api", "serializers", "admin"):
            with contextlib.suppress(ModuleNotFoundError):
                importlib.import_module(f"{app}.{module}")
    seen, stack = [], [base]
    while stack:
        for sub in stack.pop().__subclasses__():
            stack.append(sub)
            if _ours(sub) and sub not in seen:
                seen.append(sub)
    return sorted(seen, key=lambda c: f"{c.__module__}.{c.__qualname__}")


def _name(cls) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


SERIALIZERS = _subclasses(serializers.Serializer)
FORMS = _subclasses(forms.BaseForm)
FILTERSETS = _subclasses(django_filters.FilterSet)


def _writable_fields(serializer, prefix=""):
    """(path, field) of every writable field, nested serializers and list children too."""
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        path = f"{prefix}{name}"
        while isinstance(field, (serializers.ListField, serializers.ListSerializer)):
            field = field.child
        if isinstance(field, serializers.Serializer):
            yield from _writable_fields(field, f"{path}.")
        else:
            yield path, name, field


def _date_bound_missing(field) -> bool:
    validators = list(field.validators)
    if isinstance(field, (serializers.DateTimeField, forms.DateTimeField)):
        return within_moment_window not in validators
    if isinstance(field, (serializers.DateField, forms.DateField)):
        return within_date_window not in validators
    return False


def _instance(cls):
    return cls(context={}) if issubclass(cls, serializers.BaseSerializer) else cls()


def test_the_walk_finds_the_api_and_the_pages():
    names = {_name(c) for c in SERIALIZERS + FORMS + FILTERSETS}
    assert {
        "requests_app.serializers.RequestCreateSerializer",
        "registry.api.AvailabilitySerializer",
        "dashboard.api.PoolStatsQuerySerializer",
        "registry.forms.PeriodForm",
        "training.forms.SessionForm",
        "registry.filters.ReservistFilter",
    } <= names


@pytest.mark.django_db
@pytest.mark.parametrize("cls", SERIALIZERS, ids=_name)
def test_serializer_dates_are_bounded(cls):
    unbounded = [p for p, _n, f in _writable_fields(_instance(cls)) if _date_bound_missing(f)]
    assert not unbounded, f"{_name(cls)}: date fields without nzr.bounds: {unbounded}"


@pytest.mark.django_db
@pytest.mark.parametrize("cls", FORMS, ids=_name)
def test_form_dates_are_bounded(cls):
    unbounded = [n for n, f in cls.base_fields.items() if _date_bound_missing(f)]
    assert not unbounded, f"{_name(cls)}: date fields without nzr.bounds: {unbounded}"


@pytest.mark.django_db
@pytest.mark.parametrize("cls", FILTERSETS, ids=_name)
def test_filter_dates_are_bounded(cls):
    form = cls(data={}, queryset=cls._meta.model._default_manager.none()).form
    unbounded = [n for n, f in form.fields.items() if _date_bound_missing(f)]
    assert not unbounded, f"{_name(cls)}: date filters without nzr.bounds: {unbounded}"


def _model_field(model, name):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _target(cls, serializer):
    """The model a serializer writes to and its field-name mapping, or None."""
    meta = getattr(cls, "Meta", None)
    if isinstance(serializer, serializers.ModelSerializer) and meta is not None:
        return meta.model, {}
    return PLAIN_WRITES.get(_name(cls), "unknown")


@pytest.mark.django_db
@pytest.mark.parametrize("cls", SERIALIZERS, ids=_name)
def test_serializer_text_carries_the_column_length(cls):
    serializer = _instance(cls)
    texts = [
        (path, name, field)
        for path, name, field in _writable_fields(serializer)
        if isinstance(field, serializers.CharField) and "." not in path
    ]
    if not texts:
        return
    target = _target(cls, serializer)
    assert target != "unknown", (
        f"{_name(cls)} takes text {[p for p, _n, _f in texts]}: name the model it writes "
        "in PLAIN_WRITES (or None when it only reaches a TextField)"
    )
    if target is None:
        return
    model, renamed = target
    wrong = []
    for path, name, field in texts:
        source = renamed.get(name) or (field.source if field.source != "*" else name)
        column = _model_field(model, source.split(".")[0])
        if not isinstance(column, models.CharField):
            continue  # not a column, or a TextField: nothing to compare
        allowed = field.max_length is not None and (
            field.max_length == column.max_length
            or ((_name(cls), name) in NORMALISED and field.max_length <= 2 * column.max_length)
        )
        if not allowed:
            wrong.append(f"{path}: max_length {field.max_length}, column {column.max_length}")
    assert not wrong, f"{_name(cls)}: {wrong}"
