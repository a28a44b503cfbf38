"""Demo data of the regions: vetting checks for the demo reservists and candidates
from several sources (idempotent)."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from regions import vetting
from regions.models import Candidate, CandidateStatusChange, VettingCheck
from registry.models import Region, Reservist

# (n, region, first, last, source, campaign, status, intake in days, note)
CANDIDATES = [
    (1, "VR09", "Ineke", "Verhoeven", "campaign", "Radio voorjaar", "new", None, ""),
    (
        2,
        "VR09",
        "Gerrit",
        "Postma",
        "extra_handen",
        "Bestand Extra Handen 2021",
        "contacted",
        None,
        "Oud-IC-verpleegkundige",
    ),
    (3, "VR09", "Samira", "Benali", "employer", "UMC Utrecht", "intake_planned", 3, ""),
    (4, "VR09", "Johan", "Kuipers", "agency", "Zorgflex", "intake_planned", 6, ""),
    (
        5,
        "VR09",
        "Anouk",
        "de Graaf",
        "campaign",
        "Social media najaar",
        "rejected",
        None,
        "Geen zorgachtergrond",
    ),
    (
        6,
        "VR09",
        "Henk",
        "Timmer",
        "extra_handen",
        "Bestand Extra Handen 2021",
        "withdrew",
        None,
        "Verhuisd",
    ),
    (7, "VR13", "Dewi", "Pranoto", "campaign", "Radio voorjaar", "new", None, ""),
    (8, "VR13", "Lars", "Koster", "employer", "Amsterdam UMC", "contacted", None, ""),
    (9, "VR13", "Mila", "Schouten", "agency", "Care4You", "intake_planned", 4, ""),
]
STATUS_FIX = {"withdrew": "withdrawn"}


def _coordinator_for(reservist, users):
    code = reservist.home_region.code if reservist.home_region_id else ""
    return users.get(f"coordinator.{code.lower()}@demo.nzr.local") or users.get(
        "landelijk@demo.nzr.local"
    )


def load(users) -> dict:
    now = timezone.now()
    checks = 0
    reservists = (
        Reservist.objects.filter(user__email__endswith="@demo.nzr.local")
        .select_related("profession", "home_region")
        .order_by("pk")
    )
    for reservist in reservists:
        if VettingCheck.objects.filter(reservist=reservist).exists():
            continue
        actor = _coordinator_for(reservist, users)
        required = vetting.required_checks(reservist)
        if reservist.status == "applied":
            continue
        if reservist.status == "vetting":
            # Half-way: identity done; one in three has a failed VOG that explains itself.
            done = required[:1]
            failed = "vog" if reservist.pk % 3 == 0 else None
        else:
            done, failed = required, None
        for i, check in enumerate(done):
            VettingCheck.objects.create(
                reservist=reservist,
                kind=check,
                outcome="pass",
                checked_by=actor,
                checked_at=now - timedelta(days=200 - i),
                note="",
            )
            checks += 1
        if failed:
            VettingCheck.objects.create(
                reservist=reservist,
                kind=failed,
                outcome="fail",
                checked_by=actor,
                checked_at=now - timedelta(days=5),
                note="VOG-aanvraag afgewezen door Justis; bezwaar loopt.",
            )
            checks += 1
    regions = {r.code: r for r in Region.objects.filter(code__in=["VR09", "VR13"])}
    tz = timezone.get_current_timezone()
    candidates = 0
    for n, code, first, last, source, campaign, status, intake, note in CANDIDATES:
        email = f"kandidaat-{n}@demo.nzr.local"
        if Candidate.objects.filter(email=email).exists():
            continue
        status = STATUS_FIX.get(status, status)
        actor = users.get(f"coordinator.{code.lower()}@demo.nzr.local")
        planned = None
        if intake:
            day = timezone.localdate() + timedelta(days=intake)
            planned = timezone.make_aware(datetime.combine(day, time(10, 30)), tz)
        candidate = Candidate.objects.create(
            region=regions[code],
            first_name=first,
            last_name=last,
            email=email,
            phone=f"06 2000{n:04d}",
            source=source,
            campaign=campaign,
            status=status,
            intake_planned_at=planned,
            notes=note,
            created_by=actor,
            created_at=now - timedelta(days=30 - n),
        )
        CandidateStatusChange.objects.create(
            candidate=candidate, from_status="", to_status="new", reason="Aangemeld", actor=actor
        )
        if status != "new":
            CandidateStatusChange.objects.create(
                candidate=candidate, from_status="new", to_status=status, reason=note, actor=actor
            )
        candidates += 1
    return {"vetting_checks": checks, "candidates": candidates}
