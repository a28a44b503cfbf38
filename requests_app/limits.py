"""How large a request may be: the one place for the web form, the API and the services.

A request asks for at most ``MAX_SHIFTS_PER_REQUEST`` shifts, all starting within
``MAX_REQUEST_DAYS`` consecutive days, each for at most ``MAX_PLACES_PER_SHIFT``
reservists. The web form's fields take their bounds from here, the API's serializer
refuses a larger request before it looks at each shift, and the services check the
request as a whole (the shifts it has plus the ones being added), so that no way in
(web, API, admin, a script) makes a request of 15,000 shifts whose page no one can load.

Why these figures: the form always offered 1 to 100 reservists per shift and a repeat of
at most 31 days; a month of eight shifts a day (three services for two or three
profiles) is about 250 shifts. A larger need is several requests. Each figure can be set
in the settings (``NZR_MAX_PLACES_PER_SHIFT``, ``NZR_MAX_SHIFTS_PER_REQUEST``,
``NZR_MAX_REQUEST_DAYS``).
"""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

MAX_PLACES_PER_SHIFT = getattr(settings, "NZR_MAX_PLACES_PER_SHIFT", 100)
MAX_SHIFTS_PER_REQUEST = getattr(settings, "NZR_MAX_SHIFTS_PER_REQUEST", 250)
MAX_REQUEST_DAYS = getattr(settings, "NZR_MAX_REQUEST_DAYS", 31)


def places_problem(count) -> str | None:
    """Why ``count`` reservists is too many for one shift (None: it is not)."""
    if isinstance(count, int) and count > MAX_PLACES_PER_SHIFT:
        return _("Ask for at most %(max)d reservists per shift.") % {"max": MAX_PLACES_PER_SHIFT}
    return None


def too_many_shifts(n: int) -> str | None:
    """Why ``n`` shifts are too many for one request (None: they are not)."""
    if n > MAX_SHIFTS_PER_REQUEST:
        return _(
            "A request has at most %(max)d shifts; this one would have %(n)d. "
            "Split it into several requests."
        ) % {"max": MAX_SHIFTS_PER_REQUEST, "n": n}
    return None


def shift_set_problems(starts) -> list[str]:
    """What is wrong with a request's shifts taken together, given the start of each
    (live) shift: too many of them, or spread over more than ``MAX_REQUEST_DAYS`` days
    (counted in local dates, first and last day included)."""
    starts = list(starts)
    problems = [p for p in [too_many_shifts(len(starts))] if p]
    days = sorted({timezone.localtime(s).date() for s in starts if s is not None})
    if days and (days[-1] - days[0]).days + 1 > MAX_REQUEST_DAYS:
        problems.append(
            _(
                "The shifts of a request start within %(max)d days; these run from "
                "%(first)s to %(last)s. Split it into several requests."
            )
            % {
                "max": MAX_REQUEST_DAYS,
                "first": days[0].strftime("%d-%m-%Y"),
                "last": days[-1].strftime("%d-%m-%Y"),
            }
        )
    return problems
