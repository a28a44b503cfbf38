"""Why nobody fits a shift: how many reservists remain after each step of eligibility,
where the pool runs dry, and what a coordinator can do about it."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from requests_app import eligibility

# What to do when a step leaves nobody (shown under the counts).
ADVICE = {
    "pool": _("There are no active reservists. Regions recruit and vet new reservists."),
    "profile": _(
        "Nobody in the reserve is cleared for this profile. Check whether another profile "
        "fits the work, or ask the national coordinator."
    ),
    "region": _(
        "Nobody with this profile is willing to work in this region and sector. Ask the "
        "coordinator of a neighbouring region, or widen the request's region."
    ),
    "deployable": _(
        "The reservists with this profile here are not deployable yet (vetting, "
        "registration or training). The region can finish their vetting or training."
    ),
    "available": _(
        "Nobody has said they are available at this time. A message or a crisis call to "
        "the region's reservists asks them."
    ),
    "free": _(
        "Everyone who fits is already booked at this time, or would work too many hours. "
        "Consider other times or escalate the request."
    ),
    "not_invited": _(
        "Everyone who fits has been invited already. Wait for their answers, or escalate "
        "the request for more help."
    ),
}


@dataclass(frozen=True)
class FunnelStep:
    code: str
    label: str
    remaining: int


@dataclass(frozen=True)
class Funnel:
    steps: list[FunnelStep]

    @property
    def dry(self) -> FunnelStep | None:
        """The first step that leaves nobody."""
        return next((step for step in self.steps if step.remaining == 0), None)

    @property
    def advice(self):
        return ADVICE[self.dry.code] if self.dry else None

    def as_dict(self) -> dict:
        return {
            "steps": [
                {"code": s.code, "label": str(s.label), "remaining": s.remaining}
                for s in self.steps
            ]
        }


def funnel(shift) -> Funnel:
    """The counts after each step, in order (one query per step: seven, whatever the data)."""
    return Funnel([FunnelStep(step.code, step.label, n) for step, n in eligibility.counts(shift)])
