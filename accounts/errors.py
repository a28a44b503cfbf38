"""The root of the domain-error trees. Each app derives its own errors from these.

A ``DomainError`` becomes a field error (400 in the API, an error next to the
field in a form); a ``ConflictError`` is a conflict of state (409 in the API).
"""


class DomainError(Exception):
    code = "invalid"
    field: str | None = None

    def __init__(self, message: str = "", *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        if field is not None:
            self.field = field
        if code is not None:
            self.code = code


class ConflictError(DomainError):
    code = "conflict"


class NotAllowedError(DomainError):
    """The acting user may not do this (403)."""

    code = "forbidden"
