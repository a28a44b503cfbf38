"""Demo reservists: about 60 people spread over the regions (idempotent).

Keyed by e-mail address demo-reservist-N@demo.nzr.local; these accounts cannot
sign in (unusable password). reservist@demo.nzr.local is made by load_demo
itself and left alone here.
"""

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from accounts.models import Membership
from accounts.services import grant_membership
from registry.models import (
    Availability,
    Municipality,
    Profession,
    Profile,
    Region,
    Reservist,
    ReservistStatusChange,
    WeeklyAvailability,
    derive_ring,
)

COUNT = 60
DOMAIN = "demo.nzr.local"

FIRST = [
    "Anja", "Bert", "Carla", "Dirk", "Els", "Frank", "Gerda", "Hans", "Ingrid", "Jan",
    "Karin", "Luuk", "Marieke", "Noor", "Olga", "Paul", "Ria", "Sander", "Tineke", "Wim",
    "Yasmin", "Zeynep", "Fatma", "Kees", "Lotte", "Mohamed", "Nadia", "Rob", "Sanne", "Thijs",
]  # fmt: skip
LAST = [
    "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser",
    "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks",
    "van Leeuwen", "Dekker", "Brouwer", "Kaya", "El Idrissi", "Yilmaz", "Willems", "Hoekstra",
]  # fmt: skip

# Region weights: Utrecht and Amsterdam get most, others a few each.
REGIONS = ["VR09"] * 14 + ["VR13"] * 12 + ["VR25", "VR17", "VR15", "VR06", "VR22", "VR01"] * 6

# (profession code, level, student)
KINDS = [
    ("verpleegkundige", "hbo", False),
    ("verpleegkundige", "mbo4", False),
    ("verpleegkundige", "hbo", False),
    ("verzorgende-ig", "mbo3", False),
    ("helpende", "mbo2", False),
    ("student-verpleegkunde", "mbo4", True),
    ("arts", "", False),
    ("verpleegkundige", "mbo4", False),
]
STATUSES = ["active"] * 6 + ["vetting", "applied", "paused", "left"]


def big_number_for(n: int) -> str:
    """A BIG number with a valid check digit (position 2 is 9)."""
    body = f"{(n * 7919) % 10**9:09d}"
    weights = (6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(body, weights, strict=True)) + 9
    check = 11 - (total % 11)
    check = {11: 0, 10: 1}.get(check, check)
    return f"{check}9{body}"


def load(users) -> dict:
    from accounts.demo import demo_user

    rng = random.Random(2026)
    today = timezone.localdate()
    regions = {r.code: r for r in Region.objects.all()}
    municipalities = {}
    for m in Municipality.objects.valid_on().select_related("region").order_by("code"):
        municipalities.setdefault(m.region.code, []).append(m)
    professions = {p.code: p for p in Profession.objects.all()}
    profiles = list(Profile.objects.filter(active=True))
    created = 0
    for n in range(1, COUNT + 1):
        email = f"demo-reservist-{n}@{DOMAIN}"
        first, last = rng.choice(FIRST), rng.choice(LAST)
        home = REGIONS[(n - 1) % len(REGIONS)]
        prof_code, level, student = KINDS[n % len(KINDS)]
        status = STATUSES[n % len(STATUSES)]
        readiness = "24h" if n % 3 else "1w"
        municipality = rng.choice(municipalities[home])
        if Reservist.objects.filter(user__email=email).exists():
            continue
        user = demo_user(email, first, last)
        user.set_unusable_password()
        user.save(update_fields=["password"])
        profession = professions[prof_code]
        has_big = profession.big_registered and not student
        reservist = Reservist.objects.create(
            user=user,
            first_name=first,
            last_name=last,
            date_of_birth=date(1950 + n % 45, 1 + n % 12, 1 + n % 28),
            phone=f"06 {10000000 + n * 7331:08d}"[:11],
            postcode=f"{1000 + n * 37 % 8999} {'ABCDEFGH'[n % 8]}{'KLMNPRTV'[n % 8]}",
            municipality=municipality,
            home_region=regions[home],
            sectors=rng.sample(["hospital", "vvt", "disability", "ggd", "shelter"], 2),
            profession=profession,
            big_number=big_number_for(n) if has_big else "",
            big_valid_until=today + timedelta(days=rng.randint(-60, 5 * 365)) if has_big else None,
            level=level,
            is_student=student,
            ring=derive_ring(profession, level, student, has_big),
            readiness=readiness,
            status=status,
            consent_at=timezone.now(),
            availability_confirmed_on=today - timedelta(days=rng.randint(0, 500)),
            years_experience=rng.randint(1, 40),
            last_worked_in_care=today - timedelta(days=rng.randint(0, 3000)),
        )
        reservist.regions.set([regions[home]] + [regions[rng.choice(REGIONS)]])
        fitting = [p for p in profiles if not p.rings or reservist.ring in p.rings]
        reservist.profiles.set(rng.sample(fitting, min(2, len(fitting))))
        ReservistStatusChange.objects.create(
            reservist=reservist, from_status="", to_status="applied", reason="Signed up (demo)"
        )
        if status != "applied":
            ReservistStatusChange.objects.create(
                reservist=reservist, from_status="applied", to_status=status, reason="Demo data"
            )
        if status != "left":
            grant_membership(user, Membership.Role.RESERVIST)
        for weekday in rng.sample(range(7), 2):
            WeeklyAvailability.objects.create(
                reservist=reservist, weekday=weekday, start_time=time(8), end_time=time(17)
            )
        tz = timezone.get_current_timezone()
        start = timezone.make_aware(datetime.combine(today + timedelta(days=n % 10), time.min), tz)
        Availability.objects.create(
            reservist=reservist, start=start, end=start + timedelta(days=14), kind="available"
        )
        if n % 5 == 0:
            Availability.objects.create(
                reservist=reservist,
                start=start + timedelta(days=3),
                end=start + timedelta(days=6),
                kind="absent",
                note="Vakantie",
            )
        created += 1
    return {"reservists": created}
