"""When a training record expires: the repeat interval of the reservist's ring.

The CNO's advice sets per ring how often a course is repeated; that table is data
(``CourseRequirement.repeat_months`` on a ring's row). A ring without its own interval
falls back to the course's single validity. The expiry is stored on the record
(``expires_on``), so that deployability, reminders and the figures read one column;
``refresh_expiry`` keeps it current when a reservist's ring or the table changes.
"""

from dateutil.relativedelta import relativedelta

BATCH = 2000


def resolve_months(ring_months, course_months):
    """The rule, in one place: the ring's interval when it has one, else the course's
    (None: the course does not expire)."""
    return ring_months or course_months or None


def expiry_after(completed_on, months):
    return None if not months else completed_on + relativedelta(months=months)


def interval_table(course_ids=None):
    """(ring intervals by (course id, ring), course validity by course id)."""
    from training.models import Course, CourseRequirement

    requirements = CourseRequirement.objects.filter(
        profile__isnull=True, ring__isnull=False, repeat_months__isnull=False
    )
    courses = Course.objects.all()
    if course_ids is not None:
        requirements = requirements.filter(course_id__in=course_ids)
        courses = courses.filter(pk__in=course_ids)
    ring_months = {
        (course_id, ring): months
        for course_id, ring, months in requirements.values_list(
            "course_id", "ring", "repeat_months"
        )
    }
    return ring_months, dict(courses.values_list("pk", "validity_months"))


def refresh_expiry(records) -> int:
    """Recompute ``expires_on`` of ``records`` (a TrainingRecord queryset) from the
    current table; writes only the rows whose expiry changes. Returns that number."""
    from training.models import TrainingRecord

    rows = list(
        records.order_by().values_list(
            "pk", "course_id", "completed_on", "expires_on", "reservist__ring"
        )
    )
    if not rows:
        return 0
    ring_months, course_months = interval_table({row[1] for row in rows})
    changed = []
    for pk, course_id, completed_on, expires_on, ring in rows:
        months = resolve_months(ring_months.get((course_id, ring)), course_months.get(course_id))
        new = expiry_after(completed_on, months)
        if new != expires_on:
            changed.append(TrainingRecord(pk=pk, expires_on=new))
    TrainingRecord.objects.bulk_update(changed, ["expires_on"], batch_size=BATCH)
    return len(changed)


def refresh_course(course_id) -> int:
    from training.models import TrainingRecord

    return refresh_expiry(TrainingRecord.objects.filter(course_id=course_id))


def refresh_reservist(reservist_id) -> int:
    from training.models import TrainingRecord

    return refresh_expiry(TrainingRecord.objects.filter(reservist_id=reservist_id))
