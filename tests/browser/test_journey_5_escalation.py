"""Journey 5: the request escalates; a triangle member plans the fact-finding mission and
decides in the admin (signed in with MFA)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Membership
from escalation.models import Escalation
from requests_app.models import DeploymentRequest
from tests.browser.conftest import DESKTOP, login, shot, staff
from tests.factories import TEST_PASSWORD
from tests.requests_app.factories import make_request

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_escalation_fact_finding_and_decision_in_the_admin(axe, page_at, organisation):
    request = make_request(organisation, status="approved")
    national, national_secret = staff(Membership.Role.NATIONAL)
    triangle, triangle_secret = staff(Membership.Role.TRIANGLE, party=Membership.Party.DEFENSIE)

    # The national coordinator escalates: the reserve cannot fill it.
    page = page_at(DESKTOP)
    login(page, national.email, TEST_PASSWORD, totp_secret=national_secret)
    page.goto(f"/requests/{request.pk}/")
    vet = page.locator("form[action$='/vet/']")
    vet.locator("input[name=decision][value=escalate]").check()
    vet.locator("textarea[name=reason]").fill("Geen reservisten beschikbaar voor de nachtdiensten.")
    vet.locator("button[type=submit]").click()
    page.wait_for_load_state()
    axe.check(page)
    shot(page, "5-request-escalated")
    request.refresh_from_db()
    assert request.status == DeploymentRequest.Status.ESCALATED
    escalation = Escalation.objects.get(request=request)

    # The triangle member signs in with MFA and opens the escalation in the admin.
    admin = page_at(DESKTOP)
    login(admin, triangle.email, TEST_PASSWORD, totp_secret=triangle_secret)
    admin.goto("/admin/escalation/escalation/")
    axe.check(admin)
    admin.locator(f"#result_list a[href*='/escalation/escalation/{escalation.pk}/']").first.click()
    admin.wait_for_url(re.compile(rf"/admin/escalation/escalation/{escalation.pk}/change/"))
    axe.check(admin)
    shot(admin, "5-admin-escalation")

    # Approving before the mission is planned is refused, next to the decision field.
    admin.select_option("select[name=decision]", "approved")
    admin.fill("textarea[name=decision_reason]", "Eerst de verkenning.")
    admin.locator("input[name=_continue]").click()
    admin.wait_for_load_state()
    assert admin.locator(".errornote").is_visible()
    assert admin.locator(".field-decision .errorlist").inner_text().strip()
    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.OPEN

    # Plan the fact-finding mission with an NZR member.
    planned = timezone.localdate() + timedelta(days=1)
    admin.select_option("select[name=decision]", "")
    admin.fill("textarea[name=decision_reason]", "")
    admin.fill("input[name=fact_finding_planned_on]", planned.isoformat())
    admin.select_option("select[name=fact_finding_nzr_member]", str(national.pk))
    admin.fill("textarea[name=fact_finding_participants]", "Defensie: kapitein J. de Boer")
    admin.locator("input[name=_continue]").click()
    admin.wait_for_load_state()
    assert admin.locator(".errornote").count() == 0, admin.locator("#content").inner_text()
    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.FACT_FINDING
    assert escalation.fact_finding_nzr_member == national

    # Decide: referred back to the reserve.
    admin.fill("textarea[name=fact_finding_report]", "De reserve kan met extra werving nog helpen.")
    admin.select_option("select[name=decision]", "referred_back")
    admin.fill("textarea[name=decision_reason]", "De zorgreserve kan dit nog invullen.")
    admin.locator("input[name=_continue]").click()
    admin.wait_for_load_state()
    assert admin.locator(".errornote").count() == 0, admin.locator("#content").inner_text()
    axe.check(admin)
    shot(admin, "5-admin-decided")
    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.DECIDED
    assert escalation.decided_by == triangle
    request.refresh_from_db()
    assert request.status != DeploymentRequest.Status.ESCALATED
    for p in (page, admin):
        assert not p.nzr_errors, p.nzr_errors
    axe.assert_clean()
