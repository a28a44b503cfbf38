"""Journey 1: a new reservist signs up, verifies e-mail, completes onboarding on a 375 px
screen and sets availability."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from registry.models import Municipality, Reservist
from tests.browser.conftest import (
    PHONE,
    error_tied_to,
    keyboard_reaches,
    mail_link,
    no_horizontal_scroll,
    shot,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "trudy.bakker@example.org"
PASSWORD = "Zorg-voor-later-2026"


def _submit(page):
    """Press the form's primary button (not 'save and continue later')."""
    page.locator("main form[method=post] button.nzr-button--primary").last.click()
    page.wait_for_load_state()


def _page_ok(axe, page, name):
    axe.check(page)
    no_horizontal_scroll(page)
    shot(page, name)


def test_new_reservist_signs_up_onboards_and_sets_availability(axe, page_at, mailoutbox):
    page = page_at(PHONE)

    # Sign up from the home page.
    page.goto("/")
    page.locator("main a[href='/accounts/signup/']").click()
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.locator("form:has(input[name=password1]) [type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/"))

    # Verify the e-mail address with the link from the e-mail.
    page.goto(mail_link(EMAIL))
    page.locator("main [type=submit]").first.click()
    page.wait_for_url(re.compile(r"/register/welcome/"))
    axe.check(page)
    no_horizontal_scroll(page)

    # Onboarding, step 1: about you (by keyboard to the button).
    page.locator("main a[href$='/register/welcome/step/1/']").click()
    page.wait_for_url(re.compile(r"/step/1/"))
    _page_ok(axe, page, "1-step1")
    page.fill("input[name=first_name]", "Trudy")
    page.fill("input[name=last_name]", "Bakker")
    page.fill("input[name=date_of_birth]", "1958-03-14")
    page.fill("input[name=phone]", "06 12345678")
    keyboard_reaches(page, "main form[method=post] button.nzr-button--primary").press("Enter")
    page.wait_for_url(re.compile(r"/step/2/"))

    # Step 2: where you live and work; first a wrong postcode, the error sits at the field.
    page.fill("input[name=postcode]", "SS 12")
    utrecht = Municipality.objects.valid_on().get(name="Utrecht")
    page.select_option("select[name=municipality]", value=str(utrecht.pk))
    page.check("input[name=sectors][value=hospital]")
    page.check("input[name=sectors][value=vvt]")
    page.check("input[name=readiness][value='24h']")
    _submit(page)
    assert "/step/2/" in page.url
    assert error_tied_to(page, "input[name=postcode]")
    _page_ok(axe, page, "1-step2-error")
    page.fill("input[name=postcode]", "3511 AB")
    _submit(page)
    page.wait_for_url(re.compile(r"/step/3/"))

    # Step 3: qualifications.
    axe.check(page)
    no_horizontal_scroll(page)
    page.select_option("select[name=profession]", label="Verpleegkundige")
    page.select_option("select[name=level]", value="hbo")
    page.fill("input[name=big_number]", "19012345601")
    page.fill(
        "input[name=big_valid_until]",
        (timezone.localdate() + timedelta(days=900)).isoformat(),
    )
    page.fill("input[name=years_experience]", "35")
    _submit(page)
    page.wait_for_url(re.compile(r"/step/4/"))

    # Step 4: privacy and confirm; the answers are shown back.
    assert "Trudy" in page.locator("main").inner_text()
    _page_ok(axe, page, "1-step4")
    page.check("input[name=consent]")
    _submit(page)
    page.wait_for_url(re.compile(r"/register/me/"))
    _page_ok(axe, page, "1-me")

    reservist = Reservist.objects.get(user__email=EMAIL)
    assert reservist.home_region.code == "VR09"
    assert reservist.onboarding_done

    # Availability: a usual day of the week and a period of dates.
    page.locator("main a[href$='/register/me/availability/']").first.click()
    page.wait_for_url(re.compile(r"/register/me/availability/"))
    axe.check(page)
    no_horizontal_scroll(page)
    page.select_option("select[name=weekly-weekday]", index=0)
    page.fill("input[name=weekly-start_time]", "08:00")
    page.fill("input[name=weekly-end_time]", "16:00")
    page.locator("button[name=add_weekly]").click()
    page.wait_for_load_state()
    start = timezone.localdate() + timedelta(days=7)
    page.fill("input[name=period-start_date]", start.isoformat())
    page.fill("input[name=period-end_date]", (start + timedelta(days=14)).isoformat())
    keyboard_reaches(page, "button[name=add_period]").press("Enter")
    page.wait_for_load_state()
    assert "08:00" in page.locator("main").inner_text()
    _page_ok(axe, page, "1-availability-set")

    assert reservist.weekly_availability.count() == 1
    assert reservist.availability.count() == 1
    assert not page.nzr_errors, page.nzr_errors
    axe.assert_clean()
