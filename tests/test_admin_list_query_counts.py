"""Every change list of the admin takes the same number of queries for 1 and for 100 rows
more (issue 9), read by the role that works there: the triangle for escalation, national
coordinators for the other domain models, a superuser for the technical tables. A test
below fails when a model is registered in the admin without a case here.

The admin shows every row of a table, also reference data and the rows the personas
bring (users, audit entries), so a list holds ``base + n`` rows: ``base`` is counted
after signing in, before the rows are built."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog, AuditEntry, User
from dashboard.models import PoolSnapshot
from escalation.models import Crisis, Escalation, LadderStep, PriorityCategory, PriorityFramework
from outbox.models import OutboxMessage
from regions.models import BigRegisterCheck, Candidate, ImportJob, VettingCheck, VogRule
from registry.models import Municipality, Profession, Profile, Region, RegionGroup, Reservist
from requests_app.models import Assignment, CareOrganisation, DeploymentRequest, Invitation
from tests import bulk
from tests.querycount import ListCase, browser_as, measure_list
from training.models import Course, CourseRequirement, TrainingRecord, TrainingSession

pytestmark = pytest.mark.django_db

# Third-party models in the admin (superuser only, not the reserve's data).
NOT_DOMAIN = {
    "auth.group",
    "account.emailaddress",
    "mfa.authenticator",
    "usersessions.usersession",
    "authtoken.tokenproxy",
}


def _code() -> int:
    return bulk.serial() % 1000


def _reservists(ctx, n):
    return bulk.reservists(n)


def _requests(ctx, n, **kwargs):
    if not hasattr(ctx, "organisation"):
        ctx.organisation = bulk.organisations(1)[0]
    return bulk.requests(ctx.organisation, n, **kwargs)


def _shifts(ctx, n):
    if not hasattr(ctx, "request_"):
        ctx.request_, ctx.days = _requests(ctx, 1, shifts=0)[0], 2
    made = bulk.shifts(ctx.request_, n, first_day=ctx.days)
    ctx.days += n
    return made


BUILD = {
    User: lambda ctx, n: bulk.users(n),
    AuditEntry: lambda ctx, n: AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                content_type=ContentType.objects.get_for_model(Reservist),
                object_id=str(i),
                action="reservist.changed",
                actor=by,
            )
            for i, by in enumerate(bulk.actors(ctx.user, n))
        ]
    ),
    AccessLog: lambda ctx, n: AccessLog.objects.bulk_create(
        [
            AccessLog(user=by, action="view", subject_type="registry.reservist", subject_id="1")
            for by in bulk.actors(ctx.user, n)
        ]
    ),
    Region: lambda ctx, n: Region.objects.bulk_create(
        [Region(code=f"Q{_code():03d}", name="Testregio") for _ in range(n)]
    ),
    RegionGroup: lambda ctx, n: RegionGroup.objects.bulk_create(
        [RegionGroup(code=f"groep-{bulk.serial()}", name="Testgroep") for _ in range(n)]
    ),
    Municipality: lambda ctx, n: Municipality.objects.bulk_create(
        [
            Municipality(code=f"GX{_code():04d}", name="Testgemeente", region=r)
            for r in [Region.objects.get(code="VR09")] * n
        ]
    ),
    Profession: lambda ctx, n: Profession.objects.bulk_create(
        [Profession(code=f"beroep-{bulk.serial()}", name="Testberoep") for _ in range(n)]
    ),
    Profile: lambda ctx, n: Profile.objects.bulk_create(
        [Profile(code=f"profiel-{bulk.serial()}", name="Testprofiel") for _ in range(n)]
    ),
    Reservist: _reservists,
    Course: lambda ctx, n: Course.objects.bulk_create(
        [Course(code=f"cursus-{bulk.serial()}", name="Testcursus") for _ in range(n)]
    ),
    TrainingRecord: lambda ctx, n: TrainingRecord.objects.bulk_create(
        [
            TrainingRecord(reservist=r, course=c, completed_on=timezone.localdate())
            for r, c in zip(
                _reservists(ctx, n), [Course.objects.order_by("pk").first()] * n, strict=True
            )
        ]
    ),
    TrainingSession: lambda ctx, n: TrainingSession.objects.bulk_create(
        [
            TrainingSession(
                course=Course.objects.order_by("pk").first(),
                region=Region.objects.get(code="VR09") if i % 2 else None,
                starts_at=timezone.now() + timedelta(days=i + 1),
                ends_at=timezone.now() + timedelta(days=i + 1, hours=3),
                place="Zorgcampus",
                trainer="J. de Boer",
                capacity=5,
            )
            for i in range(n)
        ]
    ),
    Candidate: lambda ctx, n: Candidate.objects.bulk_create(
        [
            Candidate(region=Region.objects.get(code="VR09"), first_name="Kees", last_name="Mulder")
            for _ in range(n)
        ]
    ),
    VettingCheck: lambda ctx, n: VettingCheck.objects.bulk_create(
        [
            VettingCheck(reservist=r, kind="identity", outcome="pass", checked_by=by)
            for r, by in zip(_reservists(ctx, n), bulk.actors(ctx.user, n), strict=True)
        ]
    ),
    ImportJob: lambda ctx, n: ImportJob.objects.bulk_create(
        [
            ImportJob(
                region=Region.objects.get(code="VR09"),
                kind="candidates",
                filename="bestand.csv",
                file_format="csv",
                content=b"voornaam;achternaam\n",
                created_by=by,
            )
            for by in bulk.actors(ctx.user, n)
        ]
    ),
    LadderStep: lambda ctx, n: LadderStep.objects.bulk_create(
        [
            LadderStep(code=f"trede-{i}", order=100 + i, name="Testtrede")
            for i in (bulk.serial() for _ in range(n))
        ]
    ),
    PriorityFramework: lambda ctx, n: PriorityCategory.objects.bulk_create(
        [
            PriorityCategory(framework=f, category=category, rank=rank)
            for f in PriorityFramework.objects.bulk_create(
                [PriorityFramework(name="Kader", created_by=by) for by in bulk.actors(ctx.user, n)]
            )
            for rank, category in enumerate(PriorityCategory.Category.values, start=1)
        ]
    ),
    Crisis: lambda ctx, n: bulk.crises(n, declared_by=ctx.user),
    Escalation: lambda ctx, n: bulk.escalations(
        _requests(ctx, n, status="escalated"), nzr_member=ctx.user, opened_by=ctx.user
    ),
    CareOrganisation: lambda ctx, n: bulk.organisations(n),
    DeploymentRequest: lambda ctx, n: _requests(ctx, n),
    Invitation: lambda ctx, n: bulk.invitations(_shifts(ctx, n), _reservists(ctx, n)),
    Assignment: lambda ctx, n: bulk.assignments(_shifts(ctx, n), _reservists(ctx, n)),
    PoolSnapshot: lambda ctx, n: PoolSnapshot.objects.bulk_create(
        [
            PoolSnapshot(
                week=timezone.localdate() - timedelta(weeks=_code() + 1),
                region=Region.objects.get(code="VR09"),
                taken_at=timezone.now(),
            )
            for _ in range(n)
        ]
    ),
    OutboxMessage: lambda ctx, n: OutboxMessage.objects.bulk_create(
        [OutboxMessage(task="outbox.tasks.probe") for _ in range(n)]
    ),
    BigRegisterCheck: lambda ctx, n: BigRegisterCheck.objects.bulk_create(
        [
            BigRegisterCheck(reservist=r, big_number="19012345608", source="manual", outcome="pass")
            for r in _reservists(ctx, n)
        ]
    ),
    VogRule: lambda ctx, n: VogRule.objects.bulk_create(
        [
            VogRule(
                code=f"vog-{i}", name="Oude regel", first_months=3, renew_months=36, active=False
            )
            for i in (bulk.serial() for _ in range(n))
        ]
    ),
    CourseRequirement: lambda ctx, n: CourseRequirement.objects.bulk_create(
        [
            CourseRequirement(course=course, ring=1, repeat_months=12)
            for course in Course.objects.bulk_create(
                [
                    Course(code=f"cursus-{i}", name="Testcursus", validity_months=12)
                    for i in (bulk.serial() for _ in range(n))
                ]
            )
        ]
    ),
}

ESCALATION = {LadderStep, PriorityFramework, Crisis, Escalation}
TECHNICAL = {PoolSnapshot, OutboxMessage}


def _persona(model) -> str:
    if model in ESCALATION:
        return "triangle_member"
    if model in TECHNICAL:
        return "superuser"
    return "national_coordinator"


def _count_base(model):
    def setup(ctx):
        ctx.base = model._default_manager.count()  # these personas see every row

    return setup


def _changelist_rows(response) -> int:
    """The rows the change list found; its page holds the first ``list_per_page``."""
    cl = response.context["cl"]
    assert len(cl.result_list) == min(cl.result_count, cl.list_per_page)
    return cl.result_count


def _url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def _expect(model):
    if model is AccessLog:
        # Each read of this list is logged too (it names the readers of its rows): the
        # warm-up read before the first count, and the first read before the second.
        return lambda ctx, n: ctx.base + n + (1 if n == 1 else 2)
    return lambda ctx, n: ctx.base + n


CASES = [
    ListCase(
        model._meta.label_lower,
        _persona(model),
        _url(model),
        build,
        _changelist_rows,
        expect=_expect(model),
        setup=_count_base(model),
        route=model._meta.label_lower,
    )
    for model, build in BUILD.items()
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_admin_change_list_takes_the_same_queries_for_1_and_100_rows(case, request):
    measure_list(case, request, browser_as)


def test_every_model_in_the_admin_has_a_query_count_case():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered - NOT_DOMAIN == {c.route for c in CASES}
