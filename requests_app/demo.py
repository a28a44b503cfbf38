"""Demo data: a national picture like November 2021 (idempotent).

About 27 open requests across the regions (submitted, approved, filled, one
escalated to the triangle), shifts over the past and coming weeks, confirmed
and completed bookings for the demo reservists, and a pending invitation for
reservist@demo.nzr.local. Each request carries a tag "(demo #N)" in its
description, so a second run finds it and adds nothing.
"""

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from escalation.models import Crisis, LadderStep
from registry.models import Municipality, Profile, Region, Reservist
from requests_app.models import (
    Assignment,
    CareOrganisation,
    DeploymentRequest,
    Invitation,
    LadderAttestation,
    Shift,
)

# (name, region, sector, kvk, agb, postcode, address)
ORGANISATIONS = [
    ("UMC Groningen (demo)", "VR01", "hospital", "02001001", "06010001", "9713 GZ", "Hanzeplein 1"),
    (
        "Zorggroep Noorderbreedte (demo)",
        "VR02",
        "vvt",
        "01002002",
        "06010002",
        "8934 AD",
        "Borniastraat 34",
    ),
    (
        "Isala Zwolle (demo)",
        "VR04",
        "hospital",
        "05003003",
        "06010003",
        "8025 AB",
        "Dokter van Heesweg 2",
    ),
    (
        "Gelre Apeldoorn (demo)",
        "VR06",
        "hospital",
        "08004004",
        "06010004",
        "7334 DZ",
        "Albert Schweitzerlaan 31",
    ),
    (
        "Sint Maartenskliniek Nijmegen (demo)",
        "VR08",
        "hospital",
        "09005005",
        "06010005",
        "6574 NA",
        "Hengstdal 3",
    ),
    ("Axion Continu (demo)", "VR09", "vvt", "30006006", "06010006", "3527 KV", "Kanaalweg 12"),
    (
        "Regionale COVID-opvang Utrecht (demo)",
        "VR09",
        "shelter",
        "30007007",
        "06010007",
        "3584 CX",
        "Heidelberglaan 100",
    ),
    ("Cordaan (demo)", "VR13", "vvt", "33008008", "06010008", "1083 HN", "Prinses Irenestraat 25"),
    (
        "GGD Amsterdam (demo)",
        "VR13",
        "ggd",
        "34009009",
        "06010009",
        "1018 WT",
        "Nieuwe Achtergracht 100",
    ),
    ("HMC Den Haag (demo)", "VR15", "hospital", "27010010", "06010010", "2512 VA", "Lijnbaan 32"),
    (
        "Erasmus MC (demo)",
        "VR17",
        "hospital",
        "24011011",
        "06010011",
        "3015 GD",
        "Doctor Molewaterplein 40",
    ),
    (
        "Regionale opvang Rijnmond (demo)",
        "VR17",
        "shelter",
        "24012012",
        "06010012",
        "3045 PM",
        "Kleiweg 500",
    ),
    (
        "Catharina Ziekenhuis (demo)",
        "VR22",
        "hospital",
        "17013013",
        "06010013",
        "5623 EJ",
        "Michelangelolaan 2",
    ),
    (
        "s Heeren Loo (demo)",
        "VR25",
        "disability",
        "32014014",
        "06010014",
        "1315 RC",
        "Stationsplein 1",
    ),
    (
        "Zuyderland (demo)",
        "VR24",
        "hospital",
        "14015015",
        "06010015",
        "6419 PC",
        "Henri Dunantstraat 5",
    ),
]

# (organisation index or region code of load_demo's orgs, category, status, profile,
#  first day offset, days, start hour, hours, count)
REQUESTS = [
    ("VR09", "individual", "approved", "verzorgende", -14, 21, 7, 8, 2),
    ("VR09", "individual", "approved", "vpk-algemeen", 2, 10, 15, 8, 1),
    ("VR13", "individual", "filled", "vpk-algemeen", -7, 12, 7, 8, 2),
    (0, "individual", "approved", "vpk-ic-ondersteuning", -10, 24, 7, 8, 2),
    (1, "individual", "submitted", "verzorgende", 3, 14, 7, 8, 3),
    (2, "individual", "approved", "vpk-algemeen", -5, 19, 15, 8, 2),
    (3, "individual", "filled", "verzorgende", -3, 10, 7, 8, 1),
    (4, "individual", "approved", "vpk-ic-ondersteuning", 1, 14, 23, 8, 1),
    (5, "individual", "approved", "verzorgende", -12, 26, 7, 8, 3),
    (6, "regional_shelter", "approved", "verzorgende", -8, 22, 7, 8, 4),
    (6, "regional_shelter", "approved", "vpk-algemeen", -8, 22, 15, 8, 2),
    (7, "individual", "filled", "zorgondersteuning", -6, 13, 8, 8, 2),
    (8, "individual", "approved", "ggd-test-vaccinatie", -4, 18, 9, 8, 4),
    (9, "individual", "submitted", "vpk-algemeen", 2, 14, 7, 8, 2),
    (10, "individual", "escalated", "vpk-ic-ondersteuning", -2, 16, 7, 8, 3),
    (11, "regional_shelter", "approved", "verzorgende", -9, 23, 7, 8, 3),
    (11, "regional_shelter", "submitted", "vpk-algemeen", 4, 14, 23, 8, 1),
    (12, "individual", "filled", "vpk-algemeen", -2, 9, 15, 8, 1),
    (13, "individual", "approved", "zorgondersteuning", -7, 21, 8, 8, 2),
    (14, "individual", "submitted", "verzorgende", 5, 10, 7, 8, 2),
    ("VR13", "individual", "submitted", "verzorgende", 6, 7, 7, 8, 2),
    (2, "individual", "approved", "verzorgende", 3, 12, 23, 8, 1),
    (5, "individual", "filled", "vpk-algemeen", -1, 6, 15, 8, 1),
    (7, "individual", "approved", "verzorgende", 1, 14, 15, 8, 2),
    (9, "individual", "approved", "verzorgende", -3, 17, 7, 8, 2),
    (0, "individual", "submitted", "vpk-algemeen", 7, 7, 15, 8, 1),
    (13, "individual", "approved", "verzorgende", 0, 14, 15, 8, 1),
    # closed ones, for the history
    (3, "individual", "completed", "verzorgende", -30, 10, 7, 8, 1),
    (12, "individual", "rejected", "zorgondersteuning", 3, 5, 8, 8, 1),
    (8, "individual", "cancelled", "ggd-test-vaccinatie", 5, 5, 9, 8, 2),
]

DESCRIPTIONS = {
    "individual": "Veel uitval door ziekte en quarantaine; de eigen flexibele schil is uitgeput.",
    "regional_shelter": "Regionale COVID-opvang buiten het ziekenhuis: extra bedden voor patiënten die "
    "niet naar huis kunnen.",
}
RESERVIST_EMAIL = "reservist@demo.nzr.local"


def _aware(day, hour):
    return timezone.make_aware(datetime.combine(day, time(hour % 24)))


def _organisations(users) -> list:
    orgs = []
    regions = {r.code: r for r in Region.objects.all()}
    for name, code, sector, kvk, agb, postcode, address in ORGANISATIONS:
        region = regions[code]
        org = CareOrganisation.objects.filter(name=name).first()
        if org is None:
            org = CareOrganisation.objects.create(
                name=name,
                kvk=kvk,
                agb=agb,
                sector=sector,
                address=address,
                postcode=postcode,
                municipality=Municipality.objects.valid_on().filter(region=region).first(),
                region=region,
                status=CareOrganisation.Status.APPROVED,
            )
        orgs.append(org)
    return orgs


class _Planner:
    """Hands out reservists to shifts without overlap, with rest, by profile."""

    def __init__(self, exclude_ids):
        rest = getattr(settings, "NZR_REST_HOURS_BETWEEN_SHIFTS", 11)
        self.rest = timedelta(hours=rest)
        self.by_profile: dict[int, list[int]] = {}
        rows = (
            Reservist.objects.filter(status="active")
            .exclude(pk__in=exclude_ids)
            .values_list("pk", "profiles")
        )
        for pk, profile_id in rows:
            if profile_id:
                self.by_profile.setdefault(profile_id, []).append(pk)
        self.busy: dict[int, list[tuple]] = {}
        for reservist_id, start, end in Assignment.objects.exclude(status="cancelled").values_list(
            "reservist_id", "start", "end"
        ):
            self.busy.setdefault(reservist_id, []).append((start, end))
        self.turn = 0

    def pick(self, shift, n):
        pool = self.by_profile.get(shift.profile_id, [])
        chosen = []
        for i in range(len(pool)):
            pk = pool[(self.turn + i) % len(pool)]
            if len(chosen) == n:
                break
            if any(
                s < shift.end + self.rest and e > shift.start - self.rest
                for s, e in self.busy.get(pk, [])
            ):
                continue
            chosen.append(pk)
            self.busy.setdefault(pk, []).append((shift.start, shift.end))
        self.turn += 1
        return chosen


def _create_request(n, org, spec, crisis, steps, planner, users, rng):
    _org, category, status, profile_code, first, days, hour, hours, count = spec
    now = timezone.now()
    today = timezone.localdate()
    profile = Profile.objects.get(code=profile_code)
    submitted_at = _aware(today + timedelta(days=min(first, 0) - 3), 9) + timedelta(
        minutes=rng.randint(0, 300)
    )
    approved = status in ("approved", "filled", "completed", "escalated")
    req = DeploymentRequest.objects.create(
        organisation=org,
        category=category,
        status=status,
        crisis=crisis,
        postcode=org.postcode,
        municipality=org.municipality,
        region=org.region,
        description=f"{DESCRIPTIONS[category]} (demo #{n})",
        contact_name="Teamleider planning",
        contact_phone="030 2345678",
        submitted_at=submitted_at,
        approved_at=submitted_at + timedelta(hours=rng.randint(2, 20)) if approved else None,
        closed_reason="Geen crisisinzet: reguliere personeelskrapte."
        if status == "rejected"
        else ("De situatie is opgelost." if status == "cancelled" else ""),
    )
    for step in steps:
        LadderAttestation.objects.create(
            request=req,
            step=step,
            taken_on=timezone.localtime(submitted_at).date() - timedelta(days=step.order + 1),
            evidence=f"{step.name}: gedaan, onvoldoende resultaat.",
        )
    shifts = [
        Shift(
            request=req,
            profile=profile,
            start=_aware(today + timedelta(days=first + d), hour),
            end=_aware(today + timedelta(days=first + d), hour) + timedelta(hours=hours),
            count=count,
            cancelled_at=now if status == "cancelled" else None,
        )
        for d in range(days)
    ]
    Shift.objects.bulk_create(shifts)
    if approved:
        for shift in req.shifts.order_by("start"):
            past = shift.end <= now
            wanted = shift.count if (past or status == "filled") else rng.randint(0, shift.count)
            for pk in planner.pick(shift, wanted):
                Assignment.objects.create(
                    shift=shift,
                    reservist_id=pk,
                    start=shift.start,
                    end=shift.end,
                    status="completed" if past else "confirmed",
                    hours_worked=Decimal(hours) if past else None,
                    hours_confirmed_at=shift.end + timedelta(hours=2) if past else None,
                )
        if status == "filled":
            booked = Assignment.objects.filter(shift__request=req).exclude(status="cancelled")
            if booked.count() < sum(s.count for s in shifts):
                req.status = "approved"
                req.save(update_fields=["status"])
            else:
                req.filled_at = req.approved_at + timedelta(hours=rng.randint(4, 30))
                req.save(update_fields=["filled_at"])
    if status == "escalated":
        from escalation.services import open_escalation

        open_escalation(
            req,
            actor=users.get("landelijk@demo.nzr.local"),
            reason="De IC-ondersteuning is met de reserve niet te vullen; vraag om militaire steun.",
        )
    return req


def _demo_reservist_shifts(users, orgs, crisis, steps):
    """Bookings and one pending invitation for reservist@demo.nzr.local."""
    user = users.get(RESERVIST_EMAIL)
    reservist = getattr(user, "reservist", None) if user else None
    if reservist is None:
        return
    home = users["_organisations"]["VR09"]
    req = DeploymentRequest.objects.filter(description__contains="(demo #reservist)").first()
    today = timezone.localdate()
    if req is None:
        now = timezone.now()
        req = DeploymentRequest.objects.create(
            organisation=home,
            category="individual",
            status="approved",
            crisis=crisis,
            postcode=home.postcode,
            municipality=home.municipality,
            region=home.region,
            description=f"{DESCRIPTIONS['individual']} (demo #reservist)",
            contact_name="Sanne Jansen",
            contact_phone="030 1234567",
            submitted_at=now - timedelta(days=12),
            approved_at=now - timedelta(days=11, hours=20),
        )
        for step in steps:
            LadderAttestation.objects.create(
                request=req,
                step=step,
                taken_on=today - timedelta(days=14 + step.order),
                evidence=f"{step.name}: gedaan, onvoldoende resultaat.",
            )
        profile = Profile.objects.get(code="verzorgende")
        for offset in (-10, -8, -6, 3, 6):
            start = _aware(today + timedelta(days=offset), 7)
            shift = Shift.objects.create(
                request=req, profile=profile, start=start, end=start + timedelta(hours=8), count=2
            )
            if offset < 0:
                Assignment.objects.create(
                    shift=shift,
                    reservist=reservist,
                    start=shift.start,
                    end=shift.end,
                    status="completed",
                    hours_worked=Decimal("8"),
                    hours_confirmed_at=shift.end + timedelta(hours=1),
                )
            elif offset == 6:
                Assignment.objects.create(
                    shift=shift, reservist=reservist, start=shift.start, end=shift.end
                )
    shift = req.shifts.filter(start__gt=timezone.now()).exclude(assignments__reservist=reservist)
    shift = shift.order_by("start").first()
    if shift is not None:
        hours = getattr(settings, "NZR_INVITATION_HOURS", 12)
        invitation, created = Invitation.objects.get_or_create(
            shift=shift,
            reservist=reservist,
            defaults={"expires_at": min(timezone.now() + timedelta(hours=hours), shift.start)},
        )
        if not created and invitation.status == Invitation.Status.PENDING:
            invitation.expires_at = min(timezone.now() + timedelta(hours=hours), shift.start)
            invitation.save(update_fields=["expires_at"])


@transaction.atomic
def load(users) -> None:
    rng = random.Random(2021)  # noqa: S311 - demo data
    crisis = Crisis.objects.filter(active=True).order_by("created_at").first()
    if crisis is None:
        crisis = Crisis.objects.create(
            name="COVID-19 (demo)", kind="pandemic", phase="warm", active=True
        )
    steps = list(LadderStep.objects.filter(active=True, before_reserve=True).order_by("order"))
    orgs = _organisations(users)
    demo_user = users.get(RESERVIST_EMAIL)
    exclude = [demo_user.reservist.pk] if demo_user and hasattr(demo_user, "reservist") else []
    planner = _Planner(exclude)
    base = users.get("_organisations", {})
    for n, spec in enumerate(REQUESTS, start=1):
        if DeploymentRequest.objects.filter(description__endswith=f"(demo #{n})").exists():
            continue
        key = spec[0]
        org = base.get(key) if isinstance(key, str) else orgs[key]
        if org is None:
            continue
        _create_request(n, org, spec, crisis, steps, planner, users, rng)
    _demo_reservist_shifts(users, orgs, crisis, steps)
