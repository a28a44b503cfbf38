"""Figures of a region's workspace, computed in the database (no Python loops over rows)."""

from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from regions.models import Candidate
from registry import facts
from registry.deployability import deployable
from registry.models import FactChange, Reservist
from training.models import TrainingRecord

Status = Reservist.Status
WINDOWS = (7, 30, 90)


def region_floor() -> int:
    return getattr(settings, "NZR_REGION_FLOOR", 35)


def _pct(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def funnel(reservists) -> dict:
    """Reservists per status, and the conversions between the stages."""
    counts = reservists.aggregate(
        total=Count("pk"), **{s: Count("pk", filter=Q(status=s)) for s in Status.values}
    )
    total = counts.pop("total")
    reached_vetting = counts["vetting"] + counts["active"] + counts["paused"]
    reached_active = counts["active"] + counts["paused"]
    return {
        "total": total,
        "stages": [
            {"status": s, "label": label, "count": counts[s], "share": _pct(counts[s], total)}
            for s, label in Status.choices
        ],
        # Of everyone who applied, the share that reached vetting; of those, the share
        # that became active (paused reservists were active).
        "conversion_vetting": _pct(reached_vetting, total),
        "conversion_active": _pct(reached_active, reached_vetting),
    }


def candidate_funnel(candidates) -> dict:
    counts = candidates.aggregate(
        total=Count("pk"),
        **{s: Count("pk", filter=Q(status=s)) for s in Candidate.Status.values},
    )
    total = counts.pop("total")
    return {
        "total": total,
        "stages": [
            {"status": s, "label": label, "count": counts[s], "share": _pct(counts[s], total)}
            for s, label in Candidate.Status.choices
        ],
        "conversion": _pct(counts["converted"], total),
    }


def expiring_training(reservists, today: date):
    """Current (newest) training records of these reservists expiring within 90 days."""
    newer = TrainingRecord.objects.filter(
        reservist_id=OuterRef("reservist_id"),
        course_id=OuterRef("course_id"),
        completed_on__gt=OuterRef("completed_on"),
    )
    return (
        TrainingRecord.objects.filter(
            reservist__in=reservists.exclude(status=Status.LEFT),
            expires_on__gt=today,
            expires_on__lte=today + timedelta(days=90),
        )
        .filter(~Exists(newer))
        .select_related("reservist", "course")
        .order_by("expires_on", "reservist__last_name")
    )


def _window_counts(queryset, field: str, today: date) -> dict:
    return queryset.aggregate(
        **{
            f"within_{days}": Count(
                "pk", filter=Q(**{f"{field}__lte": today + timedelta(days=days)})
            )
            for days in WINDOWS
        }
    )


def _change_row(change) -> dict:
    return {
        "change": change,
        "reservist": change.reservist,
        "label": facts.field_label(change.field),
        "old": facts.display_text(change.field, facts.current(change.reservist, change.field)),
        "new": facts.display_text(change.field, change.value),
    }


def work_queue(reservists, today: date | None = None, limit: int = 25) -> dict:
    today = today or timezone.localdate()
    waiting = reservists.filter(status__in=[Status.APPLIED, Status.VETTING]).order_by(
        "created_at", "pk"
    )
    training = expiring_training(reservists, today)
    big = (
        reservists.exclude(status=Status.LEFT)
        .filter(big_valid_until__gte=today, big_valid_until__lte=today + timedelta(days=90))
        .order_by("big_valid_until", "last_name")
    )
    year_start = date(today.year, 1, 1)
    unconfirmed = (
        reservists.filter(status__in=[Status.ACTIVE, Status.PAUSED])
        .filter(
            Q(availability_confirmed_on__isnull=True) | Q(availability_confirmed_on__lt=year_start)
        )
        .order_by("last_name", "first_name")
    )
    changes = (
        FactChange.objects.filter(reservist__in=reservists, status=FactChange.Status.PENDING)
        .select_related("reservist", "reservist__profession")
        .order_by("requested_at", "pk")
    )
    return {
        "changes": [_change_row(c) for c in changes[:limit]],
        "changes_count": changes.count(),
        "waiting": waiting[:limit],
        "waiting_count": waiting.count(),
        "training": training[:limit],
        "training_counts": _window_counts(training, "expires_on", today),
        "big": big[:limit],
        "big_counts": _window_counts(big, "big_valid_until", today),
        "unconfirmed": unconfirmed[:limit],
        "unconfirmed_count": unconfirmed.count(),
    }


def pool(reservists, today: date | None = None) -> dict:
    today = today or timezone.localdate()
    active = reservists.filter(status=Status.ACTIVE).count()
    deployable_count = deployable(reservists, today).count()
    floor = region_floor()
    return {
        "active": active,
        "deployable": deployable_count,
        "floor": floor,
        "below_floor": deployable_count < floor,
        "short": max(0, floor - deployable_count),
        "percent": min(100, _pct(deployable_count, floor) or 0),
    }


def region_overview(regions, reservists):
    """Per region: reservists per status and candidates still open (national view)."""
    visible = reservists.values("pk")
    return regions.annotate(
        **{
            s: Count(
                "home_reservists",
                filter=Q(home_reservists__status=s, home_reservists__in=visible),
                distinct=True,
            )
            for s in Status.values
        },
        open_candidates=Count(
            "candidates", filter=Q(candidates__status__in=Candidate.OPEN_STATUSES), distinct=True
        ),
    )
