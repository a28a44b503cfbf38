"""Every API list under /api/v1/ takes the same number of queries for 1 and for 100 rows
(issue 9). The lists are the GET routes of the OpenAPI schema that answer an array or a
page; a test below fails when the schema has a list without a case here."""

from datetime import timedelta

import pytest
from django.utils import timezone

from escalation.models import LadderStep
from regions.models import VettingCheck
from registry.models import Availability, Profile, Region
from tests import bulk
from tests.factories import CareOrganisationFactory, ReservistFactory
from tests.querycount import ListCase, api_array, api_page, measure_list
from training.models import Course, CourseRequirement, TrainingRecord

pytestmark = pytest.mark.django_db


# --- reference data (any signed-in user; unpaginated) ------------------------------------


def _count_regions(ctx):
    ctx.base = Region.objects.count()  # the 25 regions stay: other tables refer to them


def _add_regions(ctx, n):
    Region.objects.bulk_create(
        [Region(code=f"Q{bulk.serial() % 1000:03d}", name="Testregio") for _ in range(n)]
    )


def _only_new(model):
    def setup(ctx):
        model.objects.update(active=False)  # the lists show the active rows only

    return setup


def _add_profiles(ctx, n):
    made = Profile.objects.bulk_create(
        [Profile(code=f"profiel-{bulk.serial()}", name="Testprofiel", rings=[1]) for _ in range(n)]
    )
    course = Course.objects.order_by("pk").first()
    CourseRequirement.objects.bulk_create(
        [CourseRequirement(course=course, profile=p) for p in made]
    )


def _add_courses(ctx, n):
    Course.objects.bulk_create(
        [Course(code=f"cursus-{bulk.serial()}", name="Testcursus") for _ in range(n)]
    )


def _add_ladder_steps(ctx, n):
    LadderStep.objects.bulk_create(
        [
            LadderStep(code=f"trede-{i}", order=100 + i, name="Testtrede")
            for i in (bulk.serial() for _ in range(n))
        ]
    )


# --- the reservist about themself --------------------------------------------------------


def _own_shifts(ctx, n):
    """``n`` shifts (one request of a VR09 organisation) for the persona's invitations."""
    if not hasattr(ctx, "request_"):
        ctx.request_ = bulk.requests(CareOrganisationFactory(), 1, shifts=0)[0]
        ctx.days = 2
    made = bulk.shifts(ctx.request_, n, first_day=ctx.days)
    ctx.days += n
    return made


def _add_availability(ctx, n):
    now = timezone.now()
    Availability.objects.bulk_create(
        [
            Availability(
                reservist=ctx.user.reservist,
                start=now + timedelta(days=i),
                end=now + timedelta(days=i, hours=8),
            )
            for i in range(n)
        ]
    )


def _add_invitations(ctx, n):
    bulk.invitations(_own_shifts(ctx, n), ctx.user.reservist)


def _add_assignments(ctx, n):
    bulk.assignments(_own_shifts(ctx, n), ctx.user.reservist)


def _may_take_shifts(ctx):
    """The persona holds the profile, works in VR09 and is trained: open shifts are theirs."""
    r = ctx.user.reservist
    r.profiles.set(Profile.objects.filter(code="verzorgende"))
    r.regions.set(Region.objects.filter(code="VR09"))
    done = timezone.localdate() - timedelta(days=30)
    TrainingRecord.objects.bulk_create(
        [TrainingRecord(reservist=r, course=c, completed_on=done) for c in Course.objects.all()]
    )


def _open_shifts_url(ctx):
    return f"/api/v1/me/open-shifts/?to={timezone.localdate() + timedelta(days=150):%Y-%m-%d}"


def _add_waitlist_entries(ctx, n):
    from requests_app.models import WaitlistEntry

    WaitlistEntry.objects.bulk_create(
        [WaitlistEntry(shift=s, reservist=ctx.user.reservist) for s in _own_shifts(ctx, n)]
    )


# --- coordinators -------------------------------------------------------------------------


def _add_organisations(ctx, n):
    bulk.organisations(n)


def _add_requests(ctx, n):
    org = ctx.fixture.getfixturevalue("organisation")  # the care_org_user's own
    bulk.requests(org, n, shifts=2, ladder=True, crisis=ctx.fixture.getfixturevalue("crisis"))


def _add_queue(ctx, n):
    org = ctx.fixture.getfixturevalue("organisation")
    bulk.requests(org, n, status="submitted", shifts=2, ladder=True)


def _add_reservists(ctx, n):
    bulk.reservists(n, with_users=True)


def _a_reservist(ctx):
    ctx.reservist = ReservistFactory(user__password=None)


def _add_training_records(ctx, n):
    courses = list(Course.objects.all())
    today = timezone.localdate()
    rows = []
    for i, by in enumerate(bulk.actors(ctx.user, n)):
        course, done = courses[i % len(courses)], today - timedelta(days=i)
        rows.append(
            TrainingRecord(
                reservist=ctx.reservist,
                course=course,
                completed_on=done,
                expires_on=course.expiry_for(done),
                recorded_by=by,
            )
        )
    TrainingRecord.objects.bulk_create(rows)


def _add_vetting(ctx, n):
    checks = VettingCheck.Check.values
    VettingCheck.objects.bulk_create(
        [
            VettingCheck(
                reservist=ctx.reservist, kind=checks[i % len(checks)], outcome="pass", checked_by=by
            )
            for i, by in enumerate(bulk.actors(ctx.user, n))
        ]
    )


def _a_shift(ctx):
    org = ctx.fixture.getfixturevalue("organisation")
    ctx.shift = bulk.requests(org, 1)[0].shifts.get()


def _add_candidates(ctx, n):
    bulk.deployable_reservists(n)


def _add_crises(ctx, n):
    bulk.crises(n)


def _add_escalations(ctx, n):
    if not hasattr(ctx, "nzr_member"):
        ctx.nzr_member = ctx.fixture.getfixturevalue("national_coordinator")
        ctx.organisation = CareOrganisationFactory()
    made = bulk.requests(ctx.organisation, n, status="escalated")
    bulk.escalations(made[::2], nzr_member=ctx.nzr_member, opened_by=ctx.nzr_member)
    bulk.escalations(made[1::2])


# --- figures: a row per group --------------------------------------------------------------


def _no_stats_cache(ctx):
    ctx.fixture.getfixturevalue("settings").NZR_STATS_CACHE_SECONDS = 0  # measure the work
    ctx.weeks = 0


def _add_weeks(ctx, n):
    """``n`` shifts, each in a week of its own: a row per week."""
    (req,) = bulk.requests(ctx.fixture.getfixturevalue("organisation"), 1, shifts=0)
    bulk.shifts(req, n, first_day=7 * ctx.weeks + 1, every=7)
    ctx.weeks += n


def _profiles_for_pool(ctx):
    _no_stats_cache(ctx)
    Profile.objects.update(active=False)


def _add_pool_profiles(ctx, n):
    """``n`` profiles, each with an active reservist: a row per profile."""
    made = Profile.objects.bulk_create(
        [Profile(code=f"pool-{bulk.serial()}", name="Testprofiel", rings=[1]) for _ in range(n)]
    )
    people = bulk.reservists(n)
    Profile.reservists.through.objects.bulk_create(
        [
            Profile.reservists.through(profile=p, reservist=r)
            for p, r in zip(made, people, strict=True)
        ]
    )


CASES = [
    ListCase(
        "regions",
        "national_coordinator",
        "/api/v1/regions/",
        _add_regions,
        api_array,
        expect=lambda ctx, n: ctx.base + n,
        setup=_count_regions,
        route="/api/v1/regions/",
    ),
    ListCase(
        "profiles",
        "reservist",
        "/api/v1/profiles/",
        _add_profiles,
        api_array,
        setup=_only_new(Profile),
        route="/api/v1/profiles/",
    ),
    ListCase(
        "courses",
        "reservist",
        "/api/v1/courses/",
        _add_courses,
        api_array,
        setup=_only_new(Course),
        route="/api/v1/courses/",
    ),
    ListCase(
        "ladder",
        "care_org_user",
        "/api/v1/ladder/",
        _add_ladder_steps,
        api_array,
        setup=_only_new(LadderStep),
        route="/api/v1/ladder/",
    ),
    ListCase(
        "me-availability",
        "reservist",
        "/api/v1/me/availability/",
        _add_availability,
        api_page,
        route="/api/v1/me/availability/",
    ),
    ListCase(
        "me-invitations",
        "reservist",
        "/api/v1/me/invitations/",
        _add_invitations,
        api_page,
        route="/api/v1/me/invitations/",
    ),
    ListCase(
        "me-assignments",
        "reservist",
        "/api/v1/me/assignments/",
        _add_assignments,
        api_page,
        route="/api/v1/me/assignments/",
    ),
    ListCase(
        "me-open-shifts",
        "reservist",
        _open_shifts_url,
        lambda ctx, n: _own_shifts(ctx, n),
        api_array,
        setup=_may_take_shifts,
        route="/api/v1/me/open-shifts/",
    ),
    ListCase(
        "me-waitlist",
        "reservist",
        "/api/v1/me/waitlist/",
        _add_waitlist_entries,
        api_page,
        route="/api/v1/me/waitlist/",
    ),
    ListCase(
        "organisations",
        "national_coordinator",
        "/api/v1/organisations/",
        _add_organisations,
        api_page,
        route="/api/v1/organisations/",
    ),
    ListCase(
        "requests-national",
        "national_coordinator",
        "/api/v1/requests/",
        _add_requests,
        api_page,
        route="/api/v1/requests/",
    ),
    ListCase(
        "requests-care-org",
        "care_org_user",
        "/api/v1/requests/",
        _add_requests,
        api_page,
        route="/api/v1/requests/",
    ),
    ListCase(
        "requests-queue",
        "national_coordinator",
        "/api/v1/requests/queue/",
        _add_queue,
        api_page,
        route="/api/v1/requests/queue/",
    ),
    ListCase(
        "reservists",
        "regional_coordinator",
        "/api/v1/reservists/",
        _add_reservists,
        api_page,
        route="/api/v1/reservists/",
    ),
    ListCase(
        "training-records",
        "regional_coordinator",
        lambda ctx: f"/api/v1/reservists/{ctx.reservist.pk}/training-records/",
        _add_training_records,
        api_page,
        setup=_a_reservist,
        route="/api/v1/reservists/{id}/training-records/",
    ),
    ListCase(
        "vetting",
        "regional_coordinator",
        lambda ctx: f"/api/v1/reservists/{ctx.reservist.pk}/vetting/",
        _add_vetting,
        api_page,
        setup=_a_reservist,
        route="/api/v1/reservists/{id}/vetting/",
    ),
    ListCase(
        "shift-candidates",
        "national_coordinator",
        lambda ctx: f"/api/v1/shifts/{ctx.shift.pk}/candidates/",
        _add_candidates,
        api_page,
        setup=_a_shift,
        route="/api/v1/shifts/{id}/candidates/",
    ),
    ListCase(
        "crises",
        "national_coordinator",
        "/api/v1/crises/",
        _add_crises,
        api_page,
        route="/api/v1/crises/",
    ),
    ListCase(
        "escalations",
        "triangle_member",
        "/api/v1/escalations/",
        _add_escalations,
        api_page,
        route="/api/v1/escalations/",
    ),
    ListCase(
        "stats-shifts-per-week",
        "national_coordinator",
        "/api/v1/stats/shifts/?group_by=week",
        _add_weeks,
        api_page,
        setup=_no_stats_cache,
        route="/api/v1/stats/shifts/",
    ),
    ListCase(
        "stats-pool-per-profile",
        "regional_coordinator",
        "/api/v1/stats/pool/?group_by=profile",
        _add_pool_profiles,
        api_page,
        setup=_profiles_for_pool,
        route="/api/v1/stats/pool/",
    ),
]


@pytest.fixture
def crisis(db):
    from tests.requests_app.factories import active_crisis

    return active_crisis()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_api_list_takes_the_same_queries_for_1_and_100_rows(case, request, api_as):
    measure_list(case, request, api_as)


def _list_routes():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    routes = set()
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if get is None:
            continue
        content = get["responses"].get("200", {}).get("content", {})
        body = content.get("application/json", {}).get("schema", {})
        if body.get("type") == "array" or "/Paginated" in body.get("$ref", ""):
            routes.add(path)
    return routes


def test_every_api_list_in_the_schema_has_a_query_count_case():
    routes = _list_routes()
    assert len(routes) >= 18
    assert routes == {c.route for c in CASES}
