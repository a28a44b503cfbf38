"""System check: every REST framework view authenticates with classes that refuse staff
without MFA (accounts.authentication.EnforcesMFA).

The API enforces MFA in authentication so that no view's ``permission_classes`` can drop
it; this check closes the remaining way round, a view that names other authentication
classes (``authentication_classes = [rest_framework.authentication.TokenAuthentication]``,
in ``as_view(...)`` or by overriding ``get_authenticators``). It walks the URLconf, so it
also covers views outside ``/api/`` and the schema and docs views of drf-spectacular. An
error stops ``runserver``, ``migrate`` and ``check --deploy`` in CI.
"""

from django.core import checks
from django.urls import URLPattern, URLResolver, get_resolver


def drf_views(patterns=None, prefix=""):
    """(route, view class, effective authentication classes) of every REST framework
    view in the URLconf."""
    from rest_framework.views import APIView

    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from drf_views(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            cls = getattr(entry.callback, "cls", None)
            if isinstance(cls, type) and issubclass(cls, APIView):
                initkwargs = getattr(entry.callback, "initkwargs", None) or {}
                classes = initkwargs.get("authentication_classes", cls.authentication_classes)
                yield prefix + str(entry.pattern), cls, classes


@checks.register(checks.Tags.security)
def api_views_enforce_mfa(app_configs=None, **kwargs):
    from rest_framework.views import APIView

    from accounts.authentication import EnforcesMFA

    errors = []
    for route, cls, classes in drf_views():
        name = f"{cls.__module__}.{cls.__qualname__}"
        weak = [c for c in classes if not (isinstance(c, type) and issubclass(c, EnforcesMFA))]
        if weak:
            errors.append(
                checks.Error(
                    f"{name} ({route}) authenticates with {', '.join(map(str, weak))}, "
                    "which does not refuse staff without MFA.",
                    hint="Use accounts.authentication.TokenAuthentication / "
                    "SessionAuthentication (or another class with EnforcesMFA).",
                    obj=cls,
                    id="accounts.E001",
                )
            )
        if cls.get_authenticators is not APIView.get_authenticators:
            errors.append(
                checks.Error(
                    f"{name} ({route}) overrides get_authenticators(); the MFA rule of "
                    "the API's authentication cannot be verified.",
                    obj=cls,
                    id="accounts.E002",
                )
            )
    return errors
