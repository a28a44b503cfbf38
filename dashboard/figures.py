"""The pages' figures as named tables (shown, charted and exported alike)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from dashboard import stats
from dashboard.geo import ATTRIBUTION, region_shapes
from requests_app.models import Assignment, DeploymentRequest, Shift


@dataclass
class Table:
    name: str  # used in the export URL
    title: str
    columns: list[tuple[str, str]]  # (row field, heading)
    rows: list[dict]
    numeric: frozenset = field(default_factory=frozenset)
    downloads: list = field(default_factory=list)  # (format, url), set by the view

    @property
    def headings(self):
        return [(label, name in self.numeric, name) for name, label in self.columns]

    @property
    def body(self):
        return [
            {
                "url": row.get("url"),
                "cells": [
                    (_cell(row.get(name)), name in self.numeric, name)
                    for name, _label in self.columns
                ],
            }
            for row in self.rows
        ]

    def export_rows(self):
        """The raw cells (numbers, dates, text) for accounts.exporting to write."""
        return [[row.get(name) for name, _label in self.columns] for row in self.rows]


def _cell(value):
    if value is None:
        return "–"
    if isinstance(value, date):
        return date_format(value, "SHORT_DATE_FORMAT")
    return value


def _pct(value):
    return None if value is None else round(value * 100)


def chart(kind: str, rows: list[dict], series: list[tuple[str, str]], title: str) -> dict:
    """Chart.js data from table rows: labels from ``label``, one dataset per series."""
    return {
        "type": kind,
        "title": title,
        "labels": [row["label"] for row in rows],
        "datasets": [{"label": label, "data": [row[key] for row in rows]} for key, label in series],
    }


def _pool_columns():
    return [
        ("active", _("Active")),
        ("deployable", _("Deployable")),
        ("readiness_24h", _("Deployable within 24 hours")),
        ("expiring_30d", _("Training or BIG expiring within 30 days")),
    ]


def _shift_columns():
    return [("requested", _("Requested")), ("planned", _("Planned")), ("deployed", _("Deployed"))]


def _numeric(columns, *extra):
    return frozenset([name for name, _label in columns] + list(extra))


def _pool_table(name, title, first, rows):
    columns = [("label", first), *_pool_columns()]
    return Table(name, title, columns, rows, _numeric(_pool_columns()))


CACHE_VERSION = 1


def cache_seconds() -> int:
    return int(getattr(settings, "NZR_FIGURES_CACHE_SECONDS", 300))


def _cache_key(area: stats.Area, today: date) -> str:
    regions = "all" if area.region_ids is None else ",".join(map(str, sorted(area.region_ids)))
    return f"nzr:figures:v{CACHE_VERSION}:{regions}:{today.isoformat()}"


def compute(area: stats.Area, today: date | None = None) -> dict:
    """The numbers of the national or a regional page, straight from the database
    (a fixed number of aggregate queries). Labels stay lazy: cacheable in any language."""
    today = today or timezone.localdate()
    pool = stats.pool_overview(area, today)
    since, until = stats.figures_window(today)
    weeks = stats.shift_rows("week", area, since, until, all_keys=True)
    return {
        "today": today,
        "computed_at": timezone.now(),
        "since": since,
        "until": until,
        "pool": pool,
        "weeks": weeks,
        "requests": stats.request_counts(area),
        "fill": stats.fill_figures(area),
        "demand": stats.pool_against_demand(area, pool["region"], today),
        "trend": stats.pool_trend(area, pool["total"], today),
    }


def cached(area: stats.Area, today: date | None = None, *, refresh: bool = False) -> dict:
    """The figures of ``area`` from the cache, computed when missing (or on ``refresh``).

    Figures at a glance may be a few minutes old (the page says when they were
    computed); the "dashboard refresh" task recomputes the national figures
    every few minutes, so that the national page never waits for them.
    """
    today = today or timezone.localdate()
    seconds = cache_seconds()
    if seconds <= 0:
        return compute(area, today)
    key = _cache_key(area, today)
    raw = None if refresh else cache.get(key)
    if raw is None:
        raw = compute(area, today)
        cache.set(key, raw, seconds)
    return raw


def build(area: stats.Area, *, today: date | None = None, with_map: bool = False) -> dict:
    """Everything the national and regional pages show, for ``area``."""
    raw = cached(area, today)
    today = raw["today"]
    pool, weeks, requests = raw["pool"], raw["weeks"], raw["requests"]
    since, until = raw["since"], raw["until"]
    fill, demand, trend = raw["fill"], raw["demand"], raw["trend"]
    week_totals = stats.totals(weeks, stats.SHIFT_COUNTS)
    for row in [*pool["region"], *demand]:  # each region row links to its own figures
        row["url"] = reverse("dashboard:region", args=[row["key"]])

    tables = {}
    tables["pool_region"] = _pool_table(
        "pool_region", _("Pool per region (home region)"), _("Region"), pool["region"]
    )
    tables["pool_ring"] = _pool_table("pool_ring", _("Pool per ring"), _("Ring"), pool["ring"])
    tables["pool_readiness"] = _pool_table(
        "pool_readiness", _("Pool per readiness"), _("Readiness"), pool["readiness"]
    )
    tables["pool_profile"] = _pool_table(
        "pool_profile", _("Pool per deployment profile"), _("Profile"), pool["profile"]
    )
    trend_columns = [
        ("label", _("Week")),
        ("active", _("Active")),
        ("deployable", _("Deployable")),
        ("expiring_30d", _("Training or BIG expiring within 30 days")),
    ]
    tables["pool_trend"] = Table(
        "pool_trend",
        _("Pool per week"),
        trend_columns,
        trend,
        frozenset(["active", "deployable", "expiring_30d"]),
    )
    tables["shifts_week"] = Table(
        "shifts_week",
        _("Reservist shifts per week"),
        [("label", _("Week")), ("week_start", _("First day of the week")), *_shift_columns()],
        weeks,
        _numeric(_shift_columns()),
    )
    tables["requests_status"] = Table(
        "requests_status",
        _("Requests by status"),
        [("label", _("Status")), ("requests", _("Requests"))],
        requests["status"],
        frozenset(["requests"]),
    )
    tables["requests_category"] = Table(
        "requests_category",
        _("Requests by category"),
        [("label", _("Category")), ("requests", _("Requests"))],
        requests["category"],
        frozenset(["requests"]),
    )
    fill_rows = [
        {"label": _("Approved requests"), "value": fill["approved"]},
        {"label": _("Of which filled"), "value": fill["filled"]},
        {"label": _("Filled within 24 hours of approval"), "value": fill["within_target"]},
        {
            "label": _("Share filled within 24 hours (%)"),
            "value": _pct(fill["within_target_share"]),
        },
        {"label": _("Average hours from approval to filled"), "value": fill["average_hours"]},
        {"label": _("Approved over 24 hours ago and not yet filled"), "value": fill["overdue"]},
        {
            "label": _("Reservist shifts planned or deployed of those requested (%)"),
            "value": _pct(
                stats.ratio(
                    week_totals["planned"] + week_totals["deployed"], week_totals["requested"]
                )
            ),
        },
    ]
    tables["fill"] = Table(
        "fill",
        _("Fill rate and time to fill (target: 24 hours)"),
        [("label", _("Figure")), ("value", _("Value"))],
        fill_rows,
        frozenset(["value"]),
    )
    tables["demand_region"] = Table(
        "demand_region",
        _("Pool against demand per region (coming 4 weeks)"),
        [
            ("key", _("Code")),
            ("label", _("Region")),
            ("deployable", _("Deployable")),
            ("requested", _("Shifts requested")),
            ("open", _("Shifts still open")),
            ("ratio", _("Deployable per open shift")),
        ],
        demand,
        frozenset(["deployable", "requested", "open", "ratio"]),
    )

    charts = {
        "chart-shifts-week": chart(
            "bar",
            weeks,
            [(k, str(label)) for k, label in _shift_columns()],
            _("Reservist shifts per week"),
        ),
        "chart-pool-trend": chart(
            "line",
            trend,
            [("active", _("Active")), ("deployable", _("Deployable"))],
            _("Pool per week"),
        ),
        "chart-pool-ring": chart(
            "bar",
            pool["ring"],
            [("active", _("Active")), ("deployable", _("Deployable"))],
            _("Pool per ring"),
        ),
        "chart-requests-status": chart(
            "bar", requests["status"], [("requests", _("Requests"))], _("Requests by status")
        ),
    }
    result = {
        "today": today,
        "computed_at": raw["computed_at"],
        "since": since,
        "until": until,
        "pool_total": pool["total"],
        "week_totals": week_totals,
        "this_week": next((w for w in weeks if w["week_start"] == stats.week_start(today)), None),
        "requests_total": requests["total"],
        "fill": fill,
        "tables": tables,
        "charts": charts,
    }
    if with_map:
        result["map"] = region_map(demand)
    return result


def region_map(demand_rows: list[dict]) -> dict:
    shapes = region_shapes()
    regions = []
    for row in demand_rows:
        path = shapes.paths.get(row["key"])
        if not path:
            continue
        if row["open"]:
            summary = _(
                "%(code)s %(name)s: %(deployable)s deployable, %(open)s shifts still open"
            ) % {
                "code": row["key"],
                "name": row["label"],
                "deployable": row["deployable"],
                "open": row["open"],
            }
        else:
            summary = _("%(code)s %(name)s: %(deployable)s deployable, no open shifts") % {
                "code": row["key"],
                "name": row["label"],
                "deployable": row["deployable"],
            }
        regions.append(
            {
                "code": row["key"],
                "path": path,
                "bucket": row["bucket"],
                "title": summary,
                "url": reverse("dashboard:region", args=[row["key"]]),
            }
        )
    legend = [
        ("b0", _("No open shifts")),
        ("b1", _("Fewer than 1 deployable reservist per open shift")),
        ("b2", _("1 to 2 per open shift")),
        ("b3", _("2 to 5 per open shift")),
        ("b4", _("5 or more per open shift")),
    ]
    return {
        "width": shapes.width,
        "height": shapes.height,
        "regions": regions,
        "legend": legend,
        "attribution": ATTRIBUTION,
    }


# --- the care organisation's view -------------------------------------------------


def organisation_requests(area: stats.Area):
    """The organisation's requests with requested / planned / deployed per request,
    as correlated subqueries (one query)."""
    live_shifts = Shift.objects.filter(request=OuterRef("pk"), cancelled_at__isnull=True)
    requested = live_shifts.order_by().values("request").annotate(n=Sum("count")).values("n")[:1]

    def booked(status):
        return (
            Assignment.objects.filter(shift__request=OuterRef("pk"), status=status)
            .order_by()
            .values("shift__request")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        )

    first_start = (
        Shift.objects.filter(request=OuterRef("pk"), cancelled_at__isnull=True)
        .order_by("start")
        .values("start")[:1]
    )
    zero = Value(0, output_field=IntegerField())
    return (
        stats.requests_in(area)
        .select_related("organisation")
        .annotate(
            requested=Coalesce(Subquery(requested, output_field=IntegerField()), zero),
            planned=Coalesce(
                Subquery(booked(Assignment.Status.CONFIRMED), output_field=IntegerField()), zero
            ),
            deployed=Coalesce(
                Subquery(booked(Assignment.Status.COMPLETED), output_field=IntegerField()), zero
            ),
            first_start=Subquery(first_start),
        )
        .order_by("-submitted_at", "-pk")
    )


OPEN_STATUSES = ("submitted", "approved", "escalated")


def _request_url(pk) -> str | None:
    """The request's own page (requests_app), when that page exists."""
    try:
        return reverse("requests_app:request_detail", args=[pk])
    except NoReverseMatch:
        return None


def build_organisation(area: stats.Area, *, today: date | None = None, limit: int = 200) -> dict:
    today = today or timezone.localdate()
    several = len(area.organisation_ids or ()) > 1
    since, until = stats.figures_window(today)
    weeks = stats.shift_rows("week", area, since, until, all_keys=True)
    requests = stats.request_counts(area)
    status_labels = dict(DeploymentRequest.Status.choices)
    rows = []
    for r in organisation_requests(area)[:limit]:
        filled = r.planned + r.deployed
        rows.append(
            {
                "key": r.pk,
                "label": _("Request %(id)s") % {"id": r.pk},
                "organisation": r.organisation.name,
                "status": str(status_labels.get(r.status, r.status)),
                "open_request": r.status in OPEN_STATUSES,
                "first_start": timezone.localtime(r.first_start).strftime("%d-%m-%Y %H:%M")
                if r.first_start
                else None,
                "requested": r.requested,
                "planned": r.planned,
                "deployed": r.deployed,
                "open": max(r.requested - filled, 0),
                "fill_pct": round(filled * 100 / r.requested) if r.requested else None,
                "url": _request_url(r.pk),
            }
        )
    tables = {
        "requests": Table(
            "requests",
            _("Our requests and how far they are filled"),
            [
                ("label", _("Request")),
                *([("organisation", _("Organisation"))] if several else []),
                ("status", _("Status")),
                ("first_start", _("First shift")),
                ("requested", _("Requested")),
                ("planned", _("Planned")),
                ("deployed", _("Deployed")),
                ("open", _("Still open")),
                ("fill_pct", _("Filled (%)")),
            ],
            rows,
            frozenset(["requested", "planned", "deployed", "open", "fill_pct"]),
        ),
        "requests_status": Table(
            "requests_status",
            _("Requests by status"),
            [("label", _("Status")), ("requests", _("Requests"))],
            requests["status"],
            frozenset(["requests"]),
        ),
        "shifts_week": Table(
            "shifts_week",
            _("Reservist shifts per week"),
            [("label", _("Week")), ("week_start", _("First day of the week")), *_shift_columns()],
            weeks,
            _numeric(_shift_columns()),
        ),
    }
    charts = {
        "chart-shifts-week": chart(
            "bar",
            weeks,
            [(k, str(label)) for k, label in _shift_columns()],
            _("Reservist shifts per week"),
        ),
    }
    return {
        "today": today,
        "since": since,
        "until": until,
        "requests_total": requests["total"],
        "week_totals": stats.totals(weeks, stats.SHIFT_COUNTS),
        "tables": tables,
        "charts": charts,
        "open_requests": sum(1 for row in rows if row["open_request"]),
    }
