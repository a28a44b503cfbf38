"""Signals of the escalation app (higher apps connect receivers in their AppConfig.ready()).

``escalation_decided``: sent inside the decision's transaction, after the
escalation is saved, with ``sender=Escalation``, ``escalation=``,
``decision=`` ("approved" | "rejected" | "referred_back") and ``actor=``.
The requests app updates the request (e.g. referred back -> approved again).
"""

from django.dispatch import Signal

escalation_decided = Signal()
