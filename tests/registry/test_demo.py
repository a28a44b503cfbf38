import pytest

from registry import demo
from registry.models import Reservist
from registry.validators import big_check_digit_ok

pytestmark = pytest.mark.django_db


def test_demo_reservists_are_varied_and_idempotent():
    assert demo.load({})["reservists"] == demo.COUNT
    assert demo.load({})["reservists"] == 0
    qs = Reservist.objects.filter(user__email__startswith="demo-reservist-")
    assert qs.count() == demo.COUNT
    assert qs.filter(home_region__code="VR09").count() >= 10
    assert qs.filter(home_region__code="VR13").count() >= 10
    assert len(set(qs.values_list("status", flat=True))) >= 4
    assert len(set(qs.values_list("ring", flat=True))) >= 4
    assert set(qs.values_list("readiness", flat=True)) == {"24h", "1w"}
    assert all(
        big_check_digit_ok(b)
        for b in qs.exclude(big_number="").values_list("big_number", flat=True)
    )
    assert not any(r.user.has_usable_password() for r in qs.select_related("user"))
