"""Journey 3: a care organisation fills in the request form, first with a missing ladder step
(the error appears at that step), then correctly."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from escalation.models import LadderStep
from registry.models import Profile
from requests_app.models import DeploymentRequest
from tests.browser.conftest import (
    DESKTOP,
    keyboard_reaches,
    login,
    shot,
)
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_request_until_ladder(
    axe, page, *, description="Uitbraak op afdeling 3; 40% van het team ziek."
):
    """Basics and one shift of a new request; ends on the ladder page."""
    page.goto("/requests/")
    page.locator("main a[href$='/requests/new/']").first.click()
    page.wait_for_url(re.compile(r"/requests/new/"))
    axe.check(page)
    shot(page, "3-basics")
    page.check("input[name=category][value=individual]")
    page.fill("input[name=postcode]", "3511 AB")
    page.fill("textarea[name=description]", description)
    page.fill("input[name=contact_name]", "Els de Vries")
    page.fill("input[name=contact_phone]", "030 1234567")
    page.locator("button[name=next]").click()
    page.wait_for_url(re.compile(r"/edit/shifts/"))
    axe.check(page)

    profile = Profile.objects.filter(active=True).order_by("pk").first()
    day = timezone.localdate() + timedelta(days=3)
    page.select_option("select[name=profile]", str(profile.pk))
    page.fill("input[name=date]", day.isoformat())
    page.fill("input[name=start_time]", "07:00")
    page.fill("input[name=end_time]", "15:00")
    page.fill("input[name=count]", "2")
    page.fill("input[name=repeat_days]", "1")
    page.locator("button[name=add]").click()
    page.wait_for_load_state()
    assert page.locator("main table tbody tr").count() == 1, "the shift was not added"
    axe.check(page)
    page.locator("button[name=next]").click()
    page.wait_for_url(re.compile(r"/edit/ladder/"))
    return profile


def test_care_organisation_request_with_a_missing_ladder_step_then_correct(
    axe, page_at, care_org_user, organisation
):
    steps = list(LadderStep.objects.filter(active=True, before_reserve=True).order_by("order"))
    assert len(steps) >= 2, "reference data has no escalation ladder"
    page = page_at(DESKTOP)
    login(page, care_org_user.email, TEST_PASSWORD)
    fill_request_until_ladder(axe, page)
    axe.check(page)

    # Every step but the last one.
    taken = timezone.localdate() - timedelta(days=2)
    missing = steps[-1]
    for step in steps[:-1]:
        page.fill(f"#step-{step.code} input[name$=taken_on]", taken.isoformat())
        page.fill(
            f"#step-{step.code} textarea[name$=evidence]", f"{step.name}: niemand beschikbaar."
        )
    page.locator("button[name=next]").click()
    page.wait_for_url(re.compile(r"/edit/ladder/"))

    # The error is at the missing step, tied to it, and nowhere else.
    box = page.locator(f"#step-{missing.code}")
    error = box.locator(".nzr-error")
    assert error.is_visible()
    assert error.inner_text().strip()
    assert box.get_attribute("aria-describedby") == error.get_attribute("id")
    for step in steps[:-1]:
        assert page.locator(f"#step-{step.code} .nzr-error").count() == 0
    axe.check(page)
    shot(page, "3-ladder-error")

    # Now correctly, the last field and the button by keyboard.
    page.fill(f"#step-{missing.code} input[name$=taken_on]", taken.isoformat())
    page.fill(f"#step-{missing.code} textarea[name$=evidence]", "Rode Kruis en NPV: geen mensen.")
    keyboard_reaches(page, "button[name=next]").press("Enter")
    page.wait_for_url(re.compile(r"/edit/submit/"))
    axe.check(page)
    page.locator("main form[method=post] button[type=submit]").click()
    page.wait_for_load_state()
    axe.check(page)
    shot(page, "3-submitted")

    request = DeploymentRequest.objects.get(organisation=organisation)
    assert request.status == DeploymentRequest.Status.SUBMITTED
    assert request.ladder.count() == len(steps)
    page.locator(f"main a[href$='/requests/{request.pk}/']").first.click()
    page.wait_for_url(re.compile(rf"/requests/{request.pk}/$"))
    axe.check(page)
    assert not page.nzr_errors, page.nzr_errors
    axe.assert_clean()
