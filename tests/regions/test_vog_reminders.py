"""VOG reminders (issue 21 part 3): 90, 30 and 7 days before a VOG stops counting, each
once, by the rule that ends it first (a first deployment's, or the renewal)."""

from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from regions.models import VettingCheck, VogRule
from regions.vog_reminders import send_vog_reminders, vog_ends_on
from tests.factories import ReservistFactory

pytestmark = pytest.mark.django_db


def with_vog(issued_on):
    reservist = ReservistFactory()
    VettingCheck.objects.create(
        reservist=reservist, kind="vog", outcome="pass", issued_on=issued_on
    )
    return reservist


def mails_to(mailoutbox, reservist):
    return [m for m in mailoutbox if reservist.user.email in m.to]


def test_first_deployment_reminders_go_out_once_per_window(db, mailoutbox):
    today = timezone.localdate()
    rule = VogRule.objects.get(active=True)  # 3 months for a first deployment
    issued = today - relativedelta(months=rule.first_months) + timedelta(days=25)
    reservist = with_vog(issued)
    ends = vog_ends_on(issued, rule, first_deployment=True)
    assert 7 < (ends - today).days <= 30  # in the 30-day window

    assert send_vog_reminders(today) == 1
    assert send_vog_reminders(today) == 0  # once per window
    [mail] = mails_to(mailoutbox, reservist)
    assert ends.strftime("%d-%m-%Y") in mail.subject
    assert "Verklaring Omtrent het Gedrag" in mail.subject
    assert "eerste inzet" in mail.body
    # the 7-day window is a new reminder
    assert send_vog_reminders(ends - timedelta(days=7)) == 1
    assert send_vog_reminders(ends - timedelta(days=6)) == 0


def test_renewal_reminder_for_a_reservist_already_deployed(db, mailoutbox):
    from requests_app.models import Assignment
    from tests.factories import CareOrganisationFactory, region
    from tests.requests_app.factories import at, make_request

    today = timezone.localdate()
    rule = VogRule.objects.get(active=True)
    issued = today - relativedelta(months=rule.renew_months) + timedelta(days=90)
    reservist = with_vog(issued)
    # deployed before today: the first-deployment limit no longer applies
    shift = make_request(
        CareOrganisationFactory(region=region("VR09")),
        shifts=[(at(-30, 7), at(-30, 15), 1, "verzorgende")],
    ).shifts.get()
    Assignment.objects.create(shift=shift, reservist=reservist, start=shift.start, end=shift.end)

    assert send_vog_reminders(today) == 1
    [mail] = mails_to(mailoutbox, reservist)
    assert "vernieuwd" in mail.body
    assert 30 < (vog_ends_on(issued, rule, first_deployment=False) - today).days <= 90


def test_no_reminder_far_ahead_after_the_end_or_for_a_newer_vog(db, mailoutbox):
    today = timezone.localdate()
    far = with_vog(today - timedelta(days=1))  # first-deployment end ~3 months ahead: > 90 days?
    rule = VogRule.objects.get(active=True)
    rule.first_months = 12
    rule.save()
    over = with_vog(today - relativedelta(months=40))  # renewal ran out already
    renewed = with_vog(today - relativedelta(months=12) + timedelta(days=10))
    VettingCheck.objects.create(
        reservist=renewed, kind="vog", outcome="pass", issued_on=today - timedelta(days=5)
    )
    assert send_vog_reminders(today) == 0
    assert not mails_to(mailoutbox, far)
    assert not mails_to(mailoutbox, over)
    assert not mails_to(mailoutbox, renewed)
