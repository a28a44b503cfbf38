"""Demo training data: records for the demo reservists and a few sessions (idempotent)."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from registry.models import Region, Reservist
from training.models import (
    Course,
    CourseRequirement,
    SessionSignup,
    TrainingRecord,
    TrainingSession,
)

# (region, course, days ahead, hour, place, trainer, capacity)
SESSIONS = [
    ("VR09", "bls", 10, 9, "Zorgcampus Utrecht, Heidelberglaan 7", "J. de Boer", 12),
    ("VR09", "infectiepreventie", 20, 13, "GGD regio Utrecht, Zeist", "M. Hendriks", 8),
    ("VR13", "bls", 14, 9, "OLVG Oost, Amsterdam", "S. Kaya", 10),
    ("VR13", "vaccineren", 24, 10, "GGD Amsterdam, Nieuwe Achtergracht 100", "P. Visser", 15),
]


def _required_courses(reservist):
    ring_ids = set(
        CourseRequirement.objects.filter(ring=reservist.ring, profile__isnull=True).values_list(
            "course_id", flat=True
        )
    )
    profile_ids = set(
        CourseRequirement.objects.filter(profile__in=reservist.profiles.all())
        .filter(ring__isnull=True)
        .values_list("course_id", flat=True)
    )
    return Course.objects.filter(pk__in=ring_ids | profile_ids, active=True).order_by("code")


def load(users) -> dict:
    today = timezone.localdate()
    records = 0
    reservists = Reservist.objects.filter(
        status__in=["active", "paused", "vetting"], user__email__endswith="@demo.nzr.local"
    ).order_by("pk")
    for reservist in reservists:
        for i, course in enumerate(_required_courses(reservist)):
            if TrainingRecord.objects.filter(reservist=reservist, course=course).exists():
                continue
            # Spread over the year; every seventh reservist's BLS is about to expire.
            age = 20 + (reservist.pk * 37 + i * 53) % 300
            if course.code == "bls" and reservist.pk % 7 == 0:
                age = 360
            TrainingRecord.objects.create(
                reservist=reservist, course=course, completed_on=today - timedelta(days=age)
            )
            records += 1
    regions = {r.code: r for r in Region.objects.filter(code__in=["VR09", "VR13"])}
    coordinator = users.get("coordinator.vr09@demo.nzr.local")
    tz = timezone.get_current_timezone()
    sessions = 0
    for code, course_code, days, hour, place, trainer, capacity in SESSIONS:
        course = Course.objects.filter(code=course_code).first()
        if course is None:
            continue
        start = timezone.make_aware(datetime.combine(today + timedelta(days=days), time(hour)), tz)
        session, created = TrainingSession.objects.get_or_create(
            course=course,
            region=regions[code],
            place=place,
            defaults={
                "starts_at": start,
                "ends_at": start + timedelta(hours=3),
                "trainer": trainer,
                "capacity": capacity,
                "created_by": coordinator,
            },
        )
        sessions += created
    demo = Reservist.objects.filter(user__email="reservist@demo.nzr.local").first()
    first = TrainingSession.objects.filter(region=regions["VR09"], course__code="bls").first()
    if demo is not None and first is not None:
        SessionSignup.objects.get_or_create(session=first, reservist=demo)
    return {"training_records": records, "sessions": sessions}
