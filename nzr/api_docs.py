"""The OpenAPI schema (``/api/v1/schema/``) and its Swagger page (``/api/v1/docs/``).

Open to anyone while ``NZR_API_DOCS_PUBLIC`` is on (the default outside production), for
people building against the API; in production (default off) only for a signed-in user,
by session or token, of any role: the schema lists every endpoint, parameter and error
code, which is a map for an attacker and of no use to anyone without an account. Staff
without MFA are refused as on the rest of the API (accounts.authentication). The setting
is read per request, so a test can switch it.

Anonymous, the schema answers 401 (``WWW-Authenticate: Token``); the page, which a person
opens in a browser, sends them to the login page and back.
"""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny, IsAuthenticated

from accounts.permissions import MFASatisfied


def docs_are_public() -> bool:
    return bool(getattr(settings, "NZR_API_DOCS_PUBLIC", False))


class SchemaView(SpectacularAPIView):
    def get_permissions(self):
        if docs_are_public():
            return [AllowAny()]
        return [IsAuthenticated(), MFASatisfied()]


class DocsView(SpectacularSwaggerSplitView):
    def get_permissions(self):
        return [AllowAny()] if docs_are_public() else [MFASatisfied()]

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        if not docs_are_public() and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().get(request, *args, **kwargs)
