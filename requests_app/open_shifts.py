"""Open shifts a reservist may sign up for themself (issue 20, "Open diensten").

Two kinds of rule, each in one place:

- who the shift is *open to* (``open_shifts_for`` and ``is_open_to``, this module): a
  shift of an approved (escalated, or filled) request, not cancelled, not started, of a profile
  the reservist holds, in a region and sector they are willing to work in, and the
  reservist deployable for that profile on the day the shift ends
  (``registry.deployability``). A shift not open to them is a 404 to a sign-up;
- whether they can be *booked* on it now (``booking.shift_refusal``, shared with
  accepting an invitation): places left, no booking of theirs overlapping it, the rest
  time and the week's hours. The list leaves out every shift the booking would refuse,
  so a listed shift can be booked and one left out is refused with the same reason.

Distances are straight-line kilometres between the centroids of the reservist's
municipality and the request's (or else its organisation's) municipality, from the
shipped TopoJSON (CBS / PDOK via VWS); ``None`` when either municipality is unknown.
"""

import json
import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from django.db.models import F
from django.utils import timezone

from registry.deployability import deployable_condition
from registry.models import Reservist
from requests_app.models import Shift
from requests_app.services.booking import TAKING_BOOKINGS, live_bookings, shift_refusal

MAX_ROWS = 200
DEFAULT_DAYS = 28

# The booking errors' codes the API names otherwise (api.md: full, overlap, rest, hours).
REASONS = {"working_time": "hours", "expired": "closed", "booking": "closed"}


def reason_of(error) -> str:
    """The API's reason for a booking error: full, overlap, rest, hours; closed (the
    shift no longer open), busy; the wait-list's not_full and already_waiting."""
    code = getattr(error, "code", "booking")
    return REASONS.get(code, code)


@lru_cache(maxsize=1)
def municipality_centroids() -> dict[str, tuple[float, float]]:
    """CBS code -> (lat, lon) of the municipality's centroid: the area-weighted centroid
    of its polygons' outer rings, longitude scaled by cos 52° so areas are fair."""
    from dashboard.geo import _decode_arcs, _polygons, _ring_points, _topojson_path

    topology = json.loads(_topojson_path().read_text(encoding="utf-8"))
    arcs = _decode_arcs(topology)
    k = math.cos(math.radians(52))
    centroids = {}
    for geometry in topology["objects"]["gm_features"]["geometries"]:
        area = cx = cy = 0.0
        for polygon in _polygons(geometry):
            ring = [(lon * k, lat) for lon, lat in _ring_points(polygon[0], arcs)]
            for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
                cross = x0 * y1 - x1 * y0
                area += cross
                cx += (x0 + x1) * cross
                cy += (y0 + y1) * cross
        if area:
            centroids[geometry["properties"]["code"]] = (cy / (3 * area), cx / (3 * area) / k)
    return centroids


def distance_km(code_a: str | None, code_b: str | None) -> int | None:
    """Straight-line (great-circle) km between two municipalities' centroids, rounded."""
    points = municipality_centroids()
    if not code_a or not code_b or code_a not in points or code_b not in points:
        return None
    (lat1, lon1), (lat2, lon2) = points[code_a], points[code_b]
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return round(2 * 6371.0 * math.asin(math.sqrt(h)))


def _candidate_shifts(reservist, now):
    """Shifts open to ``reservist`` by everything but deployability (which depends on the
    day): one queryset."""
    if reservist.anonymised_at is not None:
        return Shift.objects.none()
    return Shift.objects.filter(
        cancelled_at__isnull=True,
        start__gt=now,
        request__status__in=TAKING_BOOKINGS,
        profile__in=reservist.profiles.all(),
        request__region__in=reservist.regions.all(),
        request__organisation__sector__in=list(reservist.sectors or []),
    )


def _deployable_key(shift) -> tuple:
    return (timezone.localtime(shift.end).date(), shift.profile_id)


def _deployable_for(reservist, shifts) -> set[tuple]:
    """The (end date, profile id) keys of ``shifts`` on which ``reservist`` is
    deployable for that profile (``registry.deployability``): one query, a yes/no column
    per distinct key, so the list's query count does not grow with its rows."""
    keys = {}
    for shift in shifts:
        keys.setdefault(_deployable_key(shift), shift.profile)
    if not keys:
        return set()
    ordered = list(keys.items())
    columns = {
        f"d{i}": deployable_condition(on, profile) for i, ((on, _p), profile) in enumerate(ordered)
    }
    row = Reservist.objects.filter(pk=reservist.pk).annotate(**columns).values(*columns).first()
    if row is None:
        return set()
    return {key for i, (key, _profile) in enumerate(ordered) if row[f"d{i}"]}


def is_open_to(reservist, shift, *, now=None) -> bool:
    """Is ``shift`` open to ``reservist`` (the first kind of rule in the module's
    docstring)? The sign-up and the wait-list ask this under the reservist's lock."""
    now = now or timezone.now()
    if not _candidate_shifts(reservist, now).filter(pk=shift.pk).exists():
        return False
    shift = Shift.objects.select_related("profile").get(pk=shift.pk)
    return bool(_deployable_for(reservist, [shift]))


@dataclass(frozen=True)
class OpenShift:
    id: int
    profile: str
    profile_name: str
    start: datetime
    end: datetime
    places_left: int
    organisation: str
    place: str
    region: str
    region_name: str
    distance_km: int | None


def _window(date_from: date | None, date_to: date | None, now) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    today = timezone.localtime(now).date()
    first = date_from or today
    last = date_to or (first + timedelta(days=DEFAULT_DAYS))
    lo = timezone.make_aware(datetime.combine(first, time.min), tz)
    hi = timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min), tz)
    return max(lo, now), hi


def open_shifts_for(
    reservist,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    profile: str | None = None,
    region: str | None = None,
    max_km: int | None = None,
    now=None,
) -> list[OpenShift]:
    """The shifts ``reservist`` may sign up for now, by start: open to them and not
    refused by ``booking.shift_refusal`` (full, overlap, rest time, week hours).
    ``date_from``/``date_to``: local dates of the start (default: the next 28 days)."""
    now = now or timezone.now()
    lo, hi = _window(date_from, date_to, now)
    qs = (
        _candidate_shifts(reservist, now)
        .filter(start__gte=lo, start__lt=hi)
        .annotate_confirmed()
        .filter(confirmed__lt=F("count"))
        .select_related(
            "profile",
            "request__organisation__municipality",
            "request__region",
            "request__municipality",
        )
        .order_by("start", "id")
    )
    if profile:
        qs = qs.filter(profile__code=profile)
    if region:
        qs = qs.filter(request__region__code=region)
    bookings = live_bookings(reservist.pk, now)
    home = reservist.municipality.code if reservist.municipality_id else None
    bookable = [
        shift
        for shift in qs[: MAX_ROWS * 2]
        if shift_refusal(shift, shift.request.status, shift.confirmed, bookings, now) is None
    ]
    deployable_on = _deployable_for(reservist, bookable)
    rows = []
    for shift in bookable:
        request = shift.request
        if _deployable_key(shift) not in deployable_on:
            continue
        municipality = request.municipality or request.organisation.municipality
        km = distance_km(home, municipality.code if municipality else None)
        if max_km is not None and (km is None or km > max_km):
            continue
        rows.append(
            OpenShift(
                id=shift.pk,
                profile=shift.profile.code,
                profile_name=shift.profile.name,
                start=shift.start,
                end=shift.end,
                places_left=shift.count - shift.confirmed,
                organisation=request.organisation.name,
                place=municipality.name if municipality else request.postcode,
                region=request.region.code,
                region_name=request.region.name,
                distance_km=km,
            )
        )
        if len(rows) >= MAX_ROWS:
            break
    return rows
