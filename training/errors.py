"""Domain errors of training (400 field errors, 409 conflicts)."""

from accounts.errors import ConflictError, DomainError


class TrainingError(DomainError):
    pass


class InvalidRecordError(TrainingError):
    pass


class SignupError(ConflictError):
    pass


class SessionFullError(SignupError):
    code = "session_full"


class SessionClosedError(SignupError):
    code = "session_closed"


class AlreadySignedUpError(SignupError):
    code = "already_signed_up"
