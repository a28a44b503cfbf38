"""Who can fill a shift, and in what order.

``rank_candidates`` is a pure function over plain dataclasses (unit-tested
without a database); ``candidates_for_shift`` is the one query that feeds it:
every eligibility rule is a filter on the Reservist table, the ranking inputs
are correlated subqueries, so 100,000 reservists cost one round trip.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import (
    BooleanField,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from registry.deployability import deployable
from registry.models import Reservist

LIVE = ("confirmed", "completed")
RECENT_DAYS = 30
RESPONSE_DAYS = 365


def rest_hours() -> int:
    return getattr(settings, "NZR_REST_HOURS_BETWEEN_SHIFTS", 11)


def max_shift_hours() -> int:
    return getattr(settings, "NZR_MAX_SHIFT_HOURS", 12)


def max_week_hours() -> int:
    return getattr(settings, "NZR_MAX_WEEK_HOURS", 60)


def week_bounds(moment: datetime) -> tuple[datetime, datetime]:
    """The ISO week (Monday 00:00 to Monday 00:00, Europe/Amsterdam) around ``moment``."""
    local = timezone.localtime(moment)
    monday = (local - timedelta(days=local.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    tz = timezone.get_current_timezone()
    start = monday.replace(tzinfo=None)
    return (
        timezone.make_aware(start, tz),
        timezone.make_aware(start + timedelta(days=7), tz),
    )


# --- plain data -------------------------------------------------------------------


@dataclass(frozen=True)
class ShiftData:
    id: int
    region_id: int
    start: datetime
    end: datetime


@dataclass(frozen=True)
class CandidateData:
    reservist_id: int
    name: str
    home_region_id: int | None
    readiness: str
    recent_deployments: int = 0
    invitations_answered: int = 0
    invitations_accepted: int = 0
    crisis_available: bool = False  # answered "available" to the crisis's availability call

    @property
    def response_rate(self) -> float | None:
        if not self.invitations_answered:
            return None
        return self.invitations_accepted / self.invitations_answered


@dataclass(frozen=True)
class Ranked:
    position: int
    candidate: CandidateData
    reasons: list[str] = field(default_factory=list)


def _sort_key(shift: ShiftData, c: CandidateData):
    rate = c.response_rate
    return (
        0 if c.home_region_id == shift.region_id else 1,
        c.recent_deployments,
        0 if c.readiness == "24h" else 1,
        0 if c.crisis_available else 1,
        -(rate if rate is not None else 0.5),
        c.name,
        c.reservist_id,
    )


def _reasons(shift: ShiftData, c: CandidateData) -> list[str]:
    reasons = [
        _("Lives in the region of the request")
        if c.home_region_id == shift.region_id
        else _("Willing to work in the region of the request"),
        ngettext(
            "%(n)d deployment in the last %(days)d days",
            "%(n)d deployments in the last %(days)d days",
            c.recent_deployments,
        )
        % {"n": c.recent_deployments, "days": RECENT_DAYS},
        _("Ready within 24 hours") if c.readiness == "24h" else _("Ready within a week"),
    ]
    if c.crisis_available:
        reasons.append(_("Said “available” in the crisis call"))
    rate = c.response_rate
    if rate is None:
        reasons.append(_("No earlier invitations"))
    else:
        reasons.append(_("Accepted %(pct)d%% of earlier invitations") % {"pct": round(rate * 100)})
    return reasons


def rank_candidates(shift_data: ShiftData, candidates: list[CandidateData]) -> list[Ranked]:
    """Home region first, then fewest recent deployments (spread the load), then
    readiness (24 hours before a week), then past response: "available" in the
    crisis call, then the share of earlier invitations accepted."""
    ordered = sorted(candidates, key=lambda c: _sort_key(shift_data, c))
    return [
        Ranked(position=i, candidate=c, reasons=_reasons(shift_data, c))
        for i, c in enumerate(ordered, start=1)
    ]


# --- the query ----------------------------------------------------------------------


def _available_between(qs, start, end):
    from registry import availability  # provided by the register (contract)

    return availability.available_between(qs, start, end)


def _count(qs):
    """A correlated COUNT(*) subquery that yields 0, not NULL."""
    return Coalesce(
        Subquery(
            qs.order_by().values("reservist").annotate(c=Count("pk")).values("c"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def eligible_reservists(shift, *, now=None):
    """Reservists who may be booked on ``shift``: one queryset, every rule a filter."""
    from requests_app.models import Assignment, Invitation

    now = now or timezone.now()
    request = shift.request
    rest = timedelta(hours=rest_hours())
    week_start, week_end = week_bounds(shift.start)
    shift_hours = shift.end - shift.start

    qs = Reservist.objects.filter(anonymised_at__isnull=True)
    qs = deployable(qs, timezone.localtime(shift.end).date(), shift.profile)
    qs = _available_between(qs, shift.start, shift.end)
    qs = qs.filter(
        profiles=shift.profile_id,
        regions=request.region_id,
        sectors__contains=[request.organisation.sector],
    )
    # Not booked in an overlapping shift, nor within the rest time around it.
    busy = Assignment.objects.filter(
        reservist=OuterRef("pk"),
        status__in=LIVE,
        start__lt=shift.end + rest,
        end__gt=shift.start - rest,
    )
    week_hours = Coalesce(
        Subquery(
            Assignment.objects.filter(
                reservist=OuterRef("pk"),
                status__in=LIVE,
                start__gte=week_start,
                start__lt=week_end,
            )
            .order_by()
            .values("reservist")
            .annotate(
                total=Sum(ExpressionWrapper(F("end") - F("start"), output_field=DurationField()))
            )
            .values("total"),
            output_field=DurationField(),
        ),
        Value(timedelta(0)),
    )
    qs = (
        qs.annotate(week_hours=week_hours)
        .filter(~Exists(busy))
        .filter(week_hours__lte=timedelta(hours=max_week_hours()) - shift_hours)
    )
    recent = Assignment.objects.filter(
        reservist=OuterRef("pk"), status__in=LIVE, start__gte=now - timedelta(days=RECENT_DAYS)
    )
    answered = Invitation.objects.filter(
        reservist=OuterRef("pk"),
        status__in=["accepted", "declined", "expired"],
        created_at__gte=now - timedelta(days=RESPONSE_DAYS),
    )
    if request.crisis_id:
        from escalation.models import CrisisResponse

        crisis_ok = Exists(
            CrisisResponse.objects.filter(
                crisis_id=request.crisis_id, reservist=OuterRef("pk"), answer="available"
            )
        )
    else:
        crisis_ok = Value(False, output_field=BooleanField())
    return qs.annotate(
        crisis_available=crisis_ok,
        recent_deployments=_count(recent),
        invitations_answered=_count(answered),
        invitations_accepted=_count(answered.filter(status="accepted")),
    ).distinct()


def shift_data(shift) -> ShiftData:
    return ShiftData(
        id=shift.pk, region_id=shift.request.region_id, start=shift.start, end=shift.end
    )


def candidates_for_shift(shift, *, exclude_invited: bool = False, now=None) -> list[CandidateData]:
    """The eligible reservists of ``shift`` as plain data: one query."""
    from requests_app.models import Invitation

    qs = eligible_reservists(shift, now=now)
    if exclude_invited:
        qs = qs.filter(~Exists(Invitation.objects.filter(shift=shift, reservist=OuterRef("pk"))))
    rows = qs.values_list(
        "pk",
        "first_name",
        "last_name",
        "home_region_id",
        "readiness",
        "recent_deployments",
        "invitations_answered",
        "invitations_accepted",
        "crisis_available",
    )
    return [
        CandidateData(
            reservist_id=pk,
            name=f"{first} {last}".strip(),
            home_region_id=home,
            readiness=readiness,
            recent_deployments=recent,
            invitations_answered=answered,
            invitations_accepted=accepted,
            crisis_available=bool(crisis_ok),
        )
        for pk, first, last, home, readiness, recent, answered, accepted, crisis_ok in rows
    ]


def ranked_for_shift(shift, *, exclude_invited: bool = False) -> list[Ranked]:
    return rank_candidates(
        shift_data(shift), candidates_for_shift(shift, exclude_invited=exclude_invited)
    )
