from datetime import date, timedelta
from importlib import import_module

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD, demo_totp_secret, demo_user
from accounts.models import Membership
from accounts.services import grant_membership
from registry.models import Municipality, Profession, Profile, Region, Reservist, derive_ring
from requests_app.models import CareOrganisation
from training.models import Course, TrainingRecord

Role = Membership.Role

# (email, first name, last name, role, scope, description)
ACCOUNTS = [
    (
        "reservist@demo.nzr.local",
        "Anneke",
        "de Vries",
        Role.RESERVIST,
        None,
        "reservist, VR09, active and deployable",
    ),
    ("zorg@demo.nzr.local", "Sanne", "Jansen", Role.CARE_ORG, "VR09", "care organisation in VR09"),
    (
        "zorg.vr13@demo.nzr.local",
        "Mohamed",
        "El Amrani",
        Role.CARE_ORG,
        "VR13",
        "care organisation in VR13",
    ),
    (
        "coordinator.vr09@demo.nzr.local",
        "Pieter",
        "Bakker",
        Role.REGIONAL,
        "VR09",
        "regional coordinator VR09 Utrecht",
    ),
    (
        "coordinator.vr13@demo.nzr.local",
        "Fatima",
        "Yilmaz",
        Role.REGIONAL,
        "VR13",
        "regional coordinator VR13 Amsterdam-Amstelland",
    ),
    ("landelijk@demo.nzr.local", "Karin", "Visser", Role.NATIONAL, None, "national coordinator"),
    ("driehoek@demo.nzr.local", "Joost", "Smit", Role.TRIANGLE, "vws", "triangle member (VWS)"),
    ("admin@demo.nzr.local", "Beheer", "NZR", None, None, "superuser"),
]

ORGANISATIONS = {
    "VR09": dict(
        name="Zorggroep Domstad (demo)",
        kvk="30123456",
        agb="12345678",
        sector="vvt",
        address="Oudegracht 1, Utrecht",
        postcode="3511 AA",
        municipality="GM0344",
    ),
    "VR13": dict(
        name="Amstel Ziekenhuis (demo)",
        kvk="34123456",
        agb="87654321",
        sector="hospital",
        address="Amstel 1, Amsterdam",
        postcode="1011 PN",
        municipality="GM0363",
    ),
}

# Further demo data per app (a realistic national picture), run after the accounts.
HOOKS = [
    "registry.demo",
    "training.demo",
    "regions.demo",
    "escalation.demo",
    "requests_app.demo",
    "dashboard.demo",
]


class Command(BaseCommand):
    help = "Create one demo user per role and a realistic national picture; prints the logins."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Do not print the logins.")

    def handle(self, *args, quiet=False, **options):
        if settings.PRODUCTION:
            raise CommandError("load_demo refuses to run in production (NZR_PRODUCTION=1).")
        if not Region.objects.exists():
            call_command("load_reference_data", stdout=self.stdout)
        with transaction.atomic():
            users = self._accounts()
            for path in HOOKS:
                try:
                    module = import_module(path)
                except ModuleNotFoundError:
                    continue
                module.load(users)
        if not quiet:
            self._print()

    def _accounts(self):
        regions = {r.code: r for r in Region.objects.all()}
        orgs = {}
        for code, data in ORGANISATIONS.items():
            data = dict(data)
            municipality = Municipality.objects.get(code=data.pop("municipality"))
            orgs[code], _ = CareOrganisation.objects.update_or_create(
                name=data.pop("name"),
                defaults={
                    **data,
                    "municipality": municipality,
                    "region": regions[code],
                    "status": CareOrganisation.Status.APPROVED,
                },
            )
        users = {}
        for email, first, last, role, scope, _desc in ACCOUNTS:
            staff = role in Membership.STAFF_ROLES or role is None
            user = demo_user(email, first, last, superuser=role is None, mfa=staff)
            if role == Role.REGIONAL:
                grant_membership(user, role, region=regions[scope])
            elif role == Role.CARE_ORG:
                grant_membership(user, role, organisation=orgs[scope])
            elif role == Role.TRIANGLE:
                grant_membership(user, role, party=scope)
            elif role is not None:
                grant_membership(user, role)
            users[email] = user
        self._demo_reservist(users["reservist@demo.nzr.local"], regions)
        users["_organisations"] = orgs
        return users

    def _demo_reservist(self, user, regions):
        nurse = Profession.objects.get(code="verpleegkundige")
        reservist, _ = Reservist.objects.update_or_create(
            user=user,
            defaults=dict(
                first_name=user.first_name,
                last_name=user.last_name,
                date_of_birth=date(1961, 4, 12),
                phone="06 12345678",
                postcode="3512 JE",
                municipality=Municipality.objects.get(code="GM0344"),
                home_region=regions["VR09"],
                sectors=["hospital", "vvt"],
                profession=nurse,
                big_number="19012345601",
                big_valid_until=timezone.localdate() + timedelta(days=3 * 365),
                level="hbo",
                readiness="24h",
                status=Reservist.Status.ACTIVE,
                consent_at=timezone.now(),
                availability_confirmed_on=timezone.localdate(),
                years_experience=30,
                last_worked_in_care=date(2023, 6, 30),
            ),
        )
        reservist.ring = derive_ring(nurse, "hbo", False, True)
        reservist.save(update_fields=["ring"])
        reservist.regions.set([regions["VR09"], regions["VR13"], regions["VR25"]])
        reservist.profiles.set(Profile.objects.filter(code__in=["vpk-algemeen", "verzorgende"]))
        today = timezone.localdate()
        for course in Course.objects.filter(
            code__in=["nzr-introductie", "bls", "infectiepreventie", "voorbehouden-handelingen"]
        ):
            if not TrainingRecord.objects.filter(reservist=reservist, course=course).exists():
                TrainingRecord.objects.create(
                    reservist=reservist, course=course, completed_on=today - timedelta(days=60)
                )

    def _print(self):
        url = getattr(settings, "SITE_URL", "http://127.0.0.1:8000")
        w = self.stdout.write
        w("")
        w(self.style.SUCCESS(f"Demo accounts (password for all: {DEMO_PASSWORD})  —  {url}/"))
        for email, _f, _l, role, _s, desc in ACCOUNTS:
            line = f"  {email:34} {desc}"
            if role in Membership.STAFF_ROLES or role is None:
                line += f"\n  {'':34} two-step code: .venv/bin/python manage.py demo_totp {email}  (secret {demo_totp_secret(email)})"
            w(line)
        w("")
