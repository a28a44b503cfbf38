"""The API's authentication: who is calling, and whether their role lets them in without MFA.

Staff roles must have a second factor (``accounts.scope.mfa_missing``). For the API this
is enforced here, in authentication, and not (only) as a permission: a view that sets its
own ``permission_classes`` drops the default ``MFASatisfied`` (issue 18 found crisis and
escalation views doing just that), whereas DRF knows a request's user only through the
authentication classes, so a staff user without MFA never becomes ``request.user`` of
any API view, whatever its permissions say, and also not of a view that reads the user
lazily. The answer is the 403 of ``MFASatisfied`` (``{"detail": …, "code":
"mfa_required"}``). A view could still name other authentication classes; the system
check ``accounts.checks.api_views_enforce_mfa`` refuses to start then.

Why not elsewhere: DRF has no setting that runs a check on every request and that a view
cannot replace; a base class with its own ``initial()`` works only for views that inherit
it (a forgotten one is the same hole again), and the middleware never sees a token user
(DRF reads the token inside the view). The authentication classes come from the default
settings, every view uses them, and the check verifies that.
"""

from django.db import connection
from django.db.models import BooleanField, Exists, JSONField, OuterRef
from django.db.models.functions import JSONObject
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular import authentication as spectacular_authentication
from rest_framework import authentication, exceptions

from accounts.permissions import MFASatisfied
from accounts.scope import (
    MEMBERSHIP_FIELDS,
    mfa_missing,
    remember_scope,
    scope_memberships,
    second_factors,
)
from nzr.precompiled import Precompiled


class MFARequired(exceptions.PermissionDenied):
    """403 for a staff user without a second factor, with the body of ``MFASatisfied``."""

    def __init__(self):
        super().__init__(detail=MFASatisfied.message)


class EnforcesMFA:
    """Mixin for an authentication class: a staff user without MFA is refused (403
    ``mfa_required``) instead of authenticated. Every authentication class of every API
    view must have it (``accounts.checks``)."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and mfa_missing(result[0]):
            # For the access log (accounts.middleware): who was refused, and why; DRF
            # leaves the request anonymous after a refusal in authentication.
            django_request = getattr(request, "_request", request)
            django_request.nzr_denied = "mfa_required"
            django_request.nzr_denied_user = result[0]
            raise MFARequired()
        return result


class SessionAuthentication(EnforcesMFA, authentication.SessionAuthentication):
    """DRF's session authentication (CSRF for writes), refusing staff without MFA.
    ``RequireMFAMiddleware`` refuses them on ``/api/`` too; this holds for any API view,
    whatever its path and the middleware's order."""


class TokenAuthentication(EnforcesMFA, authentication.TokenAuthentication):
    """DRF's token authentication (``Authorization: Token …``, same answers and errors),
    refusing staff without MFA (``EnforcesMFA``).

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


class SessionScheme(spectacular_authentication.SessionScheme):
    """The schema's ``cookieAuth`` for our SessionAuthentication (drf-spectacular knows
    DRF's class only; its token scheme matches subclasses)."""

    target_class = "accounts.authentication.SessionAuthentication"
