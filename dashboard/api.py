"""The figures API: /api/v1/stats/shifts/ and /api/v1/stats/pool/.

Coordinators and the triangle only; a regional coordinator gets the rows of
their own region(s) only.

Each answer is cached briefly (``NZR_STATS_CACHE_SECONDS``, default 60) per area
(the exact set of regions the caller may read) and query: over a million shifts an
aggregate takes seconds, and during a crisis many coordinators ask the same thing.
"""

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated

from accounts.permissions import IsFiguresReader, MFASatisfied
from dashboard.stats import POOL_GROUPS, SHIFT_GROUPS, Area, pool_rows, shift_rows
from nzr.api_fields import DateField

CACHE_VERSION = 1


def cache_seconds() -> int:
    return int(getattr(settings, "NZR_STATS_CACHE_SECONDS", 60))


def cached_rows(kind: str, area: Area, params: tuple, compute) -> list[dict]:
    """``compute()``'s rows from the cache, keyed by the area and the query. Labels
    stay lazy, so one entry serves every language."""
    seconds = cache_seconds()
    if seconds <= 0:
        return compute()

    def ids(values):
        return "all" if values is None else ",".join(map(str, sorted(values)))

    key = ":".join(
        [
            f"nzr:stats:v{CACHE_VERSION}:{kind}",
            ids(area.region_ids),
            ids(area.organisation_ids),
            timezone.localdate().isoformat(),
            *(str(p) for p in params),
        ]
    )
    rows = cache.get(key)
    if rows is None:
        rows = compute()
        cache.set(key, rows, seconds)
    return rows


class ShiftStatsQuerySerializer(serializers.Serializer):
    group_by = serializers.ChoiceField(
        choices=SHIFT_GROUPS, default="week", help_text=_("week, region or profile")
    )
    since = DateField(required=False, help_text=_("Only shifts starting on or after this date."))
    until = DateField(required=False, help_text=_("Only shifts starting on or before this date."))

    def validate(self, data):
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            raise serializers.ValidationError({"until": [_("The end lies before the start.")]})
        return data


class PoolStatsQuerySerializer(serializers.Serializer):
    group_by = serializers.ChoiceField(
        choices=POOL_GROUPS, default="region", help_text=_("region, ring, profile or readiness")
    )
    on = DateField(required=False, help_text=_("The day to count for (default today)."))


class ShiftStatsRowSerializer(serializers.Serializer):
    key = serializers.CharField(
        allow_null=True, help_text=_("The group: ISO week, region or profile code.")
    )
    label = serializers.CharField()
    requested = serializers.IntegerField()
    planned = serializers.IntegerField()
    deployed = serializers.IntegerField()
    week_start = DateField(required=False)


class PoolStatsRowSerializer(serializers.Serializer):
    key = serializers.CharField(
        allow_null=True, help_text=_("The group: region, ring, profile or readiness.")
    )
    label = serializers.CharField()
    active = serializers.IntegerField()
    deployable = serializers.IntegerField()
    expiring_30d = serializers.IntegerField()
    readiness_24h = serializers.IntegerField()


class _StatsView(GenericAPIView):
    permission_classes = [IsAuthenticated, MFASatisfied, IsFiguresReader]
    query_serializer_class: type[serializers.Serializer]
    filter_backends: list = []

    def query(self):
        params = self.query_serializer_class(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return params.validated_data

    def area(self) -> Area:
        # IsFiguresReader let the user in, so the area is never None here.
        return Area.for_user(self.request.user) or Area(region_ids=frozenset())

    def respond(self, rows):
        page = self.paginate_queryset(rows)
        serializer = self.get_serializer(page, many=True)
        return self.get_paginated_response(serializer.data)


class ShiftStatsView(_StatsView):
    """Reservist-shifts requested, planned (confirmed) and deployed (hours confirmed), per ISO
    week of the shift start (Europe/Amsterdam), per request region or per shift profile."""

    serializer_class = ShiftStatsRowSerializer
    query_serializer_class = ShiftStatsQuerySerializer

    @extend_schema(
        parameters=[ShiftStatsQuerySerializer], responses=ShiftStatsRowSerializer(many=True)
    )
    def get(self, request):
        q = self.query()
        area, group_by, since, until = self.area(), q["group_by"], q.get("since"), q.get("until")
        rows = cached_rows(
            "shifts",
            area,
            (group_by, since, until),
            lambda: shift_rows(group_by, area, since, until),
        )
        return self.respond(rows)


class PoolStatsView(_StatsView):
    """The pool: active reservists, deployable ones, and those whose training or BIG
    registration expires within 30 days, per home region, ring, profile or readiness."""

    serializer_class = PoolStatsRowSerializer
    query_serializer_class = PoolStatsQuerySerializer

    @extend_schema(
        parameters=[PoolStatsQuerySerializer], responses=PoolStatsRowSerializer(many=True)
    )
    def get(self, request):
        q = self.query()
        area, group_by, on = self.area(), q["group_by"], q.get("on") or timezone.localdate()
        rows = cached_rows("pool", area, (group_by, on), lambda: pool_rows(group_by, area, on))
        return self.respond(rows)
