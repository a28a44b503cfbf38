"""Journey 4: a national coordinator approves the request; the reservist accepts the
invitation; the organisation sees who is coming."""

import re

import pytest

from accounts.models import Membership
from requests_app.models import Assignment, DeploymentRequest, Invitation
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    keyboard_reaches,
    login,
    no_horizontal_scroll,
    shot,
    staff,
)
from tests.factories import TEST_PASSWORD
from tests.regions.factories import pass_all
from tests.requests_app.factories import at, make_candidate, make_request

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_approval_invitation_acceptance_and_who_is_coming(
    axe, page_at, care_org_user, organisation
):
    reservist = make_candidate(first_name="Trudy", last_name="Bakker", user__password=TEST_PASSWORD)
    pass_all(reservist)
    request = make_request(
        organisation, status="submitted", shifts=[(at(3, 7), at(3, 15), 1, "verzorgende")]
    )
    national, secret = staff(Membership.Role.NATIONAL)

    # The national coordinator finds the request in the queue and approves it.
    page = page_at(DESKTOP)
    login(page, national.email, TEST_PASSWORD, totp_secret=secret)
    page.goto("/requests/queue/")
    axe.check(page)
    page.locator(f"main a[href$='/requests/{request.pk}/']").first.click()
    page.wait_for_url(re.compile(rf"/requests/{request.pk}/$"))
    axe.check(page)
    vet = page.locator("form[action$='/vet/']")
    vet.locator("input[name=decision][value=approve]").check()
    keyboard_reaches(page, "form[action$='/vet/'] button[type=submit]").press("Enter")
    page.wait_for_load_state()
    axe.check(page)
    shot(page, "4-request-approved")
    request.refresh_from_db()
    assert request.status == DeploymentRequest.Status.APPROVED

    # Matching ran (eagerly, after the commit) and invited the reservist.
    invitation = Invitation.objects.get(shift__request=request, reservist=reservist)
    assert invitation.status == Invitation.Status.PENDING

    # The reservist answers on a phone.
    phone = page_at(PHONE)
    login(phone, reservist.user.email, TEST_PASSWORD)
    phone.goto("/requests/invitations/")
    axe.check(phone)
    no_horizontal_scroll(phone)
    shot(phone, "4-invitation")
    button = f"form[action$='/invitations/{invitation.pk}/accept/'] button[type=submit]"
    keyboard_reaches(phone, button).press("Enter")
    phone.wait_for_url(re.compile(r"/requests/my-shifts/"))
    axe.check(phone)
    no_horizontal_scroll(phone)
    assert Assignment.objects.filter(
        shift__request=request, reservist=reservist, status="confirmed"
    ).exists()

    # The organisation sees who is coming.
    org = page_at(DESKTOP)
    login(org, care_org_user.email, TEST_PASSWORD)
    org.goto(f"/requests/{request.pk}/")
    assert "Trudy" in org.locator("main").inner_text()
    assert org.locator(f"main a[href='tel:{reservist.phone}']").count() == 1
    axe.check(org)
    shot(org, "4-who-is-coming")
    for p in (page, phone, org):
        assert not p.nzr_errors, p.nzr_errors
    axe.assert_clean()
