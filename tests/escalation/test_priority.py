"""Prioritisation: category rank, then urgency, then arrival; reasons; effective dates."""

from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone
from django.utils.translation import override

from accounts.models import AuditEntry
from escalation import services
from escalation.errors import EscalationNotAllowedError
from escalation.models import PriorityFramework
from escalation.priority import ranks_on, sort_requests
from escalation.reference import DEFAULT_FRAMEWORK, load_default_framework

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime(2026, 11, 20, 12, 0))


def req(pk, category, first_in_hours, submitted="09:12"):
    h, m = (int(x) for x in submitted.split(":"))
    return SimpleNamespace(
        pk=pk,
        category=category,
        first_shift_start=None if first_in_hours is None else NOW + timedelta(hours=first_in_hours),
        submitted_at=NOW.replace(hour=h, minute=m),
    )


def test_default_framework_loaded_once():
    load_default_framework()
    load_default_framework()
    assert PriorityFramework.objects.filter(name=DEFAULT_FRAMEWORK).count() == 1
    ranks = ranks_on(date(2026, 11, 20)).ranks
    assert ranks == {"regional_shelter": 1, "individual": 2}


def test_regional_shelter_before_individual_then_urgency_then_arrival():
    a = req(1, "individual", 2, "08:00")
    b = req(2, "regional_shelter", 48, "11:00")
    c = req(3, "individual", 2, "07:30")
    d = req(4, "individual", 30, "06:00")
    e = req(5, "regional_shelter", 6, "11:30")
    ordered = [r.pk for r, _ in sort_requests([a, b, c, d, e], now=NOW)]
    assert ordered == [5, 2, 3, 1, 4]


def test_reason_names_category_rank_urgency_and_arrival():
    with override("en"):
        result = sort_requests([req(1, "regional_shelter", 6, "09:12")], now=NOW)
    reason = result[0][1]
    assert reason == (
        "Regional crisis shelter outside the hospital (rank 1); first shift in 6 h; submitted 09:12"
    )


def test_reason_in_dutch_and_without_shifts():
    with override("nl"):
        ((_, reason),) = sort_requests([req(1, "individual", None)], now=NOW)
    assert "rang 2" in reason
    assert "geen diensten" in reason


def test_framework_takes_effect_from_its_date(triangle_member):
    effective = timezone.localdate() + timedelta(days=7)
    framework = services.set_priority_framework(
        name="Individueel eerst (test)",
        effective_from=effective,
        ranks={"individual": 1, "regional_shelter": 2},
        actor=triangle_member,
    )
    assert AuditEntry.objects.filter(
        action="priority.framework_set", object_id=str(framework.pk), actor=triangle_member
    ).exists()
    shelter = req(1, "regional_shelter", 10)
    single = req(2, "individual", 10)
    today = timezone.now()
    assert [r.pk for r, _ in sort_requests([single, shelter], now=today)] == [1, 2]
    later = today + timedelta(days=8)
    shelter.first_shift_start = single.first_shift_start = later + timedelta(hours=10)
    assert [r.pk for r, _ in sort_requests([shelter, single], now=later)] == [2, 1]


def test_only_triangle_or_national_sets_framework(regional_coordinator):
    with pytest.raises(EscalationNotAllowedError):
        services.set_priority_framework(
            name="x",
            effective_from=date.today(),
            ranks={"individual": 1},
            actor=regional_coordinator,
        )


def test_sorts_real_requests_annotated_with_first_shift(organisation):
    from django.db.models import Min

    from requests_app.models import DeploymentRequest
    from tests.escalation.factories import make_request

    late_shelter = make_request(
        organisation, category="regional_shelter", first_shift_in=timedelta(days=3)
    )
    urgent_single = make_request(
        organisation, category="individual", first_shift_in=timedelta(hours=3)
    )
    qs = DeploymentRequest.objects.filter(pk__in=[late_shelter.pk, urgent_single.pk]).annotate(
        first_shift_start=Min("shifts__start")
    )
    ordered = sort_requests(qs)
    assert [r.pk for r, _ in ordered] == [late_shelter.pk, urgent_single.pk]
    assert all(reason for _, reason in ordered)
