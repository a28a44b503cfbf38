"""When is a reservist available? Dated periods, a weekly pattern and absences.

A reservist is available for a window [start, end) when
- a dated "available" period covers the whole window, or the weekly pattern
  has a slot on that weekday covering it (windows within one local day), and
- no "absent" period (holiday, illness) overlaps the window.

``is_available`` answers for one reservist; ``available_between`` is the same
rule as one queryset filter (used by the register search and by matching).
"""

from datetime import datetime, time, timedelta

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from registry.models import Availability, WeeklyAvailability


def _local(value: datetime) -> datetime:
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return timezone.localtime(value)


def _weekly_q(start: datetime, end: datetime):
    """A Q over WeeklyAvailability rows covering the window, or None if no slot can."""
    s, e = _local(start), _local(end)
    end_time = e.time()
    if s.date() != e.date():
        # Only a window that ends exactly at the following midnight fits in one day.
        if e.date() != s.date() + timedelta(days=1) or end_time != time(0, 0):
            return None
        end_time = time(23, 59)
    return Q(weekday=s.weekday(), start_time__lte=s.time(), end_time__gte=end_time)


def available_between(qs, start: datetime, end: datetime):
    """Filter a Reservist queryset to those available for the whole window."""
    covering = Availability.objects.filter(
        reservist=OuterRef("pk"), kind=Availability.Kind.AVAILABLE, start__lte=start, end__gte=end
    )
    absent = Availability.objects.filter(
        reservist=OuterRef("pk"), kind=Availability.Kind.ABSENT, start__lt=end, end__gt=start
    )
    condition = Exists(covering)
    weekly = _weekly_q(start, end)
    if weekly is not None:
        condition |= Exists(WeeklyAvailability.objects.filter(weekly, reservist=OuterRef("pk")))
    return qs.filter(condition).exclude(Exists(absent))


def is_available(reservist, start: datetime, end: datetime) -> bool:
    return available_between(type(reservist).objects.filter(pk=reservist.pk), start, end).exists()
