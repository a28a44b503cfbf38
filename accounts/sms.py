"""SMS behind one small interface; the default backend only logs."""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("nzr.sms")


class LogSMSBackend:
    sent: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", phone[:-4] + "****" if len(phone) > 4 else "****", text)
        self.sent.append((phone, text))


def send_sms(phone: str, text: str) -> None:
    if not phone:
        return
    import_string(settings.SMS_BACKEND)().send(phone, text)
