"""``Permissions-Policy`` on every response: browser features the app never uses are off.

The app uses no camera, microphone, location, payment, USB, sensors or the like; turning
them off means injected script (or a page framed by mistake) cannot ask for them either.
It does use WebAuthn (security keys and passkeys, allauth.mfa): ``publickey-credentials-get``
and ``publickey-credentials-create`` stay allowed for the site itself (``self``) and no
other origin. ``interest-cohort`` (FLoC) is left out: browsers dropped it and Chromium
warns about an unknown feature on every page; ``browsing-topics`` is its successor.

The policy is ``settings.NZR_PERMISSIONS_POLICY`` (feature -> allowlist). The middleware
sits right after SecurityMiddleware, outside WhiteNoise, so static files carry it as well.
"""

from django.conf import settings


def header_value(policy: dict[str, list[str]]) -> str:
    """``{"camera": [], "publickey-credentials-get": ["self"]}`` ->
    ``camera=(), publickey-credentials-get=(self)``."""
    return ", ".join(f"{feature}=({' '.join(allow)})" for feature, allow in policy.items())


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.value = header_value(settings.NZR_PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.value)
        return response
