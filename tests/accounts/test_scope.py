"""One module decides what a user may see: VR09 sees nothing of VR13."""

from accounts.scope import scope_of
from registry.models import Reservist
from requests_app.models import CareOrganisation


def test_regional_coordinator_sees_only_own_region(
    regional_coordinator, reservist_record, other_reservist
):
    visible = Reservist.objects.visible_to(regional_coordinator)
    assert reservist_record in visible
    assert other_reservist.reservist not in visible


def test_other_region_coordinator_sees_nothing_of_vr09(
    other_region_coordinator, reservist_record, other_reservist
):
    visible = Reservist.objects.visible_to(other_region_coordinator)
    assert list(visible) == [other_reservist.reservist]


def test_national_coordinator_sees_all(national_coordinator, reservist_record, other_reservist):
    assert Reservist.objects.visible_to(national_coordinator).count() == 2


def test_reservist_sees_only_self(reservist, other_reservist):
    assert list(Reservist.objects.visible_to(reservist)) == [reservist.reservist]


def test_outsider_sees_no_one(outsider, reservist_record):
    assert not Reservist.objects.visible_to(outsider).exists()


def test_care_org_sees_only_own_organisation(care_org_user, organisation, other_organisation):
    assert list(CareOrganisation.objects.visible_to(care_org_user)) == [organisation]


def test_regional_coordinator_sees_organisations_of_own_region(
    regional_coordinator, organisation, other_organisation
):
    assert list(CareOrganisation.objects.visible_to(regional_coordinator)) == [organisation]


def test_scope_roles(regional_coordinator, national_coordinator, triangle_member):
    assert (
        scope_of(regional_coordinator).is_regional
        and not scope_of(regional_coordinator).is_national
    )
    assert scope_of(national_coordinator).is_national
    assert scope_of(triangle_member).is_triangle and scope_of(triangle_member).parties == {"vws"}


def test_admin_hides_other_region_reservists(client, regional_coordinator, other_reservist):
    # A regional coordinator has no admin access at all; the admin queryset is scoped too.
    client.force_login(regional_coordinator)
    response = client.get(f"/admin/registry/reservist/{other_reservist.reservist.pk}/change/")
    assert response.status_code in (302, 403, 404)
