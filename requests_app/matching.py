"""Who can fill a shift, and in what order.

``rank_candidates`` is a pure function over plain dataclasses (unit-tested
without a database). ``candidates_for_shifts`` feeds it for all shifts of a
request at once (issue 9: a 50-shift request in < 1 s over 100,000 reservists):

1. one query per profile of the request: the reservists with that profile who are
   willing to work in the request's region and sector and pass the deployability
   checkers whose filter is the same on every date of the request (status, ring of
   the profile, vetting);
2. one statement for the date-bound checkers (BIG registration, training): a UNION ALL
   with one small part per (profile, date) of the request over the ids of step 1,
   compiled once per profile with the date as a parameter;
3. one query each for availability, bookings (overlap, rest time, week hours) and the
   ranking inputs (recent deployments, answers, the crisis call) of those candidates
   over the request's time span; each shift is then checked in Python
   (``shift_candidates``, a pure function).

``candidates_for_shift_one_query`` is the one-query-per-shift form: every rule a
filter on the Reservist table, the ranking inputs correlated subqueries. It serves a
single shift (``ranked_for_shift``: the candidates API and page, the invitation waves),
where it is the fastest, and it is the reference a test compares the request form with.
"""

import json
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Subquery,
    TextField,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from registry.deployability import checkers
from registry.models import Reservist

LIVE = ("confirmed", "completed")
RECENT_DAYS = 30
RESPONSE_DAYS = 365


def in_sector(qs, sector: str):
    """The reservists of ``qs`` willing to work in ``sector`` (``sectors``: a JSON list of
    codes). PostgreSQL tests JSON containment; Django has none for SQLite (``make run``),
    where the list's text is searched for the quoted code (codes hold no quotes)."""
    if connection.vendor == "postgresql":
        return qs.filter(sectors__contains=[sector])
    return qs.alias(sectors_text=Cast("sectors", TextField())).filter(
        sectors_text__contains=json.dumps(sector)
    )


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


def eligible_reservists(shift, *, now=None, exclude_invited: bool = False):
    """Reservists who may be booked on ``shift`` (the steps of ``requests_app.eligibility``),
    annotated with the ranking inputs."""
    from requests_app import eligibility

    now = now or timezone.now()
    qs = eligibility.eligible(shift, exclude_invited=exclude_invited)
    return with_ranking_inputs(qs, shift.request.crisis_id, now).distinct()


def with_ranking_inputs(qs, crisis_id, now):
    """``qs`` (reservists) annotated with what the ranking reads: recent deployments,
    invitation answers and the crisis availability answer."""
    from requests_app.models import Assignment, Invitation

    recent = Assignment.objects.filter(
        reservist=OuterRef("pk"), status__in=LIVE, start__gte=now - timedelta(days=RECENT_DAYS)
    )
    answered = Invitation.objects.filter(
        reservist=OuterRef("pk"),
        status__in=["accepted", "declined", "expired"],
        created_at__gte=now - timedelta(days=RESPONSE_DAYS),
    )
    if crisis_id:
        from escalation.models import CrisisResponse

        crisis_ok = Exists(
            CrisisResponse.objects.filter(
                crisis_id=crisis_id, reservist=OuterRef("pk"), answer="available"
            )
        )
    else:
        crisis_ok = Value(False, output_field=BooleanField())
    return qs.annotate(
        crisis_available=crisis_ok,
        recent_deployments=_count(recent),
        invitations_answered=_count(answered),
        invitations_accepted=_count(answered.filter(status="accepted")),
    )


def candidate_data(qs):
    """``CandidateData`` for each row of a ``with_ranking_inputs`` queryset."""
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
    for pk, first, last, home, readiness, recent, answered, accepted, crisis_ok in rows:
        yield CandidateData(
            reservist_id=pk,
            name=f"{first} {last}".strip(),
            home_region_id=home,
            readiness=readiness,
            recent_deployments=recent,
            invitations_answered=answered,
            invitations_accepted=accepted,
            crisis_available=bool(crisis_ok),
        )


def shift_data(shift) -> ShiftData:
    return ShiftData(
        id=shift.pk, region_id=shift.request.region_id, start=shift.start, end=shift.end
    )


def candidates_for_shift_one_query(
    shift, *, exclude_invited: bool = False, now=None
) -> list[CandidateData]:
    """The eligible reservists of ``shift`` as plain data: one query. ``exclude_invited``
    leaves out whoever was asked for the shift, except those whose invitation was
    withdrawn when it filled: a place that opens again (more places) may be theirs.

    For many shifts use ``candidates_for_shifts`` (a handful of queries for a whole
    request instead of one ~30 ms query per shift); a test compares the two on a
    varied data set."""
    qs = eligible_reservists(shift, now=now, exclude_invited=exclude_invited)
    return list(candidate_data(qs))


# --- a whole request at once --------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime


@dataclass(frozen=True)
class WeeklySlot:
    weekday: int
    start_time: time
    end_time: time


@dataclass
class Schedule:
    """What the database knows about one candidate's time (plain data)."""

    available: list[Period] = field(default_factory=list)
    absent: list[Period] = field(default_factory=list)
    weekly: list[WeeklySlot] = field(default_factory=list)
    booked: list[Period] = field(default_factory=list)  # live assignments


def weekly_window(start: datetime, end: datetime) -> tuple[int, time, time] | None:
    """(weekday, from, to) a weekly slot must cover for the window, or None if no slot
    can (the same rule as ``registry.availability``: windows within one local day)."""
    s, e = timezone.localtime(start), timezone.localtime(end)
    end_time = e.time()
    if s.date() != e.date():
        if e.date() != s.date() + timedelta(days=1) or end_time != time(0, 0):
            return None
        end_time = time(23, 59)
    return s.weekday(), s.time(), end_time


def is_free(shift: "ShiftWindow", schedule: Schedule) -> bool:
    """Available for the whole shift, not booked within the rest time around it, and the
    shift fits in the week's maximum hours. Pure: plain data in, yes or no out."""
    start, end = shift.start, shift.end
    covered = any(p.start <= start and p.end >= end for p in schedule.available)
    if not covered and shift.weekly is not None:
        weekday, from_, to = shift.weekly
        covered = any(
            w.weekday == weekday and w.start_time <= from_ and w.end_time >= to
            for w in schedule.weekly
        )
    if not covered or any(p.start < end and p.end > start for p in schedule.absent):
        return False
    if any(p.start < shift.busy_until and p.end > shift.busy_from for p in schedule.booked):
        return False
    week = sum(
        (p.end - p.start
         for p in schedule.booked if shift.week_start <= p.start < shift.week_end),
        timedelta(0),
    )  # fmt: skip
    return week <= shift.week_room


@dataclass(frozen=True)
class ShiftWindow:
    """A shift's times with the bounds the checks need (plain data)."""

    start: datetime
    end: datetime
    weekly: tuple[int, time, time] | None
    busy_from: datetime  # start minus the rest time
    busy_until: datetime  # end plus the rest time
    week_start: datetime
    week_end: datetime
    week_room: timedelta  # most hours booked that week with which the shift still fits

    @classmethod
    def of(cls, shift) -> "ShiftWindow":
        rest = timedelta(hours=rest_hours())
        week_start, week_end = week_bounds(shift.start)
        return cls(
            start=shift.start,
            end=shift.end,
            weekly=weekly_window(shift.start, shift.end),
            busy_from=shift.start - rest,
            busy_until=shift.end + rest,
            week_start=week_start,
            week_end=week_end,
            week_room=timedelta(hours=max_week_hours()) - (shift.end - shift.start),
        )


def _split_checkers(profile, dates):
    """The deployability checkers whose database filter is the same for every date of
    ``dates`` (compiled for the first and the last: same SQL and parameters), and the
    others."""
    first, last = min(dates), max(dates)
    if first == last:  # one date: every checker is applied once, with the first query
        return checkers(), []
    free, dated = [], []
    for checker in checkers():
        a = checker.filter(Reservist.objects.all(), first, profile)
        b = checker.filter(Reservist.objects.all(), last, profile)
        same = a.query.sql_with_params() == b.query.sql_with_params()
        (free if same else dated).append(checker)
    return free, dated


def _int_array(ids) -> str:
    """PostgreSQL's text form of an integer array: "{1,2,3}"."""
    return "{" + ",".join(str(int(pk)) for pk in ids) + "}"


def _dated_queryset(ids, on, profile, dated):
    # The ids as one array parameter: the statement repeats them for every date. Given
    # as the array's text, which the driver passes as it is: as a list, every id is
    # adapted in Python (50 lists of 200 ids: 45 ms of the 500 of a 50-shift request).
    qs = Reservist.objects.filter(
        ExpressionWrapper(
            RawSQL('"registry_reservist"."id" = ANY(%s::int[])', (_int_array(ids),)),
            output_field=BooleanField(),
        )
    )
    for checker in dated:
        qs = checker.filter(qs, on, profile)
    return qs.order_by().values_list("pk")


def _is_date(value, on) -> bool:
    return value == on or value == on.isoformat()


def _dated_sql(ids, profile, dated, dates):
    """SQL and parameters of "these ids, filtered by the date-bound checkers", compiled
    for the first and the last date; returns (sql, params, slots) where ``slots`` are the
    positions of the date in ``params``, or None when the two compile differently apart
    from the date (then each date is compiled on its own)."""
    first, last = min(dates), max(dates)
    sql_a, params_a = _dated_queryset(ids, first, profile, dated).query.sql_with_params()
    if first == last:
        return sql_a, list(params_a), [i for i, p in enumerate(params_a) if _is_date(p, first)]
    sql_b, params_b = _dated_queryset(ids, last, profile, dated).query.sql_with_params()
    if sql_a != sql_b or len(params_a) != len(params_b):
        return sql_a, list(params_a), None
    slots = []
    for i, (pa, pb) in enumerate(zip(params_a, params_b, strict=True)):
        if _is_date(pa, first) and _is_date(pb, last):
            slots.append(i)
        elif pa != pb:
            return sql_a, list(params_a), None
    return sql_a, list(params_a), slots


def _deployable_by_date(groups) -> dict[tuple[int, object], set[int]]:
    """{(profile id, date): ids deployable that day} for ``groups`` =
    {profile: (ids passing the date-free checkers, dates, date-bound checkers)}.

    One statement: a UNION ALL with one part per (profile, date), each over the ids
    of its profile. The part's SQL is compiled once per profile (the date is a
    parameter), so 50 shifts cost a few compilations, not 50."""
    from django.db import connection

    result: dict[tuple[int, object], set[int]] = {}
    parts, params, keys = [], [], []
    for profile, (ids, dates, dated) in groups.items():
        if not ids or not dated:
            for on in dates:
                result[(profile.pk, on)] = set(ids)
            continue
        sql, base_params, slots = _dated_sql(ids, profile, dated, dates)
        for on in sorted(dates):
            if slots is None:
                part_sql, part_params = _dated_queryset(
                    ids, on, profile, dated
                ).query.sql_with_params()
                part_params = list(part_params)
            else:
                part_sql, part_params = sql, list(base_params)
                for i in slots:
                    part_params[i] = on
            # Only Django-compiled SQL and an integer label; the values are parameters.
            parts.append(f"SELECT {len(keys)} AS k, t.rid FROM ({part_sql}) AS t(rid)")  # noqa: S608
            params += part_params
            keys.append((profile.pk, on))
            result[(profile.pk, on)] = set()
    if parts:
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            for k, pk in cursor.fetchall():
                result[keys[k]].add(pk)
    return result


def _schedules(ids, lo, hi) -> dict[int, Schedule]:
    """Availability, absences, weekly pattern and live bookings of ``ids`` that can
    matter between ``lo`` and ``hi``: three queries."""
    from registry.models import Availability, WeeklyAvailability
    from requests_app.models import Assignment

    schedules = {pk: Schedule() for pk in ids}
    for pk, kind, start, end in Availability.objects.filter(
        reservist_id__in=ids, start__lt=hi, end__gt=lo
    ).values_list("reservist_id", "kind", "start", "end"):
        target = schedules[pk].available if kind == Availability.Kind.AVAILABLE else None
        if kind == Availability.Kind.ABSENT:
            target = schedules[pk].absent
        if target is not None:
            target.append(Period(start, end))
    for pk, weekday, start_time, end_time in WeeklyAvailability.objects.filter(
        reservist_id__in=ids
    ).values_list("reservist_id", "weekday", "start_time", "end_time"):
        schedules[pk].weekly.append(WeeklySlot(weekday, start_time, end_time))
    for pk, start, end in Assignment.objects.filter(
        reservist_id__in=ids, status__in=LIVE, start__lt=hi, end__gt=lo
    ).values_list("reservist_id", "start", "end"):
        schedules[pk].booked.append(Period(start, end))
    return schedules


def _ranking_inputs(ids, crisis_id, now) -> dict[int, CandidateData]:
    qs = with_ranking_inputs(Reservist.objects.filter(pk__in=ids), crisis_id, now)
    return {data.reservist_id: data for data in candidate_data(qs)}


def _loaded(shifts) -> list:
    """The shifts with their request, organisation and profile (one query if needed)."""
    from requests_app.models import Shift

    shifts = list(shifts)
    cached = ("request", "profile")
    if all(all(k in s._state.fields_cache for k in cached) for s in shifts) and all(
        "organisation" in s.request._state.fields_cache for s in shifts
    ):
        return shifts
    loaded = Shift.objects.select_related("request__organisation", "profile").in_bulk(
        [s.pk for s in shifts]
    )
    return [loaded[s.pk] for s in shifts]


def candidates_for_shifts(
    shifts, *, exclude_invited: bool = False, now=None
) -> dict[int, list[CandidateData]]:
    """The eligible reservists of every shift in ``shifts`` (usually the shifts of one
    request), as plain data: {shift id: [CandidateData]}.

    The same rules as ``candidates_for_shift_one_query``, with the per-reservist filters
    applied once per profile (and per date for the date-bound ones) instead of once per
    shift."""
    from collections import defaultdict

    from requests_app.models import Invitation

    now = now or timezone.now()
    shifts = _loaded(shifts)
    result: dict[int, list[CandidateData]] = {s.pk: [] for s in shifts}
    invited: dict[int, set[int]] = defaultdict(set)
    if exclude_invited and shifts:
        asked = Invitation.objects.filter(shift__in=[s.pk for s in shifts]).exclude(
            status=Invitation.Status.WITHDRAWN
        )
        for shift_id, pk in asked.values_list("shift_id", "reservist_id"):
            invited[shift_id].add(pk)
    by_request = defaultdict(list)
    for s in shifts:
        by_request[s.request_id].append(s)
    for request_shifts in by_request.values():
        request = request_shifts[0].request
        day = {s.pk: timezone.localtime(s.end).date() for s in request_shifts}
        dates = defaultdict(set)
        profiles = {}
        for s in request_shifts:
            dates[s.profile_id].add(day[s.pk])
            profiles[s.profile_id] = s.profile
        # 1. per profile: willing, in region and sector, passing the date-free checkers.
        groups = {}
        for profile_id, profile in profiles.items():
            free, dated = _split_checkers(profile, dates[profile_id])
            qs = in_sector(
                Reservist.objects.filter(
                    anonymised_at__isnull=True, profiles=profile_id, regions=request.region_id
                ),
                request.organisation.sector,
            )
            for checker in free:
                qs = checker.filter(qs, min(dates[profile_id]), profile)
            ids = sorted(set(qs.order_by().values_list("pk", flat=True)))
            groups[profile] = (ids, dates[profile_id], dated)
        # 2. the date-bound checkers, one statement for every (profile, date).
        deployable_on = _deployable_by_date(groups)
        pool = sorted(set().union(*deployable_on.values()))
        if not pool:
            continue
        # 3. times and ranking inputs of the pool, over the request's span.
        windows = {s.pk: ShiftWindow.of(s) for s in request_shifts}
        lo = min(min(w.busy_from, w.week_start) for w in windows.values())
        hi = max(max(w.busy_until, w.week_end) for w in windows.values())
        schedules = _schedules(pool, lo, hi)
        data = _ranking_inputs(pool, request.crisis_id, now)
        for s in request_shifts:
            result[s.pk] = shift_candidates(
                windows[s.pk],
                [data[pk] for pk in sorted(deployable_on[(s.profile_id, day[s.pk])])],
                schedules,
                invited[s.pk],
            )
    return result


def shift_candidates(
    window: ShiftWindow,
    deployable: list[CandidateData],
    schedules: dict[int, Schedule],
    invited: set[int] = frozenset(),
) -> list[CandidateData]:
    """Of the reservists deployable on the shift's day, those free for it (pure)."""
    return [
        c
        for c in deployable
        if c.reservist_id not in invited and is_free(window, schedules[c.reservist_id])
    ]


def candidates_for_shift(shift, *, exclude_invited: bool = False, now=None) -> list[CandidateData]:
    """One shift: the one-query form is the fastest (~30 ms on 100,000 reservists, where
    the request form's few queries cost ~50 ms for a single shift); both give the same
    candidates (``tests/requests_app/test_matching_whole_request.py``)."""
    return candidates_for_shift_one_query(shift, exclude_invited=exclude_invited, now=now)


def ranked_for_shifts(
    shifts, *, exclude_invited: bool = False, now=None
) -> dict[int, list[Ranked]]:
    """Ranked candidates for every shift of ``shifts``: {shift id: [Ranked]}."""
    shifts = _loaded(shifts)
    found = candidates_for_shifts(shifts, exclude_invited=exclude_invited, now=now)
    return {s.pk: rank_candidates(shift_data(s), found[s.pk]) for s in shifts}


def ranked_for_shift(shift, *, exclude_invited: bool = False) -> list[Ranked]:
    return rank_candidates(
        shift_data(shift), candidates_for_shift(shift, exclude_invited=exclude_invited)
    )
