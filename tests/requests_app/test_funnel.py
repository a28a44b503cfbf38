"""Why nobody fits (issue 20 part 4): the reservists left after each step of eligibility,
counted by the steps the matcher applies, against a count in plain Python."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from registry.availability import is_available
from registry.deployability import is_deployable
from registry.models import Availability, Profile, Reservist
from requests_app import eligibility
from requests_app.funnel import funnel
from requests_app.matching import eligible_reservists
from requests_app.models import Assignment, Invitation
from requests_app.services.booking import fit_error, live_bookings
from tests.factories import CareOrganisationFactory, region
from tests.requests_app.factories import at, invite, make_candidate, make_request
from training.models import TrainingRecord

pytestmark = pytest.mark.django_db

CODES = ["pool", "profile", "region", "deployable", "available", "free", "not_invited"]


def url(shift):
    return f"/api/v1/shifts/{shift.pk}/funnel/"


@pytest.fixture
def org(reference):
    return CareOrganisationFactory(region=region("VR09"))


@pytest.fixture
def shift(org):
    return make_request(org, shifts=[(at(3, 7), at(3, 15), 4, "verzorgende")]).shifts.get()


def _spoil(r, how, shift, org):
    """Make reservist ``r`` fail one step (or none)."""
    if how == "paused":
        Reservist.objects.filter(pk=r.pk).update(status="paused")
    elif how == "profile":
        r.profiles.set(Profile.objects.exclude(pk=shift.profile_id)[:1])
    elif how == "region":
        r.regions.set([region("VR13")])
    elif how == "sector":
        Reservist.objects.filter(pk=r.pk).update(sectors=["hospital"])
    elif how == "training":
        TrainingRecord.objects.filter(reservist=r).delete()
    elif how == "unavailable":
        Availability.objects.filter(reservist=r).delete()
    elif how in ("overlap", "rest"):
        start = shift.start if how == "overlap" else shift.end + timedelta(hours=3)
        other = make_request(org, shifts=[(start, start + timedelta(hours=8), 1, "verzorgende")])
        Assignment.objects.create(
            shift=other.shifts.get(), reservist=r, start=start, end=start + timedelta(hours=8)
        )
    elif how == "invited":
        invite(shift, r)
    elif how == "withdrawn":
        invite(shift, r).__class__.objects.filter(shift=shift, reservist=r).update(
            status=Invitation.Status.WITHDRAWN
        )


def _python_counts(shift):
    """The same steps, one reservist at a time, with the register's and the booking's own
    per-person rules."""
    now = timezone.now()
    day = timezone.localtime(shift.end).date()
    sector = shift.request.organisation.sector
    checks = [
        lambda r: r.status == "active" and r.anonymised_at is None,
        lambda r: r.profiles.filter(pk=shift.profile_id).exists(),
        lambda r: r.regions.filter(pk=shift.request.region_id).exists() and sector in r.sectors,
        lambda r: is_deployable(r, day, shift.profile),
        lambda r: is_available(r, shift.start, shift.end),
        lambda r: fit_error(shift, live_bookings(r.pk, now)) is None,
        lambda r: (
            not Invitation.objects.filter(shift=shift, reservist=r)
            .exclude(status=Invitation.Status.WITHDRAWN)
            .exists()
        ),
    ]
    left = list(Reservist.objects.all())
    counts = []
    for check in checks:
        left = [r for r in left if check(r)]
        counts.append(len(left))
    return counts, {r.pk for r in left}


def test_funnel_counts_match_a_count_in_python_on_generated_data(shift, org):
    rng = random.Random(20)
    kinds = [
        "fits", "paused", "profile", "region", "sector", "training", "unavailable",
        "overlap", "rest", "invited", "withdrawn",
    ]  # fmt: skip
    for kind in kinds + [rng.choice(kinds) for _ in range(14)]:
        _spoil(make_candidate(), kind, shift, org)

    expected, fitting = _python_counts(shift)
    got = funnel(shift)

    assert [s.code for s in got.steps] == CODES
    assert [s.remaining for s in got.steps] == expected
    assert expected[-1] < expected[0], "the generated data must drop at some step"
    # The matcher takes exactly the reservists the funnel ends with.
    invited_ids = set(eligible_reservists(shift, exclude_invited=True).values_list("pk", flat=True))
    assert invited_ids == fitting


def test_each_step_drops_the_reservist_it_is_about(shift, org):
    for kind, step in [
        ("paused", "pool"), ("profile", "profile"), ("region", "region"), ("sector", "region"),
        ("training", "deployable"), ("unavailable", "available"), ("overlap", "free"),
        ("rest", "free"), ("invited", "not_invited"),
    ]:  # fmt: skip
        Invitation.objects.all().delete()
        Assignment.objects.all().delete()
        Reservist.objects.all().delete()
        _spoil(make_candidate(), kind, shift, org)
        steps = {s.code: s.remaining for s in funnel(shift).steps}
        before = CODES[CODES.index(step) - 1] if step != "pool" else None
        assert steps[step] == 0, (kind, steps)
        if before:
            assert steps[before] == 1, (kind, steps)


def test_the_first_empty_step_is_named_with_what_to_do(shift):
    make_candidate(regions=("VR13",))
    result = funnel(shift)
    assert result.dry.code == "region"
    assert "regio" in str(result.advice).lower()


def test_api_gives_steps_in_order_with_dutch_labels(api_as, shift, national_coordinator):
    make_candidate()
    response = api_as(national_coordinator).get(url(shift), HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 200, response.content
    steps = response.json()["steps"]
    assert [s["code"] for s in steps] == CODES
    assert steps[0]["remaining"] == 1
    assert steps[0]["label"] == "In de reserve (actief)"


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("national_coordinator", 200),
        ("regional_coordinator", 200),  # VR09, the shift's region
        ("other_region_coordinator", 404),
        ("care_org_user_of_shift", 200),
        ("other_care_org_user", 404),
        ("reservist", 404),
        ("outsider", 404),
    ],
)
def test_funnel_is_scoped(api_as, request, shift, persona, expected):
    if persona == "care_org_user_of_shift":
        from accounts.models import Membership
        from tests.factories import make_persona

        user = make_persona(Membership.Role.CARE_ORG, organisation=shift.request.organisation)
    else:
        user = request.getfixturevalue(persona)
    response = api_as(user).get(url(shift))
    assert response.status_code in ((expected,) if expected != 404 else (403, 404)), (
        response.content
    )
    if expected == 200:
        assert "steps" in response.json()
    else:
        assert "steps" not in response.json()


def test_funnel_takes_seven_queries_whatever_the_data(shift, org, django_assert_num_queries):
    from requests_app.models import Shift

    for _ in range(5):
        make_candidate()
    shift = Shift.objects.select_related("request__organisation", "profile").get(pk=shift.pk)
    funnel(shift)  # the rules' own reference data (the VOG rule) is read once and cached
    with django_assert_num_queries(7):
        funnel(shift)


def test_page_shows_the_funnel_and_the_advice(client, shift, regional_coordinator):
    make_candidate(regions=("VR13",))
    client.force_login(regional_coordinator)
    page = client.get(f"/requests/shifts/{shift.pk}/funnel/", HTTP_ACCEPT_LANGUAGE="nl")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Waarom nog niemand past" in text
    assert "Bereid om in deze regio en sector te werken" in text
    assert "buurregio" in text


def test_steps_are_the_matchers_steps():
    assert [s.code for s in eligibility.STEPS] == CODES
