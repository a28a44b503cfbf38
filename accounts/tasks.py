"""Account tasks. ``ping`` proves a worker reaches the database and the broker."""

import redis
from celery import shared_task
from django.conf import settings

from accounts.models import User


@shared_task(name="accounts.ping", acks_late=True)
def ping(user_id: int, reply_list: str) -> str:
    """Read a user and push their e-mail to a Redis list (health and worker test)."""
    email = User.objects.values_list("email", flat=True).get(pk=user_id)
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.rpush(reply_list, email)
    client.expire(reply_list, 300)
    return email
