"""factory_boy factories for the models every app's tests need."""

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils import timezone

from accounts.models import Membership, User
from accounts.services import grant_membership
from registry.models import Profession, Region, Reservist
from requests_app.models import CareOrganisation

TEST_PASSWORD = "Test-wachtwoord-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    first_name = factory.Faker("first_name", locale="nl_NL")
    last_name = factory.Faker("last_name", locale="nl_NL")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create:
            self.save()
            EmailAddress.objects.get_or_create(
                user=self, email=self.email, verified=True, primary=True
            )


def enrol_mfa(user: User) -> str:
    """Give ``user`` an authenticator app; returns its secret (to compute codes in tests)."""
    secret = generate_totp_secret()
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, secret)
    if hasattr(user, "_nzr_has_mfa"):
        del user._nzr_has_mfa
    return secret


def region(code: str) -> Region:
    return Region.objects.get(code=code)


class CareOrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareOrganisation

    name = factory.Sequence(lambda n: f"Zorginstelling {n}")
    kvk = factory.Sequence(lambda n: f"{30000000 + n}")
    agb = factory.Sequence(lambda n: f"{10000000 + n}")
    sector = "vvt"
    postcode = "3511 AB"
    region = factory.LazyFunction(lambda: region("VR09"))
    status = CareOrganisation.Status.APPROVED


class ReservistFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reservist
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    first_name = factory.LazyAttribute(lambda o: o.user.first_name if o.user else "Anna")
    last_name = factory.LazyAttribute(lambda o: o.user.last_name if o.user else "Jansen")
    phone = "0612345678"
    postcode = "3511 AB"
    home_region = factory.LazyFunction(lambda: region("VR09"))
    profession = factory.LazyFunction(lambda: Profession.objects.get(code="verpleegkundige"))
    big_number = "19012345601"
    big_valid_until = factory.LazyFunction(
        lambda: timezone.localdate() + timezone.timedelta(days=900)
    )
    level = "hbo"
    ring = 1
    readiness = "24h"
    status = Reservist.Status.ACTIVE
    sectors = factory.LazyFunction(lambda: ["hospital", "vvt"])
    consent_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def membership(self, create, extracted, **kwargs):
        if create and self.user_id:
            grant_membership(self.user, Membership.Role.RESERVIST)


def make_persona(role: str, *, mfa: bool | None = None, **scope) -> User:
    """A user with one role and its scope. Staff roles get MFA unless ``mfa=False``."""
    user = UserFactory()
    if role == "superuser":
        user.is_superuser = user.is_staff = True
        user.save()
    else:
        grant_membership(user, role, **scope)
    if mfa is None:
        mfa = role in Membership.STAFF_ROLES or role == "superuser"
    if mfa:
        enrol_mfa(user)
    return user
