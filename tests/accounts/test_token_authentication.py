"""The API's token authentication reads the token, the user, the second factor and the
memberships valid today in one query, and gives the same scope as ``scope_of``."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.exceptions import AuthenticationFailed

from accounts.authentication import TokenAuthentication
from accounts.models import Membership, User
from accounts.scope import has_mfa, scope_of
from accounts.services import api_token_for, grant_membership
from tests.factories import enrol_mfa, make_persona, region

Role = Membership.Role


def fresh_scope(user):
    return scope_of(User.objects.get(pk=user.pk))


@pytest.fixture
def many_roles(reference, organisation):
    """Regional in VR09 and VR13 (VR13 ended yesterday), triangle (Defensie), care
    organisation, and one membership that starts tomorrow."""
    today = timezone.localdate()
    user = make_persona(Role.REGIONAL, region=region("VR09"))
    grant_membership(user, Role.REGIONAL, region=region("VR13"))
    Membership.objects.filter(user=user, region=region("VR13")).update(
        valid_from=today - timedelta(days=30), valid_until=today - timedelta(days=1)
    )
    grant_membership(user, Role.TRIANGLE, party=Membership.Party.DEFENSIE)
    grant_membership(user, Role.CARE_ORG, organisation=organisation)
    grant_membership(user, Role.NATIONAL, valid_from=today + timedelta(days=1))
    return user


def test_the_scope_read_with_the_token_is_scope_of(many_roles):
    user, _token = TokenAuthentication().authenticate_credentials(api_token_for(many_roles))
    expected = fresh_scope(many_roles)
    assert user._nzr_scope == expected
    # The picture tells the memberships apart: ended and future ones are not in it.
    assert expected.region_ids == frozenset({region("VR09").pk})
    assert expected.roles == frozenset({Role.REGIONAL, Role.TRIANGLE, Role.CARE_ORG})
    assert expected.parties == frozenset({Membership.Party.DEFENSIE})
    assert user._nzr_has_mfa is True


@pytest.mark.parametrize("role", [Role.RESERVIST, Role.NATIONAL])
def test_second_factor_read_with_the_token(reference, role):
    user = make_persona(role, mfa=False)
    authenticated, _ = TokenAuthentication().authenticate_credentials(api_token_for(user))
    assert authenticated._nzr_has_mfa is False
    assert authenticated._nzr_scope == fresh_scope(user)
    enrol_mfa(user)
    authenticated, _ = TokenAuthentication().authenticate_credentials(api_token_for(user))
    assert has_mfa(authenticated) is True


def test_unknown_token_and_inactive_user_are_refused(many_roles):
    with pytest.raises(AuthenticationFailed) as unknown:
        TokenAuthentication().authenticate_credentials("0" * 40)
    key = api_token_for(many_roles)
    User.objects.filter(pk=many_roles.pk).update(is_active=False)
    with pytest.raises(AuthenticationFailed) as inactive:
        TokenAuthentication().authenticate_credentials(key)
    # DRF's messages (in the request's language), told apart.
    assert unknown.value.detail != inactive.value.detail


def test_an_api_request_asks_nothing_more_about_the_user(api_as, many_roles):
    client = api_as(many_roles)
    client.get("/api/v1/regions/")  # content types and other per-process caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/v1/regions/")
    assert response.status_code == 200
    about_the_user = [
        q["sql"]
        for q in ctx.captured_queries
        if "accounts_membership" in q["sql"] or "mfa_authenticator" in q["sql"]
    ]
    assert len(about_the_user) == 1 and "authtoken_token" in about_the_user[0]
    assert len(ctx.captured_queries) == 2  # the token with all that, the regions


def test_a_revoked_membership_counts_at_the_next_request(api_as, reference):
    user = make_persona(Role.NATIONAL)
    client = api_as(user)
    assert client.get("/api/v1/reservists/").status_code == 200
    Membership.objects.filter(user=user).update(
        valid_from=timezone.localdate() - timedelta(days=30),
        valid_until=timezone.localdate() - timedelta(days=1),
    )
    assert client.get("/api/v1/reservists/").status_code == 403
