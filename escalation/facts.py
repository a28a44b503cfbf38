"""The triangle decides on its facts: the rules for the fact-finding mission and the decision.

Small checkers over one plain ``Mission`` value, each raising ``FactRuleError`` with
one sentence, and collectors that run them all and gather every failure (the shape
of ``escalation.ladder``):

- ``planning_problems``: a mission may not be dated before the escalation was opened
  (there was nothing to look into yet). Planning a date in the future is fine.
- ``decision_problems``: the triangle approves military support only on its facts:
  the mission took place (its date is today or earlier, not before the escalation
  was opened), an NZR member took part and its report is written.
  Rejecting or referring back to the reserve commits nobody, so it needs no mission:
  the triangle may refuse on the request alone (for example, the reserve can still
  fill it); for those decisions no checker runs.

``escalation.services.plan_fact_finding`` and ``decide`` run the collectors under the
escalation's row lock; the admin form runs the same collectors on the values it is
about to save, so its errors stand next to the fields (the service checks again).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from escalation.errors import FactRuleError
from escalation.models import Escalation


@dataclass(frozen=True)
class Mission:
    """What is (or is about to be) recorded of an escalation's fact-finding mission."""

    opened_on: date
    planned_on: date | None
    nzr_member_id: int | None
    report: str

    @classmethod
    def of(cls, escalation: Escalation, **changes) -> Mission:
        """The mission as stored on ``escalation``, with ``changes`` (proposed values) applied."""
        values = {
            "opened_on": timezone.localdate(escalation.opened_at),
            "planned_on": escalation.fact_finding_planned_on,
            "nzr_member_id": escalation.fact_finding_nzr_member_id,
            "report": escalation.fact_finding_report or "",
        }
        values.update(changes)
        values["report"] = values["report"] or ""
        return cls(**values)


Checker = Callable[[Mission, date], None]


def _fmt(day: date) -> str:
    return date_format(day, "j F Y")


def check_mission_recorded(mission: Mission, today: date) -> None:
    if mission.planned_on is None:
        raise FactRuleError(
            _(
                "No fact-finding mission has been recorded. The triangle approves military "
                "support only after the mission has taken place."
            )
        )


def check_mission_not_before_opening(mission: Mission, today: date) -> None:
    if mission.planned_on is not None and mission.planned_on < mission.opened_on:
        raise FactRuleError(
            _(
                "The mission date %(date)s is before the escalation was opened (%(opened)s); "
                "give the date of a mission after the escalation."
            )
            % {"date": _fmt(mission.planned_on), "opened": _fmt(mission.opened_on)}
        )


def check_mission_held(mission: Mission, today: date) -> None:
    if mission.planned_on is not None and mission.planned_on > today:
        raise FactRuleError(
            _(
                "The fact-finding mission is planned for %(date)s and has not taken place yet; "
                "approve after the mission."
            )
            % {"date": _fmt(mission.planned_on)}
        )


def check_nzr_member_took_part(mission: Mission, today: date) -> None:
    if mission.planned_on is not None and mission.nzr_member_id is None:
        raise FactRuleError(_("Record the NZR member who took part in the fact-finding mission."))


def check_report_written(mission: Mission, today: date) -> None:
    if mission.planned_on is not None and not mission.report.strip():
        raise FactRuleError(_("Add the written report of the fact-finding mission."))


PLANNING_CHECKERS: list[Checker] = [check_mission_not_before_opening]

APPROVAL_CHECKERS: list[Checker] = [
    check_mission_recorded,
    check_mission_not_before_opening,
    check_mission_held,
    check_nzr_member_took_part,
    check_report_written,
]

# Which checkers a decision must pass; a decision not listed needs no mission.
DECISION_CHECKERS: dict[str, list[Checker]] = {
    Escalation.Decision.APPROVED: APPROVAL_CHECKERS,
}


def _collect(checkers: list[Checker], mission: Mission, today: date) -> list[str]:
    problems = []
    for checker in checkers:
        try:
            checker(mission, today)
        except FactRuleError as exc:
            problems.append(str(exc))
    return problems


def planning_problems(mission: Mission, *, today: date | None = None) -> list[str]:
    """Why the mission cannot be recorded like this (empty: it can)."""
    return _collect(PLANNING_CHECKERS, mission, today or timezone.localdate())


def decision_problems(mission: Mission, decision: str, *, today: date | None = None) -> list[str]:
    """Why the triangle cannot take ``decision`` on this mission yet (empty: it can)."""
    checkers = DECISION_CHECKERS.get(decision, [])
    return _collect(checkers, mission, today or timezone.localdate())
