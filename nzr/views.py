"""Project-wide error views."""

from django.http import JsonResponse
from django.views import defaults
from rest_framework.exceptions import NotFound


def not_found(request, exception):
    """A URL under /api/ that matches no route answers JSON, as every other API answer does
    (e.g. ``/api/v1/requests/0.5/``, an id that is not a number); pages keep the HTML page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
    return defaults.page_not_found(request, exception)
