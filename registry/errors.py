"""The register's domain errors (a DomainError becomes a 400 field error / form error)."""

from accounts.errors import ConflictError, DomainError


class RegistryError(DomainError):
    pass


class ActivationRefused(RegistryError):
    """Moving to "active" was refused by one or more activation guards."""

    field = "status"
    code = "activation_refused"

    def __init__(self, reasons: list[str]):
        self.reasons = list(reasons)
        super().__init__(" ".join(self.reasons))


class InvalidTransition(RegistryError):
    field = "status"
    code = "invalid_transition"


class PeriodError(RegistryError):
    """An inverted or overlapping availability period."""

    field = "end"
    code = "period"


class AlreadyLeft(ConflictError):
    code = "left"
