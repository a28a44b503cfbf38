"""The escalation app's domain errors (derived from accounts.errors).

- ``LadderError``: a request to the reserve does not attest the escalation
  ladder properly (400, field "ladder"); carries one message per step.
- ``EscalationError`` tree: conflicts of state of an escalation (409) or a
  forbidden action (403).
- ``FactsError`` tree: the fact-finding rules of ``escalation.facts`` refuse a mission
  date or a decision (400, field "planned_on" or "decision"); carries every reason.
- ``CrisisError`` tree: conflicts of state of a crisis (409).
"""

from accounts.errors import ConflictError, DomainError, NotAllowedError


class LadderError(DomainError):
    """One or more ladder steps are missing or invalid.

    ``messages``: one plain-language message per failing step, in ladder order.
    ``by_step``: step code -> message (unknown codes keyed by the code given).
    """

    field = "ladder"
    code = "ladder"

    def __init__(self, messages: list[str], by_step: dict[str, str] | None = None):
        self.messages = list(messages)
        self.by_step = dict(by_step or {})
        super().__init__(" ".join(str(m) for m in self.messages), field="ladder")


class LadderStepError(DomainError):
    """Raised by one checker for one step; collected by ``validate_ladder``."""

    field = "ladder"

    def __init__(self, code: str, message: str):
        self.step_code = code
        super().__init__(message, field="ladder")


class EscalationError(ConflictError):
    """A conflict of state of an escalation (409)."""


class EscalationAlreadyOpenError(EscalationError):
    code = "escalation_open"


class EscalationClosedError(EscalationError):
    code = "escalation_closed"


class FactRuleError(DomainError):
    """Raised by one checker of ``escalation.facts``; the collectors gather them."""


class FactsError(DomainError):
    """The recorded facts do not allow this (400); ``messages``: one reason per rule."""

    def __init__(self, messages: list[str]):
        self.messages = [str(m) for m in messages]
        super().__init__(" ".join(self.messages))


class FactFindingRequiredError(FactsError):
    """The triangle may not take this decision on the mission recorded so far."""

    field = "decision"
    code = "fact_finding_required"


class MissionDateError(FactsError):
    """The mission date is not possible (before the escalation was opened)."""

    field = "planned_on"
    code = "mission_date"


class EscalationNotAllowedError(NotAllowedError):
    code = "escalation_forbidden"


class InvalidNZRMemberError(DomainError):
    field = "nzr_member"
    code = "nzr_member"


class CrisisError(ConflictError):
    """A conflict of state of a crisis (409)."""


class CrisisAlreadyActiveError(CrisisError):
    code = "crisis_active"


class CrisisNotActiveError(CrisisError):
    code = "crisis_not_active"


class CrisisNotAllowedError(NotAllowedError):
    code = "crisis_forbidden"
