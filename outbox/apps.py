from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    name = "outbox"
    verbose_name = _("Task outbox")

    def ready(self):
        # nzr/celery.py merges the BEAT_SCHEDULE of a fixed list of apps that does
        # not name "outbox"; add the relay's schedule when the Celery app finalizes.
        from celery import current_app

        def _add_relay_schedule(sender, **kwargs):
            from outbox.tasks import BEAT_SCHEDULE

            sender.conf.beat_schedule.update(BEAT_SCHEDULE)

        current_app.on_after_finalize.connect(_add_relay_schedule, weak=False)
