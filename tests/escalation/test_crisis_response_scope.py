"""A crisis answer is visible to exactly those who may see the reservist."""

from django.utils import timezone

from escalation.models import Crisis, CrisisAvailabilityCall, CrisisResponse


def test_crisis_answers_follow_the_register_scope(
    reservist_record,
    other_reservist,
    regional_coordinator,
    national_coordinator,
    reservist,
    outsider,
):
    crisis = Crisis.objects.create(name="Test", kind="pandemic", phase="warm", active=True)
    call = CrisisAvailabilityCall.objects.create(
        crisis=crisis, wave=1, readiness="24h", due_at=timezone.now()
    )
    mine = CrisisResponse.objects.create(crisis=crisis, call=call, reservist=reservist_record)
    theirs = CrisisResponse.objects.create(
        crisis=crisis, call=call, reservist=other_reservist.reservist
    )
    assert set(CrisisResponse.objects.visible_to(national_coordinator)) == {mine, theirs}
    assert list(CrisisResponse.objects.visible_to(regional_coordinator)) == [mine]
    assert list(CrisisResponse.objects.visible_to(reservist)) == [mine]
    assert not CrisisResponse.objects.visible_to(outsider).exists()
