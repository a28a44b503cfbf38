"""The requests app's domain errors (one small tree, rooted in accounts.errors)."""

from django.utils.translation import gettext_lazy as _

from accounts.errors import ConflictError, DomainError, NotAllowedError


class RequestError(DomainError):
    """Bad input for a request, an organisation or a shift (400, next to the field)."""


class RequestStateError(ConflictError):
    """The request (or shift) is no longer in a state that allows this (409)."""

    code = "state"


class RequestNotAllowed(NotAllowedError):
    """The acting user may not do this (403)."""


class BookingError(ConflictError):
    """Signing up for a shift failed (409)."""

    code = "booking"


class ShiftFullError(BookingError):
    code = "full"

    def __init__(self, message=None, **kw):
        super().__init__(
            message
            or _(
                "This shift is already full: other reservists were just ahead of you. "
                "Thank you for answering so quickly."
            ),
            **kw,
        )


class ShiftNotOpenError(BookingError):
    """The shift is not open to this reservist (a 404 to a sign-up: it is not in their
    list of open shifts)."""

    code = "not_open"

    def __init__(self, message=None, **kw):
        super().__init__(message or _("This shift is not open to you."), **kw)


class BookingBusyError(BookingError):
    """A row the booking needs stayed locked longer than the lock timeout."""

    code = "busy"

    def __init__(self, message: str = "", **kwargs):
        super().__init__(
            message or _("This shift is being changed right now. Please try again in a moment."),
            **kwargs,
        )


class OverlapError(BookingError):
    code = "overlap"

    def __init__(self, message=None, **kw):
        super().__init__(
            message or _("You are already booked on a shift at the same time. You cannot do both."),
            **kw,
        )


class RestTimeError(BookingError):
    code = "rest"


class WorkingTimeError(BookingError):
    code = "working_time"


class InvitationClosedError(BookingError):
    code = "expired"

    def __init__(self, message=None, **kw):
        super().__init__(
            message
            or _("This invitation is no longer open: it has expired or the shift was cancelled."),
            **kw,
        )


class RequestInvalid(RequestError):
    """Several fields are wrong at once: ``errors`` maps field -> [messages].

    ``ladder_by_step`` maps a ladder step code to its message (for the web form).
    """

    def __init__(self, errors: dict, ladder_by_step: dict | None = None):
        first_field = next(iter(errors))
        super().__init__(errors[first_field][0], field=first_field)
        self.errors = errors
        self.ladder_by_step = ladder_by_step or {}


class CapacityBelowBookingsError(RequestStateError):
    """Fewer places than reservists already booked (409; next to the field in a form)."""

    code = "below_bookings"
    field = "count"
