"""Publish outbox messages that the broker missed (after an outage)."""

from datetime import timedelta

from django.core.management.base import BaseCommand

from outbox.models import OutboxMessage
from outbox.relay import relay_pending


class Command(BaseCommand):
    help = (
        "Publish pending outbox messages to Celery (run after a broker outage; beat runs it too)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=200)
        parser.add_argument(
            "--min-age", type=float, default=0, help="only messages older than this (seconds)"
        )
        parser.add_argument("--queue", default=None, help="publish to this queue instead")

    def handle(self, *args, batch_size, min_age, queue, **options):
        count = relay_pending(
            batch_size=batch_size, min_age=timedelta(seconds=min_age), queue=queue
        )
        left = OutboxMessage.objects.pending().count()
        self.stdout.write(f"published {count}; still pending {left}")
