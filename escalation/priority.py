"""Prioritisation: the order in which open requests are served, with a reason per position.

The triangle's framework (``PriorityFramework`` in force on a date) ranks
the request categories (regional crisis shelter before individual
organisations by default). Within a rank: the most urgent first (the
earliest first shift), then the earliest submitted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Case, F, IntegerField, Value, When
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from escalation.models import PriorityCategory, PriorityFramework

# Used when no framework is in force (the reference data loads the same order).
DEFAULT_RANKS = {
    PriorityCategory.Category.REGIONAL_SHELTER: 1,
    PriorityCategory.Category.INDIVIDUAL: 2,
}
UNRANKED = 99


@dataclass(frozen=True)
class Ranks:
    ranks: dict[str, int]
    framework: PriorityFramework | None

    def rank_of(self, category: str) -> int:
        return self.ranks.get(category, UNRANKED)


def ranks_on(day=None) -> Ranks:
    """The category ranks of the framework in force on ``day`` (today by default)."""
    framework = PriorityFramework.objects.effective_on(day)
    if framework is None:
        return Ranks(dict(DEFAULT_RANKS), None)
    ranks = dict(framework.categories.values_list("category", "rank"))
    return Ranks(ranks or dict(DEFAULT_RANKS), framework)


def _category_label(code: str) -> str:
    try:
        return str(PriorityCategory.Category(code).label)
    except ValueError:
        return code or _("no category")


def _hours_text(first_shift_start: datetime | None, now: datetime) -> str:
    if first_shift_start is None:
        return _("no shifts planned")
    delta = first_shift_start - now
    hours = delta.total_seconds() / 3600
    if hours < 0:
        return _("first shift has already started")
    if hours < 1:
        return _("first shift within the hour")
    if hours < 48:
        return _("first shift in %(hours)d h") % {"hours": int(hours)}
    return _("first shift in %(days)d days") % {"days": int(hours // 24)}


def _submitted_text(submitted_at: datetime | None, now: datetime) -> str:
    if submitted_at is None:
        return _("not submitted yet")
    local = timezone.localtime(submitted_at)
    if local.date() == timezone.localtime(now).date():
        return _("submitted %(time)s") % {"time": local.strftime("%H:%M")}
    return _("submitted %(date)s %(time)s") % {
        "date": date_format(local.date(), "j M"),
        "time": local.strftime("%H:%M"),
    }


def sort_key(request, ranks: Ranks, now: datetime):
    """Category rank, then urgency (earliest first shift), then arrival time."""
    far = datetime.max.replace(tzinfo=timezone.get_current_timezone())
    first = getattr(request, "first_shift_start", None) or far
    submitted = getattr(request, "submitted_at", None) or far
    return (ranks.rank_of(getattr(request, "category", "")), first, submitted, request.pk or 0)


def rank_expression(ranks: Ranks) -> Case:
    """``ranks.rank_of(category)`` as an SQL expression."""
    return Case(
        *(When(category=code, then=Value(rank)) for code, rank in sorted(ranks.ranks.items())),
        default=Value(UNRANKED),
        output_field=IntegerField(),
    )


def order_by_priority(queryset, ranks: Ranks):
    """``sort_key``'s order in SQL, so a queue can be paginated in the database: category
    rank, then the earliest first shift, then the earliest submitted (a missing time
    sorts last, as ``datetime.max`` does in ``sort_key``), then the id.

    ``queryset`` must be annotated with ``first_shift_start``."""
    return queryset.annotate(priority_rank=rank_expression(ranks)).order_by(
        "priority_rank",
        F("first_shift_start").asc(nulls_last=True),
        F("submitted_at").asc(nulls_last=True),
        "pk",
    )


def with_reasons(requests, ranks: Ranks, now: datetime) -> list[tuple[object, str]]:
    """Each request (already in priority order, e.g. one page) with its reason."""
    return [(r, reason_for(r, ranks, now)) for r in requests]


def reason_for(request, ranks: Ranks, now: datetime) -> str:
    category = getattr(request, "category", "")
    rank = ranks.rank_of(category)
    if rank == UNRANKED:
        head = _("%(category)s (not ranked in the framework)") % {
            "category": _category_label(category)
        }
    else:
        head = _("%(category)s (rank %(rank)s)") % {
            "category": _category_label(category),
            "rank": rank,
        }
    return "; ".join(
        [
            head,
            _hours_text(getattr(request, "first_shift_start", None), now),
            _submitted_text(getattr(request, "submitted_at", None), now),
        ]
    )


def sort_requests(requests, now=None) -> list[tuple[object, str]]:
    """Highest priority first, each with the reason for its position.

    Each request has ``.category``, ``.submitted_at`` and an annotated
    ``.first_shift_start`` (``Min("shifts__start")``).
    """
    now = now or timezone.now()
    ranks = ranks_on(timezone.localtime(now).date())
    ordered = sorted(requests, key=lambda r: sort_key(r, ranks, now))
    return [(r, reason_for(r, ranks, now)) for r in ordered]
