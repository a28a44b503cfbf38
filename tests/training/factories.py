"""Helpers for training tests."""

from datetime import timedelta

from django.utils import timezone

from training.models import Course, CourseRequirement, TrainingRecord, TrainingSession


def ring_courses(ring: int):
    return Course.objects.filter(requirements__ring=ring, requirements__profile__isnull=True)


def train(reservist, completed_on=None, courses=None):
    """Give ``reservist`` a record of every course their ring requires (or ``courses``)."""
    completed_on = completed_on or timezone.localdate() - timedelta(days=30)
    courses = courses if courses is not None else ring_courses(reservist.ring)
    return [
        TrainingRecord.objects.create(reservist=reservist, course=c, completed_on=completed_on)
        for c in courses
    ]


def make_session(region=None, *, capacity=5, course="bls", days=7, **kwargs):
    start = timezone.now() + timedelta(days=days)
    return TrainingSession.objects.create(
        course=Course.objects.get(code=course),
        region=region,
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        place=kwargs.pop("place", "Zorgcampus Utrecht"),
        trainer=kwargs.pop("trainer", "J. de Boer"),
        capacity=capacity,
        **kwargs,
    )


__all__ = ["CourseRequirement", "make_session", "ring_courses", "train"]
