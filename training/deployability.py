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


def condition(on, profile):
    """The database face of ``check``: one NOT EXISTS over the required courses.

    Deployable when no requirement applies (ring of the reservist without a
    profile; the profile asked, for any ring or the reservist's ring) whose active
    course has no record valid on ``on``.
    """
    return Q(~Exists(_missing(on, profile.pk if profile is not None else None)))


def _missing(on, profile_id):
    """The applicable requirements without a valid record, as a subquery over the outer
    reservist. Built fresh each time: a queryset with outer references must not be
    shared, as resolving it in one query binds its lookups to that query's aliases.
    (``deployable()`` compiles its SQL once per date and profile, ``nzr.precompiled``.)"""
    valid = TrainingRecord.objects.filter(
        Q(expires_on__isnull=True) | Q(expires_on__gt=on),
        reservist_id=OuterRef(OuterRef("pk")),
        course_id=OuterRef("course_id"),
        completed_on__lte=on,
    )
    applies = Q(profile__isnull=True, ring=OuterRef("ring"))
    if profile_id is not None:
        applies |= Q(profile_id=profile_id, ring__isnull=True) | Q(
            profile_id=profile_id, ring=OuterRef("ring")
        )
    return CourseRequirement.objects.filter(applies, course__active=True).filter(~Exists(valid))
