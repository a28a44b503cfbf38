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


def on_supply_changed(sender, reservist_id=None, **kwargs):
    """A reservist may fit more shifts: re-match them after the commit (an outbox row in
    the sender's transaction, so a rolled-back change re-matches nobody)."""
    if reservist_id is None:
        return
    from nzr.tasks import enqueue
    from requests_app import tasks

    enqueue(tasks.rematch_reservist, int(reservist_id))


def on_crisis_deactivated(sender, crisis=None, actor=None, reason="", **kwargs):
    """A deactivated crisis: its open shifts stop being matched, invitations withdrawn."""
    from requests_app.services.winding_down import wind_down_crisis

    if crisis is not None:
        wind_down_crisis(crisis, reason, actor=actor)


def connect() -> bool:
    from registry.signals import supply_changed

    supply_changed.connect(on_supply_changed, dispatch_uid="requests_app.on_supply_changed")
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
    from escalation.signals import crisis_deactivated

    crisis_deactivated.connect(
        on_crisis_deactivated, dispatch_uid="requests_app.on_crisis_deactivated"
    )
    return True
