"""Keep the stored expiry of training records current (``training.expiry``).

- a reservist saved (their ring may have changed): their records, at once (a few rows);
- a course or a ring's requirement saved or deleted: that course's records, after the
  commit, in a task (they may be many).
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from registry.models import Reservist
from training import expiry
from training.models import Course, CourseRequirement


def reservist_saved(sender, instance, update_fields=None, raw=False, **kwargs):
    if raw or (update_fields is not None and "ring" not in update_fields):
        return
    expiry.refresh_reservist(instance.pk)


def course_table_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    from training.tasks import refresh_course_expiry

    course_id = instance.pk if isinstance(instance, Course) else instance.course_id
    transaction.on_commit(lambda: refresh_course_expiry.delay(course_id))


def connect():
    post_save.connect(reservist_saved, sender=Reservist, dispatch_uid="training-ring-expiry")
    for model in (Course, CourseRequirement):
        post_save.connect(
            course_table_changed, sender=model, dispatch_uid=f"training-{model.__name__}"
        )
        post_delete.connect(
            course_table_changed, sender=model, dispatch_uid=f"training-del-{model.__name__}"
        )
