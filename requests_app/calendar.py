"""The reservist's shifts as an iCal feed (RFC 5545), behind a secret per-user URL."""

import secrets
from datetime import UTC, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.audit import log_action
from requests_app.models import Assignment, CalendarFeed


def feed_for(user, *, renew: bool = False) -> CalendarFeed:
    with transaction.atomic():
        feed = CalendarFeed.objects.select_for_update().filter(user=user).first()
        if feed is None:
            feed = CalendarFeed.objects.create(user=user, token=secrets.token_urlsafe(32))
            log_action(feed, "calendar.created", user)
        elif renew:
            feed.token = secrets.token_urlsafe(32)
            feed.save(update_fields=["token"])
            log_action(feed, "calendar.renewed", user)
        return feed


def _escape(text: str) -> str:
    return (
        str(text).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
    )


def _stamp(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def render_feed(user, host: str) -> str:
    since = timezone.now() - timedelta(days=60)
    assignments = (
        Assignment.objects.filter(
            reservist__user=user, status__in=["confirmed", "completed"], end__gte=since
        )
        .select_related("shift__profile", "shift__request__organisation")
        .order_by("start")
    )
    now = _stamp(timezone.now())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Nationale Zorgreserve//Diensten//NL",
        "CALSCALE:GREGORIAN",
        "X-WR-CALNAME:Nationale Zorgreserve",
    ]
    for a in assignments:
        request = a.shift.request
        lines += [
            "BEGIN:VEVENT",
            f"UID:nzr-assignment-{a.pk}@{host}",
            f"DTSTAMP:{now}",
            f"DTSTART:{_stamp(a.start)}",
            f"DTEND:{_stamp(a.end)}",
            "SUMMARY:" + _escape(f"NZR: {a.shift.profile.name} – {request.organisation.name}"),
            "LOCATION:" + _escape(f"{request.organisation.address} {request.postcode}".strip()),
            "DESCRIPTION:" + _escape(f"{request.contact_name} {request.contact_phone}".strip()),
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"
