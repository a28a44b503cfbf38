"""Account services: granting and ending roles, API tokens."""

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.audit import log_action
from accounts.models import Membership, User
from accounts.scope import forget_scope

# Roles that may use the Django admin, and the permission group they get.
ADMIN_GROUPS = {
    Membership.Role.NATIONAL: "Landelijk coördinator",
    Membership.Role.TRIANGLE: "Driehoek",
}


@transaction.atomic
def grant_membership(
    user: User,
    role: str,
    *,
    actor=None,
    region=None,
    organisation=None,
    party: str = "",
    valid_from=None,
) -> Membership:
    """Give ``user`` a role with its scope. Idempotent for an identical, valid membership."""
    existing = (
        Membership.objects.valid_on()
        .filter(user=user, role=role, region=region, organisation=organisation, party=party or "")
        .first()
    )
    if existing:
        return existing
    membership = Membership(
        user=user,
        role=role,
        region=region,
        organisation=organisation,
        party=party or "",
        valid_from=valid_from or timezone.localdate(),
        created_by=actor,
    )
    membership.full_clean()
    membership.save()
    group_name = ADMIN_GROUPS.get(role)
    if group_name:
        group, _ = Group.objects.get_or_create(name=group_name)
        user.groups.add(group)
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
    log_action(membership, "membership.granted", actor, role=role)
    forget_scope(user)
    return membership


@transaction.atomic
def end_membership(membership: Membership, *, actor=None, reason: str = "") -> None:
    # Valid until yesterday: from today on the role no longer counts. A membership
    # that started today is closed as a zero-length period (created_at keeps the truth).
    membership.valid_until = timezone.localdate() - timezone.timedelta(days=1)
    membership.valid_from = min(membership.valid_from, membership.valid_until)
    membership.save(update_fields=["valid_from", "valid_until"])
    log_action(membership, "membership.ended", actor, reason)
    forget_scope(membership.user)


def api_token_for(user: User) -> str:
    token, _ = Token.objects.get_or_create(user=user)
    return token.key
