"""Reacting to the escalation app (which cannot import us): its signal, our receiver."""

import logging

logger = logging.getLogger(__name__)


def on_escalation_decided(sender, escalation=None, decision=None, actor=None, **kwargs):
    from requests_app.services.requests import escalation_decided

    request = getattr(escalation, "request", None)
    if request is None:
        return
    escalation_decided(
        request, str(decision or ""), actor=actor, reason=getattr(escalation, "reason", "") or ""
    )


def on_escalation_opened(sender, escalation=None, source=None, actor=None, **kwargs):
    """Escalations the system opens (unfilled shortly before start) escalate the request too;
    escalations opened through ``escalate_request`` already did."""
    if source != "system" or getattr(escalation, "request", None) is None:
        return
    from requests_app.services.requests import escalation_opened_by_system

    escalation_opened_by_system(escalation.request, reason=getattr(escalation, "reason", "") or "")


def connect() -> bool:
    try:
        from escalation.signals import escalation_decided
    except ImportError:  # the escalation app does not provide the signal (yet)
        logger.warning("escalation.signals.escalation_decided missing: receiver not connected")
        return False
    escalation_decided.connect(
        on_escalation_decided, dispatch_uid="requests_app.on_escalation_decided"
    )
    from escalation.signals import escalation_opened

    escalation_opened.connect(
        on_escalation_opened, dispatch_uid="requests_app.on_escalation_opened"
    )
    return True
