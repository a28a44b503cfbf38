"""API token authentication that reads, with the token, what every request asks next."""

from django.db import connection
from django.db.models import BooleanField, Exists, JSONField, OuterRef
from django.db.models.functions import JSONObject
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from accounts.scope import (
    MEMBERSHIP_FIELDS,
    remember_scope,
    scope_memberships,
    second_factors,
)
from nzr.precompiled import Precompiled


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication (``Authorization: Token …``, same answers and errors).

    The token's query also reads whether the user has a second factor and, on
    PostgreSQL, their memberships valid today (an array subquery): ``requires_mfa``,
    ``has_mfa`` and ``scope_of`` then ask nothing more. Without it every API request
    ran three queries before the view. Nothing is cached beyond the request; the SQL of
    the two subqueries is compiled once per process and day (``Precompiled``).
    """

    def authenticate_credentials(self, key):
        tokens = (
            self.get_model()
            .objects.select_related("user")
            .annotate(nzr_has_mfa=Precompiled("token:mfa", _has_mfa, BooleanField()))
        )
        with_scope = connection.vendor == "postgresql"
        if with_scope:
            from django.contrib.postgres.fields import ArrayField

            today = timezone.localdate()
            tokens = tokens.annotate(
                nzr_memberships=Precompiled(
                    ("token:memberships", today),
                    lambda: _memberships(today),
                    ArrayField(JSONField()),
                )
            )
        try:
            token = tokens.get(key=key)
        except self.get_model().DoesNotExist as exc:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from exc
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        user._nzr_has_mfa = token.nzr_has_mfa
        if with_scope:
            rows = [tuple(row[name] for name in MEMBERSHIP_FIELDS) for row in token.nzr_memberships]
            remember_scope(user, rows)
        return (user, token)


def _has_mfa():
    return Exists(second_factors().filter(user_id=OuterRef("user_id")))


def _memberships(today):
    from django.contrib.postgres.expressions import ArraySubquery

    memberships = scope_memberships(OuterRef("user_id"), today).values(
        row=JSONObject(**{name: name for name in MEMBERSHIP_FIELDS})
    )
    return ArraySubquery(memberships)
