"""A shift's ranked candidates as one user sees them: the web page and the API alike.

Who is named. A candidate's name is shown only to a user whose register holds that
reservist (``Reservist.objects.visible_to``): national staff see every name; a regional
coordinator sees the names of the reservists of their own region (home region). A
reservist of another region who is willing to work in the coordinator's region is in
the list too (the ranking and its reasons are the same for everyone), but without a
name: as "a reservist from VR13". So the list names nobody whose register page
(``/register/reservists/{id}/``, ``/api/v1/reservists/{id}/``) would answer 404.

Why not open their register page instead: a regional coordinator recruits, vets and
trains the reservists of their own region and sees that region only (docs/reliability.md,
"Field level"); deploying is national work. Invitations go out by themselves and the national
coordinator (who sees every name) assigns by hand; once a reservist is booked, the
request's page shows the organisation and the region's coordinator who is coming, with
a phone number. Before that, the name of someone else's reservist is not needed.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from registry.models import Reservist
from requests_app.matching import Ranked
from requests_app.models import Invitation


@dataclass(frozen=True)
class CandidateRow:
    """One line of the candidate list; ``name`` is None when it is not the user's to see."""

    position: int
    reservist: int
    name: str | None
    home_region: str | None
    readiness: str
    recent_deployments: int
    response_rate: float | None
    reasons: list[str]
    invitation: str | None


def candidate_rows(user, shift, ranked: list[Ranked]) -> list[CandidateRow]:
    """The rows of ``ranked`` (candidates of ``shift``) for ``user``, in two queries:
    the reservists' home regions and whether ``user`` may see each name, and the
    invitations already sent for the shift."""
    ids = [r.candidate.reservist_id for r in ranked]
    if not ids:
        return []
    in_register = Reservist.objects.visible_to(user).filter(pk=OuterRef("pk"))
    facts = {
        pk: (code, named)
        for pk, code, named in Reservist.objects.filter(pk__in=ids)
        .annotate(named=Exists(in_register))
        .values_list("pk", "home_region__code", "named")
    }
    invited = dict(
        Invitation.objects.filter(shift=shift, reservist_id__in=ids).values_list(
            "reservist_id", "status"
        )
    )
    rows = []
    for r in ranked:
        c = r.candidate
        code, named = facts.get(c.reservist_id, (None, False))
        rows.append(
            CandidateRow(
                position=r.position,
                reservist=c.reservist_id,
                name=c.name if named else None,
                home_region=code,
                readiness=c.readiness,
                recent_deployments=c.recent_deployments,
                response_rate=c.response_rate,
                reasons=r.reasons,
                invitation=invited.get(c.reservist_id),
            )
        )
    return rows
