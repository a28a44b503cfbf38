from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from accounts.scope import mfa_missing

# Pages a staff user without MFA may still open: account pages (to enrol or
# sign out), static files, the language switch and the health check.
ALLOWED_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/health/", "/favicon.ico")


class RequireMFAMiddleware:
    """Send a staff user who has not enrolled MFA to enrolment, on every page."""

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
            text = _(
                "Your role requires two-step verification. Set up an authenticator app or "
                "security key first."
            )
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": text, "code": "mfa_required"}, status=403)
            messages.warning(request, text)
            return redirect("mfa_activate_totp")
        return self.get_response(request)
