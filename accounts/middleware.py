import logging

from django.contrib import messages
from django.db import DatabaseError
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from accounts.audit import log_denied
from accounts.permissions import MFASatisfied
from accounts.scope import mfa_missing

logger = logging.getLogger(__name__)

# Pages a staff user without MFA may still open: account pages (to enrol or
# sign out), static files, the language switch and the health check.
ALLOWED_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/health/", "/favicon.ico")


class RequireMFAMiddleware:
    """Send a staff user who has not enrolled MFA to enrolment, on every page; on the API
    answer 403 with the API's ``mfa_required`` body.

    This sees signed-in sessions only (an API token is read by DRF, in the view). The API
    refuses such users in its authentication classes as well (accounts.authentication),
    tokens and sessions alike, where no view's permissions can drop the rule.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(ALLOWED_PREFIXES)
            and mfa_missing(user)
        ):
            request.nzr_denied = "mfa_required"
            if request.path.startswith("/api/"):
                return JsonResponse(MFASatisfied.message, status=403)
            text = _(
                "Your role requires two-step verification. Set up an authenticator app or "
                "security key first."
            )
            messages.warning(request, text)
            return redirect("mfa_activate_totp")
        return self.get_response(request)


# Responses that refuse access. 404 counts: an object outside the caller's scope
# answers 404, the same as a missing one, so a 404 may be a hidden refusal.
DENIED_STATUSES = {401, 403, 404, 429}
# Never logged: static files and the health check (no personal data behind them).
QUIET_PREFIXES = ("/static/", "/favicon.ico", "/health/", "/robots.txt")
LOGIN_PATHS = ("/accounts/login/", "/admin/login/")


def _is_authenticated(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class AccessDeniedLogMiddleware:
    """Write every refused access to the access log (NEN 7513), in one place.

    Sits after authentication and before the MFA and session-timeout checks, so it sees
    the final answer of every permission check: PermissionDenied and Http404 from views
    (turned into responses by Django), DRF's 401/403/404, the MFA refusal (a 403 in the
    API, a redirect to enrolment on pages, marked by ``request.nzr_denied``), CSRF
    failures and 429s. What is logged:

    - a signed-in user (session or API token): every 401/403/404/429 and MFA refusal;
    - anonymous: refusals on the API (401/403/429), any 403, and 429 on the logins.
      An anonymous 404 is not logged (a missing page, no personal data behind it),
      nor the redirect to the login page (the normal way in).
    Failed password and MFA-code logins are logged by the allauth hooks (accounts.adapters,
    accounts.signals). A failure to write the log never turns the answer into a 500.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        reason = getattr(request, "nzr_denied", "")
        status = response.status_code
        if (reason or status in DENIED_STATUSES) and self._worth_logging(request, status, reason):
            try:
                log_denied(
                    request,
                    status_code=status,
                    reason=reason or _reason_for(response, status),
                    # Refused in the API's authentication: the user DRF did not let in.
                    user=getattr(request, "nzr_denied_user", None),
                )
            except DatabaseError:
                logger.warning("Could not write a denied access to the access log", exc_info=True)
        return response

    @staticmethod
    def _worth_logging(request, status: int, reason: str) -> bool:
        path = request.path
        if path.startswith(QUIET_PREFIXES):
            return False
        if _is_authenticated(request) or reason:
            return True
        if path.startswith("/api/"):
            return status in (401, 403, 429)
        if status == 403:
            return True
        return status == 429 and path.startswith(LOGIN_PATHS)


def _reason_for(response, status: int) -> str:
    """The API's error code when there is one (e.g. "mfa_required", "not_authenticated"),
    otherwise a word for the status."""
    data = getattr(response, "data", None)
    if isinstance(data, dict):
        code = data.get("code") or getattr(data.get("detail"), "code", None)
        if isinstance(code, str) and code:
            return code[:64]
    return {
        401: "not_authenticated",
        403: "forbidden",
        404: "not_found_or_out_of_scope",
        429: "throttled",
    }.get(status, "")


class NoStoreMiddleware:
    """``Cache-Control: no-store`` (Django's never-cache set) on every answer that may carry
    personal data: all answers to a signed-in user (session or API token) and all API
    answers. Static files never reach this (WhiteNoise answers them first); anonymous
    public pages (login, privacy statement) stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(QUIET_PREFIXES[:2]) and (
            request.path.startswith("/api/") or _is_authenticated(request)
        ):
            add_never_cache_headers(response)
        return response
