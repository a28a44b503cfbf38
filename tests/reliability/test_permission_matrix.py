"""Permission matrix: every implemented API endpoint x method x role -> expected status.

Objects belong to VR09 (reservist, organisation A, its request, shift, invitation and
assignment). Roles: anonymous, the reservist, another reservist (VR13), care org A (VR09),
care org B (VR13), coordinator VR09, coordinator VR13, national, triangle.
An object outside the caller's scope must answer 404 — the same as a missing one.
Endpoints that do not resolve (not built yet) are skipped explicitly, not silently passed.
"""

from datetime import timedelta

import pytest
from django.urls import Resolver404, resolve
from django.utils import timezone

from requests_app.models import Assignment
from tests.requests_app.factories import at, invite, make_request

ROLES = ["anon", "res", "res2", "org", "org2", "coord", "coord2", "nat", "tri"]
DENY = {401, 403}  # anonymous: not signed in
HIDDEN = {403, 404}  # a role that has no business here at all (either is acceptable)
OK = {200}
ACT = {200, 201, 400, 409}  # may act: past the permission checks
EMPTY = {"empty"}  # a list that answers 200 with nothing in it (or 403/404)


def row(**by_role):
    """Expected statuses per role; ``_`` is the default for roles not named."""
    default = by_role.pop("_", HIDDEN)
    out = {role: by_role.get(role, default) for role in ROLES}
    out["anon"] = by_role.get("anon", DENY)
    return out


def ok_for(*roles, other=HIDDEN, **extra):
    return row(_=other, **dict.fromkeys(roles, OK), **extra)


SIGNED_IN = ok_for("res", "res2", "org", "org2", "coord", "coord2", "nat", "tri")
STAFF_FIGURES = ok_for("coord", "coord2", "nat", "tri")

# (method, path template, expected by role)
MATRIX = [
    ("get", "/api/v1/regions/", SIGNED_IN),
    ("get", "/api/v1/profiles/", SIGNED_IN),
    ("get", "/api/v1/courses/", SIGNED_IN),
    ("get", "/api/v1/ladder/", SIGNED_IN),
    ("get", "/api/v1/me/", ok_for("res", "res2")),
    ("get", "/api/v1/me/availability/", ok_for("res", "res2", other=EMPTY)),
    ("get", "/api/v1/me/export/", ok_for("res", "res2")),
    ("get", "/api/v1/me/invitations/", ok_for("res", "res2")),
    ("get", "/api/v1/me/assignments/", ok_for("res", "res2")),
    ("get", "/api/v1/reservists/", ok_for("coord", "coord2", "nat")),
    ("get", "/api/v1/reservists/{reservist}/", ok_for("coord", "nat", coord2={404})),
    ("get", "/api/v1/reservists/{other_reservist}/", ok_for("coord2", "nat", coord={404})),
    ("post", "/api/v1/reservists/{reservist}/vetting/", row(coord=ACT, nat=ACT, coord2={404})),
    ("post", "/api/v1/reservists/{reservist}/training-records/", row(coord=ACT, nat=ACT, coord2={404})),
    ("get", "/api/v1/organisations/", ok_for("org", "org2", "coord", "coord2", "nat", "tri", other=EMPTY)),
    ("get", "/api/v1/organisations/{organisation}/", ok_for("org", "coord", "nat", "tri",
                                                           org2={404}, coord2={404})),
    ("get", "/api/v1/requests/", ok_for("org", "coord", "nat", "tri", other=EMPTY)),
    ("get", "/api/v1/requests/{request}/", ok_for("org", "coord", "nat", "tri",
                                                 org2={404}, coord2={404})),
    ("get", "/api/v1/requests/queue/", ok_for("nat", "coord", "tri", coord2=EMPTY)),
    ("post", "/api/v1/requests/{request}/approve/", row(nat=ACT, org2={404}, coord2={404})),
    ("post", "/api/v1/requests/{request}/reject/", row(nat=ACT, org2={404}, coord2={404})),
    ("post", "/api/v1/requests/{request}/cancel/", row(org=ACT, nat=ACT, org2={404}, coord2={404})),
    ("get", "/api/v1/shifts/{shift}/candidates/", ok_for("nat", "coord")),
    ("patch", "/api/v1/shifts/{shift}/", ok_for("org", "coord", "nat", org2={404}, coord2={404})),
    ("post", "/api/v1/assignments/{assignment}/hours/", row(org=ACT, nat=ACT, org2={404}, coord2={404})),
    ("post", "/api/v1/me/invitations/{invitation}/accept/", row(res=ACT, res2={404})),
    ("post", "/api/v1/me/invitations/{invitation}/decline/", row(res=ACT, res2={404})),
    ("get", "/api/v1/escalations/", ok_for("nat", "tri")),
    ("get", "/api/v1/crises/", SIGNED_IN),
    ("get", "/api/v1/stats/shifts/?group_by=week", STAFF_FIGURES),
    ("get", "/api/v1/stats/pool/?group_by=region", STAFF_FIGURES),
]  # fmt: skip


@pytest.fixture
def world(
    reservist,
    reservist_record,
    other_reservist,
    organisation,
    care_org_user,
    other_care_org_user,
    regional_coordinator,
    other_region_coordinator,
    national_coordinator,
    triangle_member,
):
    req = make_request(
        organisation, status="approved", shifts=[(at(3, 7), at(3, 15), 2, "verzorgende")]
    )
    shift = req.shifts.get()
    past = make_request(organisation, status="approved")
    past_shift = past.shifts.get()
    invitation = invite(shift, reservist_record)
    assignment = Assignment.objects.create(
        shift=past_shift,
        reservist=other_reservist.reservist,
        start=past_shift.start - timedelta(days=10),
        end=past_shift.end - timedelta(days=10),
        created_at=timezone.now(),
    )
    users = {
        "anon": None,
        "res": reservist,
        "res2": other_reservist,
        "org": care_org_user,
        "org2": other_care_org_user,
        "coord": regional_coordinator,
        "coord2": other_region_coordinator,
        "nat": national_coordinator,
        "tri": triangle_member,
    }
    ids = {
        "reservist": reservist_record.pk,
        "other_reservist": other_reservist.reservist.pk,
        "organisation": organisation.pk,
        "request": req.pk,
        "shift": shift.pk,
        "invitation": invitation.pk,
        "assignment": assignment.pk,
    }
    return users, ids


def _implemented(path: str) -> bool:
    try:
        resolve(path.split("?")[0].format(**dict.fromkeys(
            ["reservist", "other_reservist", "organisation", "request", "shift",
             "invitation", "assignment"], 1)))  # fmt: skip
    except Resolver404:
        return False
    return True


@pytest.mark.parametrize("method,path,expected", MATRIX, ids=[f"{m}-{p}" for m, p, _ in MATRIX])
def test_permission_matrix(world, api, api_as, method, path, expected):
    """One endpoint, every role (one set-up per endpoint keeps the matrix fast)."""
    if not _implemented(path):
        pytest.skip(f"{path} is not implemented yet")
    users, ids = world
    url = path.format(**ids)
    wrong = []
    for role in ROLES:
        client = api if users[role] is None else api_as(users[role])
        body = {"reason": "Matrix test", "hours_worked": "8.00"} if method == "post" else {}
        response = getattr(client, method)(url, body, format="json")
        status = response.status_code
        allowed = expected[role]
        if allowed is EMPTY:
            if status == 200 and response.json().get("count", 0) != 0:
                wrong.append(f"{role}: 200 with {response.json()['count']} rows, expected none")
            elif status not in (200, 403, 404):
                wrong.append(f"{role}: {status}, expected an empty list, 403 or 404")
            continue
        if method == "post" and status in (200, 201, 400, 409):
            # Past the permission checks: only roles that may act get this far.
            if allowed is not ACT:
                wrong.append(f"{role}: {status}, expected {sorted(allowed)}")
        elif status not in allowed or status >= 500:
            wrong.append(f"{role}: {status}, expected {sorted(allowed)}")
    assert not wrong, f"{method.upper()} {url}: " + "; ".join(wrong)


def test_every_api_path_of_the_contract_is_in_the_matrix():
    """A new endpoint must be added to the matrix: the contract's paths are all listed."""
    contract = {
        "/api/v1/regions/", "/api/v1/profiles/", "/api/v1/courses/", "/api/v1/ladder/",
        "/api/v1/me/", "/api/v1/me/availability/", "/api/v1/me/export/",
        "/api/v1/me/invitations/", "/api/v1/me/assignments/", "/api/v1/reservists/",
        "/api/v1/organisations/", "/api/v1/requests/", "/api/v1/requests/queue/",
        "/api/v1/escalations/", "/api/v1/crises/",
    }  # fmt: skip
    listed = {p for _m, p, _e in MATRIX}
    assert contract <= listed
