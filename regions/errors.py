"""Domain errors of the regional execution cores."""

from accounts.errors import ConflictError, DomainError


class RegionsError(DomainError):
    pass


class VettingError(RegionsError):
    pass


class CandidateError(RegionsError):
    pass


class CandidateClosedError(ConflictError):
    code = "candidate_closed"


class DuplicateError(ConflictError):
    code = "duplicate"


class ImportRefused(RegionsError):
    code = "import_refused"
    field = "file"
