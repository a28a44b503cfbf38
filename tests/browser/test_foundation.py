"""The foundation in a real browser: language, sign-up with e-mail verification, staff MFA."""

import re

import pytest

from accounts.models import Membership
from tests.browser.conftest import (
    PHONE,
    check_a11y,
    error_tied_to,
    keyboard_reaches,
    login,
    mail_link,
    no_horizontal_scroll,
    shot,
    staff,
    totp_code,
)
from tests.factories import TEST_PASSWORD, make_persona

Role = Membership.Role
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_is_in_dutch(page_at):
    page = page_at(PHONE)
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "nl"
    no_horizontal_scroll(page)
    check_a11y(page)
    shot(page, "0-home-nl")
    assert page.get_by_role("link", name="Aanmelden als reservist").is_visible()
    assert not page.nzr_errors, page.nzr_errors

    # The first Tab shows the skip link; following it puts focus on the main content.
    page.locator("body").focus()
    page.keyboard.press("Tab")
    skip = page.locator("a.nzr-skiplink")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.bounding_box()["x"] >= 0, "the skip link stays off screen when focused"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"


def test_language_switch_to_english(page_at):
    page = page_at(PHONE)
    page.goto("/")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Sign up as a reservist").is_visible()
    check_a11y(page)
    shot(page, "0-home-en")
    # The switch back is offered in Dutch, marked as Dutch.
    back = page.get_by_role("button", name="Nederlands")
    assert back.get_attribute("lang") == "nl"
    # The choice sticks on the next page, a form with its labels in English.
    page.goto("/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Password" in page.locator("main form").inner_text()
    check_a11y(page)
    shot(page, "0-login-en")


def test_sign_up_and_verify_email_by_keyboard(page_at, mailoutbox):
    page = page_at(PHONE)
    page.goto("/")
    page.locator("main a[href='/accounts/signup/']").click()
    page.wait_for_url(re.compile(r"/accounts/signup/"))
    check_a11y(page)
    shot(page, "0-signup")

    # Fill the form by keyboard alone: focus moves field to field with Tab.
    page.locator("input[name=email]").focus()
    page.keyboard.type("nieuw.reservist@example.org")
    page.locator("input[name=password1]").focus()
    page.keyboard.type("Lange-zin-voor-2026")
    page.locator("input[name=password2]").focus()
    page.keyboard.type("Lange-zin-voor-2026")
    submit = keyboard_reaches(page, "form:has(input[name=password1]) [type=submit]")
    submit.press("Enter")
    page.wait_for_url(re.compile(r"/accounts/confirm-email/"))
    check_a11y(page)

    link = mail_link("nieuw.reservist@example.org")
    page.goto(link)
    check_a11y(page)
    shot(page, "0-confirm-email")
    page.locator("main [type=submit]").first.click()
    page.wait_for_load_state()
    # Verified and signed in; without a role the person lands on onboarding.
    assert "/accounts/" not in page.url, page.url
    assert page.locator("html").get_attribute("lang") == "nl"
    check_a11y(page)
    from allauth.account.models import EmailAddress

    assert EmailAddress.objects.get(email="nieuw.reservist@example.org").verified


def test_sign_up_shows_errors_next_to_the_fields(page_at):
    page = page_at(PHONE)
    page.goto("/accounts/signup/")
    page.fill("input[name=email]", "iemand@example.org")
    page.fill("input[name=password1]", "kort")
    page.fill("input[name=password2]", "anders")
    page.locator("form:has(input[name=password1]) [type=submit]").click()
    page.wait_for_load_state()
    text = error_tied_to(page, "input[name=password1]")
    assert "10" in text, text  # the minimum length is named
    check_a11y(page)
    shot(page, "0-signup-errors")


def test_staff_login_with_mfa_reaches_the_figures(page_at):
    user, secret = staff(Role.NATIONAL)
    page = page_at(PHONE)
    page.goto("/accounts/login/")
    check_a11y(page)
    shot(page, "0-login")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.locator("form:has(input[name=password]) [type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    check_a11y(page)
    shot(page, "0-mfa-code")
    # Now by keyboard alone: Tab to each field, type, Enter.
    page = page_at(PHONE)
    page.goto("/accounts/login/")
    keyboard_reaches(page, "input[name=login]")
    page.keyboard.type(user.email)
    keyboard_reaches(page, "input[name=password]")
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    keyboard_reaches(page, "input[name=code]")
    page.keyboard.type(totp_code(secret))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/figures/"))
    check_a11y(page)


def test_staff_without_mfa_is_sent_to_enrolment(page_at):
    user = make_persona(Role.NATIONAL, mfa=False)
    page = page_at(PHONE)
    login(page, user.email, TEST_PASSWORD)
    page.goto("/figures/")
    if "/accounts/reauthenticate/" in page.url:
        # allauth asks for the password again before a new authenticator is added.
        check_a11y(page)
        page.fill("input[name=password]", TEST_PASSWORD)
        page.locator("form:has(input[name=password]) [type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/totp/activate/"))
    assert page.locator("input[name=code]").is_visible()
    check_a11y(page)
    shot(page, "0-mfa-enrolment")
