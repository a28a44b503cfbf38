"""Signals of the escalation app (higher apps connect receivers in their AppConfig.ready()).

``escalation_decided``: sent inside the decision's transaction, after the
escalation is saved, with ``sender=Escalation``, ``escalation=``,
``decision=`` ("approved" | "rejected" | "referred_back") and ``actor=``.
The requests app updates the request (e.g. referred back -> approved again).


``escalation_opened``: sent inside the transaction that opened an escalation,
with ``sender=Escalation``, ``escalation=``, ``source=`` ("coordinator" |
"system") and ``actor=`` (None for the system). The requests app may set
the request's status to "escalated" when the system flagged it.

``crisis_deactivated``: sent inside the transaction that deactivated a crisis, with
``sender=Crisis``, ``crisis=``, ``actor=`` and ``reason=``. The requests app stops
matching its shifts and withdraws their pending invitations.
"""

from django.dispatch import Signal

escalation_decided = Signal()
escalation_opened = Signal()
crisis_deactivated = Signal()
