"""The "training" deployability checker: the courses required for the reservist's
ring and for the profile asked must be valid on the date (a record no longer
counts from its expiry date on). Registered in ``TrainingConfig.ready()``."""

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from training.models import CourseRequirement, TrainingRecord


def _requirements(ring, profile):
    """(course, ring-or-None) pairs that apply to ``ring`` and ``profile``."""
    q = Q(pk__in=[])
    if ring is not None:
        q |= Q(profile__isnull=True, ring=ring)
    if profile is not None:
        q |= Q(profile=profile, ring__isnull=True)
        if ring is not None:
            q |= Q(profile=profile, ring=ring)
    return (
        CourseRequirement.objects.filter(q, course__active=True)
        .select_related("course")
        .order_by("course__name")
    )


def _valid_record(on, course_id):
    return TrainingRecord.objects.filter(
        reservist_id=OuterRef("pk"), course_id=course_id, completed_on__lte=on
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gt=on))


def check(reservist, on, profile) -> list[str]:
    reasons = []
    seen = set()
    records = list(
        TrainingRecord.objects.filter(reservist=reservist, completed_on__lte=on).order_by(
            "-completed_on"
        )
    )
    for requirement in _requirements(reservist.ring, profile):
        course = requirement.course
        if course.pk in seen:
            continue
        seen.add(course.pk)
        mine = [r for r in records if r.course_id == course.pk]
        if any(r.expires_on is None or r.expires_on > on for r in mine):
            continue
        if mine:
            reasons.append(
                _("Training “%(course)s” expired on %(date)s.")
                % {"course": course.name, "date": mine[0].expires_on.strftime("%d-%m-%Y")}
            )
        else:
            reasons.append(
                _("Training “%(course)s” has not been completed.") % {"course": course.name}
            )
    return reasons


def filter(queryset, on, profile):  # noqa: A001 - the Checker's field name
    by_ring: dict[int, set[int]] = {}
    for_profile: list[tuple[int, int | None]] = []
    requirements = CourseRequirement.objects.filter(course__active=True)
    if profile is None:
        requirements = requirements.filter(profile__isnull=True)
    else:
        requirements = requirements.filter(Q(profile__isnull=True) | Q(profile=profile))
    for course_id, ring, profile_id in requirements.values_list("course_id", "ring", "profile_id"):
        if profile_id is None:
            by_ring.setdefault(ring, set()).add(course_id)
        else:
            for_profile.append((course_id, ring))
    for ring, course_ids in by_ring.items():
        condition = ~Q(ring=ring)
        has_all = Q()
        for course_id in sorted(course_ids):
            has_all &= Exists(_valid_record(on, course_id))
        queryset = queryset.filter(condition | has_all)
    for course_id, ring in for_profile:
        valid = Exists(_valid_record(on, course_id))
        if ring is None:
            queryset = queryset.filter(valid)
        else:
            queryset = queryset.filter(~Q(ring=ring) | valid)
    return queryset
