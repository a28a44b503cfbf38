"""Every web page that shows a list of rows takes the same number of queries for 1 and
for 100 rows (issue 9). The rows of a page are counted in its HTML (a link or a text
each row has), so a page that stops showing them fails too. The dashboard pages have
their own tests (tests/dashboard/test_pages.py), the admin's change lists are in
tests/test_admin_list_query_counts.py."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from escalation.models import CrisisAvailabilityCall, CrisisResponse, LadderStep
from regions.models import (
    Candidate,
    CandidateStatusChange,
    ImportJob,
    MessageDelivery,
    RegionMessage,
    VettingCheck,
)
from registry.models import (
    Availability,
    Municipality,
    Region,
    ReservistNote,
    ReservistStatusChange,
)
from requests_app.models import CareOrganisation, LadderAttestation, Shift
from tests import bulk
from tests.factories import CareOrganisationFactory, ReservistFactory
from tests.querycount import ListCase, browser_as, marker_count, measure_list
from training.models import Course, SessionSignup, TrainingRecord, TrainingSession

pytestmark = pytest.mark.django_db

MARK = "Telrij"  # text a builder puts in each row where the page shows no link per row


def links(pattern: str):
    """The rows of a page: how many times ``pattern`` (a regular expression) occurs."""
    compiled = re.compile(pattern)

    def rows(response) -> int:
        return len(compiled.findall(response.content.decode()))

    return rows


def up_to(limit: int):
    """The page shows the first ``limit`` rows."""
    return lambda ctx, n: min(n, limit)


def _marked_organisation(ctx):
    if not hasattr(ctx, "organisation"):
        ctx.organisation = CareOrganisationFactory(name=f"Zorggroep {MARK}")
    return ctx.organisation


# --- requests -----------------------------------------------------------------------------


def _own_requests(ctx, n):
    org = ctx.fixture.getfixturevalue("organisation")  # the care_org_user's own
    made = bulk.requests(org, n, shifts=2)
    first_shifts = Shift.objects.filter(request__in=made).order_by("request_id", "start")[::2]
    bulk.assignments(first_shifts, bulk.reservists(n))


def _pending_organisations(ctx, n):
    made = bulk.organisations(n, status=CareOrganisation.Status.PENDING, municipality=_utrecht())
    for org, by in zip(made, bulk.actors(ctx.user, n), strict=True):
        org.registered_by = by
    CareOrganisation.objects.bulk_update(made, ["registered_by"])


def _utrecht():
    return Municipality.objects.valid_on().get(code="GM0344")


def _queue(ctx, n):
    bulk.requests(ctx.fixture.getfixturevalue("organisation"), n, status="submitted", shifts=2)


def _shifts_of_own_request(ctx, n):
    """``n`` shifts more on one request of the persona's organisation (an invitation or
    booking each needs a shift of its own)."""
    if not hasattr(ctx, "request_"):
        ctx.request_ = bulk.requests(_marked_organisation(ctx), 1, shifts=0)[0]
        ctx.days = 2
    made = bulk.shifts(ctx.request_, n, first_day=ctx.days)
    ctx.days += n
    return made


def _open_invitations(ctx, n):
    bulk.invitations(_shifts_of_own_request(ctx, n), ctx.user.reservist)


def _answered_invitations(ctx, n):
    bulk.invitations(_shifts_of_own_request(ctx, n), ctx.user.reservist, status="declined")


def _upcoming_bookings(ctx, n):
    bulk.assignments(_shifts_of_own_request(ctx, n), ctx.user.reservist)


def _past_bookings(ctx, n):
    if not hasattr(ctx, "request_"):
        ctx.request_ = bulk.requests(_marked_organisation(ctx), 1, shifts=0)[0]
        ctx.days = -2
    made = bulk.shifts(ctx.request_, n, first_day=ctx.days - n + 1)
    ctx.days -= n
    bulk.assignments(made, ctx.user.reservist, status="completed")


def _a_feed(ctx):
    from requests_app.calendar import feed_for

    ctx.feed = feed_for(ctx.user)


def _a_request(ctx):
    org = ctx.fixture.getfixturevalue("organisation")
    ctx.request_ = bulk.requests(org, 1, shifts=0, ladder=True)[0]
    ctx.days = 2


def _staffed_shifts(ctx, n):
    made = bulk.shifts(ctx.request_, n, first_day=ctx.days)
    ctx.days += n
    bulk.assignments(made, bulk.reservists(n))


def _a_draft(ctx):
    org = ctx.fixture.getfixturevalue("organisation")
    ctx.request_ = bulk.requests(org, 1, status="draft", shifts=0, ladder=True)[0]
    ctx.days = 2


def _draft_shifts(ctx, n):
    bulk.shifts(ctx.request_, n, first_day=ctx.days)
    ctx.days += n


def _a_draft_without_ladder(ctx):
    LadderStep.objects.update(active=False)  # the form has a row per active step
    org = ctx.fixture.getfixturevalue("organisation")
    ctx.request_ = bulk.requests(org, 1, status="draft", shifts=0)[0]


def _ladder_steps(ctx, n):
    """``n`` steps more in the ladder form; the draft attests every other one already."""
    steps = LadderStep.objects.bulk_create(
        [
            LadderStep(code=f"trede-{i}", order=100 + i, name="Testtrede")
            for i in (bulk.serial() for _ in range(n))
        ]
    )
    LadderAttestation.objects.bulk_create(
        [
            LadderAttestation(
                request=ctx.request_, step=s, taken_on=timezone.localdate(), evidence="Gedaan"
            )
            for s in steps[::2]
        ]
    )


def _a_shift(ctx):
    org = ctx.fixture.getfixturevalue("organisation")
    ctx.shift = bulk.requests(org, 1)[0].shifts.get()


def _candidates_for_the_shift(ctx, n):
    made = bulk.deployable_reservists(n)
    bulk.invitations([ctx.shift], made[0])


# --- escalation ---------------------------------------------------------------------------


def _crises(ctx, n):
    made = bulk.crises(n)
    _call_everyone(made, bulk.reservists(2))


def _call_everyone(crises, people, answer=""):
    calls = CrisisAvailabilityCall.objects.bulk_create(
        [
            CrisisAvailabilityCall(crisis=c, wave=1, readiness="24h", due_at=timezone.now())
            for c in crises
        ]
    )
    return CrisisResponse.objects.bulk_create(
        [
            CrisisResponse(crisis=call.crisis, call=call, reservist=person, answer=answer)
            for call in calls
            for person in people
        ]
    )


def _my_calls(ctx, n):
    made = bulk.crises(n, active=True, phase="warm", activated_at=timezone.now())
    _call_everyone(made, [ctx.user.reservist])


def _picture(ctx, n):
    """``n`` escalated requests, each escalated (open) and so in both lists of the picture,
    and ``n`` active crises."""
    made = bulk.requests(_marked_organisation(ctx), n, status="escalated", shifts=2)
    bulk.escalations(made)
    bulk.crises(n, active=True, phase="warm")


# --- regions --------------------------------------------------------------------------------


def _work_queue(ctx, n):
    """Per ``n``: an applicant whose BIG registration expires soon (waiting, BIG), an active
    reservist whose training expires soon and who never confirmed (training, unconfirmed),
    and a candidate with an intake planned."""
    today = timezone.localdate()
    bulk.reservists(n, status="applied", big_valid_until=today + timedelta(days=20))
    active = bulk.reservists(n, availability_confirmed_on=None)
    course = Course.objects.filter(validity_months__isnull=False).order_by("pk").first()
    done = today - timedelta(days=30 * course.validity_months - 20)
    TrainingRecord.objects.bulk_create(
        [
            TrainingRecord(
                reservist=r, course=course, completed_on=done, expires_on=course.expiry_for(done)
            )
            for r in active
        ]
    )
    _candidates(ctx, n, status=Candidate.Status.INTAKE_PLANNED)


def _candidates(ctx, n, **fields):
    vr09 = Region.objects.get(code="VR09")
    values = {"intake_planned_at": timezone.now() + timedelta(days=3), **fields}
    Candidate.objects.bulk_create(
        [
            Candidate(
                region=vr09, first_name="Kees", last_name=f"Kandidaat {bulk.serial()}", **values
            )
            for _ in range(n)
        ]
    )


def _imports(ctx, n):
    vr09 = Region.objects.get(code="VR09")
    ImportJob.objects.bulk_create(
        [
            ImportJob(
                region=vr09,
                kind="candidates",
                filename=f"bestand-{i}.csv",
                file_format="csv",
                content=b"voornaam;achternaam\n",
                status="done",
                created_by=by,
            )
            for i, by in enumerate(bulk.actors(ctx.user, n))
        ]
    )


def _messages(ctx, n):
    vr09 = Region.objects.get(code="VR09")
    RegionMessage.objects.bulk_create(
        [
            RegionMessage(region=vr09, subject=f"Bericht {MARK}", body="Tekst", sent_by=by)
            for by in bulk.actors(ctx.user, n)
        ]
    )


def _inbox(ctx, n):
    vr09 = Region.objects.get(code="VR09")
    sent = RegionMessage.objects.bulk_create(
        [RegionMessage(region=vr09, subject="Bericht", body="Tekst") for _ in range(n)]
    )
    MessageDelivery.objects.bulk_create(
        [MessageDelivery(message=m, reservist=ctx.user.reservist) for m in sent]
    )


def _a_candidate(ctx):
    ctx.candidate = Candidate.objects.create(
        region=Region.objects.get(code="VR09"), first_name="Kees", last_name="Mulder"
    )


def _candidate_changes(ctx, n):
    CandidateStatusChange.objects.bulk_create(
        [
            CandidateStatusChange(
                candidate=ctx.candidate,
                from_status="new",
                to_status="contacted",
                reason=f"Reden {MARK}",
                actor=by,
            )
            for by in bulk.actors(ctx.user, n)
        ]
    )


# --- training ---------------------------------------------------------------------------------


def _sessions(ctx, n):
    vr09 = Region.objects.get(code="VR09")
    course = Course.objects.order_by("pk").first()
    start = timezone.now() + timedelta(days=7)
    made = TrainingSession.objects.bulk_create(
        [
            TrainingSession(
                course=course,
                region=vr09,
                starts_at=start + timedelta(hours=i),
                ends_at=start + timedelta(hours=i + 2),
                place="Zorgcampus Utrecht",
                trainer="J. de Boer",
                capacity=5,
            )
            for i in range(n)
        ]
    )
    person = getattr(ctx.user, "reservist", None) or bulk.reservists(1)[0]
    SessionSignup.objects.bulk_create(
        [SessionSignup(session=s, reservist=person) for s in made[::2]]
    )


def _a_session(ctx):
    start = timezone.now() + timedelta(days=7)
    ctx.session = TrainingSession.objects.create(
        course=Course.objects.order_by("pk").first(),
        region=Region.objects.get(code="VR09"),
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        place="Zorgcampus Utrecht",
        trainer="J. de Boer",
        capacity=500,
    )


def _signups(ctx, n):
    SessionSignup.objects.bulk_create(
        [SessionSignup(session=ctx.session, reservist=r) for r in bulk.reservists(n)]
    )


# --- the register -------------------------------------------------------------------------------


def _register(ctx, n):
    bulk.reservists(n, with_users=True)


def _periods(ctx, n):
    now = timezone.now()
    Availability.objects.bulk_create(
        [
            Availability(
                reservist=ctx.user.reservist,
                start=now + timedelta(days=i + 1),
                end=now + timedelta(days=i + 1, hours=8),
                note=MARK,
            )
            for i in range(n)
        ]
    )


def _status_changes(ctx, n, reservist=None):
    ReservistStatusChange.objects.bulk_create(
        [
            ReservistStatusChange(
                reservist=reservist or ctx.user.reservist,
                from_status="vetting",
                to_status="active",
                changed_by=by,
                reason=MARK,
            )
            for by in bulk.actors(ctx.user, n)
        ]
    )


def _a_reservist(ctx):
    ctx.reservist = ReservistFactory(user__password=None)


def _reservist_page(ctx, n):
    """``n`` rows more in each list of the reservist's page: status changes, availability,
    notes and vetting checks (each marked), and training records."""
    r, now, today = ctx.reservist, timezone.now(), timezone.localdate()
    people = bulk.actors(ctx.user, n)
    _status_changes(ctx, n, reservist=r)
    Availability.objects.bulk_create(
        [
            Availability(
                reservist=r,
                start=now + timedelta(days=i + 1),
                end=now + timedelta(days=i + 1, hours=8),
                note=MARK,
            )
            for i in range(n)
        ]
    )
    ReservistNote.objects.bulk_create(
        [ReservistNote(reservist=r, text=MARK, author=by) for by in people]
    )
    VettingCheck.objects.bulk_create(
        [
            VettingCheck(reservist=r, kind="identity", outcome="pass", note=MARK, checked_by=by)
            for by in people
        ]
    )
    courses = list(Course.objects.all())
    TrainingRecord.objects.bulk_create(
        [
            TrainingRecord(
                reservist=r,
                course=courses[i % len(courses)],
                completed_on=today - timedelta(days=i),
                expires_on=courses[i % len(courses)].expiry_for(today - timedelta(days=i)),
                recorded_by=by,
            )
            for i, by in enumerate(people)
        ]
    )


def _reservist_page_shows(response) -> int:
    """The marked rows, and the training records (a course and the day it was done)."""
    html = response.content.decode()
    training = re.findall(r'<th scope="row">[^<]+</th><td>\d\d-\d\d-\d{4}</td>', html)
    return html.count(MARK) + len(training)


def _reservist_page_rows(ctx, n):
    """Status changes, availability and notes: all. Vetting: the latest check of each kind
    (one, marked), and only when there are more checks than kinds the newest 50 of them.
    Training records: the newest 100."""
    return 3 * n + 1 + (min(n, 50) if n > 4 else 0) + min(n, 100)


def _my_data(ctx, n):
    """``n`` rows more in the lists of the personal-data page (availability, bookings)."""
    _periods(ctx, n)
    bulk.assignments(_shifts_of_own_request(ctx, n), ctx.user.reservist)


CASES = [
    # requests_app
    ListCase(
        "requests-home-care-org",
        "care_org_user",
        "/requests/",
        _own_requests,
        links(r'href="/requests/\d+/"'),
        expect=up_to(100),
        route="requests_app:home",
    ),
    ListCase(
        "requests-home-national",
        "national_coordinator",
        "/requests/",
        _own_requests,
        links(r'href="/requests/\d+/"'),
        expect=up_to(100),
        route="requests_app:home",
    ),
    ListCase(
        "organisations-pending",
        "national_coordinator",
        "/requests/organisations/pending/",
        _pending_organisations,
        links(r'action="/requests/organisations/\d+/decide/"'),
        route="requests_app:organisation_pending",
    ),
    ListCase(
        "queue",
        "national_coordinator",
        "/requests/queue/",
        _queue,
        links(r'href="/requests/\d+/"'),
        expect=up_to(50),
        route="requests_app:queue",
    ),
    ListCase(
        "request-detail-shifts",
        "care_org_user",
        lambda ctx: f"/requests/{ctx.request_.pk}/",
        _staffed_shifts,
        links(r'id="shift-\d+"'),
        setup=_a_request,
        route="requests_app:request_detail",
    ),
    ListCase(
        "request-detail-shifts-national",
        "national_coordinator",
        lambda ctx: f"/requests/{ctx.request_.pk}/",
        _staffed_shifts,
        links(r'id="shift-\d+"'),
        setup=_a_request,
        route="requests_app:request_detail",
    ),
    ListCase(
        "request-draft-shifts",
        "care_org_user",
        lambda ctx: f"/requests/{ctx.request_.pk}/edit/shifts/",
        _draft_shifts,
        links(r'name="remove" value="\d+"'),
        setup=_a_draft,
        route="requests_app:request_shifts",
    ),
    ListCase(
        "request-draft-ladder",
        "care_org_user",
        lambda ctx: f"/requests/{ctx.request_.pk}/edit/ladder/",
        _ladder_steps,
        links(r'id="step-trede-\d+"'),
        setup=_a_draft_without_ladder,
        route="requests_app:request_ladder",
    ),
    ListCase(
        "request-draft-review",
        "care_org_user",
        lambda ctx: f"/requests/{ctx.request_.pk}/edit/submit/",
        _draft_shifts,
        links(r"<li>[^<]*\d+ × "),
        setup=_a_draft,
        route="requests_app:request_review",
    ),
    ListCase(
        "shift-candidates",
        "national_coordinator",
        lambda ctx: f"/requests/shifts/{ctx.shift.pk}/candidates/",
        _candidates_for_the_shift,
        links(r'name="reservist" value="\d+"'),
        setup=_a_shift,
        route="requests_app:shift_candidates",
    ),
    ListCase(
        "my-invitations-open",
        "reservist",
        "/requests/invitations/",
        _open_invitations,
        links(r'action="/requests/invitations/\d+/accept/"'),
        route="requests_app:my_invitations",
    ),
    ListCase(
        "my-invitations-answered",
        "reservist",
        "/requests/invitations/",
        _answered_invitations,
        marker_count(MARK),
        expect=up_to(20),
        route="requests_app:my_invitations",
    ),
    ListCase(
        "my-shifts-upcoming",
        "reservist",
        "/requests/my-shifts/",
        _upcoming_bookings,
        marker_count(MARK),
        route="requests_app:my_assignments",
    ),
    ListCase(
        "my-shifts-past",
        "reservist",
        "/requests/my-shifts/",
        _past_bookings,
        marker_count(MARK),
        expect=up_to(30),
        route="requests_app:my_assignments",
    ),
    ListCase(
        "my-shifts-calendar-feed",
        "reservist",
        lambda ctx: f"/requests/calendar/{ctx.feed.token}.ics",
        _upcoming_bookings,
        marker_count("BEGIN:VEVENT"),
        setup=_a_feed,
        route="requests_app:calendar_feed",
    ),
    # escalation
    ListCase(
        "crises",
        "national_coordinator",
        "/escalation/crises/",
        _crises,
        links(r'href="/escalation/crises/\d+/"'),
        route="escalation:crisis_list",
    ),
    ListCase(
        "my-crisis-calls",
        "reservist",
        "/escalation/availability/",
        _my_calls,
        links(r'action="/escalation/availability/\d+/"'),
        route="escalation:my_calls",
    ),
    ListCase(
        "current-picture",
        "triangle_member",
        "/escalation/picture/",
        _picture,
        marker_count(MARK),
        expect=lambda ctx, n: 2 * n,  # a row in the open requests, a row in the escalations
        route="escalation:picture",
    ),
    # regions
    ListCase(
        "region-workspace",
        "regional_coordinator",
        "/region/",
        _work_queue,
        links(r'href="/(?:register/reservists|region/candidates)/\d+/"'),
        # waiting, training, BIG and unconfirmed: the first 25 each; intakes: the first 10
        expect=lambda ctx, n: 4 * min(n, 25) + min(n, 10),
        route="regions:workspace",
    ),
    ListCase(
        "candidates",
        "regional_coordinator",
        "/region/candidates/",
        _candidates,
        links(r'href="/region/candidates/\d+/"'),
        expect=up_to(50),
        route="regions:candidate_list",
    ),
    ListCase(
        "candidate-status-changes",
        "regional_coordinator",
        lambda ctx: f"/region/candidates/{ctx.candidate.pk}/",
        _candidate_changes,
        marker_count(MARK),
        setup=_a_candidate,
        route="regions:candidate_detail",
    ),
    ListCase(
        "recent-imports",
        "regional_coordinator",
        "/region/imports/new/",
        _imports,
        links(r'href="/region/imports/\d+/"'),
        expect=up_to(10),
        route="regions:import_new",
    ),
    ListCase(
        "region-messages",
        "regional_coordinator",
        "/region/messages/",
        _messages,
        marker_count(MARK),
        expect=up_to(50),
        route="regions:message_list",
    ),
    ListCase(
        "inbox",
        "reservist",
        "/region/inbox/",
        _inbox,
        links(r'href="/region/inbox/\d+/"'),
        route="regions:inbox",
    ),
    # training
    ListCase(
        "training-sessions-coordinator",
        "regional_coordinator",
        "/training/",
        _sessions,
        links(r'href="/training/sessions/\d+/"'),
        route="training:session_list",
    ),
    ListCase(
        "training-sessions-reservist",
        "reservist",
        "/training/",
        _sessions,
        links(r'href="/training/sessions/\d+/"'),
        route="training:session_list",
    ),
    ListCase(
        "training-session-signups",
        "regional_coordinator",
        lambda ctx: f"/training/sessions/{ctx.session.pk}/",
        _signups,
        links(r'href="/register/reservists/\d+/"'),
        setup=_a_session,
        route="training:session_detail",
    ),
    # registry (the register's pages: tested here, changed by the register's owners)
    ListCase(
        "register",
        "regional_coordinator",
        "/register/reservists/",
        _register,
        links(r'href="/register/reservists/\d+/"'),
        expect=up_to(25),
        route="registry:reservist_list",
    ),
    ListCase(
        "register-export-csv",
        "regional_coordinator",
        "/register/reservists/export/?format=csv",
        _register,
        links(r"Reservist \d{5}"),
        route="registry:reservist_export",
    ),
    ListCase(
        "reservist-page",
        "regional_coordinator",
        lambda ctx: f"/register/reservists/{ctx.reservist.pk}/",
        _reservist_page,
        _reservist_page_shows,
        expect=_reservist_page_rows,
        setup=_a_reservist,
        route="registry:reservist_detail",
    ),
    ListCase(
        "my-availability",
        "reservist",
        "/register/me/availability/",
        _periods,
        links(r'action="/register/me/availability/\d+/delete/"'),
        route="registry:availability",
    ),
    ListCase(
        "my-data",
        "reservist",
        "/register/me/data/",
        _my_data,
        marker_count(MARK),
        route="registry:my_data",
    ),
    ListCase(
        "my-status-history",
        "reservist",
        "/register/me/",
        _status_changes,
        marker_count(MARK),
        expect=up_to(10),
        route="registry:me",
    ),
]


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in CASES])
def test_page_list_takes_the_same_queries_for_1_and_100_rows(case, request):
    measure_list(case, request, browser_as)
