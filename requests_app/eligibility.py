"""Who may be booked on a shift: one pipeline of named steps, in order.

Each step is one queryset filter, defined here once. The matcher applies them all
(``eligible``), the funnel counts how many reservists remain after each
(``requests_app.funnel``: why nobody fits), and both therefore always agree.

    pool         in the reserve: active, not anonymised
    profile      cleared for the shift's profile
    region       willing to work in the request's region and the organisation's sector
    deployable   passes every deployability check on the shift's last day (status, ring,
                 vetting, BIG registration, training; ``registry.deployability``)
    available    has said they are available for the whole shift
    free         no live booking overlapping it or within the rest time around it, and the
                 week's hours stay within the limit
    not_invited  not asked for this shift before (a withdrawn invitation does not count:
                 a place that opens again may be theirs)
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import (
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry.deployability import deployable
from registry.models import Reservist

LIVE = ("confirmed", "completed")  # the bookings that hold a reservist's time


@dataclass(frozen=True)
class ShiftWindow:
    """What the steps read of a shift, computed once."""

    shift: object
    start: datetime
    end: datetime
    profile: object
    region_id: int
    sector: str

    @classmethod
    def of(cls, shift) -> "ShiftWindow":
        request = shift.request
        return cls(
            shift=shift,
            start=shift.start,
            end=shift.end,
            profile=shift.profile,
            region_id=request.region_id,
            sector=request.organisation.sector,
        )


@dataclass(frozen=True)
class Step:
    code: str
    label: str
    apply: Callable[[QuerySet, ShiftWindow], QuerySet]


def _pool(qs, w):
    return qs.filter(anonymised_at__isnull=True, status=Reservist.Status.ACTIVE)


def _profile(qs, w):
    return qs.filter(profiles=w.profile.pk)


def _region(qs, w):
    from requests_app.matching import in_sector

    return in_sector(qs.filter(regions=w.region_id), w.sector)


def _deployable(qs, w):
    return deployable(qs, timezone.localtime(w.end).date(), w.profile)


def _available(qs, w):
    from registry import availability  # provided by the register (contract)

    return availability.available_between(qs, w.start, w.end)


def _free(qs, w):
    from requests_app.matching import max_week_hours, rest_hours, week_bounds
    from requests_app.models import Assignment

    rest = timedelta(hours=rest_hours())
    week_start, week_end = week_bounds(w.start)
    live = Assignment.objects.filter(reservist=OuterRef("pk"), status__in=LIVE)
    busy = live.filter(start__lt=w.end + rest, end__gt=w.start - rest)
    week_hours = Coalesce(
        Subquery(
            live.filter(start__gte=week_start, start__lt=week_end)
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
    return (
        qs.annotate(week_hours=week_hours)
        .filter(~Exists(busy))
        .filter(week_hours__lte=timedelta(hours=max_week_hours()) - (w.end - w.start))
    )


def _not_invited(qs, w):
    from requests_app.models import Invitation

    asked = Invitation.objects.filter(shift=w.shift, reservist=OuterRef("pk")).exclude(
        status=Invitation.Status.WITHDRAWN
    )
    return qs.filter(~Exists(asked))


STEPS: tuple[Step, ...] = (
    Step("pool", _("In the reserve (active)"), _pool),
    Step("profile", _("Cleared for this profile"), _profile),
    Step("region", _("Willing to work in this region and sector"), _region),
    Step("deployable", _("Deployable (vetting, registration, training)"), _deployable),
    Step("available", _("Available at this time"), _available),
    Step("free", _("Free (no overlap, rest time, week hours)"), _free),
    Step("not_invited", _("Not yet invited for this shift"), _not_invited),
)
CODES = tuple(step.code for step in STEPS)


def through(shift, upto: str | None = None, *, queryset=None) -> QuerySet:
    """The reservists left after the steps up to and including ``upto`` (all steps when
    ``None``). Not yet distinct: the profile and region steps join."""
    window = ShiftWindow.of(shift)
    qs = Reservist.objects.all() if queryset is None else queryset
    for step in STEPS:
        qs = step.apply(qs, window)
        if step.code == upto:
            break
    return qs


def eligible(shift, *, exclude_invited: bool = False) -> QuerySet:
    """The reservists who may be booked on ``shift``: every step up to ``free``, and
    ``not_invited`` too when the caller is inviting."""
    return through(shift, None if exclude_invited else "free")


def counts(shift) -> list[tuple[Step, int]]:
    """How many reservists remain after each step (one COUNT per step)."""
    window = ShiftWindow.of(shift)
    qs, found = Reservist.objects.all(), []
    for step in STEPS:
        qs = step.apply(qs, window)
        found.append((step, qs.order_by().values("pk").distinct().count()))
    return found
