"""Bulk builders for the query-count tests: many rows in a few INSERTs, straight in the
database (set-up, not the behaviour under test). Each returns the rows it made."""

from datetime import timedelta
from itertools import count

from django.utils import timezone

from accounts.models import User
from escalation.models import Crisis, Escalation, LadderStep
from registry.models import Availability, Profession, Profile, Region, Reservist
from requests_app.models import (
    Assignment,
    CareOrganisation,
    DeploymentRequest,
    Invitation,
    LadderAttestation,
    Shift,
)
from training.models import Course, TrainingRecord

_serial = count(1)


def serial() -> int:
    """A number no other row of this test process has used (unique codes and e-mails)."""
    return next(_serial)


def users(n: int, **fields) -> list[User]:
    made = []
    for _ in range(n):
        i = serial()
        made.append(
            User(email=f"bulk{i}@example.org", first_name="Bulk", last_name=f"Gebruiker {i}")
        )
        for name, value in fields.items():
            setattr(made[-1], name, value)
    return User.objects.bulk_create(made)


def actors(user, n: int) -> list[User]:
    """Who did each of ``n`` things: ``user``, and new users in between (so that a list
    showing who did it needs each of them)."""
    others = iter(users(n // 2))
    return [next(others) if i % 2 else user for i in range(n)]


def reservists(n: int, *, home="VR09", with_users=False, **fields) -> list[Reservist]:
    """Active ring-1 nurses of ``home`` (as ``ReservistFactory`` makes them)."""
    region = Region.objects.get(code=home)
    nurse = Profession.objects.get(code="verpleegkundige")
    accounts = users(n) if with_users else [None] * n
    today = timezone.localdate()
    made = []
    for user in accounts:
        i = serial()
        values = dict(
            user=user,
            first_name="Anna",
            last_name=f"Reservist {i:05d}",
            phone="0612345678",
            postcode="3511 AB",
            home_region=region,
            profession=nurse,
            big_number="19012345601",
            big_valid_until=today + timedelta(days=900),
            level="hbo",
            ring=1,
            readiness="24h",
            status=Reservist.Status.ACTIVE,
            sectors=["hospital", "vvt"],
            consent_at=timezone.now(),
        )
        values.update(fields)
        made.append(Reservist(**values))
    return Reservist.objects.bulk_create(made)


def deployable_reservists(
    n: int, *, profiles=("verzorgende",), regions=("VR09",), home="VR09"
) -> list[Reservist]:
    """What ``tests.requests_app.factories.make_candidate`` makes, ``n`` at a time: active,
    trained in every course, available for the coming two months, with the profiles and
    willing to work in the regions."""
    made = reservists(n, home=home)
    profile_rows = list(Profile.objects.filter(code__in=profiles))
    region_rows = list(Region.objects.filter(code__in=regions))
    Reservist.profiles.through.objects.bulk_create(
        [Reservist.profiles.through(reservist=r, profile=p) for r in made for p in profile_rows]
    )
    Reservist.regions.through.objects.bulk_create(
        [Reservist.regions.through(reservist=r, region=g) for r in made for g in region_rows]
    )
    done = timezone.localdate() - timedelta(days=30)
    courses = list(Course.objects.all())
    TrainingRecord.objects.bulk_create(
        [
            TrainingRecord(reservist=r, course=c, completed_on=done, expires_on=c.expiry_for(done))
            for r in made
            for c in courses
        ]
    )
    now = timezone.now()
    Availability.objects.bulk_create(
        [
            Availability(reservist=r, start=now - timedelta(days=30), end=now + timedelta(days=60))
            for r in made
        ]
    )
    return made


def organisations(n: int, *, region="VR09", **fields) -> list[CareOrganisation]:
    area = Region.objects.get(code=region)
    made = []
    for _ in range(n):
        i = serial()
        values = dict(
            name=f"Zorginstelling bulk {i:05d}",
            kvk=f"{40000000 + i}",
            agb=f"{20000000 + i}",
            sector="vvt",
            postcode="3511 AB",
            region=area,
            status=CareOrganisation.Status.APPROVED,
        )
        values.update(fields)
        made.append(CareOrganisation(**values))
    return CareOrganisation.objects.bulk_create(made)


def _day(days: int, hour: int):
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(timezone.datetime(day.year, day.month, day.day, hour))


def requests(
    organisation,
    n: int,
    *,
    status="approved",
    shifts=1,
    ladder=False,
    crisis=None,
    category="individual",
    profile="verzorgende",
    first_day=2,
) -> list[DeploymentRequest]:
    """``n`` requests of ``organisation``, each with ``shifts`` shifts of two places (the
    i-th shift of a request on day ``first_day + i``) and, with ``ladder``, every step of
    the escalation ladder attested."""
    now = timezone.now()
    made = DeploymentRequest.objects.bulk_create(
        [
            DeploymentRequest(
                organisation=organisation,
                category=category,
                status=status,
                crisis=crisis,
                postcode=organisation.postcode,
                region_id=organisation.region_id,
                description="Uitval door ziekte op twee afdelingen.",
                submitted_at=None if status == "draft" else now - timedelta(hours=2),
                approved_at=now - timedelta(hours=1) if status in ("approved", "filled") else None,
            )
            for _ in range(n)
        ]
    )
    the_profile = Profile.objects.get(code=profile)
    Shift.objects.bulk_create(
        [
            Shift(
                request=r,
                profile=the_profile,
                start=_day(first_day + i, 7),
                end=_day(first_day + i, 15),
                count=2,
            )
            for r in made
            for i in range(shifts)
        ]
    )
    if ladder:
        steps = list(LadderStep.objects.filter(active=True, before_reserve=True))
        taken_on = timezone.localdate() - timedelta(days=3)
        LadderAttestation.objects.bulk_create(
            [
                LadderAttestation(request=r, step=s, taken_on=taken_on, evidence=f"Gedaan: {s}")
                for r in made
                for s in steps
            ]
        )
    return made


def shifts(request, n: int, *, profile="verzorgende", first_day=2, every=1, count=2) -> list[Shift]:
    """``n`` shifts of ``request`` (07:00-15:00), one every ``every`` days from ``first_day``."""
    the_profile = Profile.objects.get(code=profile)
    return Shift.objects.bulk_create(
        [
            Shift(
                request=request,
                profile=the_profile,
                start=_day(first_day + every * i, 7),
                end=_day(first_day + every * i, 15),
                count=count,
            )
            for i in range(n)
        ]
    )


def _each(shift_rows, reservist):
    """(shift, reservist) pairs: one reservist for every shift, or a list, one per shift."""
    shift_rows = list(shift_rows)
    people = reservist if isinstance(reservist, list) else [reservist] * len(shift_rows)
    return zip(shift_rows, people, strict=True)


def invitations(shift_rows, reservist, **fields) -> list[Invitation]:
    """An invitation to each shift, for ``reservist`` (or a list of them, one per shift)."""
    expires = timezone.now() + timedelta(hours=12)
    return Invitation.objects.bulk_create(
        [
            Invitation(shift=s, reservist=r, expires_at=expires, **fields)
            for s, r in _each(shift_rows, reservist)
        ]
    )


def assignments(shift_rows, reservist, *, status="confirmed") -> list[Assignment]:
    """A booking on each shift, of ``reservist`` (or a list of them, one per shift)."""
    return Assignment.objects.bulk_create(
        [
            Assignment(shift=s, reservist=r, status=status, start=s.start, end=s.end)
            for s, r in _each(shift_rows, reservist)
        ]
    )


def crises(n: int, *, regions=("VR09", "VR13"), **fields) -> list[Crisis]:
    made = Crisis.objects.bulk_create(
        [Crisis(name=f"Crisis bulk {serial():05d}", kind="pandemic", **fields) for _ in range(n)]
    )
    region_rows = list(Region.objects.filter(code__in=regions))
    Crisis.regions.through.objects.bulk_create(
        [Crisis.regions.through(crisis=c, region=g) for c in made for g in region_rows]
    )
    return made


def escalations(request_rows, *, nzr_member=None, opened_by=None) -> list[Escalation]:
    today = timezone.localdate()
    return Escalation.objects.bulk_create(
        [
            Escalation(
                request=r,
                reason="De reserve kan dit niet vullen.",
                opened_by=opened_by,
                status=Escalation.Status.FACT_FINDING if nzr_member else Escalation.Status.OPEN,
                fact_finding_planned_on=today + timedelta(days=1) if nzr_member else None,
                fact_finding_nzr_member=nzr_member,
            )
            for r in request_rows
        ]
    )
