"""Session idle and absolute timeouts, enforced on the server.

- idle: no request for NZR_SESSION_IDLE_MINUTES (default 30) -> signed out;
- absolute: NZR_SESSION_MAX_HOURS (default 12) after sign-in -> signed out, however busy.
The timestamps live in the session (database), so every web process agrees.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import redirect
from django.utils.translation import gettext as _

STARTED = "_nzr_started"
SEEN = "_nzr_seen"
TOUCH_EVERY = 60  # seconds: write "last seen" at most once a minute


def _limits():
    idle = int(getattr(settings, "NZR_SESSION_IDLE_MINUTES", 30)) * 60
    absolute = int(getattr(settings, "NZR_SESSION_MAX_HOURS", 12)) * 3600
    return idle, absolute


@receiver(user_logged_in)
def _stamp_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[STARTED] = now
        request.session[SEEN] = now


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            idle, absolute = _limits()
            started = request.session.get(STARTED, now)
            seen = request.session.get(SEEN, now)
            if now - seen > idle or now - started > absolute:
                logout(request)
                messages.info(
                    request, _("You were signed out to protect your data. Please sign in again.")
                )
                if request.path.startswith("/api/"):
                    from django.http import JsonResponse

                    return JsonResponse(
                        {
                            "detail": _("Your session has ended. Please sign in again."),
                            "code": "session_expired",
                        },
                        status=401,
                    )
                return redirect(f"{settings.LOGIN_URL_PATH}?next={request.path}")
            if STARTED not in request.session:
                request.session[STARTED] = now
            if now - seen >= TOUCH_EVERY or SEEN not in request.session:
                request.session[SEEN] = now
        return self.get_response(request)
