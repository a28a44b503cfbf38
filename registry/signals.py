"""Signals of the register (higher apps connect receivers in their AppConfig.ready()).

``supply_changed``: sent inside the transaction of a change that may make a reservist
eligible for more shifts (availability added, an absence removed, vetting passed,
training recorded, a booking cancelled), with ``reservist_id=``. The requests app
re-matches the reservist against open shifts (through the outbox, after the commit).
"""

from django.dispatch import Signal

supply_changed = Signal()
