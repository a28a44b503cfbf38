"""The triangle's current picture: open requests by priority, unfilled shifts, pending
escalations and the pool per region. Counts only (no personal data)."""

from django.db.models import Count, Min, Q
from django.utils import timezone

from escalation.models import Crisis, CrisisResponse, Escalation
from escalation.priority import sort_requests
from registry.models import Readiness, Region, Reservist

OPEN_STATUSES = ["submitted", "approved", "escalated"]
BOOKED = ["confirmed", "completed"]


def _request_model():
    return Escalation._meta.get_field("request").related_model


def open_requests(now=None):
    """Open requests in priority order: list of (request, reason, open places)."""
    now = now or timezone.now()
    model = _request_model()
    shift_model = model._meta.get_field("shifts").related_model
    qs = (
        model.objects.filter(status__in=OPEN_STATUSES)
        .select_related("organisation", "region")
        .annotate(
            first_shift_start=Min("shifts__start", filter=Q(shifts__cancelled_at__isnull=True))
        )
    )
    requests = list(qs)
    shifts = (
        shift_model.objects.filter(
            request__in=[r.pk for r in requests], cancelled_at__isnull=True, end__gt=now
        )
        .annotate(booked=Count("assignments", filter=Q(assignments__status__in=BOOKED)))
        .values_list("request_id", "count", "booked")
    )
    open_places: dict[int, int] = {}
    for request_id, count, booked in shifts:
        open_places[request_id] = open_places.get(request_id, 0) + max(count - booked, 0)
    return [(r, reason, open_places.get(r.pk, 0)) for r, reason in sort_requests(requests, now)]


def pool_per_region():
    active = Q(home_reservists__status=Reservist.Status.ACTIVE)
    regions = Region.objects.annotate(
        active=Count("home_reservists", filter=active),
        ready_24h=Count(
            "home_reservists",
            filter=active & Q(home_reservists__readiness=Readiness.H24),
        ),
    ).order_by("code")
    available = dict(
        CrisisResponse.objects.filter(crisis__active=True, answer=CrisisResponse.Answer.AVAILABLE)
        .values_list("reservist__home_region_id")
        .annotate(n=Count("reservist_id", distinct=True))
        .values_list("reservist__home_region_id", "n")
    )
    return [
        {
            "region": r,
            "active": r.active,
            "ready_24h": r.ready_24h,
            "available": available.get(r.pk, 0),
        }
        for r in regions
    ]


def current_picture(now=None) -> dict:
    rows = open_requests(now)
    escalations = list(
        Escalation.objects.open()
        .select_related("request__organisation", "request__region")
        .order_by("opened_at")
    )
    return {
        "requests": rows,
        "open_places": sum(places for _, _, places in rows),
        "escalations": escalations,
        "crises": list(Crisis.objects.active().prefetch_related("regions")),
        "pool": pool_per_region(),
    }
