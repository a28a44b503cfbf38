"""The escalation-ladder validator: one validator, small checkers (ephios style).

A request to the reserve must attest every active ladder step that comes
before the reserve (``before_reserve=True``): the date it was taken, what
was done and the result. ``validate_ladder`` runs every checker on every
step, collects all failures and raises one ``LadderError`` with one message
per failing step, naming the step in words the organisation understands.
The web form, the API and the admin all call it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from escalation.errors import LadderError, LadderStepError
from escalation.models import LadderStep


@dataclass
class Attestation:
    """One entry of a request's ladder, normalised."""

    code: str
    step: LadderStep | None
    taken_on: date | None
    taken_on_raw: object
    evidence: str


@dataclass(frozen=True)
class LadderContext:
    submitted_on: date
    today: date


# A checker looks at one required step and its attestation (or None) and
# raises LadderStepError with a fragment of text when something is wrong.
Checker = Callable[[LadderStep, Attestation | None, LadderContext], None]


def _fmt(day: date) -> str:
    return date_format(day, "j F Y")


def check_attested(step, entry, ctx):
    if entry is None:
        raise LadderStepError(
            step.code,
            _("not filled in. Say when you did this, what you did and what came of it."),
        )


def check_date_given(step, entry, ctx):
    if entry is not None and entry.taken_on is None:
        if entry.taken_on_raw in (None, ""):
            raise LadderStepError(step.code, _("the date you took this step is missing."))
        raise LadderStepError(
            step.code, _("the date is not a valid date (use day, month and year).")
        )


def check_date_not_in_future(step, entry, ctx):
    if entry is not None and entry.taken_on is not None and entry.taken_on > ctx.today:
        raise LadderStepError(
            step.code,
            _("the date %(date)s is in the future; fill in the date you actually took this step.")
            % {"date": _fmt(entry.taken_on)},
        )


def check_date_not_after_submission(step, entry, ctx):
    if (
        entry is not None
        and entry.taken_on is not None
        and entry.taken_on <= ctx.today
        and entry.taken_on > ctx.submitted_on
    ):
        raise LadderStepError(
            step.code,
            _(
                "the date %(date)s is after the request was submitted (%(submitted)s); a step "
                "must be taken before you ask the reserve."
            )
            % {"date": _fmt(entry.taken_on), "submitted": _fmt(ctx.submitted_on)},
        )


def check_evidence_given(step, entry, ctx):
    if entry is not None and not (entry.evidence or "").strip():
        raise LadderStepError(
            step.code, _("describe what you did and what came of it; this is empty.")
        )


CHECKERS: list[Checker] = [
    check_attested,
    check_date_given,
    check_date_not_in_future,
    check_date_not_after_submission,
    check_evidence_given,
]


def required_steps():
    """The active steps every request to the reserve must attest, in ladder order."""
    return list(LadderStep.objects.filter(active=True, before_reserve=True).order_by("order"))


def _as_date(value) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def _get(entry, key):
    if isinstance(entry, dict):
        return entry.get(key)
    return getattr(entry, key, None)


def _normalise(entries: Iterable, steps_by_code: dict[str, LadderStep]):
    """Returns (attestations by code, unknown codes, duplicate codes)."""
    by_code: dict[str, Attestation] = {}
    unknown: list[str] = []
    duplicates: list[str] = []
    for entry in entries or []:
        raw_step = _get(entry, "step")
        if isinstance(raw_step, LadderStep):
            code = raw_step.code
        elif hasattr(raw_step, "code"):
            code = str(raw_step.code)
        else:
            code = str(raw_step or "").strip()
        step = steps_by_code.get(code)
        if step is None:
            if code not in unknown:
                unknown.append(code)
            continue
        raw_date = _get(entry, "taken_on")
        attestation = Attestation(
            code=code,
            step=step,
            taken_on=_as_date(raw_date),
            taken_on_raw=raw_date,
            evidence=str(_get(entry, "evidence") or ""),
        )
        if code in by_code:
            if code not in duplicates:
                duplicates.append(code)
            continue
        by_code[code] = attestation
    return by_code, unknown, duplicates


def ladder_problems(entries, *, submitted_on: date | None = None, today: date | None = None):
    """All problems as an ordered dict ``code -> message`` (empty when the ladder is fine)."""
    today = today or timezone.localdate()
    submitted_on = _as_date(submitted_on) or today
    ctx = LadderContext(submitted_on=submitted_on, today=today)
    all_steps = {s.code: s for s in LadderStep.objects.filter(active=True)}
    by_code, unknown, duplicates = _normalise(entries, all_steps)

    problems: dict[str, str] = {}
    for step in sorted(all_steps.values(), key=lambda s: s.order):
        entry = by_code.get(step.code)
        if not step.before_reserve and (
            entry is None or (entry.taken_on_raw in (None, "") and not entry.evidence.strip())
        ):
            continue
        fragments = []
        for checker in CHECKERS:
            try:
                checker(step, entry, ctx)
            except LadderStepError as exc:
                fragments.append(str(exc))
                if entry is None:
                    break
        if step.code in duplicates:
            fragments.append(_("this step is filled in more than once; fill it in once."))
        if fragments:
            problems[step.code] = _("Step %(order)s “%(name)s”: %(problems)s") % {
                "order": step.order,
                "name": step.name,
                # The first fragment follows the colon in lower case; later ones start a sentence.
                "problems": " ".join(
                    [fragments[0]] + [f[:1].upper() + f[1:] for f in fragments[1:]]
                ),
            }
    for code in unknown:
        if code:
            problems[code] = _(
                "“%(code)s” is not a step of the escalation ladder; choose one of the listed steps."
            ) % {"code": code}
        else:
            problems[""] = _("A ladder entry does not say which step it is about.")
    return problems


def validate_ladder(entries, *, submitted_on: date | None = None) -> None:
    """Raise ``LadderError`` listing every missing or invalid step; return None when fine.

    ``entries``: list of ``{"step": LadderStep | code, "taken_on": date, "evidence": str}``.
    """
    problems = ladder_problems(entries, submitted_on=submitted_on)
    if problems:
        raise LadderError(list(problems.values()), by_step=problems)
