"""The one place that decides what a user may see.

Every model that a user can see has a ``visible_to(user)`` queryset method;
each of them asks ``scope_of(user)`` for the user's roles and scope, so that
views, the API and exports filter in the same way.
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser

from accounts.models import Membership

Role = Membership.Role


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    roles: frozenset = field(default_factory=frozenset)
    region_ids: frozenset = field(default_factory=frozenset)
    organisation_ids: frozenset = field(default_factory=frozenset)
    parties: frozenset = field(default_factory=frozenset)
    is_superuser: bool = False

    @property
    def is_national(self) -> bool:
        """National coordinators (and superusers) see the whole country."""
        return self.is_superuser or Role.NATIONAL in self.roles

    @property
    def is_triangle(self) -> bool:
        return Role.TRIANGLE in self.roles

    @property
    def is_regional(self) -> bool:
        return Role.REGIONAL in self.roles

    @property
    def is_care_org(self) -> bool:
        return Role.CARE_ORG in self.roles

    @property
    def is_reservist(self) -> bool:
        return Role.RESERVIST in self.roles

    @property
    def is_coordinator(self) -> bool:
        return self.is_national or self.is_regional

    @property
    def sees_all_regions(self) -> bool:
        """National staff and the triangle see figures of all regions."""
        return self.is_national or self.is_triangle

    @property
    def is_staff_role(self) -> bool:
        return self.is_superuser or bool(self.roles & set(Membership.STAFF_ROLES))

    @property
    def primary_role(self) -> str | None:
        for role in (Role.NATIONAL, Role.TRIANGLE, Role.REGIONAL, Role.CARE_ORG, Role.RESERVIST):
            if role in self.roles:
                return role
        return "admin" if self.is_superuser else None


ANONYMOUS = Scope(user_id=None)


def scope_of(user) -> Scope:
    """The user's roles and scope today; cached on the user object."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return ANONYMOUS
    cached = getattr(user, "_nzr_scope", None)
    if cached is not None:
        return cached
    rows = list(scope_memberships(user.pk).values_list(*MEMBERSHIP_FIELDS))
    return remember_scope(user, rows)


# What a scope is made of: per membership valid today, these fields in this order.
MEMBERSHIP_FIELDS = ("role", "region_id", "organisation_id", "party")


def scope_memberships(user_id, day=None):
    """The memberships a scope is made of: those of ``user_id`` (a pk, or an ``OuterRef``
    in a subquery) valid on ``day`` (today)."""
    return Membership.objects.valid_on(day).filter(user_id=user_id)


def remember_scope(user, rows) -> Scope:
    """The scope of ``user`` from their memberships valid today (rows of
    ``MEMBERSHIP_FIELDS``), cached on the user object. ``scope_of`` reads the rows
    itself; the API's token authentication reads them with the token."""
    scope = Scope(
        user_id=user.pk,
        roles=frozenset(r[0] for r in rows),
        region_ids=frozenset(r[1] for r in rows if r[0] == Role.REGIONAL),
        organisation_ids=frozenset(r[2] for r in rows if r[0] == Role.CARE_ORG),
        parties=frozenset(r[3] for r in rows if r[0] == Role.TRIANGLE),
        is_superuser=bool(user.is_superuser and user.is_active),
    )
    user._nzr_scope = scope
    return scope


def forget_scope(user) -> None:
    """Drop the cached scope, e.g. after a membership changed."""
    if hasattr(user, "_nzr_scope"):
        del user._nzr_scope


def requires_mfa(user) -> bool:
    """Staff roles (coordinators, triangle, superusers, admin users) must use MFA."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_staff or scope_of(user).is_staff_role


def has_mfa(user) -> bool:
    """True once the user enrolled a second factor (TOTP or a security key)."""
    cached = getattr(user, "_nzr_has_mfa", None)
    if cached is None:
        cached = second_factors().filter(user_id=user.pk).exists()
        user._nzr_has_mfa = cached
    return cached


def second_factors():
    """The authenticators that count as a second factor (TOTP, security keys)."""
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(
        type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    )


def mfa_missing(user) -> bool:
    return requires_mfa(user) and not has_mfa(user)
