from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from accounts.scope import mfa_missing, scope_of


class MFASatisfied(BasePermission):
    """Staff roles must have MFA enrolled, also when they use an API token."""

    message = {
        "detail": _(
            "Your role requires two-step verification; enrol it in the web application first."
        ),
        "code": "mfa_required",
    }

    def has_permission(self, request, view):
        return not mfa_missing(request.user)


def role_permission(*predicates: str, name: str | None = None):
    """A DRF permission class that lets in users whose Scope has one of ``predicates``.

    ``role_permission("is_national", "is_regional")`` admits national and
    regional coordinators. Objects outside the scope are filtered by
    ``visible_to`` (404), so this only guards the action itself (403).
    """

    class _RolePermission(BasePermission):
        message = _("Your role may not do this.")

        def has_permission(self, request, view):
            scope = scope_of(request.user)
            return any(getattr(scope, p) for p in predicates)

    _RolePermission.__name__ = name or "Role_" + "_or_".join(predicates)
    return _RolePermission


IsCoordinator = role_permission("is_national", "is_regional", name="IsCoordinator")
IsNational = role_permission("is_national", name="IsNational")
IsTriangleOrNational = role_permission("is_triangle", "is_national", name="IsTriangleOrNational")
IsReservist = role_permission("is_reservist", name="IsReservist")
IsCareOrg = role_permission("is_care_org", name="IsCareOrg")
IsFiguresReader = role_permission(
    "is_national", "is_regional", "is_triangle", name="IsFiguresReader"
)
