import pytest

from registry.models import Profession, Reservist, Ring, derive_ring


@pytest.mark.parametrize(
    "profession, level, student, has_big, ring",
    [
        ("verpleegkundige", "hbo", False, True, Ring.BIG_NURSE),
        ("verpleegkundige", "mbo4", False, False, Ring.NURSE),
        ("verzorgende-ig", "mbo3", False, False, Ring.CARER),
        ("helpende", "mbo2", False, False, Ring.CARER),
        ("student-verpleegkunde", "mbo4", True, False, Ring.STUDENT),
        ("arts", "", False, True, Ring.OTHER_BIG),
        ("apotheker", "", False, True, Ring.OTHER_BIG),
        (None, "", False, False, None),
    ],
)
def test_ring_is_derived(db, profession, level, student, has_big, ring):
    prof = Profession.objects.get(code=profession) if profession else None
    assert derive_ring(prof, level, student, has_big) == ring


def test_ring_is_rederived_on_update(reservist_record, regional_coordinator):
    from registry.services import update_reservist

    # Not yet vetted: the BIG number applies at once (a vetted reservist's change of it
    # waits for the coordinator, tests/registry/test_verified_facts.py).
    reservist_record.status = Reservist.Status.VETTING
    reservist_record.save(update_fields=["status"])
    assert reservist_record.ring == Ring.BIG_NURSE
    updated = update_reservist(reservist_record, {"big_number": ""}, actor=reservist_record.user)
    assert updated.ring == Ring.NURSE
