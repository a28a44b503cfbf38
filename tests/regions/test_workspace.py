"""The region workspace: funnel, work queue and pool against the floor."""

from datetime import date, timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from accounts.models import AccessLog
from regions import workspace
from registry.models import Reservist
from tests.factories import ReservistFactory, region
from tests.regions.factories import make_candidate, pass_all
from tests.training.factories import train
from training.models import Course, TrainingRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def vr09_pool(db):
    today = timezone.localdate()
    made = {
        "applied": [ReservistFactory(status="applied") for _ in range(3)],
        "vetting": [ReservistFactory(status="vetting") for _ in range(2)],
        "active": [
            ReservistFactory(status="active", availability_confirmed_on=today) for _ in range(4)
        ],
        "paused": [ReservistFactory(status="paused", availability_confirmed_on=today)],
        "left": [ReservistFactory(status="left")],
    }
    # Another region's reservists never count in VR09.
    ReservistFactory(status="active", home_region=region("VR13"), postcode="1011 AB")
    return made


def test_funnel_counts_and_conversion(vr09_pool):
    reservists = Reservist.objects.filter(home_region=region("VR09"))
    funnel = workspace.funnel(reservists)
    counts = {s["status"]: s["count"] for s in funnel["stages"]}
    assert counts == {"applied": 3, "vetting": 2, "active": 4, "paused": 1, "left": 1}
    assert funnel["total"] == 11
    assert funnel["conversion_vetting"] == round(100 * 7 / 11)
    assert funnel["conversion_active"] == round(100 * 5 / 7)


def test_work_queue(vr09_pool):
    today = timezone.localdate()
    active = vr09_pool["active"]
    bls = Course.objects.get(code="bls")  # 12 months
    # expires in 5 days (completed 12 months minus 5 days ago)
    TrainingRecord.objects.create(
        reservist=active[0], course=bls, completed_on=today - timedelta(days=360)
    )
    # superseded by a newer record: not in the queue
    TrainingRecord.objects.create(
        reservist=active[1], course=bls, completed_on=today - timedelta(days=340)
    )
    TrainingRecord.objects.create(reservist=active[1], course=bls, completed_on=today)
    active[2].big_valid_until = today + timedelta(days=20)
    active[2].save()
    active[3].availability_confirmed_on = date(today.year - 1, 6, 1)
    active[3].save()
    queue = workspace.work_queue(Reservist.objects.filter(home_region=region("VR09")), today)
    assert queue["waiting_count"] == 5
    assert [t.reservist_id for t in queue["training"]] == [active[0].pk]
    assert queue["training_counts"] == {"within_7": 1, "within_30": 1, "within_90": 1}
    assert [r.pk for r in queue["big"]] == [active[2].pk]
    assert queue["big_counts"] == {"within_7": 0, "within_30": 1, "within_90": 1}
    assert [r.pk for r in queue["unconfirmed"]] == [active[3].pk]


def test_pool_against_floor(vr09_pool):
    for reservist in vr09_pool["active"][:2]:
        pass_all(reservist)
        train(reservist)
    reservists = Reservist.objects.filter(home_region=region("VR09"))
    with override_settings(NZR_REGION_FLOOR=3):
        pool = workspace.pool(reservists)
    assert pool["active"] == 4
    assert pool["deployable"] == 2
    assert pool["below_floor"] is True and pool["short"] == 1


def test_default_floor_is_35(vr09_pool):
    assert workspace.pool(Reservist.objects.none())["floor"] == 35


def test_coordinator_sees_own_region_page(client, regional_coordinator, vr09_pool):
    make_candidate()
    client.force_login(regional_coordinator)
    response = client.get("/region/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Utrecht" in html and "35" in html
    assert response.context["funnel"]["total"] == 11
    assert response.context["pool"]["floor"] == 35
    assert AccessLog.objects.filter(user=regional_coordinator).exists()


def test_other_region_is_404(client, other_region_coordinator, vr09_pool):
    client.force_login(other_region_coordinator)
    assert client.get("/region/?region=VR09").status_code == 404
    response = client.get("/region/")
    assert response.status_code == 200
    assert response.context["funnel"]["total"] == 1  # only VR13's reservist


def test_national_chooses_a_region(client, national_coordinator, vr09_pool):
    client.force_login(national_coordinator)
    overview = client.get("/region/")
    assert overview.status_code == 200
    rows = {r.code: r for r in overview.context["overview"]}
    assert rows["VR09"].applied == 3 and rows["VR13"].active == 1
    detail = client.get("/region/?region=VR09")
    assert detail.status_code == 200 and detail.context["region"].code == "VR09"
    assert client.get("/region/?region=XX99").status_code == 404


@pytest.mark.parametrize("persona_name", ["reservist", "care_org_user", "triangle_member"])
def test_workspace_closed_to_other_roles(client, request, persona_name):
    client.force_login(request.getfixturevalue(persona_name))
    assert client.get("/region/").status_code == 403
